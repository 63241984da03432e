//! What one squad needs from another by a date; and the paging of the three lists of
//! planning (outcomes, initiatives, dependencies).

use serde_json::{json, Value};

use super::{
    create_dependency, day, dependency, ids, new_dependency, new_initiative, new_outcome, node,
    quarter, titles, update_dependency, Org, DEPENDENCIES,
};
use crate::common::{assert_bad_input, assert_code, id_of, TestApp};

// ---------------------------------------------------------------------------------
// Dependencies

async fn a_squad_declares_what_it_needs_from_another_by_a_date(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let apple_pay = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay" }),
    )
    .await;
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                "initiativeId": apple_pay, "description": " Tokenised cards API ",
                "neededBy": day(20) }),
    )
    .await;
    let d = res.data()["createDependency"]["dependency"].clone();
    assert_eq!(d["description"], "Tokenised cards API");
    assert_eq!(d["neededBy"], day(20).as_str());
    assert_eq!(d["status"], "OPEN");
    assert_eq!(d["isOverdue"], false);
    assert_eq!(d["fromSquad"]["id"], org.checkout.as_str());
    assert_eq!(d["toSquad"]["id"], org.wallet.as_str());
    assert_eq!(d["initiative"]["id"], apple_pay.as_str());
    assert_eq!(d["version"], 1);
    let id = id_of(&d);

    let needs = node(
        &app,
        &org.admin,
        &org.checkout,
        "Squad",
        "dependencies { totalCount nodes { id } } dependents { totalCount }",
    )
    .await;
    assert_eq!(ids(&needs["dependencies"]["nodes"]), [id.as_str()]);
    assert_eq!(needs["dependents"]["totalCount"], 0);
    let needed = node(
        &app,
        &org.admin,
        &org.wallet,
        "Squad",
        "dependencies { totalCount } dependents { totalCount nodes { id } }",
    )
    .await;
    assert_eq!(ids(&needed["dependents"]["nodes"]), [id.as_str()]);
    assert_eq!(needed["dependencies"]["totalCount"], 0);

    // OPEN → AT_RISK → DONE, and back to OPEN when it turns out not to be done.
    let mut version = 1;
    for status in ["AT_RISK", "DONE", "OPEN", "CANCELLED"] {
        let res = update_dependency(&app, &org.admin, json!({ "id": id, "status": status })).await;
        let d = &res.data()["updateDependency"]["dependency"];
        version += 1;
        assert_eq!(d["status"], status);
        assert_eq!(d["version"], version);
    }
    let res = update_dependency(
        &app,
        &org.admin,
        json!({ "id": id, "status": "OPEN", "expectedVersion": 2 }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    let res = update_dependency(
        &app,
        &org.admin,
        json!({ "id": id, "neededBy": day(-2), "description": "Cards API v2", "status": "OPEN" }),
    )
    .await;
    let d = &res.data()["updateDependency"]["dependency"];
    assert_eq!(d["neededBy"], day(-2).as_str());
    assert_eq!(d["description"], "Cards API v2");
    assert_eq!(d["isOverdue"], true);

    let res = update_dependency(&app, &org.admin, json!({ "id": id, "status": "LATE" })).await;
    assert_code(&res, "BAD_USER_INPUT");
    let res = update_dependency(&app, &org.admin, json!({ "id": id, "description": " " })).await;
    assert_bad_input(&res, "description");
    assert_eq!(
        dependency(&app, &org.admin, &id).await["description"],
        "Cards API v2"
    );

    for (filter, want) in [
        (json!({ "squadId": org.wallet }), 1),
        (json!({ "squadId": org.ranking }), 0),
        (json!({ "status": "OPEN" }), 1),
        (json!({ "status": "DONE" }), 0),
        (json!({ "dueBy": day(-3) }), 0),
        (json!({ "dueBy": day(-2) }), 1),
    ] {
        let res = app
            .gql_as(&org.admin, DEPENDENCIES, json!({ "filter": filter }))
            .await;
        assert_eq!(
            res.data()["dependencies"]["totalCount"],
            want,
            "filter {filter}"
        );
    }
}

async fn a_squad_cannot_depend_on_itself(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.checkout,
                "description": "Ourselves", "neededBy": day(5) }),
    )
    .await;
    assert_bad_input(&res, "toSquadId");
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                "description": "   ", "neededBy": day(5) }),
    )
    .await;
    assert_bad_input(&res, "description");
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.payments,
                "description": "A team is no squad", "neededBy": day(5) }),
    )
    .await;
    assert_bad_input(&res, "toSquadId");
    let res = app.gql_as(&org.admin, DEPENDENCIES, json!({})).await;
    assert_eq!(res.data()["dependencies"]["totalCount"], 0);
}

async fn lists_of_outcomes_initiatives_and_dependencies_are_paged_with_cursors(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for (n, due) in [(3, 3), (1, 1), (4, 4), (2, 2), (5, 5)] {
        new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                    "description": format!("Due {n}"), "neededBy": day(due) }),
        )
        .await;
        new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": format!("Initiative {n}") }),
        )
        .await;
        new_outcome(
            &app,
            &org.admin,
            json!({ "teamId": org.payments, "quarter": quarter(n - 3),
                    "title": format!("Outcome {n}") }),
        )
        .await;
    }
    // (list, its query with $after, where its page sits, titles in order)
    let dependencies = "query($after: String) { dependencies(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { description } } }";
    let needs = "query($id: ID!, $after: String) { node(id: $id) { ... on Squad {
        dependencies(first: 2, after: $after) {
            pageInfo { hasNextPage endCursor } nodes { description } } } } }";
    let initiatives = "query($after: String) { initiatives(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { title } } }";
    let outcomes = "query($after: String) { outcomes(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { title } } }";
    let soonest_first: Vec<String> = (1..=5).map(|n| format!("Due {n}")).collect();
    let oldest_first: Vec<String> = [3, 1, 4, 2, 5]
        .iter()
        .map(|n| format!("Initiative {n}"))
        .collect();
    let newest_quarter_first: Vec<String> = (1..=5).rev().map(|n| format!("Outcome {n}")).collect();
    for (query, path, want) in [
        (dependencies, vec!["dependencies"], &soonest_first),
        (needs, vec!["node", "dependencies"], &soonest_first),
        (initiatives, vec!["initiatives"], &oldest_first),
        (outcomes, vec!["outcomes"], &newest_quarter_first),
    ] {
        let mut got = Vec::new();
        let mut after = Value::Null;
        for _page in 0..3 {
            let res = app
                .gql_as(
                    &org.admin,
                    query,
                    json!({ "id": org.checkout, "after": after }),
                )
                .await;
            let mut conn = res.data().clone();
            for key in &path {
                conn = conn[key].clone();
            }
            got.extend(titles(&conn["nodes"]));
            after = conn["pageInfo"]["endCursor"].clone();
            if conn["pageInfo"]["hasNextPage"] == false {
                break;
            }
        }
        assert_eq!(&got, want, "{path:?}");
    }
}

crate::db_tests!(
    a_squad_declares_what_it_needs_from_another_by_a_date,
    a_squad_cannot_depend_on_itself,
    lists_of_outcomes_initiatives_and_dependencies_are_paged_with_cursors,
);
