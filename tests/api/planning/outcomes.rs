//! A quarter's outcomes: measurable with a KPI that has a target, edited, filtered,
//! and the outcomes refused.

use serde_json::{json, Value};

use super::{
    create_outcome, new_outcome, node, outcome, quarter, set_outcome_status, titles,
    update_outcome, Org, OUTCOMES, QUARTER_PLAN,
};
use crate::common::{assert_bad_input, assert_code, days_ago, id_of, TestApp};

// ---------------------------------------------------------------------------------
// Outcomes

async fn an_outcome_is_measurable_with_a_kpi_that_has_a_target_and_progresses_with_it(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org
        .kpi(&app, &org.checkout, "Checkout conversion", true)
        .await;
    let q = quarter(0);
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": q, "title": " Faster checkout ",
                "description": "Fewer steps to pay", "kpiId": conversion }),
    )
    .await;
    let o = res.data()["createOutcome"]["outcome"].clone();
    assert_eq!(o["quarter"], q.as_str());
    assert_eq!(o["title"], "Faster checkout");
    assert_eq!(o["description"], "Fewer steps to pay");
    assert_eq!(o["status"], "ON_TRACK", "the default status");
    assert_eq!(o["squad"]["id"], org.checkout.as_str());
    assert_eq!(o["team"], Value::Null);
    assert_eq!(o["kpi"]["name"], "Checkout conversion");
    assert_eq!(o["isMeasurable"], true);
    assert_eq!(o["progress"], Value::Null, "nothing measured yet");
    assert_eq!(o["version"], 1);
    assert_eq!(o["initiatives"]["totalCount"], 0);

    app.record_measurement(&org.admin, &conversion, 55.0, &days_ago(1.0))
        .await;
    let read = outcome(&app, &org.admin, &id_of(&o)).await;
    assert_eq!(read["progress"], 0.75, "55 between 40 and 60");

    // A KPI without a target measures nothing; no KPI neither.
    let vague = org.kpi(&app, &org.checkout, "Happiness", false).await;
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Happier users", "kpiId": vague }),
    )
    .await;
    let o = &res.data()["createOutcome"]["outcome"];
    assert_eq!(o["team"]["id"], org.payments.as_str());
    assert_eq!(o["isMeasurable"], false);
    assert_eq!(o["progress"], Value::Null);
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "No KPI" }),
    )
    .await;
    let o = &res.data()["createOutcome"]["outcome"];
    assert_eq!(o["kpi"], Value::Null);
    assert_eq!(o["isMeasurable"], false);
}

async fn updating_an_outcome_changes_its_fields_and_a_stale_version_is_a_conflict(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org
        .kpi(&app, &org.checkout, "Checkout conversion", true)
        .await;
    let id = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": quarter(0), "title": "Faster checkout" }),
    )
    .await;

    let res = update_outcome(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "title": "One-click checkout",
                "quarter": quarter(1), "kpiId": conversion }),
    )
    .await;
    let o = &res.data()["updateOutcome"]["outcome"];
    assert_eq!(o["title"], "One-click checkout");
    assert_eq!(o["quarter"], quarter(1).as_str());
    assert_eq!(o["kpi"]["id"], conversion.as_str());
    assert_eq!(o["isMeasurable"], true);
    assert_eq!(o["version"], 2);

    let res = update_outcome(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "title": "Lost update" }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    assert_eq!(
        outcome(&app, &org.admin, &id).await["title"],
        "One-click checkout"
    );

    // null unlinks the KPI.
    let res = update_outcome(&app, &org.admin, json!({ "id": id, "kpiId": null })).await;
    let o = &res.data()["updateOutcome"]["outcome"];
    assert_eq!(o["kpi"], Value::Null);
    assert_eq!(o["isMeasurable"], false);
    assert_eq!(o["version"], 3);

    for status in ["AT_RISK", "OFF_TRACK", "ACHIEVED", "MISSED", "ON_TRACK"] {
        let res = set_outcome_status(&app, &org.admin, json!({ "id": id, "status": status })).await;
        assert_eq!(res.data()["setOutcomeStatus"]["outcome"]["status"], status);
    }
    let res = set_outcome_status(
        &app,
        &org.admin,
        json!({ "id": id, "status": "MISSED", "expectedVersion": 3 }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    let now = outcome(&app, &org.admin, &id).await;
    assert_eq!(now["status"], "ON_TRACK");
    assert_eq!(now["version"], 8);
}

async fn a_quarter_must_look_like_2026_q4(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for bad in [
        "2026-Q5", "2026Q4", "2026-Q0", "26-Q4", "2026-q4", "Q4-2026", "", "2026-Q4x",
    ] {
        let res = create_outcome(
            &app,
            &org.admin,
            json!({ "teamId": org.payments, "quarter": bad, "title": "Bad quarter" }),
        )
        .await;
        assert_code(&res, "BAD_USER_INPUT");
        let res = app
            .gql_as(
                &org.admin,
                OUTCOMES,
                json!({ "filter": { "quarter": bad } }),
            )
            .await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    let res = app
        .gql_as(
            &org.admin,
            &format!(
                "mutation {{ createOutcome(input: {{ teamId: \"{}\", quarter: \"2026-Q5\",
                    title: \"Inline\" }}) {{ outcome {{ id }} }} }}",
                org.payments
            ),
            json!({}),
        )
        .await;
    assert_code(&res, "BAD_USER_INPUT");
    let res = app
        .gql_as(
            &org.admin,
            QUARTER_PLAN,
            json!({ "team": org.payments, "quarter": "2026-Q5" }),
        )
        .await;
    assert_code(&res, "BAD_USER_INPUT");
    let outcomes = app.gql_as(&org.admin, OUTCOMES, json!({})).await;
    assert_eq!(outcomes.data()["outcomes"]["totalCount"], 0);

    let id = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": "2026-Q4", "title": "Good quarter" }),
    )
    .await;
    let res = update_outcome(&app, &org.admin, json!({ "id": id, "quarter": "2026-Q9" })).await;
    assert_code(&res, "BAD_USER_INPUT");
    assert_eq!(outcome(&app, &org.admin, &id).await["quarter"], "2026-Q4");
}

async fn an_outcome_needs_exactly_one_owner_a_title_and_a_known_kpi(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let q = quarter(0);
    for input in [
        json!({ "teamId": org.payments, "squadId": org.checkout, "quarter": q, "title": "Both" }),
        json!({ "quarter": q, "title": "Neither" }),
    ] {
        let res = create_outcome(&app, &org.admin, input).await;
        assert_bad_input(&res, "teamId");
    }
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "  " }),
    )
    .await;
    assert_bad_input(&res, "title");
    let ghost_kpi = app
        .create_kpi(
            &org.admin,
            json!({ "squadId": org.checkout, "name": "Ghost", "category": "CUSTOMER" }),
        )
        .await;
    let globex = Org::new(&app, "Globex").await;
    let res = create_outcome(
        &app,
        &globex.admin,
        json!({ "teamId": globex.payments, "quarter": q, "title": "Spy", "kpiId": ghost_kpi }),
    )
    .await;
    assert_code(&res, "NOT_FOUND");
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Wrong kind",
                "kpiId": org.checkout }),
    )
    .await;
    assert_bad_input(&res, "kpiId");
    for who in [&org.admin, &globex.admin] {
        let res = app.gql_as(who, OUTCOMES, json!({})).await;
        assert_eq!(res.data()["outcomes"]["totalCount"], 0);
    }
}

async fn outcomes_are_filtered_by_quarter_team_squad_and_status(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let (now, next) = (quarter(0), quarter(1));
    for (scope, q, title, status) in [
        (
            json!({ "teamId": org.payments }),
            &now,
            "Payments now",
            "ON_TRACK",
        ),
        (
            json!({ "teamId": org.payments }),
            &next,
            "Payments next",
            "ON_TRACK",
        ),
        (
            json!({ "squadId": org.checkout }),
            &now,
            "Checkout now",
            "AT_RISK",
        ),
        (
            json!({ "squadId": org.wallet }),
            &now,
            "Wallet now",
            "OFF_TRACK",
        ),
        (
            json!({ "teamId": org.search }),
            &now,
            "Search now",
            "AT_RISK",
        ),
    ] {
        let mut input = scope;
        input["quarter"] = json!(q);
        input["title"] = json!(title);
        input["status"] = json!(status);
        new_outcome(&app, &org.admin, input).await;
    }
    for (filter, want) in [
        (
            json!({ "quarter": now }),
            vec!["Search now", "Wallet now", "Checkout now", "Payments now"],
        ),
        (json!({ "quarter": next }), vec!["Payments next"]),
        // The team's own outcomes, not its squads'.
        (
            json!({ "teamId": org.payments }),
            vec!["Payments next", "Payments now"],
        ),
        (json!({ "squadId": org.checkout }), vec!["Checkout now"]),
        (
            json!({ "status": "AT_RISK" }),
            vec!["Search now", "Checkout now"],
        ),
        (
            json!({ "quarter": now, "teamId": org.search, "status": "AT_RISK" }),
            vec!["Search now"],
        ),
        (json!({ "squadId": org.ranking }), vec![]),
    ] {
        let res = app
            .gql_as(&org.admin, OUTCOMES, json!({ "filter": filter }))
            .await;
        let got = &res.data()["outcomes"];
        // Newest quarter first; within a quarter, the newest first.
        assert_eq!(titles(&got["nodes"]), want, "filter {filter}");
        assert_eq!(got["totalCount"], want.len(), "filter {filter}");
    }
    let team_outcomes = node(
        &app,
        &org.admin,
        &org.payments,
        "Team",
        "outcomes { totalCount nodes { title } }",
    )
    .await;
    assert_eq!(
        titles(&team_outcomes["outcomes"]["nodes"]),
        ["Payments next", "Payments now"]
    );
    let squad_outcomes = node(
        &app,
        &org.admin,
        &org.wallet,
        "Squad",
        "outcomes { totalCount nodes { title } }",
    )
    .await;
    assert_eq!(titles(&squad_outcomes["outcomes"]["nodes"]), ["Wallet now"]);
}

crate::db_tests!(
    an_outcome_is_measurable_with_a_kpi_that_has_a_target_and_progresses_with_it,
    updating_an_outcome_changes_its_fields_and_a_stale_version_is_a_conflict,
    a_quarter_must_look_like_2026_q4,
    an_outcome_needs_exactly_one_owner_a_title_and_a_known_kpi,
    outcomes_are_filtered_by_quarter_team_squad_and_status,
);
