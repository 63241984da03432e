//! Squads over the API: creation in a home team, the status life cycle, cross-functional
//! membership, allocations, who may do which, lists and tenant isolation
//! (DESIGN §1 "Teams and squads", §2, §3).

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{
    assert_bad_input, assert_code, denied, names, Cast, Gql, Session, TestApp, Who,
};

const SQUAD_FIELDS: &str = "id name mission customerJourney status version
    team { id name } disciplines isCrossFunctional";

fn create_squad_query() -> String {
    format!(
        "mutation($input: CreateSquadInput!) {{ createSquad(input: $input) {{ squad {{ {SQUAD_FIELDS} }} }} }}"
    )
}

fn update_squad_query() -> String {
    format!(
        "mutation($input: UpdateSquadInput!) {{ updateSquad(input: $input) {{ squad {{ {SQUAD_FIELDS} }} }} }}"
    )
}

fn squad_query() -> String {
    format!(
        "query($id: ID!) {{ node(id: $id) {{ ... on Squad {{ {SQUAD_FIELDS}
            members {{ totalCount nodes {{
                role allocationPercent user {{ id displayName discipline }} squad {{ id }} }} }} }} }} }}"
    )
}

const ADD_SQUAD_MEMBER: &str = "mutation($input: AddSquadMemberInput!) {
    addSquadMember(input: $input) {
        squad { id members { totalCount } }
        membership { role allocationPercent user { id } squad { id } } } }";

const REMOVE_SQUAD_MEMBER: &str = "mutation($input: RemoveSquadMemberInput!) {
    removeSquadMember(input: $input) { squad { id members { totalCount } } } }";

const SQUADS: &str = "query($first: Int, $after: String, $filter: SquadFilter) {
    squads(first: $first, after: $after, filter: $filter) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id name status } }
    } }";

const USER_SQUADS: &str = "query($id: ID!) { node(id: $id) { ... on User {
    squads { totalCount nodes { role allocationPercent squad { id name } } } } } }";

const ARCHIVE_TEAM: &str =
    "mutation($input: ArchiveTeamInput!) { archiveTeam(input: $input) { team { id } } }";

/// Creates a squad from a full `CreateSquadInput`, returning the response.
async fn create_squad(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &create_squad_query(), json!({ "input": input }))
        .await
}

/// Updates a squad from a full `UpdateSquadInput`, returning the response.
async fn update_squad(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &update_squad_query(), json!({ "input": input }))
        .await
}

/// Adds a squad member from a full `AddSquadMemberInput`, returning the response.
async fn add_member(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, ADD_SQUAD_MEMBER, json!({ "input": input }))
        .await
}

/// A squad as `who` reads it through `node`.
async fn squad(app: &TestApp, who: &Session, id: &str) -> Value {
    app.gql_as(who, &squad_query(), json!({ "id": id }))
        .await
        .data()["node"]
        .clone()
}

/// The `squads` connection for `vars`, asserting it has no errors.
async fn squads(app: &TestApp, who: &Session, vars: Value) -> Value {
    app.gql_as(who, SQUADS, vars).await.data()["squads"].clone()
}

/// A user's squad memberships as (squad id, role, allocation), oldest first.
async fn user_squads(app: &TestApp, who: &Session, user: &str) -> Vec<(String, String, i64)> {
    let res = app.gql_as(who, USER_SQUADS, json!({ "id": user })).await;
    res.data()["node"]["squads"]["nodes"]
        .as_array()
        .expect("squads")
        .iter()
        .map(|m| {
            (
                m["squad"]["id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
                m["allocationPercent"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// A squad's members as (user id, role, allocation), in the order they joined.
fn members(squad: &Value) -> Vec<(String, String, i64)> {
    squad["members"]["nodes"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["user"]["id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
                m["allocationPercent"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn member(user: &Session, role: &str, allocation: i64) -> (String, String, i64) {
    (user.user_id.clone(), role.to_owned(), allocation)
}

// ---------------------------------------------------------------------------------
// Create and update

async fn a_new_squad_starts_as_a_pilot_in_its_home_team(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    let res = create_squad(
        &app,
        &admin,
        json!({ "teamId": team, "name": " Checkout ", "mission": "Pay in one click",
                "customerJourney": "Cart to receipt" }),
    )
    .await;
    let created = &res.data()["createSquad"]["squad"];
    assert_eq!(created["name"], "Checkout");
    assert_eq!(created["mission"], "Pay in one click");
    assert_eq!(created["customerJourney"], "Cart to receipt");
    assert_eq!(created["status"], "PILOT");
    assert_eq!(created["version"], 1);
    assert_eq!(created["team"]["id"], team.as_str());
    assert_eq!(created["team"]["name"], "Payments");
    assert_eq!(created["disciplines"], json!([]));
    assert_eq!(created["isCrossFunctional"], false);

    let read = squad(&app, &admin, created["id"].as_str().unwrap()).await;
    assert_eq!(read["status"], "PILOT");
    assert_eq!(read["team"]["id"], team.as_str());
    assert_eq!(read["members"]["totalCount"], 0);
}

async fn a_squad_moves_forward_from_pilot_to_active_to_archived_only(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    let id = app.create_squad(&admin, &team, "Checkout").await;

    let res = update_squad(&app, &admin, json!({ "id": id, "status": "ACTIVE" })).await;
    let updated = &res.data()["updateSquad"]["squad"];
    assert_eq!(updated["status"], "ACTIVE");
    assert_eq!(updated["version"], 2);

    let res = update_squad(&app, &admin, json!({ "id": id, "status": "PILOT" })).await;
    assert_bad_input(&res, "status");
    assert_eq!(squad(&app, &admin, &id).await["status"], "ACTIVE");

    let res = update_squad(&app, &admin, json!({ "id": id, "status": "ARCHIVED" })).await;
    assert_eq!(res.data()["updateSquad"]["squad"]["status"], "ARCHIVED");

    for back in ["ACTIVE", "PILOT"] {
        let res = update_squad(&app, &admin, json!({ "id": id, "status": back })).await;
        assert_bad_input(&res, "status");
    }
    let now = squad(&app, &admin, &id).await;
    assert_eq!(now["status"], "ARCHIVED");
    assert_eq!(now["version"], 3);
}

async fn updating_a_squad_with_a_stale_version_is_a_conflict_and_changes_nothing(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    let id = app.create_squad(&admin, &team, "Checkout").await;
    let res = update_squad(
        &app,
        &admin,
        json!({ "id": id, "expectedVersion": 1, "mission": "Faster checkout" }),
    )
    .await;
    assert_eq!(res.data()["updateSquad"]["squad"]["version"], 2);

    let res = update_squad(
        &app,
        &admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Payments UX", "status": "ACTIVE" }),
    )
    .await;
    assert_code(&res, "CONFLICT");

    let now = squad(&app, &admin, &id).await;
    assert_eq!(now["name"], "Checkout");
    assert_eq!(now["mission"], "Faster checkout");
    assert_eq!(now["status"], "PILOT");
    assert_eq!(now["version"], 2);
}

async fn a_squad_name_is_unique_within_an_organisation_only(app: TestApp) {
    let acme = app.register_org("Acme").await;
    let payments = app.create_team(&acme, "Payments").await;
    let search = app.create_team(&acme, "Search").await;
    app.create_squad(&acme, &payments, "Checkout").await;
    let ranking = app.create_squad(&acme, &search, "Ranking").await;

    // Also from another team of the same organisation.
    let res = create_squad(&app, &acme, json!({ "teamId": search, "name": "Checkout" })).await;
    assert_bad_input(&res, "name");
    let res = update_squad(&app, &acme, json!({ "id": ranking, "name": "Checkout" })).await;
    assert_bad_input(&res, "name");
    assert_eq!(squad(&app, &acme, &ranking).await["name"], "Ranking");
    assert_eq!(squads(&app, &acme, json!({})).await["totalCount"], 2);

    let globex = app.register_org("Globex").await;
    let logistics = app.create_team(&globex, "Logistics").await;
    let res = create_squad(
        &app,
        &globex,
        json!({ "teamId": logistics, "name": "Checkout" }),
    )
    .await;
    assert_eq!(res.data()["createSquad"]["squad"]["name"], "Checkout");
}

async fn a_squad_name_must_be_given_and_at_most_200_characters(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    for bad in ["   ".to_owned(), "x".repeat(300)] {
        let res = create_squad(&app, &admin, json!({ "teamId": team, "name": bad })).await;
        assert_bad_input(&res, "name");
    }
    let id = app.create_squad(&admin, &team, "Checkout").await;
    let res = update_squad(&app, &admin, json!({ "id": id, "name": "x".repeat(300) })).await;
    assert_bad_input(&res, "name");
    assert_eq!(squad(&app, &admin, &id).await["name"], "Checkout");
    assert_eq!(squads(&app, &admin, json!({})).await["totalCount"], 1);
}

async fn no_squad_can_be_created_in_an_archived_team(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    app.gql_as(&admin, ARCHIVE_TEAM, json!({ "input": { "id": team } }))
        .await
        .data();

    let res = create_squad(&app, &admin, json!({ "teamId": team, "name": "Checkout" })).await;
    assert_bad_input(&res, "teamId");
    assert_eq!(squads(&app, &admin, json!({})).await["totalCount"], 0);
}

// ---------------------------------------------------------------------------------
// Cross-functional membership

async fn a_squad_with_an_engineer_a_product_manager_and_a_designer_is_cross_functional(
    app: TestApp,
) {
    let admin = app.register_org("Acme").await;
    let engineer = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let pm = app
        .add_user(&admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    let designer = app
        .add_user(&admin, "Dee Designer", "DESIGN", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let checkout = app.create_squad(&admin, &team, "Checkout").await;

    // Joined out of discipline order: `disciplines` is still ENGINEERING, PRODUCT, DESIGN.
    for (who, role, allocation) in [
        (&designer, "MEMBER", 50),
        (&pm, "MEMBER", 40),
        (&engineer, "LEAD", 60),
    ] {
        app.add_squad_member(&admin, &checkout, &who.user_id, role, allocation)
            .await
            .data();
    }

    let s = squad(&app, &admin, &checkout).await;
    assert_eq!(
        s["disciplines"],
        json!(["ENGINEERING", "PRODUCT", "DESIGN"])
    );
    assert_eq!(s["isCrossFunctional"], true);
    assert_eq!(s["members"]["totalCount"], 3);
    assert_eq!(
        members(&s),
        [
            member(&designer, "MEMBER", 50),
            member(&pm, "MEMBER", 40),
            member(&engineer, "LEAD", 60),
        ]
    );
    assert_eq!(
        s["members"]["nodes"][2]["user"]["displayName"],
        "Eve Engineer"
    );
    assert_eq!(
        s["members"]["nodes"][2]["user"]["discipline"],
        "ENGINEERING"
    );
    assert_eq!(s["members"]["nodes"][0]["squad"]["id"], checkout.as_str());

    assert_eq!(
        user_squads(&app, &admin, &pm.user_id).await,
        [(checkout.clone(), "MEMBER".to_owned(), 40)]
    );
    let res = app
        .gql_as(&pm, USER_SQUADS, json!({ "id": pm.user_id }))
        .await;
    assert_eq!(
        res.data()["node"]["squads"]["nodes"][0]["squad"]["name"],
        "Checkout"
    );

    // Engineering and design, two of each, are not enough.
    let search = app.create_squad(&admin, &team, "Search").await;
    let engineer2 = app
        .add_user(&admin, "Ed Engineer", "ENGINEERING", "MEMBER")
        .await;
    for who in [&engineer, &designer, &engineer2] {
        app.add_squad_member(&admin, &search, &who.user_id, "MEMBER", 40)
            .await
            .data();
    }
    let s = squad(&app, &admin, &search).await;
    assert_eq!(s["disciplines"], json!(["ENGINEERING", "DESIGN"]));
    assert_eq!(s["isCrossFunctional"], false);

    // Listing both at once gives each its own disciplines.
    let res = app
        .gql_as(
            &admin,
            "{ squads { nodes { name disciplines isCrossFunctional } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res.data()["squads"]["nodes"],
        json!([
            { "name": "Checkout", "disciplines": ["ENGINEERING", "PRODUCT", "DESIGN"],
              "isCrossFunctional": true },
            { "name": "Search", "disciplines": ["ENGINEERING", "DESIGN"],
              "isCrossFunctional": false },
        ])
    );
}

async fn a_removed_member_leaves_the_squad(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let engineer = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let pm = app
        .add_user(&admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let checkout = app.create_squad(&admin, &team, "Checkout").await;
    app.add_squad_member(&admin, &checkout, &engineer.user_id, "LEAD", 60)
        .await
        .data();
    app.add_squad_member(&admin, &checkout, &pm.user_id, "MEMBER", 50)
        .await
        .data();

    let res = app
        .gql_as(
            &admin,
            REMOVE_SQUAD_MEMBER,
            json!({ "input": { "squadId": checkout, "userId": engineer.user_id } }),
        )
        .await;
    assert_eq!(
        res.data()["removeSquadMember"]["squad"]["members"]["totalCount"],
        1
    );
    let s = squad(&app, &admin, &checkout).await;
    assert_eq!(members(&s), [member(&pm, "MEMBER", 50)]);
    assert_eq!(s["disciplines"], json!(["PRODUCT"]));
    assert!(user_squads(&app, &admin, &engineer.user_id)
        .await
        .is_empty());

    // Their time is free again.
    let search = app.create_squad(&admin, &team, "Search").await;
    app.add_squad_member(&admin, &search, &engineer.user_id, "MEMBER", 100)
        .await
        .data();

    let res = app
        .gql_as(
            &admin,
            REMOVE_SQUAD_MEMBER,
            json!({ "input": { "squadId": checkout, "userId": engineer.user_id } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    assert_eq!(
        squad(&app, &admin, &checkout).await["members"]["totalCount"],
        1
    );
}

// ---------------------------------------------------------------------------------
// Allocation: a user's squads add up to at most 100%

async fn a_user_cannot_be_given_more_than_100_percent_across_squads(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let eve = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let a = app.create_squad(&admin, &team, "Checkout").await;
    let b = app.create_squad(&admin, &team, "Search").await;
    app.add_squad_member(&admin, &a, &eve.user_id, "MEMBER", 60)
        .await
        .data();

    let res = app
        .add_squad_member(&admin, &b, &eve.user_id, "MEMBER", 50)
        .await;
    assert_bad_input(&res, "allocationPercent");
    assert_eq!(squad(&app, &admin, &b).await["members"]["totalCount"], 0);

    let res = app
        .add_squad_member(&admin, &b, &eve.user_id, "MEMBER", 40)
        .await;
    res.data();
    assert_eq!(
        user_squads(&app, &admin, &eve.user_id).await,
        [
            (a.clone(), "MEMBER".to_owned(), 60),
            (b.clone(), "MEMBER".to_owned(), 40)
        ]
    );
}

async fn re_adding_a_member_updates_their_allocation_instead_of_counting_it_twice(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let eve = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let a = app.create_squad(&admin, &team, "Checkout").await;
    let b = app.create_squad(&admin, &team, "Search").await;
    app.add_squad_member(&admin, &a, &eve.user_id, "MEMBER", 60)
        .await
        .data();

    // 60 + 70 would be too much if the old allocation still counted.
    let res = add_member(
        &app,
        &admin,
        json!({ "squadId": a, "userId": eve.user_id, "role": "LEAD", "allocationPercent": 70 }),
    )
    .await;
    let membership = &res.data()["addSquadMember"]["membership"];
    assert_eq!(membership["allocationPercent"], 70);
    assert_eq!(membership["role"], "LEAD");
    let s = squad(&app, &admin, &a).await;
    assert_eq!(members(&s), [member(&eve, "LEAD", 70)]);

    let res = app
        .add_squad_member(&admin, &b, &eve.user_id, "MEMBER", 31)
        .await;
    assert_bad_input(&res, "allocationPercent");
    app.add_squad_member(&admin, &b, &eve.user_id, "MEMBER", 30)
        .await
        .data();

    // Lowering works too, and frees time.
    app.add_squad_member(&admin, &a, &eve.user_id, "LEAD", 20)
        .await
        .data();
    app.add_squad_member(&admin, &b, &eve.user_id, "MEMBER", 80)
        .await
        .data();
    assert_eq!(
        user_squads(&app, &admin, &eve.user_id).await,
        [
            (a.clone(), "LEAD".to_owned(), 20),
            (b.clone(), "MEMBER".to_owned(), 80)
        ]
    );

    // Changing only the role keeps the allocation.
    let res = add_member(
        &app,
        &admin,
        json!({ "squadId": b, "userId": eve.user_id, "role": "LEAD" }),
    )
    .await;
    let membership = &res.data()["addSquadMember"]["membership"];
    assert_eq!(membership["role"], "LEAD");
    assert_eq!(membership["allocationPercent"], 80);
}

async fn an_allocation_outside_1_to_100_is_refused(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let eve = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let a = app.create_squad(&admin, &team, "Checkout").await;
    for bad in [0, 101, -10] {
        let res = app
            .add_squad_member(&admin, &a, &eve.user_id, "MEMBER", bad)
            .await;
        assert_bad_input(&res, "allocationPercent");
    }
    assert_eq!(squad(&app, &admin, &a).await["members"]["totalCount"], 0);

    app.add_squad_member(&admin, &a, &eve.user_id, "MEMBER", 100)
        .await
        .data();
    assert_eq!(
        user_squads(&app, &admin, &eve.user_id).await,
        [(a.clone(), "MEMBER".to_owned(), 100)]
    );
}

async fn without_an_allocation_a_member_gets_whatever_is_left(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let eve = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let a = app.create_squad(&admin, &team, "Checkout").await;
    let b = app.create_squad(&admin, &team, "Search").await;
    let c = app.create_squad(&admin, &team, "Refunds").await;

    let res = add_member(&app, &admin, json!({ "squadId": a, "userId": eve.user_id })).await;
    let membership = &res.data()["addSquadMember"]["membership"];
    assert_eq!(membership["allocationPercent"], 100);
    assert_eq!(membership["role"], "MEMBER", "the default role");

    app.add_squad_member(&admin, &a, &eve.user_id, "MEMBER", 60)
        .await
        .data();
    let res = add_member(&app, &admin, json!({ "squadId": b, "userId": eve.user_id })).await;
    assert_eq!(
        res.data()["addSquadMember"]["membership"]["allocationPercent"],
        40
    );

    let res = add_member(&app, &admin, json!({ "squadId": c, "userId": eve.user_id })).await;
    assert_bad_input(&res, "allocationPercent");
    assert_eq!(squad(&app, &admin, &c).await["members"]["totalCount"], 0);
}

async fn parallel_additions_never_give_a_user_more_than_100_percent(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let eve = app
        .add_user(&admin, "Eve Engineer", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&admin, "Payments").await;
    let mut ids = Vec::new();
    for i in 1..=5 {
        ids.push(app.create_squad(&admin, &team, &format!("Squad {i}")).await);
    }

    let results = join_all(
        ids.iter()
            .map(|squad| app.add_squad_member(&admin, squad, &eve.user_id, "MEMBER", 30)),
    )
    .await;

    let succeeded = results.iter().filter(|r| r.outcome().is_ok()).count();
    for res in results.iter().filter(|r| r.outcome().is_err()) {
        assert_bad_input(res, "allocationPercent");
    }
    assert!(succeeded <= 3, "{succeeded} additions of 30% succeeded");

    let memberships = user_squads(&app, &admin, &eve.user_id).await;
    let total: i64 = memberships.iter().map(|(_, _, p)| p).sum();
    assert!(total <= 100, "allocated {total}%: {memberships:?}");
    assert_eq!(memberships.len(), succeeded);
}

// ---------------------------------------------------------------------------------
// Who may do what (DESIGN §2)

/// The squad is "Checkout" in its home team "Payments": TeamLead leads the home team,
/// SquadLead the squad, Member is in both, and Viewer leads both.
const CALLERS: &[Who] = &[Who::TeamLead, Who::SquadLead, Who::Member, Who::Viewer];

async fn an_admin_or_the_home_team_lead_may_create_a_squad(app: TestApp) {
    let cast = Cast::with(CALLERS)
        .team("Payments")
        .squad("Checkout")
        .build(&app)
        .await;
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, Ok(())),
        (Who::SquadLead, denied("FORBIDDEN")),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let name = format!("Created by {who:?}");
        let got = create_squad(
            &app,
            cast.as_(who),
            json!({ "teamId": cast.team(), "name": name }),
        )
        .await
        .outcome();
        assert_eq!(got, want, "createSquad as {who:?}");
        let found = squads(
            &app,
            &cast.admin,
            json!({ "filter": { "nameContains": name } }),
        )
        .await;
        assert_eq!(
            found["totalCount"],
            i32::from(want.is_ok()),
            "squad created by {who:?}"
        );
    }
}

async fn an_admin_or_the_home_team_lead_may_add_squad_members(app: TestApp) {
    let cast = Cast::with(CALLERS)
        .team("Payments")
        .squad("Checkout")
        .build(&app)
        .await;
    let id = cast.squad();
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, Ok(())),
        (Who::SquadLead, denied("FORBIDDEN")),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let newcomer = app
            .add_user(&cast.admin, &format!("New {who:?}"), "DESIGN", "MEMBER")
            .await;
        let got = app
            .add_squad_member(cast.as_(who), id, &newcomer.user_id, "MEMBER", 10)
            .await
            .outcome();
        assert_eq!(got, want, "addSquadMember as {who:?}");
        let joined = members(&squad(&app, &cast.admin, id).await)
            .iter()
            .any(|(user, _, _)| *user == newcomer.user_id);
        assert_eq!(joined, want.is_ok(), "member added by {who:?}");
    }
}

async fn an_admin_the_home_team_lead_or_the_squad_lead_may_update_a_squad(app: TestApp) {
    let cast = Cast::with(CALLERS)
        .team("Payments")
        .squad("Checkout")
        .build(&app)
        .await;
    let id = cast.squad();
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, Ok(())),
        (Who::SquadLead, Ok(())),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let before = squad(&app, &cast.admin, id).await;
        let mission = format!("Set by {who:?}");
        let got = update_squad(&app, cast.as_(who), json!({ "id": id, "mission": mission }))
            .await
            .outcome();
        assert_eq!(got, want, "updateSquad as {who:?}");
        let after = squad(&app, &cast.admin, id).await;
        if want.is_ok() {
            assert_eq!(after["mission"], mission.as_str());
        } else {
            assert_eq!(after, before, "a denied update changed the squad");
        }
    }
}

// ---------------------------------------------------------------------------------
// Lists

async fn squads_are_filtered_by_team_status_and_name(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let payments = app.create_team(&admin, "Payments").await;
    let search = app.create_team(&admin, "Search").await;
    let checkout = app.create_squad(&admin, &payments, "Checkout").await;
    app.create_squad(&admin, &payments, "Refunds").await;
    app.create_squad(&admin, &search, "Checkout Express").await;
    let ranking = app.create_squad(&admin, &search, "Ranking").await;
    update_squad(&app, &admin, json!({ "id": checkout, "status": "ACTIVE" }))
        .await
        .data();
    update_squad(&app, &admin, json!({ "id": ranking, "status": "ARCHIVED" }))
        .await
        .data();

    for (filter, want) in [
        (
            json!({}),
            vec!["Checkout", "Checkout Express", "Ranking", "Refunds"],
        ),
        (json!({ "teamId": payments }), vec!["Checkout", "Refunds"]),
        (json!({ "status": "ACTIVE" }), vec!["Checkout"]),
        (
            json!({ "status": "PILOT" }),
            vec!["Checkout Express", "Refunds"],
        ),
        (
            json!({ "nameContains": "CHECKOUT" }),
            vec!["Checkout", "Checkout Express"],
        ),
        (
            json!({ "teamId": search, "nameContains": "checkout" }),
            vec!["Checkout Express"],
        ),
        (
            json!({ "teamId": search, "status": "ARCHIVED" }),
            vec!["Ranking"],
        ),
        (json!({ "teamId": payments, "status": "ARCHIVED" }), vec![]),
    ] {
        let got = squads(&app, &admin, json!({ "filter": filter })).await;
        assert_eq!(names(&got), want, "filter {filter}");
        assert_eq!(got["totalCount"], want.len(), "filter {filter}");
    }

    let res = app
        .gql_as(&admin, SQUADS, json!({ "filter": { "teamId": checkout } }))
        .await;
    assert_bad_input(&res, "teamId");
}

async fn a_teams_squads_are_a_nested_connection_paged_per_team(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let payments = app.create_team(&admin, "Payments").await;
    let search = app.create_team(&admin, "Search").await;
    for (team, name) in [
        (&payments, "Charlie"),
        (&search, "Foxtrot"),
        (&payments, "Alpha"),
        (&search, "Delta"),
        (&payments, "Bravo"),
        (&search, "Echo"),
    ] {
        app.create_squad(&admin, team, name).await;
    }

    let team_squads = "query($id: ID!, $first: Int, $after: String) {
        node(id: $id) { ... on Team {
            squads(first: $first, after: $after) {
                totalCount pageInfo { hasNextPage endCursor } nodes { name team { id } } } } } }";
    let res = app
        .gql_as(&admin, team_squads, json!({ "id": payments, "first": 2 }))
        .await;
    let page1 = &res.data()["node"]["squads"];
    assert_eq!(names(page1), ["Alpha", "Bravo"]);
    assert_eq!(page1["totalCount"], 3);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    assert_eq!(page1["nodes"][0]["team"]["id"], payments.as_str());

    let res = app
        .gql_as(
            &admin,
            team_squads,
            json!({ "id": payments, "first": 2, "after": page1["pageInfo"]["endCursor"] }),
        )
        .await;
    let page2 = &res.data()["node"]["squads"];
    assert_eq!(names(page2), ["Charlie"]);
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);

    // In a list of teams, each team gets its own first page.
    let res = app
        .gql_as(
            &admin,
            "{ teams { nodes { name squads(first: 2) {
                totalCount pageInfo { hasNextPage } nodes { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res.data()["teams"]["nodes"],
        json!([
            { "name": "Payments", "squads": { "totalCount": 3,
                "pageInfo": { "hasNextPage": true },
                "nodes": [{ "name": "Alpha" }, { "name": "Bravo" }] } },
            { "name": "Search", "squads": { "totalCount": 3,
                "pageInfo": { "hasNextPage": true },
                "nodes": [{ "name": "Delta" }, { "name": "Echo" }] } },
        ])
    );

    // Backwards too: each team's last page, then the page before a cursor.
    let res = app
        .gql_as(
            &admin,
            "{ teams { nodes { name squads(last: 2) {
                pageInfo { hasPreviousPage startCursor } nodes { name } } } } }",
            json!({}),
        )
        .await;
    let teams = &res.data()["teams"]["nodes"];
    assert_eq!(names(&teams[0]["squads"]), ["Bravo", "Charlie"]);
    assert_eq!(names(&teams[1]["squads"]), ["Echo", "Foxtrot"]);
    assert_eq!(teams[0]["squads"]["pageInfo"]["hasPreviousPage"], true);
    let res = app
        .gql_as(
            &admin,
            "query($id: ID!, $before: String) { node(id: $id) { ... on Team {
                squads(last: 2, before: $before) {
                    pageInfo { hasPreviousPage hasNextPage } nodes { name } } } } }",
            json!({ "id": payments,
                    "before": teams[0]["squads"]["pageInfo"]["startCursor"] }),
        )
        .await;
    let before = &res.data()["node"]["squads"];
    assert_eq!(names(before), ["Alpha"]);
    assert_eq!(before["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(before["pageInfo"]["hasNextPage"], true);

    let res = app
        .gql_as(&admin, team_squads, json!({ "id": payments, "first": 101 }))
        .await;
    assert_bad_input(&res, "first");
}

// ---------------------------------------------------------------------------------
// Tenant isolation (DESIGN §1, §2)

async fn another_organisation_cannot_see_or_touch_a_squad(app: TestApp) {
    let acme = app.register_org("Acme").await;
    let ada = app
        .add_user(&acme, "Ada Lovelace", "ENGINEERING", "MEMBER")
        .await;
    let team = app.create_team(&acme, "Payments").await;
    let id = app.create_squad(&acme, &team, "Checkout").await;
    app.add_squad_member(&acme, &id, &ada.user_id, "LEAD", 50)
        .await
        .data();

    let globex = app.register_org("Globex").await;
    let globex_team = app.create_team(&globex, "Logistics").await;
    let globex_squad = app.create_squad(&globex, &globex_team, "Routing").await;

    let theirs = squads(&app, &globex, json!({})).await;
    assert_eq!(names(&theirs), ["Routing"]);
    assert_eq!(theirs["totalCount"], 1);
    let by_team = squads(&app, &globex, json!({ "filter": { "teamId": team } })).await;
    assert_eq!(by_team["totalCount"], 0);
    assert_eq!(by_team["edges"], json!([]));

    let res = app
        .gql_as(&globex, &squad_query(), json!({ "id": id }))
        .await;
    assert_code(&res, "NOT_FOUND");

    let res = create_squad(
        &app,
        &globex,
        json!({ "teamId": team, "name": "Intruders" }),
    )
    .await;
    assert_code(&res, "NOT_FOUND");

    let res = update_squad(&app, &globex, json!({ "id": id, "status": "ARCHIVED" })).await;
    assert_code(&res, "NOT_FOUND");

    let res = app
        .add_squad_member(&globex, &id, &globex.user_id, "LEAD", 10)
        .await;
    assert_code(&res, "NOT_FOUND");

    let res = app
        .gql_as(
            &globex,
            REMOVE_SQUAD_MEMBER,
            json!({ "input": { "squadId": id, "userId": ada.user_id } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");

    // Acme's user cannot be pulled into Globex's squad either.
    let res = app
        .add_squad_member(&globex, &globex_squad, &ada.user_id, "MEMBER", 10)
        .await;
    assert_code(&res, "NOT_FOUND");
    assert_eq!(
        squad(&app, &globex, &globex_squad).await["members"]["totalCount"],
        0
    );

    let ours = squad(&app, &acme, &id).await;
    assert_eq!(ours["status"], "PILOT");
    assert_eq!(ours["version"], 1);
    assert_eq!(members(&ours), [member(&ada, "LEAD", 50)]);
    assert_eq!(squads(&app, &acme, json!({})).await["totalCount"], 1);
}

crate::db_tests!(
    a_new_squad_starts_as_a_pilot_in_its_home_team,
    a_squad_moves_forward_from_pilot_to_active_to_archived_only,
    updating_a_squad_with_a_stale_version_is_a_conflict_and_changes_nothing,
    a_squad_name_is_unique_within_an_organisation_only,
    a_squad_name_must_be_given_and_at_most_200_characters,
    no_squad_can_be_created_in_an_archived_team,
    a_squad_with_an_engineer_a_product_manager_and_a_designer_is_cross_functional,
    a_removed_member_leaves_the_squad,
    a_user_cannot_be_given_more_than_100_percent_across_squads,
    re_adding_a_member_updates_their_allocation_instead_of_counting_it_twice,
    an_allocation_outside_1_to_100_is_refused,
    without_an_allocation_a_member_gets_whatever_is_left,
    parallel_additions_never_give_a_user_more_than_100_percent,
    an_admin_or_the_home_team_lead_may_create_a_squad,
    an_admin_or_the_home_team_lead_may_add_squad_members,
    an_admin_the_home_team_lead_or_the_squad_lead_may_update_a_squad,
    squads_are_filtered_by_team_status_and_name,
    a_teams_squads_are_a_nested_connection_paged_per_team,
    another_organisation_cannot_see_or_touch_a_squad,
);
