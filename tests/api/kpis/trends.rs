//! What a KPI's measurements add up to: the trend over a window, the attainment
//! against the target, and the status that follows from both.

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use super::{assert_close, kpi, Org, TREND};
use crate::common::{assert_code, days_ago, TestApp};

// ---------------------------------------------------------------------------------
// Trend, attainment, status

async fn a_trend_over_seven_days_honours_the_kpis_direction(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let latency = app.create_kpi(&org.admin,
        json!({ "squadId": org.squad, "name": "Checkout latency p95", "unit": "DURATION_SECONDS",
                "direction": "LOWER_IS_BETTER", "category": "RELIABILITY" }),
    )
    .await;
    let conversion = org.conversion(&app).await;
    let flat = app
        .create_kpi(
            &org.admin,
            json!({ "squadId": org.squad, "name": "Support tickets", "unit": "COUNT",
                "direction": "LOWER_IS_BETTER", "category": "QUALITY" }),
        )
        .await;
    // The same values on both: 10 days ago (outside the window), then 6, 3 and 1.
    for (days, value) in [(10.0, 900.0), (6.0, 400.0), (3.0, 350.0), (1.0, 300.0)] {
        app.record_measurement(&org.admin, &latency, value, &days_ago(days))
            .await;
        app.record_measurement(&org.admin, &conversion, value / 10.0, &days_ago(days))
            .await;
    }
    for days in [6.0, 2.0] {
        app.record_measurement(&org.admin, &flat, 12.0, &days_ago(days))
            .await;
    }
    let trend = |id: String, window: &'static str| {
        let app = &app;
        let admin = &org.admin;
        async move {
            app.gql_as(admin, TREND, json!({ "id": id, "window": window }))
                .await
                .data()["node"]["trend"]
                .clone()
        }
    };

    let t = trend(latency.clone(), "P7D").await;
    assert_eq!(
        t,
        json!({ "first": 400.0, "last": 300.0, "delta": -100.0, "direction": "IMPROVING",
                "measurementCount": 3 })
    );
    let t = trend(conversion.clone(), "P7D").await;
    assert_eq!(t["first"], 40.0);
    assert_eq!(t["last"], 30.0);
    assert_eq!(t["delta"], -10.0);
    assert_eq!(t["direction"], "WORSENING", "lower conversion is worse");
    let t = trend(flat.clone(), "P1W").await;
    assert_eq!(t["direction"], "FLAT");
    assert_eq!(t["delta"], 0.0);

    // Other windows: two weeks reach the oldest value; two days hold one value.
    let t = trend(latency.clone(), "P14D").await;
    assert_eq!(t["first"], 900.0);
    assert_eq!(t["measurementCount"], 4);
    let t = trend(latency.clone(), "PT48H").await;
    assert_eq!(
        t,
        json!({ "first": 300.0, "last": 300.0, "delta": 0.0, "direction": "FLAT",
                "measurementCount": 1 })
    );
    // A window with nothing in it has no trend.
    let t = trend(latency.clone(), "PT12H").await;
    assert_eq!(t, Value::Null);

    // Listing them at once gives each its own trend (one batch, three KPIs).
    let res = app
        .gql_as(
            &org.admin,
            "{ kpis { nodes { name trend(window: \"P7D\") { direction } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res.data()["kpis"]["nodes"],
        json!([
            { "name": "Checkout conversion", "trend": { "direction": "WORSENING" } },
            { "name": "Checkout latency p95", "trend": { "direction": "IMPROVING" } },
            { "name": "Support tickets", "trend": { "direction": "FLAT" } },
        ])
    );
}

/// Direction, baseline, target, values oldest first, and the attainment they give.
type AttainmentCase = (
    &'static str,
    Option<f64>,
    Option<f64>,
    Vec<f64>,
    Option<f64>,
);

async fn attainment_runs_from_baseline_to_target_in_the_kpis_direction(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // (direction, baseline, target, values oldest first, attainment)
    let cases: Vec<AttainmentCase> = vec![
        (
            "HIGHER_IS_BETTER",
            Some(40.0),
            Some(60.0),
            vec![50.0],
            Some(0.5),
        ),
        (
            "HIGHER_IS_BETTER",
            Some(40.0),
            Some(60.0),
            vec![75.0],
            Some(1.0),
        ),
        (
            "HIGHER_IS_BETTER",
            Some(40.0),
            Some(60.0),
            vec![30.0],
            Some(0.0),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![75.0],
            Some(0.5),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![90.0],
            Some(0.2),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![40.0],
            Some(1.0),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![120.0],
            Some(0.0),
        ),
        // Without a baseline the first measurement is the baseline.
        (
            "LOWER_IS_BETTER",
            None,
            Some(50.0),
            vec![150.0, 100.0],
            Some(0.5),
        ),
        ("HIGHER_IS_BETTER", None, Some(10.0), vec![2.0], Some(0.0)),
        // Without a target there is nothing to attain.
        ("HIGHER_IS_BETTER", Some(40.0), None, vec![50.0], None),
        ("HIGHER_IS_BETTER", Some(40.0), Some(60.0), vec![], None),
        // A first measurement (standing in for the baseline) already beyond the target
        // leaves no distance to cover: only reaching the target again counts.
        (
            "HIGHER_IS_BETTER",
            None,
            Some(10.0),
            vec![12.0, 5.0],
            Some(0.0),
        ),
        // The latest value counts, not the best one nor the first.
        (
            "HIGHER_IS_BETTER",
            Some(0.0),
            Some(10.0),
            vec![9.0, 1.0, 3.0],
            Some(0.3),
        ),
    ];
    for (n, (direction, baseline, target, values, want)) in cases.into_iter().enumerate() {
        let id = app
            .create_kpi(
                &org.admin,
                json!({ "squadId": org.squad, "name": format!("KPI {n}"), "unit": "SCORE",
                    "category": "QUALITY", "direction": direction,
                    "baseline": baseline, "target": target }),
            )
            .await;
        for (i, v) in values.iter().enumerate() {
            app.record_measurement(&org.admin, &id, *v, &days_ago(5.0 - i as f64))
                .await;
        }
        let got = &kpi(&app, &org.admin, &id).await["attainment"];
        let what = format!("{direction} {baseline:?} → {target:?} at {values:?}");
        match want {
            Some(w) => assert_close(got, w, &what),
            None => assert_eq!(*got, Value::Null, "{what}"),
        }
    }
}

/// A name, (days ago, value) pairs oldest first, and the status they give.
type StatusCase = (&'static str, Vec<(f64, f64)>, Option<&'static str>);

async fn status_follows_attainment_and_the_30_day_trend(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // Baseline 0, target 100: attainment is the latest value / 100. Values oldest first,
    // all within 30 days unless said otherwise.
    let cases: Vec<StatusCase> = vec![
        (
            "reached, worsening",
            vec![(3.0, 120.0), (1.0, 110.0)],
            Some("ON_TRACK"),
        ),
        ("0.8, flat", vec![(1.0, 80.0)], Some("ON_TRACK")),
        (
            "0.8, improving",
            vec![(3.0, 70.0), (1.0, 80.0)],
            Some("ON_TRACK"),
        ),
        (
            "0.8, worsening",
            vec![(3.0, 90.0), (1.0, 80.0)],
            Some("AT_RISK"),
        ),
        (
            "0.5, improving",
            vec![(3.0, 20.0), (1.0, 50.0)],
            Some("ON_TRACK"),
        ),
        ("0.5, flat", vec![(3.0, 50.0), (1.0, 50.0)], Some("AT_RISK")),
        (
            "0.5, worsening",
            vec![(3.0, 60.0), (1.0, 50.0)],
            Some("OFF_TRACK"),
        ),
        (
            "0.1, improving",
            vec![(3.0, 0.0), (1.0, 10.0)],
            Some("AT_RISK"),
        ),
        ("0.1, flat", vec![(1.0, 10.0)], Some("OFF_TRACK")),
        (
            "0.1, worsening",
            vec![(3.0, 20.0), (1.0, 10.0)],
            Some("OFF_TRACK"),
        ),
        // A rise older than 30 days is no trend: 0.5 and flat.
        (
            "0.5, rise 40 days ago",
            vec![(40.0, 20.0), (1.0, 50.0)],
            Some("AT_RISK"),
        ),
        ("nothing measured", vec![], None),
    ];
    let mut want_by_name = Vec::new();
    for (name, values, want) in cases {
        let id = app
            .create_kpi(
                &org.admin,
                json!({ "squadId": org.squad, "name": name, "unit": "PERCENT",
                    "category": "DELIVERY", "baseline": 0.0, "target": 100.0 }),
            )
            .await;
        for (days, v) in values {
            app.record_measurement(&org.admin, &id, v, &days_ago(days))
                .await;
        }
        want_by_name.push((name, want));
        let got = &kpi(&app, &org.admin, &id).await["status"];
        assert_eq!(got.as_str(), want, "{name}: status on its own ({})", got);
    }
    // The same through one list (batched trends).
    let res = app
        .gql_as(
            &org.admin,
            "{ kpis(first: 50) { nodes { name status } } }",
            json!({}),
        )
        .await;
    for node in res.data()["kpis"]["nodes"].as_array().unwrap() {
        let name = node["name"].as_str().unwrap();
        let (_, want) = want_by_name.iter().find(|(n, _)| *n == name).unwrap();
        assert_eq!(node["status"].as_str(), *want, "{name}: status in a list");
    }
}

// ---------------------------------------------------------------------------------
// Bad input

async fn a_trend_window_in_months_or_nonsense_is_bad_input(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    app.record_measurement(&org.admin, &id, 50.0, &days_ago(1.0))
        .await;
    // Windows of a million years reached past the calendar: they are refused, and
    // the server answers the next request as before.
    for window in [
        "P1M",
        "x",
        "P1Y",
        "P0D",
        "30D",
        "",
        "P36526D",
        "P99999999W",
        "PT9223372036854775S",
    ] {
        let res = app
            .gql_as(&org.admin, TREND, json!({ "id": id, "window": window }))
            .await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    let res = app
        .gql_as(&org.admin, TREND, json!({ "id": id, "window": "P36525D" }))
        .await;
    assert_eq!(res.data()["node"]["trend"]["last"], 50.0);
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on Kpi { trend(window: \"P1M\") { delta } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_code(&res, "BAD_USER_INPUT");
    // The default window is 30 days.
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on Kpi { trend { last measurementCount } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        res.data()["node"]["trend"],
        json!({ "last": 50.0, "measurementCount": 1 })
    );
}

/// The latest value and attainment are derived when a KPI is read (`kpi_view`). Undoing
/// that migration puts them back on the KPI's row, backfilled from its measurements, and
/// applying it again derives them as before: the same answers either way.
async fn the_derived_latest_value_survives_a_migration_down_and_up(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    // From baseline 40 to target 60: the latest, 55, is 0.75 of the way.
    for (days, value) in [(3.0, 45.0), (1.0, 55.0), (2.0, 50.0)] {
        app.record_measurement(&org.admin, &id, value, &days_ago(days))
            .await;
    }
    assert_close(
        &kpi(&app, &org.admin, &id).await["attainment"],
        0.75,
        "before",
    );

    migration::Migrator::down(&app.db, Some(1)).await.unwrap();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT latest_value, attainment FROM kpi WHERE name = 'Checkout conversion'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<f64>("", "latest_value").unwrap(), 55.0);
    assert!((row.try_get::<f64>("", "attainment").unwrap() - 0.75).abs() < 1e-9);

    migration::Migrator::up(&app.db, None).await.unwrap();
    app.record_measurement(&org.admin, &id, 58.0, &days_ago(0.5))
        .await;
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["latestMeasurement"]["value"], 58.0);
    assert_close(&k["attainment"], 0.9, "after, with a new value");
}

crate::db_tests!(
    the_derived_latest_value_survives_a_migration_down_and_up,
    a_trend_over_seven_days_honours_the_kpis_direction,
    attainment_runs_from_baseline_to_target_in_the_kpis_direction,
    status_follows_attainment_and_the_30_day_trend,
    a_trend_window_in_months_or_nonsense_is_bad_input,
);
