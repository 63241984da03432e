//! Quarterly roadmap alignment: sessions, ranked items, sign-offs by all three
//! disciplines, and live updates over WebSocket.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{Session, Subscription, TestApp};

const CREATE: &str = r#"mutation($input: CreateRoadmapAlignmentInput!) {
  createRoadmapAlignment(input: $input) { roadmapAlignment { id status facilitator { displayName } } } }"#;
const START: &str = r#"mutation($id: ID!) { startRoadmapAlignment(input: {id: $id}) { roadmapAlignment { status } } }"#;
const CLOSE: &str = r#"mutation($id: ID!) { closeRoadmapAlignment(input: {id: $id}) { roadmapAlignment { status } } }"#;
const ADD_ITEM: &str = r#"mutation($input: AddRoadmapItemInput!) {
  addRoadmapItem(input: $input) { signOffsCleared item { id rank commitment } roadmapAlignment { status } } }"#;
const RANK: &str = r#"mutation($input: RankRoadmapItemsInput!) {
  rankRoadmapItems(input: $input) { roadmapAlignment { items { edges { node { id rank } } } } } }"#;
const SIGN: &str = r#"mutation($id: ID!, $comment: String) {
  signOffRoadmapAlignment(input: {roadmapAlignmentId: $id, comment: $comment}) {
    roadmapAlignment { status missingDisciplines } signOff { discipline } } }"#;
const READ: &str = r#"query($id: ID!) { node(id: $id) { ... on RoadmapAlignment {
  status missingDisciplines signOffs { discipline comment user { displayName } }
  items { totalCount edges { node { id rank commitment initiative { title } } } }
  participants { totalCount }
  capacity { squad { name } allocatedPercent committedItems isOverCommitted }
  summary } } }"#;

/// A product manager's session with an engineer and a designer taking part, and three
/// initiatives of one squad to put on it.
struct Fixture {
    admin: Session,
    pm: Session,
    engineer: Session,
    designer: Session,
    outsider: Session,
    squad: String,
    initiatives: Vec<String>,
    alignment: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.register_org("Acme").await;
    let pm = app
        .add_user(&admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    let engineer = app
        .add_user(&admin, "Erin Engineer", "ENGINEERING", "MEMBER")
        .await;
    let designer = app
        .add_user(&admin, "Dana Designer", "DESIGN", "MEMBER")
        .await;
    let outsider = app
        .add_user(&admin, "Otto Other", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let squad = app.create_squad(&admin, &team, "Checkout").await;
    app.add_squad_member(&admin, &squad, &engineer.user_id, "LEAD", 100)
        .await
        .data();
    app.add_squad_member(&admin, &squad, &designer.user_id, "MEMBER", 50)
        .await
        .data();
    let mut initiatives = Vec::new();
    for title in ["One-click pay", "Saved cards", "Receipts"] {
        let res = app
            .gql_as(
                &admin,
                "mutation($input: CreateInitiativeInput!) { createInitiative(input: $input) { initiative { id } } }",
                json!({ "input": { "squadId": squad, "title": title, "status": "PLANNED" } }),
            )
            .await;
        initiatives.push(
            res.data()["createInitiative"]["initiative"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let res = app
        .gql_as(
            &pm,
            CREATE,
            json!({ "input": { "quarter": "2026-Q4", "title": "Q4 roadmap",
                "participantIds": [engineer.user_id, designer.user_id] } }),
        )
        .await;
    let alignment = res.data()["createRoadmapAlignment"]["roadmapAlignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Fixture {
        admin,
        pm,
        engineer,
        designer,
        outsider,
        squad,
        initiatives,
        alignment,
    }
}

async fn add_item(
    app: &TestApp,
    who: &Session,
    f: &Fixture,
    i: usize,
    commitment: &str,
) -> crate::common::Gql {
    app.gql_as(
        who,
        ADD_ITEM,
        json!({ "input": { "roadmapAlignmentId": f.alignment, "initiativeId": f.initiatives[i], "commitment": commitment } }),
    )
    .await
}

async fn read(app: &TestApp, who: &Session, f: &Fixture) -> Value {
    app.gql_as(who, READ, json!({ "id": f.alignment }))
        .await
        .data()["node"]
        .clone()
}

fn item_ids(v: &Value) -> Vec<String> {
    v["items"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_session_is_aligned_once_engineering_product_and_design_sign_off(app: TestApp) {
    let f = fixture(&app).await;
    let res = app.gql_as(&f.pm, START, json!({ "id": f.alignment })).await;
    assert_eq!(
        res.data()["startRoadmapAlignment"]["roadmapAlignment"]["status"],
        "IN_SESSION"
    );
    add_item(&app, &f.pm, &f, 0, "COMMITTED").await.data();
    add_item(&app, &f.engineer, &f, 1, "STRETCH").await.data();
    add_item(&app, &f.designer, &f, 2, "DEFERRED").await.data();

    let res = app
        .gql_as(
            &f.engineer,
            SIGN,
            json!({ "id": f.alignment, "comment": "Feasible" }),
        )
        .await;
    let a = &res.data()["signOffRoadmapAlignment"]["roadmapAlignment"];
    assert_eq!(a["status"], "IN_SESSION");
    assert_eq!(a["missingDisciplines"], json!(["PRODUCT", "DESIGN"]));
    app.gql_as(&f.pm, SIGN, json!({ "id": f.alignment }))
        .await
        .data();
    let res = app
        .gql_as(
            &f.designer,
            SIGN,
            json!({ "id": f.alignment, "comment": "UX agreed" }),
        )
        .await;
    let a = &res.data()["signOffRoadmapAlignment"]["roadmapAlignment"];
    assert_eq!(a["status"], "ALIGNED");
    assert_eq!(a["missingDisciplines"], json!([]));

    let v = read(&app, &f.pm, &f).await;
    assert_eq!(v["signOffs"].as_array().unwrap().len(), 3);
    let ranks: Vec<i64> = v["items"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["rank"].as_i64().unwrap())
        .collect();
    assert_eq!(ranks, [1, 2, 3]);
    let summary = v["summary"].as_str().unwrap();
    assert!(summary.starts_with("# Q4 roadmap (2026-Q4)"), "{summary}");
    assert!(summary.contains("## Checkout"), "{summary}");
    assert!(
        summary.contains("**Committed**") && summary.contains("1. One-click pay"),
        "{summary}"
    );
    assert!(
        summary.contains("**Stretch**") && summary.contains("2. Saved cards"),
        "{summary}"
    );
    assert!(
        summary.contains("**Deferred**") && summary.contains("3. Receipts"),
        "{summary}"
    );
    assert!(
        summary.contains("DESIGN: signed by Dana Designer") && summary.contains("“UX agreed”"),
        "{summary}"
    );
}

async fn a_change_to_the_roadmap_after_a_sign_off_clears_the_sign_offs(app: TestApp) {
    let f = fixture(&app).await;
    app.gql_as(&f.pm, START, json!({ "id": f.alignment }))
        .await
        .data();
    let first = add_item(&app, &f.pm, &f, 0, "COMMITTED").await;
    assert_eq!(first.data()["addRoadmapItem"]["signOffsCleared"], false);
    for who in [&f.pm, &f.engineer, &f.designer] {
        app.gql_as(who, SIGN, json!({ "id": f.alignment }))
            .await
            .data();
    }
    assert_eq!(read(&app, &f.pm, &f).await["status"], "ALIGNED");

    let res = add_item(&app, &f.engineer, &f, 1, "STRETCH").await;
    let p = &res.data()["addRoadmapItem"];
    assert_eq!(p["signOffsCleared"], true);
    assert_eq!(p["roadmapAlignment"]["status"], "IN_SESSION");
    let v = read(&app, &f.pm, &f).await;
    assert_eq!(v["signOffs"], json!([]));
    assert_eq!(
        v["missingDisciplines"],
        json!(["ENGINEERING", "PRODUCT", "DESIGN"])
    );
}

async fn sign_offs_follow_the_rules(app: TestApp) {
    let f = fixture(&app).await;
    // Not started yet.
    let res = app.gql_as(&f.pm, SIGN, json!({ "id": f.alignment })).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    app.gql_as(&f.pm, START, json!({ "id": f.alignment }))
        .await
        .data();
    // Only participants, and each discipline once.
    let res = app
        .gql_as(&f.outsider, SIGN, json!({ "id": f.alignment }))
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
    let res = app
        .gql_as(&f.admin, SIGN, json!({ "id": f.alignment }))
        .await;
    assert_eq!(
        res.error_code(),
        Some("FORBIDDEN"),
        "an admin who does not take part"
    );
    app.gql_as(&f.engineer, SIGN, json!({ "id": f.alignment }))
        .await
        .data();
    let res = app
        .gql_as(&f.engineer, SIGN, json!({ "id": f.alignment }))
        .await;
    assert_eq!(res.error_code(), Some("CONFLICT"));
    // The signer withdraws; the discipline can sign again.
    let res = app
        .gql_as(
            &f.engineer,
            "mutation($id: ID!) { withdrawSignOff(input: {roadmapAlignmentId: $id}) { roadmapAlignment { missingDisciplines } } }",
            json!({ "id": f.alignment }),
        )
        .await;
    assert_eq!(
        res.data()["withdrawSignOff"]["roadmapAlignment"]["missingDisciplines"],
        json!(["ENGINEERING", "PRODUCT", "DESIGN"])
    );
    app.gql_as(&f.engineer, SIGN, json!({ "id": f.alignment }))
        .await
        .data();
}

async fn twenty_parallel_identical_sign_offs_record_exactly_one(app: TestApp) {
    let f = fixture(&app).await;
    app.gql_as(&f.pm, START, json!({ "id": f.alignment }))
        .await
        .data();
    let results =
        join_all((0..20).map(|_| app.gql_as(&f.designer, SIGN, json!({ "id": f.alignment }))))
            .await;
    let ok = results.iter().filter(|r| r.outcome().is_ok()).count();
    assert_eq!(ok, 1);
    for r in results.iter().filter(|r| r.outcome().is_err()) {
        assert_eq!(r.error_code(), Some("CONFLICT"), "{}", r.body);
    }
    let v = read(&app, &f.pm, &f).await;
    assert_eq!(v["signOffs"].as_array().unwrap().len(), 1);
}

async fn ranking_is_one_transaction_with_contiguous_unique_ranks(app: TestApp) {
    let f = fixture(&app).await;
    for i in 0..3 {
        add_item(&app, &f.pm, &f, i, "COMMITTED").await.data();
    }
    let ids = item_ids(&read(&app, &f.pm, &f).await);
    let reversed: Vec<String> = ids.iter().rev().cloned().collect();
    let res = app
        .gql_as(
            &f.designer,
            RANK,
            json!({ "input": { "roadmapAlignmentId": f.alignment, "itemIds": reversed } }),
        )
        .await;
    let got: Vec<String> = res.data()["rankRoadmapItems"]["roadmapAlignment"]["items"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, reversed);
    // Every item exactly once, or nothing changes.
    let res = app
        .gql_as(
            &f.pm,
            RANK,
            json!({ "input": { "roadmapAlignmentId": f.alignment, "itemIds": &ids[..2] } }),
        )
        .await;
    assert_eq!(res.error_field(), Some("itemIds"));
    assert_eq!(item_ids(&read(&app, &f.pm, &f).await), reversed);

    // Parallel re-rankings in every order never leave duplicate or missing ranks.
    let orders: Vec<Vec<String>> = (0..12)
        .map(|k| {
            let mut o = ids.clone();
            o.rotate_left(k % 3);
            if k % 2 == 1 {
                o.reverse();
            }
            o
        })
        .collect();
    let results = join_all(orders.iter().map(|o| {
        app.gql_as(
            &f.pm,
            RANK,
            json!({ "input": { "roadmapAlignmentId": f.alignment, "itemIds": o } }),
        )
    }))
    .await;
    for r in &results {
        assert_eq!(r.outcome(), Ok(()), "{}", r.body);
    }
    let v = read(&app, &f.pm, &f).await;
    let mut ranks: Vec<i64> = v["items"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["rank"].as_i64().unwrap())
        .collect();
    ranks.sort();
    assert_eq!(ranks, [1, 2, 3]);
}

async fn removing_an_item_closes_the_gap_in_the_ranks(app: TestApp) {
    let f = fixture(&app).await;
    for i in 0..3 {
        add_item(&app, &f.pm, &f, i, "COMMITTED").await.data();
    }
    let ids = item_ids(&read(&app, &f.pm, &f).await);
    let res = app
        .gql_as(
            &f.engineer,
            "mutation($id: ID!) { removeRoadmapItem(input: {id: $id}) { roadmapAlignment { items { edges { node { id rank } } } } } }",
            json!({ "id": ids[0] }),
        )
        .await;
    let edges = res.data()["removeRoadmapItem"]["roadmapAlignment"]["items"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let got: Vec<(String, i64)> = edges
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap().to_owned(),
                e["node"]["rank"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(ids[1].clone(), 1), (ids[2].clone(), 2)]);
}

async fn a_closed_session_is_read_only(app: TestApp) {
    let f = fixture(&app).await;
    app.gql_as(&f.pm, START, json!({ "id": f.alignment }))
        .await
        .data();
    add_item(&app, &f.pm, &f, 0, "COMMITTED").await.data();
    let res = app.gql_as(&f.pm, CLOSE, json!({ "id": f.alignment })).await;
    assert_eq!(
        res.data()["closeRoadmapAlignment"]["roadmapAlignment"]["status"],
        "CLOSED"
    );
    let res = add_item(&app, &f.pm, &f, 1, "COMMITTED").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
    let res = app
        .gql_as(&f.engineer, SIGN, json!({ "id": f.alignment }))
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
    let res = app.gql_as(&f.pm, CLOSE, json!({ "id": f.alignment })).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(read(&app, &f.pm, &f).await["items"]["totalCount"], 1);
}

async fn who_may_create_sessions_and_edit_their_roadmap(app: TestApp) {
    let f = fixture(&app).await;
    let viewer = app
        .add_user(&f.admin, "Vic Viewer", "PRODUCT", "VIEWER")
        .await;
    let other_org = app.register_org("Globex").await;
    for (who, name, want) in [
        (&f.pm, "product member", Ok(())),
        (&f.admin, "admin", Ok(())),
        (&f.engineer, "engineer", Err("FORBIDDEN")),
        (&f.designer, "designer", Err("FORBIDDEN")),
        (&viewer, "product viewer", Err("FORBIDDEN")),
    ] {
        let res = app
            .gql_as(
                who,
                CREATE,
                json!({ "input": { "quarter": "2027-Q1", "title": "Next" } }),
            )
            .await;
        assert_eq!(
            res.outcome(),
            want.map_err(str::to_owned),
            "create as {name}"
        );
    }
    for (i, (who, name, want)) in [
        (&f.designer, "participant", Ok(())),
        (&f.pm, "facilitator", Ok(())),
        (
            &f.outsider,
            "member who does not take part",
            Err("FORBIDDEN"),
        ),
        (&f.admin, "admin who does not take part", Err("FORBIDDEN")),
        (&other_org, "another organisation's admin", Err("NOT_FOUND")),
    ]
    .into_iter()
    .enumerate()
    {
        let res = add_item(&app, who, &f, i % 3, "STRETCH").await;
        assert_eq!(
            res.outcome(),
            want.map_err(str::to_owned),
            "add item as {name}: {}",
            res.body
        );
        if res.outcome().is_ok() {
            let id = res.data()["addRoadmapItem"]["item"]["id"].clone();
            app.gql_as(
                &f.pm,
                "mutation($id: ID!) { removeRoadmapItem(input: {id: $id}) { signOffsCleared } }",
                json!({ "id": id }),
            )
            .await
            .data();
        }
    }
    // Another organisation cannot even read it.
    let res = app
        .gql_as(&other_org, READ, json!({ "id": f.alignment }))
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
}

async fn capacity_shows_a_squad_committed_beyond_its_people(app: TestApp) {
    let f = fixture(&app).await;
    add_item(&app, &f.pm, &f, 0, "COMMITTED").await.data();
    let v = read(&app, &f.pm, &f).await;
    let c = &v["capacity"][0];
    assert_eq!(c["squad"]["name"], "Checkout");
    assert_eq!(c["allocatedPercent"], 150);
    assert_eq!(c["committedItems"], 1);
    assert_eq!(c["isOverCommitted"], false);
    add_item(&app, &f.pm, &f, 1, "COMMITTED").await.data();
    let v = read(&app, &f.pm, &f).await;
    assert_eq!(v["capacity"][0]["committedItems"], 2);
    assert_eq!(
        v["capacity"][0]["isOverCommitted"], true,
        "2 committed items for 1.5 people"
    );
    let _ = &f.squad;
}

const SUBSCRIBE: &str = r#"subscription($id: ID!) { roadmapAlignmentChanged(id: $id) {
  kind signOffsCleared itemId actor { displayName } roadmapAlignment { status items { totalCount } } } }"#;

async fn participants_see_each_others_changes_live(app: TestApp) {
    let f = fixture(&app).await;
    let mut sub = Subscription::start(
        &app.address,
        &f.designer.token,
        SUBSCRIBE,
        json!({ "id": f.alignment }),
    )
    .await
    .unwrap();
    // The subscription is live once a change reaches it.
    let e = sub
        .first_event(|| async {
            app.gql_as(
                &f.pm,
                "mutation($id: ID!) { updateRoadmapAlignment(input: {id: $id, title: \"Q4 roadmap\"}) { roadmapAlignment { id } } }",
                json!({ "id": f.alignment }),
            )
            .await
            .data();
        })
        .await;
    assert_eq!(
        e["payload"]["data"]["roadmapAlignmentChanged"]["kind"], "UPDATED",
        "{e}"
    );
    app.gql_as(&f.pm, START, json!({ "id": f.alignment }))
        .await
        .data();
    let e = sub.next(10).await.expect("an event");
    assert_eq!(
        e["payload"]["data"]["roadmapAlignmentChanged"]["kind"], "STARTED",
        "{e}"
    );
    add_item(&app, &f.engineer, &f, 0, "COMMITTED").await.data();
    let e = sub.next(10).await.expect("an event");
    let ev = &e["payload"]["data"]["roadmapAlignmentChanged"];
    assert_eq!(ev["kind"], "ITEM_ADDED", "{e}");
    assert_eq!(ev["actor"]["displayName"], "Erin Engineer");
    assert_eq!(ev["roadmapAlignment"]["items"]["totalCount"], 1);
    assert!(ev["itemId"].is_string());
    app.gql_as(&f.engineer, SIGN, json!({ "id": f.alignment }))
        .await
        .data();
    let e = sub.next(10).await.expect("an event");
    assert_eq!(
        e["payload"]["data"]["roadmapAlignmentChanged"]["kind"],
        "SIGNED_OFF"
    );
    add_item(&app, &f.pm, &f, 1, "STRETCH").await.data();
    let e = sub.next(10).await.expect("an event");
    assert_eq!(
        e["payload"]["data"]["roadmapAlignmentChanged"]["signOffsCleared"],
        true
    );
}

async fn another_organisation_cannot_subscribe_and_a_bad_token_cannot_connect(app: TestApp) {
    let f = fixture(&app).await;
    let other = app.register_org("Globex").await;
    let mut sub = Subscription::start(
        &app.address,
        &other.token,
        SUBSCRIBE,
        json!({ "id": f.alignment }),
    )
    .await
    .unwrap();
    let msg = sub.next(10).await.expect("an answer");
    assert_eq!(msg["payload"]["data"], Value::Null, "{msg}");
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{msg}"
    );
    app.gql_as(&f.pm, START, json!({ "id": f.alignment }))
        .await
        .data();
    while let Some(msg) = sub.next(2).await {
        assert_ne!(
            msg["type"], "next",
            "no events for another organisation: {msg}"
        );
    }

    let refused = Subscription::start(
        &app.address,
        "not a token",
        SUBSCRIBE,
        json!({ "id": f.alignment }),
    )
    .await;
    assert!(refused.is_err());
}

async fn only_the_facilitator_runs_the_session_and_only_signers_withdraw(app: TestApp) {
    let f = fixture(&app).await;
    const UPDATE: &str = r#"mutation($id: ID!, $t: String!) { updateRoadmapAlignment(input: {id: $id, title: $t}) { roadmapAlignment { title } } }"#;
    const ADD_P: &str = r#"mutation($id: ID!, $u: ID!) { addAlignmentParticipant(input: {roadmapAlignmentId: $id, userId: $u}) { roadmapAlignment { participants { totalCount } } } }"#;
    const REMOVE_P: &str = r#"mutation($id: ID!, $u: ID!) { removeAlignmentParticipant(input: {roadmapAlignmentId: $id, userId: $u}) { roadmapAlignment { participants { totalCount } } } }"#;
    const WITHDRAW: &str = r#"mutation($id: ID!, $d: Discipline) { withdrawSignOff(input: {roadmapAlignmentId: $id, discipline: $d}) { roadmapAlignment { missingDisciplines } } }"#;
    for (who, name, want) in [
        (&f.engineer, "participant", Err("FORBIDDEN")),
        (&f.outsider, "member", Err("FORBIDDEN")),
        (&f.pm, "facilitator", Ok(())),
        (&f.admin, "admin", Ok(())),
    ] {
        let res = app
            .gql_as(
                who,
                UPDATE,
                json!({ "id": f.alignment, "t": format!("Q4 by {name}") }),
            )
            .await;
        assert_eq!(
            res.outcome(),
            want.map_err(str::to_owned),
            "update as {name}"
        );
        let res = app.gql_as(who, START, json!({ "id": f.alignment })).await;
        if want.is_err() {
            assert_eq!(res.error_code(), Some("FORBIDDEN"), "start as {name}");
        }
    }
    // Started once (by the facilitator above); a second start is refused.
    let res = app.gql_as(&f.pm, START, json!({ "id": f.alignment })).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));

    let res = app
        .gql_as(
            &f.pm,
            ADD_P,
            json!({ "id": f.alignment, "u": f.outsider.user_id }),
        )
        .await;
    assert_eq!(
        res.data()["addAlignmentParticipant"]["roadmapAlignment"]["participants"]["totalCount"],
        4
    );
    let res = app
        .gql_as(
            &f.pm,
            REMOVE_P,
            json!({ "id": f.alignment, "u": f.pm.user_id }),
        )
        .await;
    assert_eq!(
        res.error_field(),
        Some("userId"),
        "the facilitator always takes part"
    );
    let res = app
        .gql_as(
            &f.pm,
            REMOVE_P,
            json!({ "id": f.alignment, "u": f.outsider.user_id }),
        )
        .await;
    assert_eq!(
        res.data()["removeAlignmentParticipant"]["roadmapAlignment"]["participants"]["totalCount"],
        3
    );

    // A sign-off is withdrawn by its signer or the facilitator, not by another participant.
    app.gql_as(&f.engineer, SIGN, json!({ "id": f.alignment }))
        .await
        .data();
    let res = app
        .gql_as(
            &f.designer,
            WITHDRAW,
            json!({ "id": f.alignment, "d": "ENGINEERING" }),
        )
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
    let res = app
        .gql_as(
            &f.pm,
            WITHDRAW,
            json!({ "id": f.alignment, "d": "ENGINEERING" }),
        )
        .await;
    assert_eq!(
        res.data()["withdrawSignOff"]["roadmapAlignment"]["missingDisciplines"],
        json!(["ENGINEERING", "PRODUCT", "DESIGN"])
    );
    let res = app
        .gql_as(&f.pm, WITHDRAW, json!({ "id": f.alignment, "d": "DESIGN" }))
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "nothing to withdraw");
}

crate::db_tests!(
    a_session_is_aligned_once_engineering_product_and_design_sign_off,
    a_change_to_the_roadmap_after_a_sign_off_clears_the_sign_offs,
    sign_offs_follow_the_rules,
    twenty_parallel_identical_sign_offs_record_exactly_one,
    ranking_is_one_transaction_with_contiguous_unique_ranks,
    removing_an_item_closes_the_gap_in_the_ranks,
    a_closed_session_is_read_only,
    who_may_create_sessions_and_edit_their_roadmap,
    capacity_shows_a_squad_committed_beyond_its_people,
    participants_see_each_others_changes_live,
    another_organisation_cannot_subscribe_and_a_bad_token_cannot_connect,
    only_the_facilitator_runs_the_session_and_only_signers_withdraw,
);
