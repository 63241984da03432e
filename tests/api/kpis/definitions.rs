//! Defining, editing and archiving a KPI, and the definitions refused.

use serde_json::{json, Value};

use super::{assert_close, create_kpi, kpi, kpis, owner_ids, record, update_kpi, Org, ARCHIVE_KPI};
use crate::common::{assert_bad_input, assert_code, days_ago, id_of, names, unknown_id, TestApp};

// ---------------------------------------------------------------------------------
// Define, edit, archive

async fn a_squad_kpi_is_defined_with_its_fields_and_its_definer_as_first_owner(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.squad, "name": " Checkout conversion ",
                "description": "Orders per checkout started", "unit": "PERCENT",
                "category": "CUSTOMER", "baseline": 40.0, "target": 60.0 }),
    )
    .await;
    let k = &res.data()["createKpi"]["kpi"];
    assert_eq!(k["name"], "Checkout conversion");
    assert_eq!(k["description"], "Orders per checkout started");
    assert_eq!(k["unit"], "PERCENT");
    assert_eq!(k["direction"], "HIGHER_IS_BETTER", "the default direction");
    assert_eq!(k["category"], "CUSTOMER");
    assert_eq!(k["baseline"], 40.0);
    assert_eq!(k["target"], 60.0);
    assert_eq!(k["squad"]["id"], org.squad.as_str());
    assert_eq!(k["team"], Value::Null);
    assert_eq!(k["version"], 1);
    assert_eq!(k["isArchived"], false);
    assert_eq!(owner_ids(k), [org.admin.user_id.as_str()]);
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING"]));
    assert_eq!(k["isShared"], false);
    assert_eq!(k["latestMeasurement"], Value::Null);
    assert_eq!(k["measurements"]["totalCount"], 0);
    assert_eq!(k["attainment"], Value::Null, "nothing measured yet");
    assert_eq!(k["status"], Value::Null);

    let read = kpi(&app, &org.engineer, &id_of(k)).await;
    assert_eq!(read["name"], "Checkout conversion");
    assert_eq!(read["squad"]["id"], org.squad.as_str());

    let res = create_kpi(
        &app,
        &org.admin,
        json!({ "teamId": org.team, "name": "Payment latency p95", "unit": "DURATION_SECONDS",
                "direction": "LOWER_IS_BETTER", "category": "RELIABILITY" }),
    )
    .await;
    let k = &res.data()["createKpi"]["kpi"];
    assert_eq!(k["team"]["id"], org.team.as_str());
    assert_eq!(k["squad"], Value::Null);
    assert_eq!(k["direction"], "LOWER_IS_BETTER");
    assert_eq!(k["baseline"], Value::Null);
    assert_eq!(k["target"], Value::Null);
}

async fn updating_a_kpi_changes_its_fields_and_a_stale_version_is_a_conflict(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;

    let res = update_kpi(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Checkout conversion rate",
                "target": 70.0, "category": "BUSINESS" }),
    )
    .await;
    let k = &res.data()["updateKpi"]["kpi"];
    assert_eq!(k["name"], "Checkout conversion rate");
    assert_eq!(k["target"], 70.0);
    assert_eq!(k["baseline"], 40.0, "untouched");
    assert_eq!(k["category"], "BUSINESS");
    assert_eq!(k["version"], 2);

    let res = update_kpi(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Lost update", "target": 90.0 }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    let now = kpi(&app, &org.admin, &id).await;
    assert_eq!(now["name"], "Checkout conversion rate");
    assert_eq!(now["target"], 70.0);
    assert_eq!(now["version"], 2);

    // null clears the target (and with it the attainment); the unit may go too then.
    app.record_measurement(&org.admin, &id, 55.0, &days_ago(1.0))
        .await;
    assert_close(
        &kpi(&app, &org.admin, &id).await["attainment"],
        0.5,
        "15 of 30",
    );
    let res = update_kpi(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 2, "target": null, "unit": null }),
    )
    .await;
    let k = &res.data()["updateKpi"]["kpi"];
    assert_eq!(k["target"], Value::Null);
    assert_eq!(k["unit"], Value::Null);
    assert_eq!(k["attainment"], Value::Null);
    assert_eq!(k["status"], Value::Null);
    assert_eq!(k["version"], 3);
}

async fn an_archived_kpi_leaves_the_list_and_takes_no_measurements(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    app.record_measurement(&org.admin, &id, 45.0, &days_ago(2.0))
        .await;

    let res = app
        .gql_as(&org.admin, ARCHIVE_KPI, json!({ "input": { "id": id } }))
        .await;
    let k = &res.data()["archiveKpi"]["kpi"];
    assert_eq!(k["isArchived"], true);
    assert!(k["archivedAt"].is_string());
    assert_eq!(k["version"], 2);

    assert_eq!(kpis(&app, &org.admin, json!({})).await["totalCount"], 0);
    let all = kpis(
        &app,
        &org.admin,
        json!({ "filter": { "includeArchived": true } }),
    )
    .await;
    assert_eq!(names(&all), ["Checkout conversion"]);
    let squad_kpis = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on Squad { kpis { totalCount } } } }",
            json!({ "id": org.squad }),
        )
        .await;
    assert_eq!(squad_kpis.data()["node"]["kpis"]["totalCount"], 0);

    let res = record(&app, &org.admin, json!({ "kpiId": id, "value": 50.0 })).await;
    assert_bad_input(&res, "kpiId");
    let now = kpi(&app, &org.admin, &id).await;
    assert_eq!(now["measurements"]["totalCount"], 1);
    assert_eq!(now["latestMeasurement"]["value"], 45.0);
    // Still readable, and archiving again changes nothing.
    let res = app
        .gql_as(&org.admin, ARCHIVE_KPI, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(res.data()["archiveKpi"]["kpi"]["version"], 2);
}

// ---------------------------------------------------------------------------------
// Bad input

async fn a_kpi_for_an_unknown_team_or_squad_is_not_found(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for input in [
        json!({ "teamId": unknown_id("Team"), "name": "Ghost", "category": "DELIVERY" }),
        json!({ "squadId": unknown_id("Squad"), "name": "Ghost", "category": "DELIVERY" }),
    ] {
        let res = create_kpi(&app, &org.admin, input.clone()).await;
        assert_code(&res, "NOT_FOUND");
    }
    let res = create_kpi(
        &app,
        &org.admin,
        json!({ "teamId": org.squad, "name": "Ghost", "category": "DELIVERY" }),
    )
    .await;
    assert_bad_input(&res, "teamId");
    assert_eq!(
        kpis(
            &app,
            &org.admin,
            json!({ "filter": { "includeArchived": true } })
        )
        .await["totalCount"],
        0
    );
}

async fn a_kpi_needs_exactly_one_of_team_and_squad(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for input in [
        json!({ "teamId": org.team, "squadId": org.squad, "name": "Both", "category": "DELIVERY" }),
        json!({ "name": "Neither", "category": "DELIVERY" }),
    ] {
        let res = create_kpi(&app, &org.admin, input).await;
        assert_bad_input(&res, "teamId");
    }
    assert_eq!(kpis(&app, &org.admin, json!({})).await["totalCount"], 0);
}

async fn a_target_needs_a_unit_and_must_be_better_than_the_baseline(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let base = |extra: Value| {
        let mut input =
            json!({ "squadId": org.squad, "name": "Conversion", "category": "CUSTOMER" });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    for (extra, field) in [
        (json!({ "target": 60.0 }), "unit"),
        (
            json!({ "unit": "PERCENT", "baseline": 60.0, "target": 40.0 }),
            "target",
        ),
        (
            json!({ "unit": "PERCENT", "baseline": 60.0, "target": 60.0 }),
            "target",
        ),
        (json!({ "unit": "SECONDS_NOT_A_UNIT", "target": 1.0 }), ""),
        (
            json!({ "unit": "DURATION_SECONDS", "direction": "LOWER_IS_BETTER",
                    "baseline": 1.0, "target": 2.0 }),
            "target",
        ),
        (json!({ "name": "   " }), "name"),
    ] {
        let res = create_kpi(&app, &org.admin, base(extra.clone())).await;
        if field.is_empty() {
            assert_code(&res, "BAD_USER_INPUT");
        } else {
            assert_bad_input(&res, field);
        }
    }
    assert_eq!(kpis(&app, &org.admin, json!({})).await["totalCount"], 0);

    // The same rules hold when a change would break them.
    let id = org.conversion(&app).await;
    for (change, field) in [
        (json!({ "unit": null }), "unit"),
        (json!({ "target": 30.0 }), "target"),
        (json!({ "direction": "LOWER_IS_BETTER" }), "target"),
        (json!({ "baseline": 70.0 }), "target"),
    ] {
        let mut input = change.clone();
        input["id"] = json!(id);
        let res = update_kpi(&app, &org.admin, input).await;
        assert_bad_input(&res, field);
    }
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["version"], 1);
    assert_eq!(k["target"], 60.0);
    assert_eq!(k["unit"], "PERCENT");
}

crate::db_tests!(
    a_squad_kpi_is_defined_with_its_fields_and_its_definer_as_first_owner,
    updating_a_kpi_changes_its_fields_and_a_stale_version_is_a_conflict,
    an_archived_kpi_leaves_the_list_and_takes_no_measurements,
    a_kpi_for_an_unknown_team_or_squad_is_not_found,
    a_kpi_needs_exactly_one_of_team_and_squad,
    a_target_needs_a_unit_and_must_be_better_than_the_baseline,
);
