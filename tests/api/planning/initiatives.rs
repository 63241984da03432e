//! Initiatives: their status machine, dates, links to outcomes, and search.

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::{
    create_initiative, day, ids, initiative, link, mutate, new_initiative, new_outcome, outcome,
    quarter, titles, update_initiative, Org, INITIATIVES, QUARTER_PLAN, UNLINK,
};
use crate::common::{assert_bad_input, assert_code, TestApp};

// ---------------------------------------------------------------------------------
// Initiatives

async fn an_initiative_starts_as_proposed_in_its_squad(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": " Apple Pay ", "description": "Wallet payments",
                "startDate": day(0), "targetDate": day(30),
                "externalRef": { "source": "jira", "id": "PAY-1",
                                 "url": "https://jira.example/PAY-1" } }),
    )
    .await;
    let i = &res.data()["createInitiative"]["initiative"];
    assert_eq!(i["title"], "Apple Pay");
    assert_eq!(i["description"], "Wallet payments");
    assert_eq!(i["status"], "PROPOSED");
    assert_eq!(i["startDate"], day(0).as_str());
    assert_eq!(i["targetDate"], day(30).as_str());
    assert_eq!(i["squad"]["id"], org.checkout.as_str());
    assert_eq!(
        i["externalRef"],
        json!({ "source": "jira", "id": "PAY-1", "url": "https://jira.example/PAY-1" })
    );
    assert_eq!(i["outcomes"]["totalCount"], 0);
    assert_eq!(i["version"], 1);

    // An external reference is unique per organisation.
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Copy",
                "externalRef": { "source": "jira", "id": "PAY-1" } }),
    )
    .await;
    assert_bad_input(&res, "externalRef");
    let res = app.gql_as(&org.admin, INITIATIVES, json!({})).await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 1);

    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Already planned", "status": "PLANNED" }),
    )
    .await;
    assert_eq!(
        res.data()["createInitiative"]["initiative"]["status"],
        "PLANNED"
    );
}

async fn an_initiative_moves_forward_from_proposed_to_done_or_drops_and_nothing_else(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // Each path of legal moves from PROPOSED, then the moves refused from where it ends.
    for (path, refused) in [
        (vec![], vec!["IN_PROGRESS", "DONE"]),
        (vec!["PLANNED"], vec!["PROPOSED", "DONE"]),
        (vec!["PLANNED", "IN_PROGRESS"], vec!["PROPOSED", "PLANNED"]),
        (
            vec!["PLANNED", "IN_PROGRESS", "DONE"],
            vec!["PROPOSED", "PLANNED", "IN_PROGRESS", "DROPPED"],
        ),
        (
            vec!["DROPPED"],
            vec!["PROPOSED", "PLANNED", "IN_PROGRESS", "DONE"],
        ),
        (vec!["PLANNED", "DROPPED"], vec!["PLANNED", "IN_PROGRESS"]),
        (
            vec!["PLANNED", "IN_PROGRESS", "DROPPED"],
            vec!["IN_PROGRESS", "DONE"],
        ),
    ] {
        let id = new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": format!("Via {path:?}") }),
        )
        .await;
        let mut version = 1;
        for status in &path {
            let res =
                update_initiative(&app, &org.admin, json!({ "id": id, "status": status })).await;
            let i = &res.data()["updateInitiative"]["initiative"];
            assert_eq!(i["status"], *status, "{path:?}");
            version += 1;
            assert_eq!(i["version"], version);
        }
        let at = path.last().copied().unwrap_or("PROPOSED");
        for status in refused {
            let res =
                update_initiative(&app, &org.admin, json!({ "id": id, "status": status })).await;
            assert_bad_input(&res, "status");
            let now = initiative(&app, &org.admin, &id).await;
            assert_eq!(now["status"], at, "{at} -> {status} was refused");
            assert_eq!(now["version"], version);
        }
        // Staying where it is, is no move.
        let res = update_initiative(&app, &org.admin, json!({ "id": id, "status": at })).await;
        assert_eq!(res.data()["updateInitiative"]["initiative"]["status"], at);
    }
}

async fn a_target_date_before_the_start_date_is_refused(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Backwards",
                "startDate": day(10), "targetDate": day(9) }),
    )
    .await;
    assert_bad_input(&res, "targetDate");
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Bad date", "startDate": "2026-02-30" }),
    )
    .await;
    assert_code(&res, "BAD_USER_INPUT");
    let res = app.gql_as(&org.admin, INITIATIVES, json!({})).await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 0);

    let id = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay",
                "startDate": day(10), "targetDate": day(40) }),
    )
    .await;
    for change in [
        json!({ "targetDate": day(5) }),
        json!({ "startDate": day(41) }),
    ] {
        let mut input = change.clone();
        input["id"] = json!(id);
        let res = update_initiative(&app, &org.admin, input).await;
        assert_bad_input(&res, "targetDate");
    }
    // Moving both together is fine; clearing the start frees the target.
    let res = update_initiative(
        &app,
        &org.admin,
        json!({ "id": id, "startDate": day(50), "targetDate": day(60) }),
    )
    .await;
    assert_eq!(
        res.data()["updateInitiative"]["initiative"]["startDate"],
        day(50).as_str()
    );
    let res = update_initiative(
        &app,
        &org.admin,
        json!({ "id": id, "startDate": null, "targetDate": day(1) }),
    )
    .await;
    let i = &res.data()["updateInitiative"]["initiative"];
    assert_eq!(i["startDate"], Value::Null);
    assert_eq!(i["targetDate"], day(1).as_str());
}

async fn initiatives_are_linked_to_outcomes_and_unlinked(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let q = quarter(0);
    let faster = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": q, "title": "Faster checkout" }),
    )
    .await;
    let safer = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Fewer chargebacks" }),
    )
    .await;
    let apple_pay = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay" }),
    )
    .await;
    let fraud = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Fraud rules" }),
    )
    .await;
    new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Unmapped work" }),
    )
    .await;

    let res = link(&app, &org.admin, &apple_pay, &faster).await;
    let payload = &res.data()["linkInitiativeToOutcome"];
    assert_eq!(
        ids(&payload["initiative"]["outcomes"]["nodes"]),
        [faster.as_str()]
    );
    assert_eq!(
        ids(&payload["outcome"]["initiatives"]["nodes"]),
        [apple_pay.as_str()]
    );
    link(&app, &org.admin, &apple_pay, &safer).await.data();
    link(&app, &org.admin, &fraud, &safer).await.data();
    // Linking again keeps one link.
    let res = link(&app, &org.admin, &fraud, &safer).await;
    assert_eq!(
        res.data()["linkInitiativeToOutcome"]["outcome"]["initiatives"]["totalCount"],
        2
    );

    let i = initiative(&app, &org.admin, &apple_pay).await;
    assert_eq!(i["outcomes"]["totalCount"], 2);
    assert_eq!(
        titles(&i["outcomes"]["nodes"]),
        ["Faster checkout", "Fewer chargebacks"]
    );
    let o = outcome(&app, &org.admin, &safer).await;
    assert_eq!(
        titles(&o["initiatives"]["nodes"]),
        ["Apple Pay", "Fraud rules"]
    );

    for (filter, want) in [
        (json!({ "unmapped": true }), vec!["Unmapped work"]),
        (
            json!({ "unmapped": false }),
            vec!["Apple Pay", "Fraud rules"],
        ),
        (json!({ "outcomeId": faster }), vec!["Apple Pay"]),
        (
            json!({ "squadId": org.wallet }),
            vec!["Fraud rules", "Unmapped work"],
        ),
        (json!({ "text": "PAY" }), vec!["Apple Pay"]),
    ] {
        let res = app
            .gql_as(&org.admin, INITIATIVES, json!({ "filter": filter }))
            .await;
        assert_eq!(
            titles(&res.data()["initiatives"]["nodes"]),
            want,
            "filter {filter}"
        );
        assert_eq!(res.data()["initiatives"]["totalCount"], want.len());
    }

    let res = mutate(
        &app,
        &org.admin,
        UNLINK,
        json!({ "initiativeId": apple_pay, "outcomeId": safer }),
    )
    .await;
    let payload = &res.data()["unlinkInitiativeFromOutcome"];
    assert_eq!(
        ids(&payload["initiative"]["outcomes"]["nodes"]),
        [faster.as_str()]
    );
    assert_eq!(
        ids(&payload["outcome"]["initiatives"]["nodes"]),
        [fraud.as_str()]
    );
    let res = mutate(
        &app,
        &org.admin,
        UNLINK,
        json!({ "initiativeId": apple_pay, "outcomeId": safer }),
    )
    .await;
    assert_code(&res, "NOT_FOUND");
    let res = mutate(
        &app,
        &org.admin,
        UNLINK,
        json!({ "initiativeId": fraud, "outcomeId": safer }),
    )
    .await;
    res.data();
    let res = app
        .gql_as(
            &org.admin,
            INITIATIVES,
            json!({ "filter": { "unmapped": true } }),
        )
        .await;
    assert_eq!(
        titles(&res.data()["initiatives"]["nodes"]),
        ["Fraud rules", "Unmapped work"]
    );
}

async fn linking_the_same_initiative_and_outcome_in_parallel_keeps_one_link(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let o = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": quarter(0), "title": "Faster checkout" }),
    )
    .await;
    let i = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay" }),
    )
    .await;
    let results = join_all((0..10).map(|_| link(&app, &org.admin, &i, &o))).await;
    for res in &results {
        assert_eq!(res.outcome(), Ok(()), "{}", res.body);
    }
    assert_eq!(
        outcome(&app, &org.admin, &o).await["initiatives"]["totalCount"],
        1
    );
    assert_eq!(
        initiative(&app, &org.admin, &i).await["outcomes"]["totalCount"],
        1
    );
}

async fn initiative_search_ignores_case_beyond_ascii_and_archived_squads_leave_the_plan(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Überweisung per Klick", "status": "PLANNED" }),
    )
    .await;
    for needle in ["über", "ÜBER", "Über"] {
        let res = app
            .gql_as(
                &org.admin,
                INITIATIVES,
                json!({ "filter": { "text": needle } }),
            )
            .await;
        assert_eq!(
            res.data()["initiatives"]["totalCount"],
            1,
            "search {needle:?}"
        );
    }
    new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Wallet top-up", "status": "IN_PROGRESS" }),
    )
    .await;
    let plan = || async {
        app.gql_as(
            &org.admin,
            QUARTER_PLAN,
            json!({ "team": org.payments, "quarter": quarter(0) }),
        )
        .await
        .data()["node"]["quarterPlan"]["unmappedInitiatives"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(plan().await, 2);
    // An archived squad's work is no longer part of the team's plan.
    for status in ["ACTIVE", "ARCHIVED"] {
        app.gql_as(
            &org.admin,
            "mutation($id: ID!, $s: SquadStatus!) { updateSquad(input: {id: $id, status: $s}) { squad { status } } }",
            json!({ "id": org.wallet, "s": status }),
        )
        .await
        .data();
    }
    assert_eq!(plan().await, 1);
}

crate::db_tests!(
    an_initiative_starts_as_proposed_in_its_squad,
    an_initiative_moves_forward_from_proposed_to_done_or_drops_and_nothing_else,
    a_target_date_before_the_start_date_is_refused,
    initiatives_are_linked_to_outcomes_and_unlinked,
    linking_the_same_initiative_and_outcome_in_parallel_keeps_one_link,
    initiative_search_ignores_case_beyond_ascii_and_archived_squads_leave_the_plan,
);
