//! Teams over the API: create, update, archive, membership, who may do which,
//! pagination, tenant isolation and bad input (DESIGN §1 "Teams and squads", §2, §3).

use serde_json::{json, Value};

use crate::common::{
    assert_bad_input, denied, instant, names, unknown_id, Cast, Gql, Session, TestApp, Who,
};

const TEAM_FIELDS: &str =
    "id name description techDebtAllocationPercent isArchived archivedAt createdAt updatedAt version";

fn create_team_query() -> String {
    format!(
        "mutation($input: CreateTeamInput!) {{ createTeam(input: $input) {{ team {{ {TEAM_FIELDS} }} }} }}"
    )
}

fn update_team_query() -> String {
    format!(
        "mutation($input: UpdateTeamInput!) {{ updateTeam(input: $input) {{ team {{ {TEAM_FIELDS} }} }} }}"
    )
}

fn team_query() -> String {
    format!(
        "query($id: ID!) {{ node(id: $id) {{ ... on Team {{ {TEAM_FIELDS}
            members {{ totalCount nodes {{ role user {{ id displayName }} team {{ id }} }} }} }} }} }}"
    )
}

const ARCHIVE_TEAM: &str = "mutation($input: ArchiveTeamInput!) {
    archiveTeam(input: $input) { team { id isArchived archivedAt version } } }";

const ADD_TEAM_MEMBER: &str = "mutation($input: AddTeamMemberInput!) {
    addTeamMember(input: $input) { team { id } membership { role user { id } team { id } } } }";

const REMOVE_TEAM_MEMBER: &str = "mutation($input: RemoveTeamMemberInput!) {
    removeTeamMember(input: $input) { team { id members { totalCount } } } }";

const TEAMS: &str = "query($first: Int, $after: String, $last: Int, $before: String,
                          $filter: TeamFilter, $orderBy: TeamOrder) {
    teams(first: $first, after: $after, last: $last, before: $before,
          filter: $filter, orderBy: $orderBy) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id name isArchived } }
    } }";

const USER_TEAMS: &str = "query($id: ID!) { node(id: $id) { ... on User {
    teams { totalCount nodes { role team { id name } } } } } }";

/// Creates a team from a full `CreateTeamInput`, returning the response.
async fn create_team(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &create_team_query(), json!({ "input": input }))
        .await
}

/// Updates a team from a full `UpdateTeamInput`, returning the response.
async fn update_team(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &update_team_query(), json!({ "input": input }))
        .await
}

/// A team as `who` reads it through `node`.
async fn team(app: &TestApp, who: &Session, id: &str) -> Value {
    app.gql_as(who, &team_query(), json!({ "id": id }))
        .await
        .data()["node"]
        .clone()
}

/// The `teams` connection for `vars`, asserting it has no errors.
async fn teams(app: &TestApp, who: &Session, vars: Value) -> Value {
    app.gql_as(who, TEAMS, vars).await.data()["teams"].clone()
}

/// The (user id, role) pairs of a team, in the order they joined.
fn members(team: &Value) -> Vec<(String, String)> {
    team["members"]["nodes"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["user"]["id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn team_names(range: impl IntoIterator<Item = usize>) -> Vec<String> {
    range.into_iter().map(|n| format!("Team {n:02}")).collect()
}

// ---------------------------------------------------------------------------------
// Create, update, archive

async fn an_admin_creates_a_team_with_its_fields_at_version_1(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = create_team(
        &app,
        &admin,
        json!({ "name": "  Payments ", "description": "Money in, money out",
                "techDebtAllocationPercent": 20 }),
    )
    .await;
    let created = &res.data()["createTeam"]["team"];
    assert_eq!(created["name"], "Payments", "the name is trimmed");
    assert_eq!(created["description"], "Money in, money out");
    assert_eq!(created["techDebtAllocationPercent"], 20);
    assert_eq!(created["isArchived"], false);
    assert_eq!(created["archivedAt"], Value::Null);
    assert_eq!(created["version"], 1);

    let id = created["id"].as_str().unwrap();
    let read = team(&app, &admin, id).await;
    assert_eq!(read["name"], "Payments");
    assert_eq!(read["techDebtAllocationPercent"], 20);

    let minimal = create_team(&app, &admin, json!({ "name": "Search" })).await;
    let minimal = &minimal.data()["createTeam"]["team"];
    assert_eq!(minimal["description"], "");
    assert_eq!(minimal["techDebtAllocationPercent"], 0);
}

async fn updating_a_team_changes_its_fields_and_raises_its_version(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let id = app.create_team(&admin, "Payments").await;
    let before = team(&app, &admin, &id).await;

    let res = update_team(
        &app,
        &admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Billing",
                "description": "Invoices", "techDebtAllocationPercent": 50 }),
    )
    .await;
    let updated = &res.data()["updateTeam"]["team"];
    assert_eq!(updated["name"], "Billing");
    assert_eq!(updated["description"], "Invoices");
    assert_eq!(updated["techDebtAllocationPercent"], 50);
    assert_eq!(updated["version"], 2);
    assert!(
        instant(&updated["updatedAt"]) > instant(&before["updatedAt"]),
        "updatedAt moves on: {updated}"
    );
    assert_eq!(updated["createdAt"], before["createdAt"]);

    // A change of one field leaves the others alone.
    let res = update_team(&app, &admin, json!({ "id": id, "description": "Receipts" })).await;
    let updated = &res.data()["updateTeam"]["team"];
    assert_eq!(updated["name"], "Billing");
    assert_eq!(updated["techDebtAllocationPercent"], 50);
    assert_eq!(updated["description"], "Receipts");
    assert_eq!(updated["version"], 3);
    assert_eq!(team(&app, &admin, &id).await["version"], 3);
}

async fn updating_a_team_with_a_stale_version_is_a_conflict_and_changes_nothing(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let id = app.create_team(&admin, "Payments").await;
    update_team(
        &app,
        &admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Billing" }),
    )
    .await
    .data();

    let res = update_team(
        &app,
        &admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Ledger", "techDebtAllocationPercent": 10 }),
    )
    .await;
    assert_eq!(res.error_code(), Some("CONFLICT"), "{}", res.body);

    let now = team(&app, &admin, &id).await;
    assert_eq!(now["name"], "Billing");
    assert_eq!(now["techDebtAllocationPercent"], 0);
    assert_eq!(now["version"], 2);
}

async fn a_team_name_is_unique_within_an_organisation_only(app: TestApp) {
    let acme = app.register_org("Acme").await;
    let globex = app.register_org("Globex").await;
    app.create_team(&acme, "Payments").await;
    let search = app.create_team(&acme, "Search").await;

    let res = create_team(&app, &acme, json!({ "name": "Payments" })).await;
    assert_bad_input(&res, "name");

    let res = update_team(&app, &acme, json!({ "id": search, "name": "Payments" })).await;
    assert_bad_input(&res, "name");
    assert_eq!(team(&app, &acme, &search).await["name"], "Search");

    let res = create_team(&app, &globex, json!({ "name": "Payments" })).await;
    assert_eq!(res.data()["createTeam"]["team"]["name"], "Payments");

    let acme_teams = teams(&app, &acme, json!({})).await;
    assert_eq!(names(&acme_teams), ["Payments", "Search"]);
}

async fn tech_debt_allocation_outside_0_to_50_is_refused(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let id = app.create_team(&admin, "Payments").await;
    for bad in [51, -1] {
        let res = create_team(
            &app,
            &admin,
            json!({ "name": format!("Debt {bad}"), "techDebtAllocationPercent": bad }),
        )
        .await;
        assert_bad_input(&res, "techDebtAllocationPercent");

        let res = update_team(
            &app,
            &admin,
            json!({ "id": id, "techDebtAllocationPercent": bad }),
        )
        .await;
        assert_bad_input(&res, "techDebtAllocationPercent");
    }
    let after = team(&app, &admin, &id).await;
    assert_eq!(after["techDebtAllocationPercent"], 0);
    assert_eq!(after["version"], 1);
    assert_eq!(names(&teams(&app, &admin, json!({})).await), ["Payments"]);

    for good in [0, 50] {
        let res = create_team(
            &app,
            &admin,
            json!({ "name": format!("Debt {good}"), "techDebtAllocationPercent": good }),
        )
        .await;
        assert_eq!(
            res.data()["createTeam"]["team"]["techDebtAllocationPercent"],
            good
        );
    }
}

async fn a_300_character_team_name_is_refused(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let long = "x".repeat(300);
    let res = create_team(&app, &admin, json!({ "name": long })).await;
    assert_bad_input(&res, "name");

    let id = app.create_team(&admin, "Payments").await;
    let res = update_team(&app, &admin, json!({ "id": id, "name": long })).await;
    assert_bad_input(&res, "name");
    assert_eq!(names(&teams(&app, &admin, json!({})).await), ["Payments"]);

    let res = create_team(&app, &admin, json!({ "name": "   " })).await;
    assert_bad_input(&res, "name");
}

async fn an_archived_team_leaves_the_list_unless_archived_teams_are_asked_for(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let payments = app.create_team(&admin, "Payments").await;
    app.create_team(&admin, "Search").await;

    let res = app
        .gql_as(&admin, ARCHIVE_TEAM, json!({ "input": { "id": payments } }))
        .await;
    let archived = &res.data()["archiveTeam"]["team"];
    assert_eq!(archived["isArchived"], true);
    assert!(archived["archivedAt"].is_string(), "{archived}");
    assert_eq!(archived["version"], 2);

    let default = teams(&app, &admin, json!({})).await;
    assert_eq!(names(&default), ["Search"]);
    assert_eq!(default["totalCount"], 1);

    let all = teams(
        &app,
        &admin,
        json!({ "filter": { "includeArchived": true } }),
    )
    .await;
    assert_eq!(names(&all), ["Payments", "Search"]);
    assert_eq!(all["totalCount"], 2);
    assert_eq!(all["edges"][0]["node"]["isArchived"], true);

    // Still readable by id.
    assert_eq!(team(&app, &admin, &payments).await["isArchived"], true);
}

// ---------------------------------------------------------------------------------
// Membership

async fn a_team_member_shows_on_the_team_and_on_the_user_with_their_role(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let ada = app
        .add_user(&admin, "Ada Lovelace", "ENGINEERING", "MEMBER")
        .await;
    let bob = app.add_user(&admin, "Bob Smith", "DESIGN", "MEMBER").await;
    let id = app.create_team(&admin, "Payments").await;

    let res = app
        .gql_as(
            &admin,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": id, "userId": ada.user_id, "role": "LEAD" } }),
        )
        .await;
    let membership = &res.data()["addTeamMember"]["membership"];
    assert_eq!(membership["role"], "LEAD");
    assert_eq!(membership["user"]["id"], ada.user_id.as_str());
    assert_eq!(membership["team"]["id"], id.as_str());

    // Without a role, MEMBER.
    let res = app
        .gql_as(
            &admin,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": id, "userId": bob.user_id } }),
        )
        .await;
    assert_eq!(res.data()["addTeamMember"]["membership"]["role"], "MEMBER");

    let t = team(&app, &admin, &id).await;
    assert_eq!(t["members"]["totalCount"], 2);
    assert_eq!(
        members(&t),
        [
            (ada.user_id.clone(), "LEAD".to_owned()),
            (bob.user_id.clone(), "MEMBER".to_owned())
        ]
    );
    assert_eq!(
        t["members"]["nodes"][0]["user"]["displayName"],
        "Ada Lovelace"
    );

    let res = app
        .gql_as(&admin, USER_TEAMS, json!({ "id": ada.user_id }))
        .await;
    let user_teams = &res.data()["node"]["teams"];
    assert_eq!(user_teams["totalCount"], 1);
    assert_eq!(user_teams["nodes"][0]["role"], "LEAD");
    assert_eq!(user_teams["nodes"][0]["team"]["id"], id.as_str());
    assert_eq!(user_teams["nodes"][0]["team"]["name"], "Payments");
}

async fn adding_a_member_again_changes_their_role_and_keeps_one_membership(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let ada = app
        .add_user(&admin, "Ada Lovelace", "ENGINEERING", "MEMBER")
        .await;
    let id = app.create_team(&admin, "Payments").await;
    app.add_team_member(&admin, &id, &ada.user_id, "MEMBER")
        .await;

    let res = app
        .gql_as(
            &admin,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": id, "userId": ada.user_id, "role": "LEAD" } }),
        )
        .await;
    assert_eq!(res.data()["addTeamMember"]["membership"]["role"], "LEAD");

    let t = team(&app, &admin, &id).await;
    assert_eq!(t["members"]["totalCount"], 1);
    assert_eq!(members(&t), [(ada.user_id.clone(), "LEAD".to_owned())]);
    let res = app
        .gql_as(&admin, USER_TEAMS, json!({ "id": ada.user_id }))
        .await;
    assert_eq!(res.data()["node"]["teams"]["totalCount"], 1);
    assert_eq!(res.data()["node"]["teams"]["nodes"][0]["role"], "LEAD");
}

async fn a_removed_member_leaves_the_team_and_removing_a_non_member_is_not_found(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let ada = app
        .add_user(&admin, "Ada Lovelace", "ENGINEERING", "MEMBER")
        .await;
    let bob = app.add_user(&admin, "Bob Smith", "DESIGN", "MEMBER").await;
    let id = app.create_team(&admin, "Payments").await;
    app.add_team_member(&admin, &id, &ada.user_id, "LEAD").await;
    app.add_team_member(&admin, &id, &bob.user_id, "MEMBER")
        .await;

    let res = app
        .gql_as(
            &admin,
            REMOVE_TEAM_MEMBER,
            json!({ "input": { "teamId": id, "userId": ada.user_id } }),
        )
        .await;
    assert_eq!(
        res.data()["removeTeamMember"]["team"]["members"]["totalCount"],
        1
    );
    let t = team(&app, &admin, &id).await;
    assert_eq!(members(&t), [(bob.user_id.clone(), "MEMBER".to_owned())]);
    let res = app
        .gql_as(&admin, USER_TEAMS, json!({ "id": ada.user_id }))
        .await;
    assert_eq!(res.data()["node"]["teams"]["totalCount"], 0);

    let res = app
        .gql_as(
            &admin,
            REMOVE_TEAM_MEMBER,
            json!({ "input": { "teamId": id, "userId": ada.user_id } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);
    assert_eq!(team(&app, &admin, &id).await["members"]["totalCount"], 1);
}

// ---------------------------------------------------------------------------------
// Who may do what (DESIGN §2)

/// The team is "Payments": TeamLead and Viewer lead it, Member is in it.
const CALLERS: &[Who] = &[Who::TeamLead, Who::Member, Who::Viewer];

async fn only_an_admin_may_create_a_team(app: TestApp) {
    let cast = Cast::with(CALLERS).team("Payments").build(&app).await;
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, denied("FORBIDDEN")),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
    ] {
        let name = format!("Created by {who:?}");
        let got = create_team(&app, cast.as_(who), json!({ "name": name }))
            .await
            .outcome();
        assert_eq!(got, want, "createTeam as {who:?}");
        let filter = json!({ "filter": { "nameContains": name } });
        let found = teams(&app, &cast.admin, filter).await["totalCount"].clone();
        assert_eq!(found, i32::from(want.is_ok()), "team created by {who:?}");
    }
}

async fn an_admin_or_the_team_lead_may_update_a_team(app: TestApp) {
    let cast = Cast::with(CALLERS).team("Payments").build(&app).await;
    let id = cast.team();
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, Ok(())),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let before = team(&app, &cast.admin, id).await;
        let description = format!("Updated by {who:?}");
        let got = update_team(
            &app,
            cast.as_(who),
            json!({ "id": id, "description": description }),
        )
        .await
        .outcome();
        assert_eq!(got, want, "updateTeam as {who:?}");
        let after = team(&app, &cast.admin, id).await;
        if want.is_ok() {
            assert_eq!(after["description"], description.as_str());
        } else {
            assert_eq!(after, before, "a denied update changed the team");
        }
    }
}

async fn only_an_admin_may_archive_a_team(app: TestApp) {
    let cast = Cast::with(CALLERS).build(&app).await;
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, denied("FORBIDDEN")),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let id = cast.new_team(&app, &format!("Archived by {who:?}")).await;
        let got = app
            .gql_as(
                cast.as_(who),
                ARCHIVE_TEAM,
                json!({ "input": { "id": id } }),
            )
            .await
            .outcome();
        assert_eq!(got, want, "archiveTeam as {who:?}");
        let archived = team(&app, &cast.admin, &id).await["isArchived"].clone();
        assert_eq!(archived, want.is_ok(), "team archived by {who:?}");
    }
}

async fn an_admin_or_the_team_lead_may_add_team_members(app: TestApp) {
    let cast = Cast::with(CALLERS).team("Payments").build(&app).await;
    let id = cast.team();
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, Ok(())),
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let newcomer = app
            .add_user(&cast.admin, &format!("New {who:?}"), "DESIGN", "MEMBER")
            .await;
        let got = app
            .gql_as(
                cast.as_(who),
                ADD_TEAM_MEMBER,
                json!({ "input": { "teamId": id, "userId": newcomer.user_id } }),
            )
            .await
            .outcome();
        assert_eq!(got, want, "addTeamMember as {who:?}");
        let joined = members(&team(&app, &cast.admin, id).await)
            .iter()
            .any(|(user, _)| *user == newcomer.user_id);
        assert_eq!(joined, want.is_ok(), "member added by {who:?}");
    }
}

// ---------------------------------------------------------------------------------
// Lists: pagination, order, filters

/// 25 teams "Team 01" … "Team 25", created out of name order; returns their names
/// in the order they were created.
async fn create_25_teams(app: &TestApp, admin: &Session) -> Vec<String> {
    let mut created = Vec::new();
    for i in 0..25 {
        let name = format!("Team {:02}", (i * 7) % 25 + 1);
        app.create_team(admin, &name).await;
        created.push(name);
    }
    created
}

async fn teams_are_paged_forwards_20_at_a_time_by_default(app: TestApp) {
    let admin = app.register_org("Acme").await;
    create_25_teams(&app, &admin).await;

    let first = teams(&app, &admin, json!({})).await;
    assert_eq!(names(&first), team_names(1..=20));
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(first["totalCount"], 25);

    let end = first["pageInfo"]["endCursor"].clone();
    assert_eq!(end, first["edges"][19]["cursor"]);
    let rest = teams(&app, &admin, json!({ "after": end })).await;
    assert_eq!(names(&rest), team_names(21..=25));
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(rest["totalCount"], 25);

    let mut all = names(&first);
    all.extend(names(&rest));
    assert_eq!(all, team_names(1..=25), "no team twice, none missing");

    let big = teams(&app, &admin, json!({ "first": 100 })).await;
    assert_eq!(names(&big), team_names(1..=25));
    assert_eq!(big["pageInfo"]["hasNextPage"], false);
}

async fn teams_are_paged_backwards_with_last_and_before(app: TestApp) {
    let admin = app.register_org("Acme").await;
    create_25_teams(&app, &admin).await;

    let tail = teams(&app, &admin, json!({ "last": 3 })).await;
    assert_eq!(names(&tail), team_names(23..=25));
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(tail["totalCount"], 25);

    let first = teams(&app, &admin, json!({ "first": 10 })).await;
    let cursor_of_team_10 = first["edges"][9]["cursor"].clone();
    assert_eq!(first["edges"][9]["node"]["name"], "Team 10");
    let before = teams(
        &app,
        &admin,
        json!({ "last": 2, "before": cursor_of_team_10 }),
    )
    .await;
    assert_eq!(names(&before), team_names(8..=9));
    assert_eq!(before["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(before["pageInfo"]["hasNextPage"], true);
    assert_eq!(before["totalCount"], 25);

    let start = teams(
        &app,
        &admin,
        json!({ "last": 5, "before": before["pageInfo"]["startCursor"] }),
    )
    .await;
    assert_eq!(names(&start), team_names(3..=7));
}

async fn page_sizes_and_cursors_that_make_no_sense_are_bad_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    app.create_team(&admin, "Payments").await;
    for (vars, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": -1 }), "first"),
        (json!({ "last": 101 }), "last"),
        (json!({ "after": "garbage" }), "after"),
        (json!({ "before": "garbage" }), "before"),
    ] {
        let res = app.gql_as(&admin, TEAMS, vars.clone()).await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{vars}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some(field), "{vars}: {}", res.body);
    }
}

async fn a_cursor_from_a_differently_ordered_list_is_bad_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    app.create_team(&admin, "Payments").await;
    app.create_team(&admin, "Search").await;
    let by_name = teams(&app, &admin, json!({ "first": 1 })).await["pageInfo"]["endCursor"].clone();
    let res = app
        .gql_as(
            &admin,
            TEAMS,
            json!({ "after": by_name, "orderBy": { "field": "CREATED_AT" } }),
        )
        .await;
    assert_bad_input(&res, "after");
}

async fn teams_are_ordered_by_name_descending_or_by_creation(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let created = create_25_teams(&app, &admin).await;

    let desc = teams(
        &app,
        &admin,
        json!({ "first": 25, "orderBy": { "field": "NAME", "direction": "DESC" } }),
    )
    .await;
    let mut reversed = team_names(1..=25);
    reversed.reverse();
    assert_eq!(names(&desc), reversed);

    // Paged in creation order: the cursor carries the time, not the name.
    let by_creation = json!({ "field": "CREATED_AT" });
    let page1 = teams(&app, &admin, json!({ "first": 10, "orderBy": by_creation })).await;
    let page2 = teams(
        &app,
        &admin,
        json!({ "first": 20, "after": page1["pageInfo"]["endCursor"], "orderBy": by_creation }),
    )
    .await;
    let mut got = names(&page1);
    got.extend(names(&page2));
    assert_eq!(got, created);
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);

    let newest = teams(
        &app,
        &admin,
        json!({ "first": 3, "orderBy": { "field": "CREATED_AT", "direction": "DESC" } }),
    )
    .await;
    let last_three: Vec<String> = created[22..].iter().rev().cloned().collect();
    assert_eq!(names(&newest), last_three);
}

async fn filtering_teams_by_name_ignores_case_and_treats_wildcards_literally(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for name in [
        "Growth 100%",
        "Growth 1000",
        "Platform_Core",
        "PlatformXCore",
    ] {
        app.create_team(&admin, name).await;
    }
    for (needle, want) in [
        ("growth", vec!["Growth 100%", "Growth 1000"]),
        ("GROWTH 100", vec!["Growth 100%", "Growth 1000"]),
        ("0%", vec!["Growth 100%"]),
        ("%", vec!["Growth 100%"]),
        ("m_c", vec!["Platform_Core"]),
        ("platformxcore", vec!["PlatformXCore"]),
        ("nothing like it", vec![]),
    ] {
        let got = teams(
            &app,
            &admin,
            json!({ "filter": { "nameContains": needle } }),
        )
        .await;
        assert_eq!(names(&got), want, "nameContains {needle:?}");
        assert_eq!(got["totalCount"], want.len(), "nameContains {needle:?}");
    }
}

async fn filtering_teams_by_name_ignores_case_beyond_ascii(app: TestApp) {
    let admin = app.register_org("Acme").await;
    app.create_team(&admin, "Équipe Paiements").await;
    app.create_team(&admin, "Zeta").await;
    for needle in ["Équipe", "équipe", "ÉQUIPE"] {
        let got = teams(
            &app,
            &admin,
            json!({ "filter": { "nameContains": needle } }),
        )
        .await;
        assert_eq!(names(&got), ["Équipe Paiements"], "nameContains {needle:?}");
    }
}

async fn filtering_teams_by_updated_since_keeps_teams_changed_at_or_after_the_instant(
    app: TestApp,
) {
    let admin = app.register_org("Acme").await;
    app.create_team(&admin, "Alpha").await;
    let bravo = app.create_team(&admin, "Bravo").await;
    let charlie = app.create_team(&admin, "Charlie").await;
    app.create_team(&admin, "Delta").await;

    let res = update_team(
        &app,
        &admin,
        json!({ "id": bravo, "description": "changed" }),
    )
    .await;
    let since = res.data()["updateTeam"]["team"]["updatedAt"].clone();
    update_team(
        &app,
        &admin,
        json!({ "id": charlie, "description": "changed" }),
    )
    .await
    .data();

    let got = teams(&app, &admin, json!({ "filter": { "updatedSince": since } })).await;
    assert_eq!(names(&got), ["Bravo", "Charlie"]);
    assert_eq!(got["totalCount"], 2);
}

async fn another_organisation_cannot_see_or_touch_a_team(app: TestApp) {
    let acme = app.register_org("Acme").await;
    let ada = app
        .add_user(&acme, "Ada Lovelace", "ENGINEERING", "MEMBER")
        .await;
    let id = app.create_team(&acme, "Payments").await;
    let globex = app.register_org("Globex").await;
    let globex_team = app.create_team(&globex, "Logistics").await;

    let theirs = teams(
        &app,
        &globex,
        json!({ "filter": { "includeArchived": true } }),
    )
    .await;
    assert_eq!(names(&theirs), ["Logistics"]);
    assert_eq!(theirs["totalCount"], 1);
    let search = teams(
        &app,
        &globex,
        json!({ "filter": { "nameContains": "pay" } }),
    )
    .await;
    assert_eq!(search["totalCount"], 0);

    let res = app
        .gql_as(&globex, &team_query(), json!({ "id": id }))
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);

    let res = update_team(&app, &globex, json!({ "id": id, "name": "Stolen" })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);

    let res = app
        .gql_as(&globex, ARCHIVE_TEAM, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);

    let res = app
        .gql_as(
            &globex,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": id, "userId": globex.user_id, "role": "LEAD" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);

    // Acme's user cannot be pulled into Globex's team either.
    let res = app
        .gql_as(
            &globex,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": globex_team, "userId": ada.user_id } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);
    assert_eq!(
        team(&app, &globex, &globex_team).await["members"]["totalCount"],
        0
    );

    let ours = team(&app, &acme, &id).await;
    assert_eq!(ours["name"], "Payments");
    assert_eq!(ours["isArchived"], false);
    assert_eq!(ours["version"], 1);
    assert_eq!(ours["members"]["totalCount"], 0);
}

#[track_caller]
fn assert_client_error(res: &Gql, code: &str) {
    assert_ne!(res.status, 500, "{}", res.body);
    assert_eq!(res.error_code(), Some(code), "{}", res.body);
}

async fn a_string_where_an_int_is_expected_is_bad_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = app.gql_as(&admin, TEAMS, json!({ "first": "x" })).await;
    assert_client_error(&res, "BAD_USER_INPUT");

    let res = create_team(
        &app,
        &admin,
        json!({ "name": "Payments", "techDebtAllocationPercent": "ten" }),
    )
    .await;
    assert_client_error(&res, "BAD_USER_INPUT");
    assert_eq!(teams(&app, &admin, json!({})).await["totalCount"], 0);
}

async fn a_missing_required_input_field_is_bad_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = create_team(&app, &admin, json!({ "description": "no name" })).await;
    assert_client_error(&res, "BAD_USER_INPUT");

    let res = app
        .gql_as(
            &admin,
            "mutation { createTeam(input: { description: \"no name\" }) { team { id } } }",
            json!({}),
        )
        .await;
    assert_client_error(&res, "BAD_USER_INPUT");
    assert_eq!(teams(&app, &admin, json!({})).await["totalCount"], 0);
}

async fn a_squad_id_where_a_team_id_is_expected_is_bad_input_on_that_field(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team_id = app.create_team(&admin, "Payments").await;
    let squad = app.create_squad(&admin, &team_id, "Checkout").await;

    let res = update_team(&app, &admin, json!({ "id": squad, "name": "Renamed" })).await;
    assert_client_error(&res, "BAD_USER_INPUT");
    assert_eq!(res.error_field(), Some("id"));

    let res = app
        .gql_as(&admin, ARCHIVE_TEAM, json!({ "input": { "id": squad } }))
        .await;
    assert_client_error(&res, "BAD_USER_INPUT");
    assert_eq!(res.error_field(), Some("id"));

    let res = app
        .gql_as(
            &admin,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": squad, "userId": admin.user_id } }),
        )
        .await;
    assert_client_error(&res, "BAD_USER_INPUT");
    assert_eq!(res.error_field(), Some("teamId"));

    // And a team id where a user id is expected.
    let res = app
        .gql_as(
            &admin,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": team_id, "userId": team_id } }),
        )
        .await;
    assert_client_error(&res, "BAD_USER_INPUT");
    assert_eq!(res.error_field(), Some("userId"));
    assert_eq!(
        team(&app, &admin, &team_id).await["members"]["totalCount"],
        0
    );
}

async fn a_malformed_id_is_bad_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for bad in ["not an id", "", "VGVhbTpub3QtYS11dWlk", "🙂"] {
        let res = update_team(&app, &admin, json!({ "id": bad, "name": "Renamed" })).await;
        assert_client_error(&res, "BAD_USER_INPUT");
        assert_eq!(res.error_field(), Some("id"), "{bad:?}");

        let res = app
            .gql_as(&admin, &team_query(), json!({ "id": bad }))
            .await;
        assert_client_error(&res, "BAD_USER_INPUT");
    }
}

async fn a_well_formed_id_of_no_team_is_not_found(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let missing = unknown_id("Team");

    let res = app
        .gql_as(&admin, &team_query(), json!({ "id": missing }))
        .await;
    assert_client_error(&res, "NOT_FOUND");

    let res = update_team(&app, &admin, json!({ "id": missing, "name": "Ghost" })).await;
    assert_client_error(&res, "NOT_FOUND");

    let res = app
        .gql_as(&admin, ARCHIVE_TEAM, json!({ "input": { "id": missing } }))
        .await;
    assert_client_error(&res, "NOT_FOUND");

    let res = app
        .gql_as(
            &admin,
            ADD_TEAM_MEMBER,
            json!({ "input": { "teamId": missing, "userId": admin.user_id } }),
        )
        .await;
    assert_client_error(&res, "NOT_FOUND");
}

crate::db_tests!(
    an_admin_creates_a_team_with_its_fields_at_version_1,
    updating_a_team_changes_its_fields_and_raises_its_version,
    updating_a_team_with_a_stale_version_is_a_conflict_and_changes_nothing,
    a_team_name_is_unique_within_an_organisation_only,
    tech_debt_allocation_outside_0_to_50_is_refused,
    a_300_character_team_name_is_refused,
    an_archived_team_leaves_the_list_unless_archived_teams_are_asked_for,
    a_team_member_shows_on_the_team_and_on_the_user_with_their_role,
    adding_a_member_again_changes_their_role_and_keeps_one_membership,
    a_removed_member_leaves_the_team_and_removing_a_non_member_is_not_found,
    only_an_admin_may_create_a_team,
    an_admin_or_the_team_lead_may_update_a_team,
    only_an_admin_may_archive_a_team,
    an_admin_or_the_team_lead_may_add_team_members,
    teams_are_paged_forwards_20_at_a_time_by_default,
    teams_are_paged_backwards_with_last_and_before,
    page_sizes_and_cursors_that_make_no_sense_are_bad_input,
    a_cursor_from_a_differently_ordered_list_is_bad_input,
    teams_are_ordered_by_name_descending_or_by_creation,
    filtering_teams_by_name_ignores_case_and_treats_wildcards_literally,
    filtering_teams_by_name_ignores_case_beyond_ascii,
    filtering_teams_by_updated_since_keeps_teams_changed_at_or_after_the_instant,
    another_organisation_cannot_see_or_touch_a_team,
    a_string_where_an_int_is_expected_is_bad_input,
    a_missing_required_input_field_is_bad_input,
    a_squad_id_where_a_team_id_is_expected_is_bad_input_on_that_field,
    a_malformed_id_is_bad_input,
    a_well_formed_id_of_no_team_is_not_found,
);
