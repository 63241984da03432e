//! One upsert at a time: create, then nothing, then update; retries and races end in
//! one row; `create*` stays strict.

use futures_util::future::join_all;
use serde_json::json;

use super::{initiative_count, initiative_item, Org, UPSERT_INITIATIVE, UPSERT_MEASUREMENT};
use crate::common::{assert_bad_input, assert_code, TestApp};

async fn an_upsert_creates_then_changes_nothing_then_updates(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let mut item = initiative_item(&org.squad, "PAY-1", "Apple Pay");
    item["url"] = json!("https://jira.example/PAY-1");
    item["startDate"] = json!("2026-12-01");

    let first = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    let first = &first.data()["upsertInitiative"];
    assert_eq!(first["result"], "CREATED");
    let created = &first["initiative"];
    assert_eq!(created["version"], 1);
    assert_eq!(created["status"], "PROPOSED");
    assert_eq!(
        created["externalRef"],
        json!({ "source": "jira", "id": "PAY-1", "url": "https://jira.example/PAY-1" })
    );

    // A retry after a timeout, and an accidental second run: nothing changes.
    for _ in 0..2 {
        let again = app
            .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
            .await;
        let again = &again.data()["upsertInitiative"];
        assert_eq!(again["result"], "UNCHANGED");
        assert_eq!(again["initiative"]["id"], created["id"]);
        assert_eq!(again["initiative"]["version"], 1);
        assert_eq!(again["initiative"]["updatedAt"], created["updatedAt"]);
    }
    assert_eq!(initiative_count(&app, &org.admin).await, 1);

    // The tool moved the issue along, and reopened it later: the status is the tool's.
    item["status"] = json!("DONE");
    item["title"] = json!("Apple Pay and Google Pay");
    let updated = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    let updated = &updated.data()["upsertInitiative"];
    assert_eq!(updated["result"], "UPDATED");
    assert_eq!(updated["initiative"]["id"], created["id"]);
    assert_eq!(updated["initiative"]["version"], 2);
    assert_eq!(updated["initiative"]["status"], "DONE");
    assert_eq!(updated["initiative"]["title"], "Apple Pay and Google Pay");
    item["status"] = json!("IN_PROGRESS");
    let reopened = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    assert_eq!(
        reopened.data()["upsertInitiative"]["initiative"]["status"],
        "IN_PROGRESS"
    );

    // Left out, a field keeps its value; sent as null, a date is cleared.
    let mut partial = initiative_item(&org.squad, "PAY-1", "Apple Pay and Google Pay");
    partial["status"] = json!("IN_PROGRESS");
    let kept = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": partial }))
        .await;
    let kept = &kept.data()["upsertInitiative"];
    assert_eq!(kept["result"], "UNCHANGED");
    assert_eq!(kept["initiative"]["startDate"], "2026-12-01");
    assert_eq!(
        kept["initiative"]["externalRef"]["url"],
        "https://jira.example/PAY-1"
    );
    partial["startDate"] = json!(null);
    let cleared = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": partial }))
        .await;
    let cleared = &cleared.data()["upsertInitiative"];
    assert_eq!(cleared["result"], "UPDATED");
    assert_eq!(cleared["initiative"]["startDate"], json!(null));
}

async fn ten_concurrent_identical_upserts_make_one_row_and_ten_answers_naming_it(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "INITIATIVES_WRITE"]).await;
    let item = initiative_item(&org.squad, "PAY-7", "Same item, ten times");
    let answers = join_all((0..10).map(|_| {
        app.gql(
            Some(&token),
            UPSERT_INITIATIVE,
            json!({ "input": item.clone() }),
        )
    }))
    .await;
    let ids: Vec<String> = answers
        .iter()
        .map(|a| {
            a.data()["upsertInitiative"]["initiative"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let created = answers
        .iter()
        .filter(|a| a.data()["upsertInitiative"]["result"] == "CREATED")
        .count();
    assert_eq!(created, 1, "one of the ten created it");
    assert!(answers
        .iter()
        .all(|a| a.data()["upsertInitiative"]["initiative"]["version"] == 1));
    assert_eq!(initiative_count(&app, &org.admin).await, 1);
}

async fn create_stays_strict_while_upsert_is_the_sync_path(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let item = initiative_item(&org.squad, "PAY-2", "Wallet");
    app.gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await
        .data();
    let res = app
        .gql_as(
            &org.admin,
            "mutation($input: CreateInitiativeInput!) { createInitiative(input: $input) { initiative { id } } }",
            json!({ "input": { "squadId": org.squad, "title": "Wallet",
                               "externalRef": { "source": "jira", "id": "PAY-2" } } }),
        )
        .await;
    assert_bad_input(&res, "externalRef");
}

async fn an_upsert_checks_its_fields_and_who_may_write(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let mut item = initiative_item(&org.squad, "PAY-3", "  ");
    let res = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    assert_bad_input(&res, "title");
    item["title"] = json!("Dates");
    item["startDate"] = json!("2026-12-10");
    item["targetDate"] = json!("2026-12-01");
    let res = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    assert_bad_input(&res, "targetDate");
    let item =
        json!({ "externalRef": { "source": "", "id": "X" }, "squadId": org.squad, "title": "t" });
    let res = app
        .gql_as(&org.admin, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    assert_bad_input(&res, "externalRef.source");

    // A token needs `initiatives:write`; a VIEWER may not; another organisation's squad
    // does not exist.
    let reader = org.token(&app, &["READ", "KPIS_WRITE"]).await;
    let item = initiative_item(&org.squad, "PAY-4", "Scoped");
    let res = app
        .gql(Some(&reader), UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    assert_code(&res, "FORBIDDEN");
    let viewer = app
        .add_user(&org.admin, "Vera", "ENGINEERING", "VIEWER")
        .await;
    let res = app
        .gql_as(&viewer, UPSERT_INITIATIVE, json!({ "input": item }))
        .await;
    assert_code(&res, "FORBIDDEN");
    let other = Org::new(&app, "Globex").await;
    let res = app
        .gql_as(
            &other.admin,
            UPSERT_INITIATIVE,
            json!({ "input": initiative_item(&org.squad, "PAY-4", "Elsewhere") }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    assert_eq!(initiative_count(&app, &org.admin).await, 0);
}

async fn the_same_reference_in_two_organisations_is_two_initiatives(app: TestApp) {
    let acme = Org::new(&app, "Acme").await;
    let globex = Org::new(&app, "Globex").await;
    for org in [&acme, &globex] {
        let res = app
            .gql_as(
                &org.admin,
                UPSERT_INITIATIVE,
                json!({ "input": initiative_item(&org.squad, "PAY-1", "Mine") }),
            )
            .await;
        assert_eq!(res.data()["upsertInitiative"]["result"], "CREATED");
    }
}

const UPSERT_OUTCOME: &str = r#"
mutation($input: UpsertOutcomeInput!) {
  upsertOutcome(input: $input) {
    result
    outcome { id title status version quarter kpi { id } externalRef { source id url } }
  }
}"#;

async fn an_outcome_upserts_by_reference_too(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["INITIATIVES_WRITE"]).await;
    let mut input = json!({
        "externalRef": { "source": "linear", "id": "OBJ-9" }, "url": "https://linear.example/OBJ-9",
        "squadId": org.squad, "quarter": "2026-Q4", "title": "Faster checkout", "kpiId": org.kpi
    });
    let first = app
        .gql(Some(&token), UPSERT_OUTCOME, json!({ "input": input }))
        .await;
    let first = &first.data()["upsertOutcome"];
    assert_eq!(first["result"], "CREATED");
    assert_eq!(first["outcome"]["status"], "ON_TRACK");
    assert_eq!(first["outcome"]["kpi"]["id"], org.kpi.as_str());
    assert_eq!(first["outcome"]["externalRef"]["id"], "OBJ-9");
    let again = app
        .gql(Some(&token), UPSERT_OUTCOME, json!({ "input": input }))
        .await;
    assert_eq!(again.data()["upsertOutcome"]["result"], "UNCHANGED");
    assert_eq!(again.data()["upsertOutcome"]["outcome"]["version"], 1);
    input["status"] = json!("AT_RISK");
    input["kpiId"] = json!(null);
    let changed = app
        .gql(Some(&token), UPSERT_OUTCOME, json!({ "input": input }))
        .await;
    let changed = &changed.data()["upsertOutcome"];
    assert_eq!(changed["result"], "UPDATED");
    assert_eq!(changed["outcome"]["version"], 2);
    assert_eq!(changed["outcome"]["status"], "AT_RISK");
    assert_eq!(changed["outcome"]["kpi"], json!(null));
    input["teamId"] = json!(org.team);
    let res = app
        .gql(Some(&token), UPSERT_OUTCOME, json!({ "input": input }))
        .await;
    assert_bad_input(&res, "teamId");
}

async fn a_measurement_upserts_by_reference_and_names_the_token_that_recorded_it(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "KPIS_WRITE"]).await;
    let mut input = json!({ "externalRef": { "source": "analytics", "id": "2026-12-01" },
                            "kpiId": org.kpi, "value": 61.5, "recordedAt": "2026-12-01T00:00:00Z",
                            "note": "daily export" });
    let first = app
        .gql(Some(&token), UPSERT_MEASUREMENT, json!({ "input": input }))
        .await;
    let first = &first.data()["upsertKpiMeasurement"];
    assert_eq!(first["result"], "CREATED");
    assert_eq!(first["measurement"]["recordedBy"], json!(null));
    assert_eq!(first["measurement"]["recordedByToken"], "Jira sync");
    assert_eq!(first["measurement"]["source"], "INTEGRATION");
    assert_eq!(first["kpi"]["latestMeasurement"]["value"], 61.5);
    for _ in 0..2 {
        let again = app
            .gql(Some(&token), UPSERT_MEASUREMENT, json!({ "input": input }))
            .await;
        let again = &again.data()["upsertKpiMeasurement"];
        assert_eq!(again["result"], "UNCHANGED");
        assert_eq!(again["measurement"]["version"], 1);
        assert_eq!(
            again["measurement"]["updatedAt"],
            first["measurement"]["updatedAt"]
        );
    }
    input["value"] = json!(63.0);
    let updated = app
        .gql(Some(&token), UPSERT_MEASUREMENT, json!({ "input": input }))
        .await;
    let updated = &updated.data()["upsertKpiMeasurement"];
    assert_eq!(updated["result"], "UPDATED");
    assert_eq!(updated["measurement"]["version"], 2);
    assert_eq!(updated["measurement"]["note"], "daily export");
    assert_eq!(updated["kpi"]["latestMeasurement"]["value"], 63.0);

    // A person's measurement names the person, not a token.
    let mine = app
        .gql_as(
            &org.admin,
            UPSERT_MEASUREMENT,
            json!({ "input": { "externalRef": { "source": "analytics", "id": "manual-1" },
                               "kpiId": org.kpi, "value": 1.0 } }),
        )
        .await;
    // The ADMIN is the KPI's first owner, so may record it.
    let mine = &mine.data()["upsertKpiMeasurement"]["measurement"];
    assert_eq!(mine["recordedBy"]["id"], org.admin.user_id.as_str());
    assert_eq!(mine["recordedByToken"], json!(null));

    // Non-finite values are refused; a reference of one KPI cannot move to another.
    let other_kpi = app
        .create_kpi(
            &org.admin,
            json!({ "squadId": org.squad, "name": "Refunds", "direction": "LOWER_IS_BETTER",
                    "category": "BUSINESS" }),
        )
        .await;
    input["kpiId"] = json!(other_kpi);
    let res = app
        .gql(Some(&token), UPSERT_MEASUREMENT, json!({ "input": input }))
        .await;
    assert_code(&res, "CONFLICT");
    let res = app
        .gql(
            Some(&token),
            UPSERT_MEASUREMENT,
            json!({ "input": { "externalRef": { "source": "analytics", "id": "late" },
                               "kpiId": org.kpi, "value": 1.0,
                               "recordedAt": "2999-01-01T00:00:00Z" } }),
        )
        .await;
    assert_bad_input(&res, "recordedAt");
}

crate::db_tests!(
    an_upsert_creates_then_changes_nothing_then_updates,
    ten_concurrent_identical_upserts_make_one_row_and_ten_answers_naming_it,
    create_stays_strict_while_upsert_is_the_sync_path,
    an_upsert_checks_its_fields_and_who_may_write,
    the_same_reference_in_two_organisations_is_two_initiatives,
    an_outcome_upserts_by_reference_too,
    a_measurement_upserts_by_reference_and_names_the_token_that_recorded_it,
);
