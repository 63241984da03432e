//! Bulk upserts: up to 1,000 items in one transaction, all or nothing.

use serde_json::{json, Value};

use super::{
    initiative_count, initiative_item, measurement_item, Org, BULK_INITIATIVES, BULK_MEASUREMENTS,
};
use crate::common::{assert_bad_input, assert_code, unknown_id, TestApp};

fn items(squad: &str, n: usize, title: &str) -> Vec<Value> {
    (0..n)
        .map(|i| initiative_item(squad, &format!("PAY-{i}"), &format!("{title} {i}")))
        .collect()
}

fn results<'a>(res: &'a Value, field: &str) -> &'a Vec<Value> {
    let payload = &res[field];
    assert_eq!(payload["errors"], json!([]), "{payload}");
    payload["results"].as_array().unwrap()
}

async fn a_thousand_initiatives_are_created_then_left_then_partly_updated(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "INITIATIVES_WRITE"]).await;
    let mut batch = items(&org.squad, 1000, "Item");
    let res = app
        .gql(Some(&token), BULK_INITIATIVES, json!({ "items": batch }))
        .await;
    let created = results(res.data(), "bulkUpsertInitiatives");
    assert_eq!(created.len(), 1000);
    assert!(created.iter().all(|r| r["result"] == "CREATED"));
    assert_eq!(
        created[999]["initiative"]["title"], "Item 999",
        "input order"
    );
    assert_eq!(initiative_count(&app, &org.admin).await, 1000);

    // The sync runs again with nothing new: nothing changes.
    let res = app
        .gql(Some(&token), BULK_INITIATIVES, json!({ "items": batch }))
        .await;
    let again = results(res.data(), "bulkUpsertInitiatives");
    assert!(again.iter().all(|r| r["result"] == "UNCHANGED"));
    assert!(again.iter().all(|r| r["initiative"]["version"] == 1));
    for (a, b) in created.iter().zip(again) {
        assert_eq!(a["initiative"]["id"], b["initiative"]["id"]);
    }

    // Ten changed upstream, and five are new (the bulk stays at 1,000 items).
    for item in batch.iter_mut().take(10) {
        item["title"] = json!("Renamed upstream");
    }
    batch.truncate(995);
    batch.extend((1000..1005).map(|i| initiative_item(&org.squad, &format!("PAY-{i}"), "New")));
    let res = app
        .gql(Some(&token), BULK_INITIATIVES, json!({ "items": batch }))
        .await;
    let mixed = results(res.data(), "bulkUpsertInitiatives");
    let count = |what: &str| mixed.iter().filter(|r| r["result"] == what).count();
    assert_eq!(
        (count("UPDATED"), count("CREATED"), count("UNCHANGED")),
        (10, 5, 985)
    );
    assert_eq!(mixed[0]["initiative"]["version"], 2);
    assert_eq!(mixed[0]["initiative"]["title"], "Renamed upstream");
    assert_eq!(initiative_count(&app, &org.admin).await, 1005);
}

async fn a_bulk_with_bad_items_lists_each_and_writes_nothing(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "INITIATIVES_WRITE"]).await;
    let first = items(&org.squad, 3, "Kept");
    app.gql(Some(&token), BULK_INITIATIVES, json!({ "items": first }))
        .await
        .data();

    let mut batch = items(&org.squad, 12, "Changed");
    batch[3]["title"] = json!("   ");
    batch[5]["startDate"] = json!("2026-12-10");
    batch[5]["targetDate"] = json!("2026-12-01");
    batch[7]["squadId"] = json!(unknown_id("Squad"));
    batch[9]["externalRef"] = json!({ "source": "jira", "id": "PAY-0" });
    batch[10]["externalRef"]["source"] = json!("");
    let res = app
        .gql(Some(&token), BULK_INITIATIVES, json!({ "items": batch }))
        .await;
    let payload = &res.data()["bulkUpsertInitiatives"];
    assert_eq!(payload["results"], json!([]));
    let errors: Vec<(u64, &str, &str)> = payload["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap(),
                e["field"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "title", "BAD_USER_INPUT"),
            (5, "targetDate", "BAD_USER_INPUT"),
            (7, "squadId", "NOT_FOUND"),
            (9, "externalRef", "BAD_USER_INPUT"),
            (10, "externalRef.source", "BAD_USER_INPUT"),
        ]
    );
    // Nothing was written: no new initiative, and the three kept their titles.
    assert_eq!(initiative_count(&app, &org.admin).await, 3);
    let res = app
        .gql_as(
            &org.admin,
            "{ initiatives { nodes { title version } } }",
            json!({}),
        )
        .await;
    for i in res.data()["initiatives"]["nodes"].as_array().unwrap() {
        assert!(i["title"].as_str().unwrap().starts_with("Kept"), "{i}");
        assert_eq!(i["version"], 1);
    }

    // A malformed id is an error of its item too, before anything runs.
    let mut batch = items(&org.squad, 2, "Ids");
    batch[1]["squadId"] = json!("not an id");
    let res = app
        .gql(Some(&token), BULK_INITIATIVES, json!({ "items": batch }))
        .await;
    let e = &res.data()["bulkUpsertInitiatives"]["errors"];
    assert_eq!(e[0]["index"], 1);
    assert_eq!(e[0]["field"], "squadId");
    assert_eq!(initiative_count(&app, &org.admin).await, 3);
}

async fn a_bulk_holds_one_to_a_thousand_items_and_needs_the_scope(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "INITIATIVES_WRITE"]).await;
    for n in [0, 1001] {
        let res = app
            .gql(
                Some(&token),
                BULK_INITIATIVES,
                json!({ "items": items(&org.squad, n, "Too many") }),
            )
            .await;
        assert_bad_input(&res, "items");
    }
    let reader = org.token(&app, &["READ"]).await;
    let res = app
        .gql(
            Some(&reader),
            BULK_INITIATIVES,
            json!({ "items": items(&org.squad, 2, "Scoped") }),
        )
        .await;
    assert_code(&res, "FORBIDDEN");
    assert_eq!(initiative_count(&app, &org.admin).await, 0);
}

const LATEST: &str = r#"query($id: ID!) { node(id: $id) { ... on Kpi {
  latestMeasurement { value } attainment measurements(first: 1) { totalCount } } } }"#;

async fn a_thousand_measurements_land_in_one_transaction_and_move_their_kpis(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "KPIS_WRITE"]).await;
    let day = |i: usize| format!("2026-{:02}-{:02}T12:00:00Z", 1 + i / 28 % 11, 1 + i % 28);
    let batch: Vec<Value> = (0..1000)
        .map(|i| {
            let mut m = measurement_item(&org.kpi, &format!("row-{i}"), 50.0 + (i % 10) as f64);
            m["recordedAt"] = json!(day(i));
            m
        })
        .collect();
    let res = app
        .gql(Some(&token), BULK_MEASUREMENTS, json!({ "items": batch }))
        .await;
    let done = results(res.data(), "bulkUpsertKpiMeasurements");
    assert_eq!(done.len(), 1000);
    assert!(done.iter().all(|r| r["result"] == "CREATED"));
    let res = app
        .gql_as(&org.admin, LATEST, json!({ "id": org.kpi }))
        .await;
    let k = &res.data()["node"];
    assert_eq!(k["measurements"]["totalCount"], 1000);
    assert!(k["latestMeasurement"]["value"].is_number());

    // Again: unchanged. With one bad item: nothing, not even the good items' changes.
    let res = app
        .gql(Some(&token), BULK_MEASUREMENTS, json!({ "items": batch }))
        .await;
    assert!(results(res.data(), "bulkUpsertKpiMeasurements")
        .iter()
        .all(|r| r["result"] == "UNCHANGED"));
    let mut bad = batch.clone();
    bad[0]["value"] = json!(1.0);
    bad[500]["kpiId"] = json!(unknown_id("Kpi"));
    let res = app
        .gql(Some(&token), BULK_MEASUREMENTS, json!({ "items": bad }))
        .await;
    let payload = &res.data()["bulkUpsertKpiMeasurements"];
    assert_eq!(payload["errors"][0]["index"], 500);
    assert_eq!(payload["errors"][0]["field"], "kpiId");
    assert_eq!(payload["errors"][0]["code"], "NOT_FOUND");
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on KpiMeasurement { value } } }",
            json!({ "id": done[0]["measurement"]["id"] }),
        )
        .await;
    assert_eq!(res.data()["node"]["value"], 50.0, "item 0 was not changed");
}

crate::db_tests!(
    a_thousand_initiatives_are_created_then_left_then_partly_updated,
    a_bulk_with_bad_items_lists_each_and_writes_nothing,
    a_bulk_holds_one_to_a_thousand_items_and_needs_the_scope,
    a_thousand_measurements_land_in_one_transaction_and_move_their_kpis,
);
