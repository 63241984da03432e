//! No N+1 in the KPI area: 50 squads with their KPIs (latest value, trend, status) and
//! their outcomes (with their KPI) cost the statements of the query's shape, whatever
//! the number of squads. See `statements.rs` for why those counts are bounded, not equal;
//! the shape of the benchmark has an exact count (the last test).

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{days_ago, Session, TestApp};

const SQUADS_WITH_KPIS: &str = r#"{
  squads(first: 50) {
    totalCount
    edges { node {
      name
      kpis { totalCount edges { node {
        name attainment status isShared
        latestMeasurement { value recordedAt }
        trend(window: "P7D") { first last delta direction }
      } } }
      outcomes { totalCount edges { node {
        title isMeasurable progress
        kpi { name latestMeasurement { value } }
      } } }
    } }
  }
}"#;

/// Seeds squads `first..first + n` in `team`, each with two KPIs of three measurements
/// and one outcome measured by the first KPI, and returns the statements the query ran.
async fn statements_for(app: &TestApp, admin: &Session, team: &str, n: usize, first: usize) -> u64 {
    for i in first..first + n {
        let squad = app
            .create_squad(admin, team, &format!("Squad {i:03}"))
            .await;
        let mut kpis = Vec::new();
        for (name, direction) in [
            ("Conversion", "HIGHER_IS_BETTER"),
            ("Latency", "LOWER_IS_BETTER"),
        ] {
            let kpi = app
                .create_kpi(
                    admin,
                    json!({ "squadId": squad, "name": format!("{name} {i:03}"),
                        "unit": "SCORE", "category": "DELIVERY", "direction": direction,
                        "baseline": 100.0,
                        "target": if direction == "HIGHER_IS_BETTER" { 200.0 } else { 50.0 } }),
                )
                .await;
            kpis.push(kpi);
        }
        for kpi in &kpis {
            for (days, value) in [(20.0, 100.0), (5.0, 110.0), (1.0, 120.0)] {
                app.record_measurement(admin, kpi, value, &days_ago(days))
                    .await;
            }
        }
        app.gql_as(
            admin,
            "mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) { outcome { id } } }",
            json!({ "input": { "squadId": squad, "quarter": "2026-Q4",
                               "title": format!("Outcome {i:03}"), "kpiId": kpis[0] } }),
        )
        .await
        .data();
    }
    let before = app.statements.get();
    let res = app.gql_as(admin, SQUADS_WITH_KPIS, json!({})).await;
    let after = app.statements.get();

    let squads = res.data()["squads"]["edges"].as_array().unwrap();
    assert_eq!(squads.len(), first + n);
    assert_eq!(res.data()["squads"]["totalCount"], first + n);
    for (i, edge) in squads.iter().enumerate() {
        let squad = &edge["node"];
        assert_eq!(squad["name"], format!("Squad {i:03}"));
        assert_eq!(squad["kpis"]["totalCount"], 2);
        let kpis: Vec<&Value> = squad["kpis"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["node"])
            .collect();
        // Conversion rose 100 → 120 (of 100 → 200): 0.2, improving; latency rose too,
        // which is worse (of 100 → 50): 0, worsening.
        assert_eq!(kpis[0]["name"], format!("Conversion {i:03}"));
        assert_eq!(kpis[0]["latestMeasurement"]["value"], 120.0);
        assert_eq!(
            kpis[0]["trend"],
            json!({ "first": 110.0, "last": 120.0, "delta": 10.0, "direction": "IMPROVING" })
        );
        assert_eq!(kpis[0]["status"], "AT_RISK");
        assert_eq!(kpis[1]["name"], format!("Latency {i:03}"));
        assert_eq!(kpis[1]["trend"]["direction"], "WORSENING");
        assert_eq!(kpis[1]["attainment"], 0.0);
        assert_eq!(kpis[1]["status"], "OFF_TRACK");
        let outcome = &squad["outcomes"]["edges"][0]["node"];
        assert_eq!(squad["outcomes"]["totalCount"], 1);
        assert_eq!(outcome["title"], format!("Outcome {i:03}"));
        assert_eq!(outcome["isMeasurable"], true);
        assert_eq!(outcome["kpi"]["name"], format!("Conversion {i:03}"));
        assert_eq!(outcome["kpi"]["latestMeasurement"]["value"], 120.0);
        assert!((outcome["progress"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    }
    after - before
}

async fn fifty_squads_with_kpis_and_outcomes_cost_the_statements_of_the_query_shape(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    let ten = statements_for(&app, &admin, &team, 10, 0).await;
    let fifty = statements_for(&app, &admin, &team, 40, 10).await;
    println!(
        "squads with KPIs and outcomes ({:?}): 10 squads: {ten} statements; 50 squads: {fifty} statements",
        app.db_kind
    );
    // The shape: 1 statement to authenticate; the squads page and its total; for the
    // squads, one KPI page and one count, one outcome page and one count; for the KPIs,
    // the latest measurements (by id), the 7-day trends and the 30-day
    // trends that `status` judges (one statement per window length) and the owners'
    // disciplines; for the outcomes, their KPIs by id and those KPIs' latest
    // measurements. That is 13 statements when each loader gathers all its keys in one
    // batch. As in `statements.rs`, keys of one loader from two waves (latest
    // measurements for the squads' KPIs and for the outcomes' KPIs) may or may not share
    // a batch, so the count varies a little between runs, but it is bounded by the
    // shape alone: an N+1 here would cost 50 to 100 more.
    const SHAPE_BOUND: u64 = 26;
    assert!(ten <= SHAPE_BOUND, "{ten} statements for 10 squads");
    assert!(fifty <= SHAPE_BOUND, "{fifty} statements for 50 squads");
}

crate::db_tests!(fifty_squads_with_kpis_and_outcomes_cost_the_statements_of_the_query_shape);

const TEAMS_SQUADS_KPIS: &str = r#"{
  teams(first: 40, orderBy: { field: NAME, direction: ASC }) { nodes {
    name
    squads(first: 5) { nodes {
      name
      kpis(first: 10) { nodes { name latestMeasurement { value } } }
    } }
  } }
}"#;

/// The nested shape of the benchmark (bench/README.md, shape c): each level is one
/// batch, so the query costs exactly one statement per level, for 1 team as for 40.
/// Every item of a page reaches its loader in the same pass (`connection::Joined`);
/// with async-graphql's own lists, a page of more than 30 teams was polled two teams
/// at a time and its squads loaded in several batches.
async fn a_page_of_40_teams_with_squads_and_kpis_costs_one_statement_per_level(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let mut counts = Vec::new();
    for (from, to) in [(0, 1), (1, 40)] {
        for i in from..to {
            let team = app.create_team(&admin, &format!("Team {i:03}")).await;
            let squad = app
                .create_squad(&admin, &team, &format!("Squad {i:03}"))
                .await;
            let kpi = app
                .create_kpi(
                    &admin,
                    json!({ "squadId": squad, "name": format!("Uptime {i:03}"),
                        "unit": "PERCENT", "category": "RELIABILITY",
                        "direction": "HIGHER_IS_BETTER", "baseline": 99.0, "target": 99.9 }),
                )
                .await;
            app.record_measurement(&admin, &kpi, 99.5, &days_ago(1.0))
                .await;
        }
        let before = app.statements.get();
        let res = app.gql_as(&admin, TEAMS_SQUADS_KPIS, json!({})).await;
        counts.push(app.statements.get() - before);
        let teams = res.data()["teams"]["nodes"].as_array().unwrap();
        assert_eq!(teams.len(), to);
        for (i, team) in teams.iter().enumerate() {
            let squad = &team["squads"]["nodes"][0];
            assert_eq!(squad["name"], format!("Squad {i:03}"));
            let kpi = &squad["kpis"]["nodes"][0];
            assert_eq!(kpi["name"], format!("Uptime {i:03}"));
            assert_eq!(kpi["latestMeasurement"]["value"], 99.5);
        }
    }
    // The teams page, the squads of every team, the KPIs of every squad and the latest
    // measurement of every KPI. (Not the caller's row: this process read it for the
    // requests before, and keeps it until it hears of a change.)
    assert_eq!(counts, [4, 4], "statements for 1 team, then for 40 teams");

    // The same under concurrency, where the server's workers interleave requests: each
    // still costs its 4 statements. (With async-graphql's own lists, the passes of one
    // request were spread over turns of the runtime and its batches were cut: about 12
    // statements per request in the benchmark.)
    const CONCURRENT: u64 = 16;
    let before = app.statements.get();
    let all =
        join_all((0..CONCURRENT).map(|_| app.gql_as(&admin, TEAMS_SQUADS_KPIS, json!({})))).await;
    let ran = app.statements.get() - before;
    for res in &all {
        assert_eq!(res.data()["teams"]["nodes"].as_array().unwrap().len(), 40);
    }
    assert_eq!(
        ran,
        4 * CONCURRENT,
        "statements for {CONCURRENT} concurrent requests"
    );
}

crate::db_tests!(a_page_of_40_teams_with_squads_and_kpis_costs_one_statement_per_level);

const RECORD: &str = r#"mutation($input: RecordKpiMeasurementInput!) {
  recordKpiMeasurement(input: $input) { measurement { id value } }
}"#;

const RECORD_AND_READ: &str = r#"mutation($input: RecordKpiMeasurementInput!) {
  recordKpiMeasurement(input: $input) { measurement { id value } kpi { attainment } }
}"#;

/// What one `recordKpiMeasurement` costs, as the benchmark's shape (d) sends it: the
/// KPI with the caller's standing in one statement, then on PostgreSQL one more (the
/// insert and the journal in one `WITH`), on SQLite three in a transaction (the insert,
/// the change log, the audit event). The caller's row is not read: the cache holds it.
/// The KPI's history does not change the count, and asking for the KPI in the answer
/// costs one statement more (the KPI as it is read, with its attainment).
async fn recording_a_measurement_costs_a_fixed_handful_of_statements(app: TestApp) {
    // A KPI from baseline 50 to target 70.
    let crate::sync::Org { admin, kpi, .. } = crate::sync::Org::new(&app, "Acme").await;
    let expected = if app.db_kind == crate::common::Db::Postgres {
        2
    } else {
        4
    };
    let record = |query: &'static str, value: f64, reference: Option<&str>| {
        let (app, admin, kpi) = (&app, &admin, kpi.clone());
        let input = match reference {
            Some(r) => json!({ "kpiId": kpi, "value": value,
                "externalRef": { "source": "jira", "id": r } }),
            None => json!({ "kpiId": kpi, "value": value }),
        };
        async move {
            let before = app.statements.get();
            let res = app.gql_as(admin, query, json!({ "input": input })).await;
            let ran = app.statements.get() - before;
            (res, ran)
        }
    };
    // The first write, then one after 30 more: the history costs nothing.
    let (res, first) = record(RECORD, 60.0, None).await;
    assert_eq!(
        res.data()["recordKpiMeasurement"]["measurement"]["value"],
        60.0
    );
    for i in 0..30 {
        record(RECORD, 51.0 + f64::from(i) / 10.0, None).await;
    }
    let (res, later) = record(RECORD_AND_READ, 66.0, None).await;
    assert_eq!(res.data()["recordKpiMeasurement"]["kpi"]["attainment"], 0.8);
    assert_eq!(
        [first, later],
        [expected, expected + 1],
        "statements per recording, then with the KPI read back"
    );

    // With an external reference: new, then the same again (nothing changes: the KPI
    // with the caller's standing, the insert that skips it, the look-up of the row it
    // skipped and the audit event of the unchanged write, on both databases).
    let (_, new) = record(RECORD, 68.0, Some("PAY-1")).await;
    assert_eq!(new, expected, "statements for a new reference");
    let (res, again) = record(RECORD_AND_READ, 68.0, Some("PAY-1")).await;
    assert_eq!(res.data()["recordKpiMeasurement"]["kpi"]["attainment"], 0.9);
    assert_eq!(
        again, 5,
        "statements for a known reference, unchanged, read back"
    );
}

crate::db_tests!(recording_a_measurement_costs_a_fixed_handful_of_statements);
