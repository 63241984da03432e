//! The audit log (issue 13): one event per object each successful mutation was about,
//! naming the mutation, the object, the person or token and the request; ADMINs read
//! it, filtered. Every mutation of the schema leaves one.

use std::collections::{BTreeSet, HashSet};

use chrono::Utc;
use serde_json::{json, Value};

use super::{
    create_token, mutation, revoke_token_query, this_quarter, Org, CREATE_INITIATIVE,
    DELETE_MEASUREMENT, RECORD,
};
use crate::common::{assert_bad_input, denied, id_of, instant, Cast, Session, TestApp, Who};

const EVENTS: &str = "query($first: Int, $after: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { occurredAt operation objectType objectId actorUser { id }
                actorToken { id name } requestId } } }";

/// The `auditEvents` connection `who` reads with `filter` (100 at most).
async fn events(app: &TestApp, who: &str, filter: Value) -> Value {
    let res = app
        .gql(Some(who), EVENTS, json!({ "first": 100, "filter": filter }))
        .await;
    res.data()["auditEvents"].clone()
}

/// The operations of a page of events, newest first.
fn operations(events: &Value) -> Vec<String> {
    events["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|e| e["operation"].as_str().unwrap().to_owned())
        .collect()
}

/// Every event of the admin's organisation, newest first, page after page.
async fn all_events(app: &TestApp, admin: &Session) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let res = app
            .gql_as(admin, EVENTS, json!({ "first": 100, "after": after }))
            .await;
        let page = &res.data()["auditEvents"];
        all.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

const CREATE_TEAM: &str =
    "mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }";

async fn only_an_admin_reads_the_audit_log(app: TestApp) {
    let cast = Cast::with(&[Who::ProductAdmin, Who::TeamLead, Who::Member, Who::Viewer])
        .build(&app)
        .await;
    let team = app.create_team(&cast.admin, "Payments").await;
    let token = create_token(&app, &cast.admin, "Everything", &super::ALL_SCOPES).await;
    for (who, bearer, want) in [
        ("Admin", Some(&cast.admin.token), Ok(())),
        (
            "ProductAdmin",
            Some(&cast.as_(Who::ProductAdmin).token),
            Ok(()),
        ),
        (
            "TeamLead",
            Some(&cast.as_(Who::TeamLead).token),
            denied("FORBIDDEN"),
        ),
        (
            "Member",
            Some(&cast.as_(Who::Member).token),
            denied("FORBIDDEN"),
        ),
        (
            "Viewer",
            Some(&cast.as_(Who::Viewer).token),
            denied("FORBIDDEN"),
        ),
        (
            "a token with every scope",
            Some(&token.secret),
            denied("FORBIDDEN"),
        ),
        ("OtherOrgAdmin", Some(&cast.other_admin.token), Ok(())),
        ("nobody", None, denied("UNAUTHENTICATED")),
    ] {
        let res = app
            .gql(bearer.map(String::as_str), EVENTS, json!({ "first": 100 }))
            .await;
        assert_eq!(res.outcome(), want, "auditEvents as {who}: {}", res.body);
        if want.is_err() {
            assert!(
                !res.body.to_string().contains("createTeam"),
                "a refusal shows nothing: {}",
                res.body
            );
        }
    }
    // Each admin reads their own organisation's log only.
    let acme = events(&app, &cast.admin.token, json!({ "objectId": team })).await;
    assert_eq!(operations(&acme), ["createTeam"]);
    let globex = events(&app, &cast.other_admin.token, json!({ "objectId": team })).await;
    assert_eq!(globex["totalCount"], 0, "{globex}");
    let globex = events(&app, &cast.other_admin.token, json!({})).await;
    for e in globex["nodes"].as_array().unwrap() {
        assert_eq!(
            e["actorUser"]["id"],
            cast.other_admin.user_id.as_str(),
            "{e}"
        );
    }
    assert_eq!(operations(&globex), ["registerOrganization"; 2]);
}

async fn an_event_names_the_mutation_its_object_its_actor_and_the_request(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let admin = &org.admin;
    let before = Utc::now() - chrono::Duration::seconds(1);
    let team = app.create_team(admin, "Search").await;
    let after = Utc::now() + chrono::Duration::seconds(1);

    let log = events(&app, &admin.token, json!({})).await;
    let newest = &log["nodes"][0];
    assert_eq!(newest["operation"], "createTeam", "{log}");
    assert_eq!(newest["objectType"], "Team");
    assert_eq!(newest["objectId"], team.as_str());
    assert_eq!(newest["actorUser"]["id"], admin.user_id.as_str());
    assert_eq!(newest["actorToken"], Value::Null);
    let occurred = instant(&newest["occurredAt"]);
    assert!(occurred >= before && occurred <= after, "{newest}");
    let request = newest["requestId"].as_str().expect("a request id");
    assert!(!request.trim().is_empty(), "{newest}");

    // A token's write names the token, and no person.
    let token = create_token(&app, admin, "Jira sync", &["INITIATIVES_WRITE"]).await;
    let initiative = org.initiative(&app, &token.secret, "Saved cards").await;
    let log = events(&app, &admin.token, json!({})).await;
    let newest = &log["nodes"][0];
    assert_eq!(newest["operation"], "createInitiative", "{log}");
    assert_eq!(newest["objectType"], "Initiative");
    assert_eq!(newest["objectId"], initiative.as_str());
    assert_eq!(newest["actorUser"], Value::Null);
    assert_eq!(
        newest["actorToken"],
        json!({ "id": token.id, "name": token.name })
    );
    let other_request = newest["requestId"].as_str().expect("a request id");
    assert!(!other_request.is_empty());
    assert_ne!(other_request, request, "each request has its own id");

    // The response says which request it was, so a client can find its event.
    let reply = super::post(
        &app.address,
        Some(&admin.token),
        "mutation { createTeam(input: { name: \"Quoted\" }) { team { id } } }",
        json!({}),
    )
    .await;
    let quoted = reply
        .header("x-request-id")
        .expect("x-request-id")
        .to_owned();
    let log = events(&app, &admin.token, json!({})).await;
    assert_eq!(log["nodes"][0]["requestId"], quoted.as_str());

    // Signing in is audited with the person as its actor.
    let res = app
        .gql(
            None,
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": admin.email, "password": "correct horse battery" } }),
        )
        .await;
    res.data();
    let log = events(&app, &admin.token, json!({ "operation": "login" })).await;
    assert_eq!(log["totalCount"], 1, "{log}");
    assert_eq!(log["nodes"][0]["objectType"], "User");
    assert_eq!(log["nodes"][0]["objectId"], admin.user_id.as_str());
    assert_eq!(log["nodes"][0]["actorUser"]["id"], admin.user_id.as_str());
    let log = events(
        &app,
        &admin.token,
        json!({ "operation": "registerOrganization" }),
    )
    .await;
    let mut types: Vec<&str> = log["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["objectType"].as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(types, ["Organization", "User"], "{log}");
}

async fn an_aliased_mutation_is_recorded_under_the_mutations_own_name(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = app
        .gql_as(
            &admin,
            r#"mutation {
                first: createTeam(input: {name: "Payments"}) { team { id } }
                second: createTeam(input: {name: "Search"}) { team { id } } }"#,
            json!({}),
        )
        .await;
    let first = id_of(&res.data()["first"]["team"]);
    let second = id_of(&res.data()["second"]["team"]);
    let log = events(&app, &admin.token, json!({})).await;
    let ops = operations(&log);
    assert_eq!(ops[..2], ["createTeam", "createTeam"], "{log}");
    assert!(
        !ops.iter().any(|o| o == "first" || o == "second"),
        "{ops:?}"
    );
    let objects: HashSet<&str> = log["nodes"].as_array().unwrap()[..2]
        .iter()
        .map(|e| e["objectId"].as_str().unwrap())
        .collect();
    assert_eq!(objects, HashSet::from([first.as_str(), second.as_str()]));
    assert_eq!(
        log["nodes"][0]["requestId"], log["nodes"][1]["requestId"],
        "one request"
    );
}

async fn a_failed_mutation_leaves_no_event(app: TestApp) {
    let cast = Cast::with(&[Who::Member]).build(&app).await;
    let admin = &cast.admin;
    let team = app.create_team(admin, "Payments").await;

    let res = app
        .gql_as(
            admin,
            CREATE_TEAM,
            json!({ "input": { "name": "Payments" } }),
        )
        .await;
    assert_bad_input(&res, "name");
    let res = app
        .gql_as(
            cast.as_(Who::Member),
            CREATE_TEAM,
            json!({ "input": { "name": "Search" } }),
        )
        .await;
    assert_eq!(res.outcome(), denied("FORBIDDEN"));
    let update = mutation("updateTeam", "UpdateTeamInput", "team { id }");
    let res = app
        .gql_as(
            admin,
            &update,
            json!({ "input": { "id": team, "name": "Billing", "expectedVersion": 7 } }),
        )
        .await;
    assert_eq!(res.outcome(), denied("CONFLICT"));
    // Of two mutations in one request, the one that fails leaves nothing; the other
    // its event.
    let res = app
        .gql_as(
            admin,
            r#"mutation {
                ok: createTeam(input: {name: "Search"}) { team { id } }
                dup: createTeam(input: {name: "Payments"}) { team { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    let search = id_of(&res.body["data"]["ok"]["team"]);

    let log = events(&app, &admin.token, json!({ "operation": "createTeam" })).await;
    assert_eq!(log["totalCount"], 2, "{log}");
    let objects: Vec<&str> = log["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["objectId"].as_str().unwrap())
        .collect();
    assert_eq!(objects, [search.as_str(), team.as_str()]);
    let log = events(&app, &admin.token, json!({ "operation": "updateTeam" })).await;
    assert_eq!(log["totalCount"], 0, "{log}");
}

async fn the_log_filters_by_operation_object_actor_and_time(app: TestApp) {
    let cast = Cast::with(&[Who::ProductAdmin]).build(&app).await;
    let admin = &cast.admin;
    let org = Org::of(&app, admin.clone()).await;
    let product = cast.as_(Who::ProductAdmin);
    let token = create_token(&app, admin, "Jira sync", &["INITIATIVES_WRITE"]).await;

    let payments = org.team.clone();
    let update = mutation("updateTeam", "UpdateTeamInput", "team { id }");
    app.gql_as(
        admin,
        &update,
        json!({ "input": { "id": payments, "description": "Money in, money out" } }),
    )
    .await
    .data();
    let search = app.create_team(product, "Search").await;
    let initiative = org.initiative(&app, &token.secret, "Saved cards").await;
    app.gql_as(
        admin,
        &update,
        json!({ "input": { "id": search, "description": "Find things" } }),
    )
    .await
    .data();

    let by = |filter: Value| {
        let app = &app;
        let admin = &admin.token;
        async move { events(app, admin, filter).await }
    };
    assert_eq!(
        operations(&by(json!({ "operation": "updateTeam" })).await),
        ["updateTeam", "updateTeam"]
    );
    let log = by(json!({ "objectId": payments })).await;
    assert_eq!(operations(&log), ["updateTeam", "createTeam"]);
    for e in log["nodes"].as_array().unwrap() {
        assert_eq!(e["objectId"], payments.as_str());
    }
    let log = by(json!({ "actorTokenId": token.id })).await;
    assert_eq!(operations(&log), ["createInitiative"]);
    assert_eq!(log["nodes"][0]["objectId"], initiative.as_str());
    let log = by(json!({ "actorUserId": product.user_id })).await;
    assert_eq!(operations(&log), ["createTeam", "acceptInvite"]);
    let log = by(json!({ "actorUserId": admin.user_id, "operation": "updateTeam" })).await;
    assert_eq!(log["totalCount"], 2);
    let log = by(json!({ "objectId": search, "operation": "createTeam" })).await;
    assert_eq!(log["nodes"][0]["actorUser"]["id"], product.user_id.as_str());
    assert_eq!(log["totalCount"], 1);

    // from is inclusive, to exclusive: together they split the log at an instant.
    let all = all_events(&app, admin).await;
    let pivot = all
        .iter()
        .find(|e| e["operation"] == "createInitiative")
        .unwrap()["occurredAt"]
        .clone();
    let from = by(json!({ "from": pivot })).await;
    let to = by(json!({ "to": pivot })).await;
    assert_eq!(operations(&from), ["updateTeam", "createInitiative"]);
    for e in to["nodes"].as_array().unwrap() {
        assert!(instant(&e["occurredAt"]) < instant(&pivot), "{e}");
    }
    assert_eq!(
        from["totalCount"].as_i64().unwrap() + to["totalCount"].as_i64().unwrap(),
        all.len() as i64
    );
    let window = by(json!({ "from": pivot, "to": all[0]["occurredAt"] })).await;
    assert_eq!(operations(&window), ["createInitiative"]);

    // Pages of two visit every event once, newest first.
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let res = app
            .gql_as(admin, EVENTS, json!({ "first": 2, "after": after }))
            .await;
        let page = res.data()["auditEvents"].clone();
        assert_eq!(page["totalCount"], all.len());
        paged.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(paged, all);
    for pair in all.windows(2) {
        assert!(
            instant(&pair[0]["occurredAt"]) >= instant(&pair[1]["occurredAt"]),
            "newest first: {pair:?}"
        );
    }

    for (filter, field) in [
        (json!({ "objectId": "not an id" }), "objectId"),
        (json!({ "actorTokenId": payments }), "actorTokenId"),
        (json!({ "actorUserId": token.id }), "actorUserId"),
    ] {
        let res = app
            .gql_as(admin, EVENTS, json!({ "first": 10, "filter": filter }))
            .await;
        assert_bad_input(&res, field);
    }
}

async fn a_mutation_that_changes_nothing_is_still_audited(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let admin = org.admin.token.clone();
    let temp = app
        .add_user(&org.admin, "Tim Temp", "DESIGN", "MEMBER")
        .await;
    let spare = app.create_team(&org.admin, "Spare").await;
    let initiative = org.initiative(&app, &admin, "One-click pay").await;
    let token = create_token(&app, &org.admin, "Spare", &["READ"]).await;
    let record = json!({ "kpiId": org.kpi, "value": 50.0,
                         "externalRef": { "source": "amplitude", "id": "conv-1" } });
    let mut measurement = String::new();
    for _ in 0..2 {
        run(
            &app,
            &admin,
            "archiveTeam",
            "ArchiveTeamInput",
            "team { id }",
            json!({ "id": spare }),
        )
        .await;
        run(
            &app,
            &admin,
            "deactivateUser",
            "DeactivateUserInput",
            "user { id }",
            json!({ "userId": temp.user_id }),
        )
        .await;
        run(
            &app,
            &admin,
            "addKpiOwner",
            "KpiOwnerInput",
            "kpi { id }",
            json!({ "kpiId": org.kpi, "userId": org.admin.user_id }),
        )
        .await;
        run(
            &app,
            &admin,
            "linkInitiativeToOutcome",
            "InitiativeOutcomeInput",
            "initiative { id }",
            json!({ "initiativeId": initiative, "outcomeId": org.outcome }),
        )
        .await;
        let v = run(
            &app,
            &admin,
            "recordKpiMeasurement",
            "RecordKpiMeasurementInput",
            "measurement { id }",
            record.clone(),
        )
        .await;
        measurement = id_of(&v["measurement"]);
        app.gql(
            Some(&admin),
            &revoke_token_query(),
            json!({ "input": { "id": token.id } }),
        )
        .await
        .data();
    }
    for (operation, object) in [
        ("archiveTeam", &spare),
        ("deactivateUser", &temp.user_id),
        // The admin defined the KPI, so already owned it.
        ("addKpiOwner", &org.kpi),
        ("linkInitiativeToOutcome", &initiative),
        ("recordKpiMeasurement", &measurement),
        ("revokeApiToken", &token.id),
    ] {
        let log = events(
            &app,
            &admin,
            json!({ "operation": operation, "objectId": object }),
        )
        .await;
        assert_eq!(log["totalCount"], 2, "{operation}: {log}");
    }
}

async fn archiving_an_archived_kpi_is_audited_like_archiving_an_archived_team(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for _ in 0..2 {
        run(
            &app,
            &org.admin.token,
            "archiveKpi",
            "ArchiveKpiInput",
            "kpi { isArchived }",
            json!({ "id": org.kpi }),
        )
        .await;
    }
    let log = events(
        &app,
        &org.admin.token,
        json!({ "operation": "archiveKpi", "objectId": org.kpi }),
    )
    .await;
    assert_eq!(log["totalCount"], 2, "{log}");
}

/// Runs `createTeam` over WebSocket as the admin, returning the team's id.
async fn create_team_over_websocket(app: &TestApp, admin: &Session) -> String {
    let mut ws = crate::websocket::Socket::open(app).await;
    ws.init(&admin.token).await;
    ws.subscribe(
        "m",
        CREATE_TEAM,
        json!({ "input": { "name": "Over the socket" } }),
    )
    .await;
    let m = ws.message().await.expect("an answer");
    assert_eq!(m["type"], "next", "{m}");
    id_of(&m["payload"]["data"]["createTeam"]["team"])
}

async fn a_mutation_over_websocket_is_audited_with_its_actor(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = create_team_over_websocket(&app, &admin).await;
    let log = events(&app, &admin.token, json!({ "objectId": team })).await;
    assert_eq!(operations(&log), ["createTeam"], "{log}");
    assert_eq!(log["nodes"][0]["actorUser"]["id"], admin.user_id.as_str());
}

async fn a_mutation_over_websocket_is_audited_with_a_request_id(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = create_team_over_websocket(&app, &admin).await;
    let log = events(&app, &admin.token, json!({ "objectId": team })).await;
    let request = &log["nodes"][0]["requestId"];
    assert!(request.as_str().is_some_and(|r| !r.is_empty()), "{log}");
}

/// Runs one mutation as `who` (a person's or a token's bearer), asserting it worked,
/// and returns its field of `data`.
async fn run(
    app: &TestApp,
    who: &str,
    field: &str,
    input_type: &str,
    selection: &str,
    input: Value,
) -> Value {
    let res = app
        .gql(
            Some(who),
            &mutation(field, input_type, selection),
            json!({ "input": input }),
        )
        .await;
    assert!(
        res.body.get("errors").is_none(),
        "{field} failed: {}",
        res.body
    );
    res.body["data"][field].clone()
}

/// Mutations the coverage scenario cannot run, each with the reason. Today it runs
/// every one; a mutation goes here only if no scenario can make it succeed.
const NOT_IN_THE_SCENARIO: [(&str, &str); 0] = [];

/// Every mutation of the schema, run once successfully, leaves an event named after it:
/// a mutation added later without an audit event fails here.
async fn every_mutation_leaves_an_audit_event(app: TestApp) {
    let cast = Cast::with(&[Who::Member, Who::Reviewer])
        .team("Payments")
        .squad("Checkout")
        .other_squad("Wallet")
        .build(&app)
        .await;
    // Run so far: registerOrganization, inviteUser, acceptInvite, createTeam,
    // addTeamMember, createSquad, addSquadMember.
    let admin = cast.admin.token.clone();
    let admin = admin.as_str();
    let member = cast.as_(Who::Member).user_id.clone();
    let (team, squad, other_squad) = (
        cast.team().to_owned(),
        cast.squad().to_owned(),
        cast.other_squad().to_owned(),
    );
    let temp = app
        .add_user(&cast.admin, "Tim Temp", "DESIGN", "MEMBER")
        .await;

    // Identity.
    let res = app
        .gql(
            None,
            "mutation($input: LoginInput!) { login(input: $input) { refreshToken } }",
            json!({ "input": { "email": cast.admin.email, "password": "correct horse battery" } }),
        )
        .await;
    let refresh = res.data()["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .gql(
            None,
            "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { refreshToken } }",
            json!({ "input": { "refreshToken": refresh } }),
        )
        .await;
    let refresh = res.data()["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .gql(
            None,
            "mutation($input: LogoutInput!) { logout(input: $input) { success } }",
            json!({ "input": { "refreshToken": refresh } }),
        )
        .await;
    assert_eq!(res.data()["logout"]["success"], true);
    run(
        &app,
        admin,
        "updateUserRole",
        "UpdateUserRoleInput",
        "user { id }",
        json!({ "userId": temp.user_id, "orgRole": "VIEWER" }),
    )
    .await;

    // Teams and squads.
    run(
        &app,
        admin,
        "updateTeam",
        "UpdateTeamInput",
        "team { id }",
        json!({ "id": team, "description": "Money in, money out" }),
    )
    .await;
    app.add_team_member(&cast.admin, &team, &temp.user_id, "MEMBER")
        .await;
    run(
        &app,
        admin,
        "removeTeamMember",
        "RemoveTeamMemberInput",
        "team { id }",
        json!({ "teamId": team, "userId": temp.user_id }),
    )
    .await;
    let spare = app.create_team(&cast.admin, "Spare").await;
    run(
        &app,
        admin,
        "archiveTeam",
        "ArchiveTeamInput",
        "team { id }",
        json!({ "id": spare }),
    )
    .await;
    run(
        &app,
        admin,
        "updateSquad",
        "UpdateSquadInput",
        "squad { id }",
        json!({ "id": squad, "mission": "Pay in one click" }),
    )
    .await;
    app.add_squad_member(&cast.admin, &squad, &temp.user_id, "MEMBER", 10)
        .await
        .data();
    run(
        &app,
        admin,
        "removeSquadMember",
        "RemoveSquadMemberInput",
        "squad { id }",
        json!({ "squadId": squad, "userId": temp.user_id }),
    )
    .await;
    run(
        &app,
        admin,
        "deactivateUser",
        "DeactivateUserInput",
        "user { id }",
        json!({ "userId": temp.user_id }),
    )
    .await;

    // Architecture reviews (the admin is an engineer, so may write one).
    let review = "architectureReview { id }";
    let v = run(
        &app,
        admin,
        "openArchitectureReview",
        "OpenArchitectureReviewInput",
        review,
        json!({ "title": "Queue the payouts", "system": "payouts" }),
    )
    .await;
    let r = id_of(&v["architectureReview"]);
    run(
        &app,
        admin,
        "updateArchitectureReview",
        "UpdateArchitectureReviewInput",
        review,
        json!({ "id": r, "proposal": "A queue between the ledger and the bank." }),
    )
    .await;
    run(
        &app,
        admin,
        "assignReviewers",
        "AssignReviewersInput",
        review,
        json!({ "reviewId": r, "reviewerIds": [cast.as_(Who::Reviewer).user_id] }),
    )
    .await;
    run(
        &app,
        admin,
        "submitArchitectureReview",
        "SubmitArchitectureReviewInput",
        review,
        json!({ "id": r, "meetingDate": "2026-12-03" }),
    )
    .await;
    run(
        &app,
        &cast.as_(Who::Reviewer).token,
        "submitReviewVerdict",
        "SubmitReviewVerdictInput",
        review,
        json!({ "reviewId": r, "verdict": "APPROVE" }),
    )
    .await;
    run(
        &app,
        admin,
        "addReviewComment",
        "AddReviewCommentInput",
        "comment { id }",
        json!({ "reviewId": r, "body": "Approved: thanks." }),
    )
    .await;
    let v = run(
        &app,
        admin,
        "openArchitectureReview",
        "OpenArchitectureReviewInput",
        review,
        json!({ "title": "Rewrite it all", "system": "core" }),
    )
    .await;
    run(
        &app,
        admin,
        "withdrawArchitectureReview",
        "WithdrawArchitectureReviewInput",
        review,
        json!({ "id": id_of(&v["architectureReview"]) }),
    )
    .await;

    // Decision records.
    let record = "decisionRecord { id }";
    let mut records = Vec::new();
    for title in ["Queue payouts", "Queue everything", "Use cron"] {
        let v = run(
            &app,
            admin,
            "createDecisionRecord",
            "CreateDecisionRecordInput",
            record,
            json!({ "title": title, "decision": format!("We {title}.") }),
        )
        .await;
        records.push(id_of(&v["decisionRecord"]));
    }
    run(
        &app,
        admin,
        "updateDecisionRecord",
        "UpdateDecisionRecordInput",
        record,
        json!({ "id": records[0], "context": "Payouts fail at the bank." }),
    )
    .await;
    for id in &records {
        run(
            &app,
            admin,
            "acceptDecisionRecord",
            "AcceptDecisionRecordInput",
            record,
            json!({ "id": id }),
        )
        .await;
    }
    run(
        &app,
        admin,
        "supersedeDecisionRecord",
        "SupersedeDecisionRecordInput",
        record,
        json!({ "id": records[0], "supersededById": records[1] }),
    )
    .await;
    run(
        &app,
        admin,
        "deprecateDecisionRecord",
        "DeprecateDecisionRecordInput",
        record,
        json!({ "id": records[2] }),
    )
    .await;

    // KPIs; a token records and deletes a measurement.
    let kpi = "kpi { id }";
    let v = run(
        &app,
        admin,
        "createKpi",
        "CreateKpiInput",
        kpi,
        json!({ "squadId": squad, "name": "Conversion", "unit": "PERCENT",
                "category": "CUSTOMER", "baseline": 40.0, "target": 60.0 }),
    )
    .await;
    let k = id_of(&v["kpi"]);
    run(
        &app,
        admin,
        "updateKpi",
        "UpdateKpiInput",
        kpi,
        json!({ "id": k, "target": 65.0 }),
    )
    .await;
    run(
        &app,
        admin,
        "addKpiOwner",
        "KpiOwnerInput",
        kpi,
        json!({ "kpiId": k, "userId": member }),
    )
    .await;
    run(
        &app,
        admin,
        "removeKpiOwner",
        "KpiOwnerInput",
        kpi,
        json!({ "kpiId": k, "userId": member }),
    )
    .await;
    let token = create_token(&app, &cast.admin, "Amplitude", &["KPIS_WRITE"]).await;
    let res = app
        .gql(
            Some(&token.secret),
            RECORD,
            json!({ "input": { "kpiId": k, "value": 50.0 } }),
        )
        .await;
    let m = id_of(&res.data()["recordKpiMeasurement"]["measurement"]);
    app.gql(
        Some(&token.secret),
        DELETE_MEASUREMENT,
        json!({ "input": { "id": m } }),
    )
    .await
    .data();
    run(
        &app,
        admin,
        "archiveKpi",
        "ArchiveKpiInput",
        kpi,
        json!({ "id": k }),
    )
    .await;

    // The sync path: upserts by external reference, one at a time and in bulk.
    let ext = |id: &str| json!({ "source": "jira", "id": id });
    run(
        &app,
        admin,
        "upsertInitiative",
        "UpsertInitiativeInput",
        "initiative { id }",
        json!({ "externalRef": ext("PAY-1"), "squadId": squad, "title": "Synced" }),
    )
    .await;
    run(
        &app,
        admin,
        "bulkUpsertInitiatives",
        "BulkUpsertInitiativesInput",
        "results { result } errors { code }",
        json!({ "items": [{ "externalRef": ext("PAY-2"), "squadId": squad, "title": "Bulk" }] }),
    )
    .await;
    run(
        &app,
        admin,
        "upsertOutcome",
        "UpsertOutcomeInput",
        "outcome { id }",
        json!({ "externalRef": ext("OBJ-1"), "teamId": team, "quarter": this_quarter(),
                "title": "Synced outcome" }),
    )
    .await;
    let live = run(
        &app,
        admin,
        "createKpi",
        "CreateKpiInput",
        kpi,
        json!({ "squadId": squad, "name": "Synced", "category": "DELIVERY" }),
    )
    .await;
    let live = id_of(&live["kpi"]);
    run(
        &app,
        admin,
        "upsertKpiMeasurement",
        "UpsertKpiMeasurementInput",
        "measurement { id }",
        json!({ "externalRef": ext("M-1"), "kpiId": live, "value": 1.0 }),
    )
    .await;
    run(
        &app,
        admin,
        "bulkUpsertKpiMeasurements",
        "BulkUpsertKpiMeasurementsInput",
        "results { result } errors { code }",
        json!({ "items": [{ "externalRef": ext("M-2"), "kpiId": live, "value": 2.0 }] }),
    )
    .await;

    // Outcomes, initiatives, dependencies.
    let outcome = "outcome { id }";
    let v = run(
        &app,
        admin,
        "createOutcome",
        "CreateOutcomeInput",
        outcome,
        json!({ "teamId": team, "quarter": this_quarter(), "title": "Checkout converts" }),
    )
    .await;
    let o = id_of(&v["outcome"]);
    run(
        &app,
        admin,
        "updateOutcome",
        "UpdateOutcomeInput",
        outcome,
        json!({ "id": o, "description": "Half of visitors pay" }),
    )
    .await;
    run(
        &app,
        admin,
        "setOutcomeStatus",
        "SetOutcomeStatusInput",
        outcome,
        json!({ "id": o, "status": "AT_RISK" }),
    )
    .await;
    let res = app
        .gql(
            Some(admin),
            CREATE_INITIATIVE,
            json!({ "input": { "squadId": squad, "title": "One-click pay" } }),
        )
        .await;
    let i = id_of(&res.data()["createInitiative"]["initiative"]);
    let res = app
        .gql(
            Some(admin),
            CREATE_INITIATIVE,
            json!({ "input": { "squadId": squad, "title": "Saved cards" } }),
        )
        .await;
    let i2 = id_of(&res.data()["createInitiative"]["initiative"]);
    run(
        &app,
        admin,
        "updateInitiative",
        "UpdateInitiativeInput",
        "initiative { id }",
        json!({ "id": i, "status": "PLANNED" }),
    )
    .await;
    let link = json!({ "initiativeId": i, "outcomeId": o });
    run(
        &app,
        admin,
        "linkInitiativeToOutcome",
        "InitiativeOutcomeInput",
        "initiative { id }",
        link.clone(),
    )
    .await;
    run(
        &app,
        admin,
        "unlinkInitiativeFromOutcome",
        "InitiativeOutcomeInput",
        "initiative { id }",
        link,
    )
    .await;
    let dependency = "dependency { id }";
    let v = run(
        &app,
        admin,
        "createDependency",
        "CreateDependencyInput",
        dependency,
        json!({ "fromSquadId": squad, "toSquadId": other_squad,
                "description": "Wallet exposes saved cards", "neededBy": "2026-12-20" }),
    )
    .await;
    run(
        &app,
        admin,
        "updateDependency",
        "UpdateDependencyInput",
        dependency,
        json!({ "id": id_of(&v["dependency"]), "status": "AT_RISK" }),
    )
    .await;

    // A roadmap session from DRAFT to CLOSED.
    let alignment = "roadmapAlignment { id }";
    let v = run(
        &app,
        admin,
        "createRoadmapAlignment",
        "CreateRoadmapAlignmentInput",
        alignment,
        json!({ "quarter": this_quarter(), "title": "This quarter" }),
    )
    .await;
    let a = id_of(&v["roadmapAlignment"]);
    run(
        &app,
        admin,
        "updateRoadmapAlignment",
        "UpdateRoadmapAlignmentInput",
        alignment,
        json!({ "id": a, "notes": "Bring your numbers" }),
    )
    .await;
    let participant = json!({ "roadmapAlignmentId": a, "userId": member });
    run(
        &app,
        admin,
        "addAlignmentParticipant",
        "AlignmentParticipantInput",
        alignment,
        participant.clone(),
    )
    .await;
    run(
        &app,
        admin,
        "removeAlignmentParticipant",
        "AlignmentParticipantInput",
        alignment,
        participant,
    )
    .await;
    run(
        &app,
        admin,
        "startRoadmapAlignment",
        "AlignmentIdInput",
        alignment,
        json!({ "id": a }),
    )
    .await;
    let mut items = Vec::new();
    for initiative in [&i, &i2] {
        let v = run(
            &app,
            admin,
            "addRoadmapItem",
            "AddRoadmapItemInput",
            "item { id }",
            json!({ "roadmapAlignmentId": a, "initiativeId": initiative,
                    "commitment": "COMMITTED" }),
        )
        .await;
        items.push(id_of(&v["item"]));
    }
    run(
        &app,
        admin,
        "updateRoadmapItem",
        "UpdateRoadmapItemInput",
        "item { id }",
        json!({ "id": items[1], "commitment": "STRETCH" }),
    )
    .await;
    run(
        &app,
        admin,
        "rankRoadmapItems",
        "RankRoadmapItemsInput",
        alignment,
        json!({ "roadmapAlignmentId": a, "itemIds": [items[1], items[0]] }),
    )
    .await;
    run(
        &app,
        admin,
        "removeRoadmapItem",
        "RemoveRoadmapItemInput",
        alignment,
        json!({ "id": items[1] }),
    )
    .await;
    run(
        &app,
        admin,
        "signOffRoadmapAlignment",
        "SignOffRoadmapAlignmentInput",
        "signOff { discipline }",
        json!({ "roadmapAlignmentId": a }),
    )
    .await;
    run(
        &app,
        admin,
        "withdrawSignOff",
        "WithdrawSignOffInput",
        alignment,
        json!({ "roadmapAlignmentId": a }),
    )
    .await;
    run(
        &app,
        admin,
        "closeRoadmapAlignment",
        "AlignmentIdInput",
        alignment,
        json!({ "id": a }),
    )
    .await;

    // API tokens.
    let spare = create_token(&app, &cast.admin, "Spare", &["READ"]).await;
    let res = app
        .gql(
            Some(admin),
            &revoke_token_query(),
            json!({ "input": { "id": spare.id } }),
        )
        .await;
    res.data();

    // Every field of Mutation, as the schema says today.
    let res = app
        .gql(
            None,
            r#"{ __type(name: "Mutation") { fields { name } } }"#,
            json!({}),
        )
        .await;
    let fields: BTreeSet<String> = res.data()["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.len() >= 59, "{fields:?}");

    let log = all_events(&app, &cast.admin).await;
    let audited: BTreeSet<String> = log
        .iter()
        .map(|e| e["operation"].as_str().unwrap().to_owned())
        .collect();
    let missing: Vec<&String> = fields
        .difference(&audited)
        .filter(|f| !NOT_IN_THE_SCENARIO.iter().any(|(name, _)| name == f))
        .collect();
    assert!(
        missing.is_empty(),
        "mutations without an audit event: {missing:?}"
    );
    let unknown: Vec<&String> = audited.difference(&fields).collect();
    assert!(unknown.is_empty(), "events of no mutation: {unknown:?}");
    // And each event says what it was about, who did it, and in which request.
    for e in &log {
        assert!(
            e["objectType"].is_string() && e["objectId"].is_string(),
            "{e}"
        );
        assert!(
            e["actorUser"].is_object() != e["actorToken"].is_object(),
            "a person or a token: {e}"
        );
        assert!(
            e["requestId"].as_str().is_some_and(|r| !r.is_empty()),
            "{e}"
        );
    }
    let by_token: Vec<String> = log
        .iter()
        .filter(|e| e["actorToken"]["id"] == token.id.as_str())
        .map(|e| e["operation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(by_token, ["deleteKpiMeasurement", "recordKpiMeasurement"]);
}

crate::db_tests!(
    only_an_admin_reads_the_audit_log,
    an_event_names_the_mutation_its_object_its_actor_and_the_request,
    an_aliased_mutation_is_recorded_under_the_mutations_own_name,
    a_failed_mutation_leaves_no_event,
    the_log_filters_by_operation_object_actor_and_time,
    every_mutation_leaves_an_audit_event,
    a_mutation_that_changes_nothing_is_still_audited,
    archiving_an_archived_kpi_is_audited_like_archiving_an_archived_team,
    a_mutation_over_websocket_is_audited_with_its_actor,
    a_mutation_over_websocket_is_audited_with_a_request_id,
);
