//! Recording, correcting, deleting and listing a KPI's measurements: idempotent by
//! external reference, also when recorded at once.

use chrono::{Duration, Utc};
use futures_util::future::join_all;
use serde_json::{json, Value};

use super::{
    add_owner, assert_close, float, kpi, record, Org, DELETE_MEASUREMENT, MEASUREMENTS,
    MEASUREMENT_FIELDS,
};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::common::{assert_bad_input, assert_code, days_ago, denied, instant, TestApp};

// ---------------------------------------------------------------------------------
// Measurements

async fn recording_a_measurement_returns_it_with_the_kpis_new_attainment(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;

    let at = days_ago(1.0);
    let res = record(
        &app,
        &org.engineer,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": at, "note": "after the redesign" }),
    )
    .await;
    let payload = &res.data()["recordKpiMeasurement"];
    let m = &payload["measurement"];
    assert_eq!(m["value"], 50.0);
    assert_eq!(instant(&m["recordedAt"]), instant(&json!(at)));
    assert_eq!(m["source"], "MANUAL");
    assert_eq!(m["note"], "after the redesign");
    assert_eq!(m["externalRef"], Value::Null);
    assert_eq!(m["kpi"]["id"], id.as_str());
    assert_eq!(m["recordedBy"]["id"], org.engineer.user_id.as_str());
    let k = &payload["kpi"];
    assert_close(&k["attainment"], 0.5, "50 between 40 and 60");
    assert_eq!(k["latestMeasurement"]["id"], m["id"]);
    assert_eq!(k["measurements"]["totalCount"], 1);

    // Without recordedAt it is recorded now, and is the latest.
    let before = Utc::now() - Duration::seconds(1);
    let res = record(&app, &org.pm, json!({ "kpiId": id, "value": 58.0 })).await;
    let payload = &res.data()["recordKpiMeasurement"];
    let recorded = instant(&payload["measurement"]["recordedAt"]);
    assert!(recorded >= before && recorded <= Utc::now() + Duration::seconds(1));
    assert_close(&payload["kpi"]["attainment"], 0.9, "58 between 40 and 60");
    assert_eq!(payload["kpi"]["latestMeasurement"]["value"], 58.0);

    // An older value recorded later does not become the latest.
    let res = record(
        &app,
        &org.pm,
        json!({ "kpiId": id, "value": 41.0, "recordedAt": days_ago(20.0) }),
    )
    .await;
    let k = &res.data()["recordKpiMeasurement"]["kpi"];
    assert_eq!(k["latestMeasurement"]["value"], 58.0);
    assert_close(&k["attainment"], 0.9, "still from the latest value");
    assert_eq!(k["measurements"]["totalCount"], 3);

    // The measurement is a node.
    let res = app
        .gql_as(
            &org.designer,
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on KpiMeasurement {{ {MEASUREMENT_FIELDS} }} }} }}"),
            json!({ "id": m["id"] }),
        )
        .await;
    assert_eq!(res.data()["node"]["value"], 50.0);
}

async fn recording_the_same_external_reference_twice_stores_one_row_and_changes_nothing(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let input = json!({ "kpiId": id, "value": 52.5, "recordedAt": days_ago(1.0),
        "externalRef": { "source": "amplitude", "id": "conv-2026-11-24",
                         "url": "https://amplitude.example/c/24" } });

    let first = record(&app, &org.engineer, input.clone()).await;
    let first = first.data()["recordKpiMeasurement"].clone();
    assert_eq!(first["measurement"]["source"], "INTEGRATION");
    assert_eq!(
        first["measurement"]["externalRef"],
        json!({ "source": "amplitude", "id": "conv-2026-11-24",
                "url": "https://amplitude.example/c/24" })
    );

    let second = record(&app, &org.engineer, input.clone()).await;
    let second = second.data()["recordKpiMeasurement"].clone();
    assert_eq!(second["measurement"]["id"], first["measurement"]["id"]);
    assert_eq!(
        second["measurement"]["updatedAt"],
        first["measurement"]["updatedAt"]
    );
    assert_eq!(second["measurement"]["value"], 52.5);
    assert_eq!(second["kpi"]["version"], first["kpi"]["version"]);
    assert_eq!(second["kpi"]["updatedAt"], first["kpi"]["updatedAt"]);
    assert_eq!(second["kpi"]["measurements"]["totalCount"], 1);

    // Another member sending it (without a time) changes nothing either.
    let mut again = input.clone();
    again.as_object_mut().unwrap().remove("recordedAt");
    let third = record(&app, &org.pm, again).await;
    let third = &third.data()["recordKpiMeasurement"];
    assert_eq!(third["measurement"]["id"], first["measurement"]["id"]);
    assert_eq!(
        third["measurement"]["updatedAt"],
        first["measurement"]["updatedAt"]
    );
    assert_eq!(
        third["measurement"]["recordedAt"],
        first["measurement"]["recordedAt"]
    );

    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["updatedAt"], first["kpi"]["updatedAt"]);
    assert_eq!(k["version"], first["kpi"]["version"]);
}

async fn ten_parallel_identical_recordings_store_exactly_one_measurement(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let input = json!({ "kpiId": id, "value": 47.0, "recordedAt": days_ago(0.5),
        "externalRef": { "source": "datadog", "id": "slo-checkout-1" } });

    let results = join_all((0..10).map(|_| record(&app, &org.engineer, input.clone()))).await;
    let ids: Vec<Value> = results
        .iter()
        .map(|r| r.data()["recordKpiMeasurement"]["measurement"]["id"].clone())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "every call answers with the one measurement: {ids:?}"
    );
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["latestMeasurement"]["id"], ids[0]);
    assert_close(&k["attainment"], 0.35, "47 between 40 and 60");
}

async fn parallel_recordings_of_one_reference_on_two_kpis_store_it_on_one_only(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org.conversion(&app).await;
    let abandonment = app
        .create_kpi(
            &org.admin,
            json!({ "squadId": org.squad, "name": "Cart abandonment", "unit": "PERCENT",
                "direction": "LOWER_IS_BETTER", "category": "CUSTOMER" }),
        )
        .await;
    let ext = json!({ "source": "amplitude", "id": "shared-ref" });
    let calls: Vec<(String, f64)> = (0..10)
        .map(|i| {
            if i % 2 == 0 {
                (conversion.clone(), 50.0)
            } else {
                (abandonment.clone(), 12.0)
            }
        })
        .collect();
    let results = join_all(calls.iter().map(|(k, v)| {
        record(
            &app,
            &org.admin,
            json!({ "kpiId": k, "value": v, "externalRef": ext }),
        )
    }))
    .await;
    let mut stored_on = Vec::new();
    for ((kpi_id, _), res) in calls.iter().zip(&results) {
        match res.outcome() {
            Ok(()) => {
                let m = &res.data()["recordKpiMeasurement"]["measurement"];
                assert_eq!(
                    m["kpi"]["id"],
                    kpi_id.as_str(),
                    "a recording answered with another KPI's measurement: {}",
                    res.body
                );
                stored_on.push(kpi_id.clone());
            }
            Err(code) => assert_eq!(code, "CONFLICT", "{}", res.body),
        }
    }
    stored_on.dedup();
    assert_eq!(stored_on.len(), 1, "the reference landed on {stored_on:?}");
    let total = |id: &str| {
        let app = &app;
        let admin = &org.admin;
        let id = id.to_owned();
        async move { kpi(app, admin, &id).await["measurements"]["totalCount"].clone() }
    };
    let on_conversion = total(&conversion).await;
    let on_abandonment = total(&abandonment).await;
    assert_eq!(
        (on_conversion.as_i64().unwrap() + on_abandonment.as_i64().unwrap()),
        1
    );
}

async fn parallel_recordings_leave_the_attainment_of_the_latest_value(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    // Ten values, each an hour apart; the newest (1 hour ago) is 59: attainment 0.95.
    let inputs: Vec<Value> = (1..=10)
        .map(|h| {
            json!({ "kpiId": id, "value": 60.0 - h as f64,
                    "recordedAt": days_ago(h as f64 / 24.0) })
        })
        .collect();
    let results = join_all(
        inputs
            .iter()
            .map(|i| record(&app, &org.engineer, i.clone())),
    )
    .await;
    for r in &results {
        r.data();
    }
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 10);
    assert_eq!(k["latestMeasurement"]["value"], 59.0);
    assert_close(&k["attainment"], 0.95, "attainment of the latest value, 59");
}

/// A recording writes no row but its own. While another transaction holds the KPI's
/// row as an update of its definition does (`FOR NO KEY UPDATE`), eight recordings of
/// it commit, and the KPI then reads the latest of them. Were the KPI's latest value
/// kept on its row, each would queue behind that lock (and behind each other's commit
/// on a busy KPI), and this would time out. PostgreSQL only: SQLite has one writer.
#[tokio::test]
async fn recordings_of_one_kpi_do_not_wait_for_its_row() {
    let Some(app) = TestApp::spawn_postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: skipped (row locks are PostgreSQL's)");
        return;
    };
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let holder = app.db.begin().await.unwrap();
    holder
        .execute_unprepared("SELECT id FROM kpi FOR NO KEY UPDATE")
        .await
        .unwrap();
    // Eight values, an hour apart; the newest (1 hour ago) is 59: attainment 0.95.
    let recordings = join_all((1..=8).map(|h| {
        record(
            &app,
            &org.engineer,
            json!({ "kpiId": id, "value": 60.0 - h as f64,
                    "recordedAt": days_ago(h as f64 / 24.0) }),
        )
    }));
    let results = tokio::time::timeout(std::time::Duration::from_secs(10), recordings)
        .await
        .expect("the recordings waited for the KPI's row");
    for r in &results {
        r.data();
    }
    holder.rollback().await.unwrap();
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 8);
    assert_eq!(k["latestMeasurement"]["value"], 59.0);
    assert_close(&k["attainment"], 0.95, "attainment of the latest value, 59");
}

async fn a_new_value_for_a_known_external_reference_updates_that_measurement(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let at = days_ago(1.0);
    let ext = json!({ "source": "amplitude", "id": "conv-1" });
    let first = record(
        &app,
        &org.engineer,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": at, "externalRef": ext }),
    )
    .await;
    let first = first.data()["recordKpiMeasurement"].clone();
    assert_close(&first["kpi"]["attainment"], 0.5, "50");

    let res = record(
        &app,
        &org.engineer,
        json!({ "kpiId": id, "value": 56.0, "recordedAt": at, "externalRef": ext,
                "note": "late events" }),
    )
    .await;
    let second = &res.data()["recordKpiMeasurement"];
    assert_eq!(second["measurement"]["id"], first["measurement"]["id"]);
    assert_eq!(second["measurement"]["value"], 56.0);
    assert_eq!(second["measurement"]["note"], "late events");
    assert!(
        instant(&second["measurement"]["updatedAt"]) > instant(&first["measurement"]["updatedAt"])
    );
    assert_close(&second["kpi"]["attainment"], 0.8, "56");

    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["latestMeasurement"]["value"], 56.0);
}

async fn an_external_reference_already_recorded_on_another_kpi_is_a_conflict(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org.conversion(&app).await;
    let other = app
        .create_kpi(
            &org.admin,
            json!({ "squadId": org.squad, "name": "Cart abandonment", "unit": "PERCENT",
                "direction": "LOWER_IS_BETTER", "category": "CUSTOMER" }),
        )
        .await;
    let ext = json!({ "source": "amplitude", "id": "daily-1" });
    record(
        &app,
        &org.admin,
        json!({ "kpiId": conversion, "value": 50.0, "externalRef": ext }),
    )
    .await
    .data();

    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": other, "value": 12.0, "externalRef": ext }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    assert_eq!(
        kpi(&app, &org.admin, &other).await["measurements"]["totalCount"],
        0
    );
    let k = kpi(&app, &org.admin, &conversion).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["latestMeasurement"]["value"], 50.0);

    // The same id from another source is another reference.
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": other, "value": 12.0,
                "externalRef": { "source": "mixpanel", "id": "daily-1" } }),
    )
    .await;
    res.data();

    // And references are unique per organisation only.
    let globex = Org::new(&app, "Globex").await;
    let theirs = globex.conversion(&app).await;
    let res = record(
        &app,
        &globex.admin,
        json!({ "kpiId": theirs, "value": 44.0, "externalRef": ext }),
    )
    .await;
    assert_eq!(
        res.data()["recordKpiMeasurement"]["kpi"]["measurements"]["totalCount"],
        1
    );
    assert_eq!(
        kpi(&app, &org.admin, &conversion).await["latestMeasurement"]["value"],
        50.0
    );
}

async fn deleting_a_measurement_brings_back_the_previous_latest_value(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    app.record_measurement(&org.admin, &id, 45.0, &days_ago(3.0))
        .await;
    let newest = app
        .record_measurement(&org.admin, &id, 58.0, &days_ago(1.0))
        .await;
    assert_close(&kpi(&app, &org.admin, &id).await["attainment"], 0.9, "58");

    let res = app
        .gql_as(
            &org.admin,
            DELETE_MEASUREMENT,
            json!({ "input": { "id": newest } }),
        )
        .await;
    let payload = &res.data()["deleteKpiMeasurement"];
    assert_eq!(payload["deletedMeasurementId"], newest.as_str());
    assert_eq!(payload["kpi"]["measurements"]["totalCount"], 1);
    assert_eq!(payload["kpi"]["latestMeasurement"]["value"], 45.0);
    assert_close(&payload["kpi"]["attainment"], 0.25, "45");

    let res = app
        .gql_as(
            &org.admin,
            DELETE_MEASUREMENT,
            json!({ "input": { "id": newest } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": newest }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
}

async fn only_owners_leads_and_admins_may_delete_a_measurement(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    for who in [&org.engineer, &org.pm] {
        add_owner(&app, &org.admin, &id, &who.user_id).await.data();
    }
    let by_engineer = app
        .record_measurement(&org.engineer, &id, 45.0, &days_ago(2.0))
        .await;

    // Another owner may not delete the engineer's value; a designer outside the KPI
    // neither; the engineer may.
    for (who, want) in [
        (&org.pm, denied("FORBIDDEN")),
        (&org.designer, denied("FORBIDDEN")),
        (&org.engineer, Ok(())),
    ] {
        let got = app
            .gql_as(
                who,
                DELETE_MEASUREMENT,
                json!({ "input": { "id": by_engineer } }),
            )
            .await
            .outcome();
        assert_eq!(got, want);
    }
    assert_eq!(
        kpi(&app, &org.admin, &id).await["measurements"]["totalCount"],
        0
    );
    let by_pm = app
        .record_measurement(&org.pm, &id, 46.0, &days_ago(1.0))
        .await;
    app.gql_as(
        &org.admin,
        DELETE_MEASUREMENT,
        json!({ "input": { "id": by_pm } }),
    )
    .await
    .data();
    assert_eq!(
        kpi(&app, &org.admin, &id).await["measurements"]["totalCount"],
        0
    );
}

async fn measurements_are_listed_newest_first_within_a_window_and_paged(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    // Values 41..=50 recorded 10 days ago down to 1 day ago.
    let mut at = Vec::new();
    for d in (1..=10).rev() {
        let t = days_ago(d as f64);
        app.record_measurement(&org.admin, &id, 51.0 - d as f64, &t)
            .await;
        at.push(t);
    }
    let values = |conn: &Value| -> Vec<f64> {
        conn["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| float(&n["value"]))
            .collect()
    };
    let read = |vars: Value| {
        let app = &app;
        let admin = &org.admin;
        async move { app.gql_as(admin, MEASUREMENTS, vars).await.data()["node"]["measurements"].clone() }
    };

    let all = read(json!({ "id": id })).await;
    assert_eq!(all["totalCount"], 10);
    assert_eq!(
        values(&all),
        [50.0, 49.0, 48.0, 47.0, 46.0, 45.0, 44.0, 43.0, 42.0, 41.0]
    );

    // [from, to): from 7 days ago (inclusive) to 3 days ago (exclusive).
    let window = read(json!({ "id": id, "from": at[3], "to": at[7] })).await;
    assert_eq!(values(&window), [47.0, 46.0, 45.0, 44.0]);
    assert_eq!(window["totalCount"], 4);

    let page1 = read(json!({ "id": id, "from": at[3], "first": 3 })).await;
    assert_eq!(values(&page1), [50.0, 49.0, 48.0]);
    assert_eq!(page1["totalCount"], 7);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    let page2 = read(
        json!({ "id": id, "from": at[3], "first": 3, "after": page1["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(values(&page2), [47.0, 46.0, 45.0]);
    let page3 = read(
        json!({ "id": id, "from": at[3], "first": 3, "after": page2["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(values(&page3), [44.0]);
    assert_eq!(page3["pageInfo"]["hasNextPage"], false);

    let res = app
        .gql_as(
            &org.admin,
            MEASUREMENTS,
            json!({ "id": id, "from": at[7], "to": at[3] }),
        )
        .await;
    assert_bad_input(&res, "to");
}

// ---------------------------------------------------------------------------------
// Bad input

async fn a_measurement_in_the_future_is_refused(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": days_ago(-1.0) }),
    )
    .await;
    assert_bad_input(&res, "recordedAt");
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": "yesterday" }),
    )
    .await;
    assert_code(&res, "BAD_USER_INPUT");
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 0);
    assert_eq!(k["latestMeasurement"], Value::Null);
}

async fn a_value_that_is_not_a_number_is_refused(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    for value in [json!("fifty"), json!(null)] {
        let res = record(&app, &org.admin, json!({ "kpiId": id, "value": value })).await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": id, "value": 1.0, "externalRef": { "source": " ", "id": "x" } }),
    )
    .await;
    assert_bad_input(&res, "externalRef.source");
    assert_eq!(
        kpi(&app, &org.admin, &id).await["measurements"]["totalCount"],
        0
    );
}

crate::db_tests!(
    recording_a_measurement_returns_it_with_the_kpis_new_attainment,
    recording_the_same_external_reference_twice_stores_one_row_and_changes_nothing,
    ten_parallel_identical_recordings_store_exactly_one_measurement,
    parallel_recordings_of_one_reference_on_two_kpis_store_it_on_one_only,
    parallel_recordings_leave_the_attainment_of_the_latest_value,
    a_new_value_for_a_known_external_reference_updates_that_measurement,
    an_external_reference_already_recorded_on_another_kpi_is_a_conflict,
    deleting_a_measurement_brings_back_the_previous_latest_value,
    only_owners_leads_and_admins_may_delete_a_measurement,
    measurements_are_listed_newest_first_within_a_window_and_paged,
    a_measurement_in_the_future_is_refused,
    a_value_that_is_not_a_number_is_refused,
);
