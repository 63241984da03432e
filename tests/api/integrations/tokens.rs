//! API tokens: the secret shown once, who manages them, and a token that stops working
//! when revoked or expired, over HTTP and WebSocket, on every server.

use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};

use super::{
    api_tokens, create_expiring_token, create_token, post, revoke_token, try_create_token, Org,
    Token, ALL_SCOPES, TEAMS,
};
use crate::{
    common::{
        assert_bad_input, assert_code, denied, fresh_postgres_database, instant, names,
        postgres_url, Cast, TestApp, Who,
    },
    two_nodes::Node,
    websocket::{assert_revoked, Socket, SUBSCRIBE},
};

const UPDATE_ALIGNMENT: &str = r#"mutation($id: ID!, $title: String!) {
  updateRoadmapAlignment(input: {id: $id, title: $title}) { roadmapAlignment { title } } }"#;

const CREATE_ALIGNMENT: &str = r#"mutation { createRoadmapAlignment(input: {quarter: "2026-Q4", title: "Q4"}) {
    roadmapAlignment { id } } }"#;

/// The token in `list` (an `apiTokens` connection) with the id `id`, if it is there.
fn listed<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|t| t["id"] == id)
}

/// Whether `bearer` is let in: `teams` answers without an error.
async fn works(app: &TestApp, bearer: &str) -> Result<(), String> {
    app.gql(Some(bearer), TEAMS, json!({})).await.outcome()
}

async fn a_tokens_secret_is_shown_once_and_its_list_shows_everything_else(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let before = Utc::now() - chrono::Duration::seconds(1);
    let res = try_create_token(
        &app,
        &admin.token,
        "Jira sync",
        &["READ", "KPIS_WRITE"],
        None,
    )
    .await;
    let payload = &res.data()["createApiToken"];
    let secret = payload["secret"].as_str().unwrap();
    let created = &payload["apiToken"];
    assert!(secret.starts_with("nst_"), "{secret}");
    assert!(
        secret.len() >= 36 && secret[4..].chars().all(|c| c.is_ascii_alphanumeric()),
        "a long random secret: {secret}"
    );
    assert_eq!(created["name"], "Jira sync");
    assert_eq!(created["scopes"], json!(["READ", "KPIS_WRITE"]));
    assert_eq!(created["createdBy"]["id"], admin.user_id.as_str());
    let created_at = instant(&created["createdAt"]);
    assert!(
        created_at >= before && created_at <= Utc::now(),
        "{created}"
    );
    assert_eq!(created["expiresAt"], Value::Null);
    assert_eq!(created["revokedAt"], Value::Null);
    assert_eq!(created["lastUsedAt"], Value::Null);
    assert_eq!(created["isActive"], true);
    // The prefix tells tokens apart: it is how the secret starts, and no more of it.
    let prefix = created["prefix"].as_str().unwrap().trim_end_matches('…');
    assert!(secret.starts_with(prefix), "{prefix} / {secret}");
    assert!(prefix.len() < 12, "{prefix}");

    let id = created["id"].as_str().unwrap();
    let res = api_tokens(&app, &admin.token, false).await;
    let list = &res.data()["apiTokens"];
    assert_eq!(list["totalCount"], 1);
    let shown = listed(list, id).expect("the token is listed");
    assert_eq!(shown["name"], "Jira sync");
    assert_eq!(shown["scopes"], json!(["READ", "KPIS_WRITE"]));
    assert_eq!(shown["createdBy"]["id"], admin.user_id.as_str());
    assert_eq!(shown["lastUsedAt"], Value::Null, "not used yet");
    assert!(
        !res.body.to_string().contains(&secret[prefix.len()..]),
        "the list never holds the secret: {}",
        res.body
    );

    // Used once, it says when.
    let used = Utc::now() - chrono::Duration::seconds(1);
    works(&app, secret).await.unwrap();
    let res = api_tokens(&app, &admin.token, false).await;
    let shown = listed(&res.data()["apiTokens"], id).unwrap().clone();
    let last_used = instant(&shown["lastUsedAt"]);
    assert!(
        last_used >= used && last_used <= Utc::now(),
        "lastUsedAt {last_used} is when it was used"
    );
    assert!(!res.body.to_string().contains(&secret[prefix.len()..]));

    // Each token is its own secret.
    let other = create_token(&app, &admin, "Linear sync", &["READ"]).await;
    assert_ne!(other.secret, secret);
    assert!(other.secret.starts_with("nst_"));
}

/// Who calls in the permission tables of this file.
#[derive(Debug, Clone, Copy)]
enum Caller {
    Person(Who),
    /// A token of the organisation with every scope.
    Token,
    /// No credential at all.
    Nobody,
}

async fn only_an_admin_creates_lists_and_revokes_api_tokens(app: TestApp) {
    use Caller::*;
    let cast = Cast::with(&[Who::ProductAdmin, Who::TeamLead, Who::Member, Who::Viewer])
        .build(&app)
        .await;
    let token = create_token(&app, &cast.admin, "Everything", &ALL_SCOPES).await;
    let bearer = |who: Caller| match who {
        Person(w) => Some(cast.as_(w).token.clone()),
        Token => Some(token.secret.clone()),
        Nobody => None,
    };
    let callers = |other_org: Result<(), String>| {
        [
            (Person(Who::Admin), Ok(())),
            (Person(Who::ProductAdmin), Ok(())),
            (Person(Who::TeamLead), denied("FORBIDDEN")),
            (Person(Who::Member), denied("FORBIDDEN")),
            (Person(Who::Viewer), denied("FORBIDDEN")),
            (Token, denied("FORBIDDEN")),
            (Person(Who::OtherOrgAdmin), other_org),
            (Nobody, denied("UNAUTHENTICATED")),
        ]
    };

    for (who, want) in callers(Ok(())) {
        let res = app
            .gql(
                bearer(who).as_deref(),
                &super::create_token_query(),
                json!({ "input": { "name": format!("made by {who:?}"), "scopes": ["READ"] } }),
            )
            .await;
        assert_eq!(
            res.outcome(),
            want,
            "createApiToken as {who:?}: {}",
            res.body
        );
    }
    for (who, want) in callers(Ok(())) {
        let res = app
            .gql(
                bearer(who).as_deref(),
                &super::api_tokens_query(),
                json!({}),
            )
            .await;
        assert_eq!(res.outcome(), want, "apiTokens as {who:?}: {}", res.body);
    }
    // Acme's admins see Acme's tokens; Globex's admin sees Globex's one only.
    let acme = api_tokens(&app, &cast.admin.token, false).await;
    let mut acme = names(&acme.data()["apiTokens"]);
    acme.sort();
    assert_eq!(
        acme,
        [
            "Everything",
            "made by Person(Admin)",
            "made by Person(ProductAdmin)"
        ]
    );
    let globex = api_tokens(&app, &cast.other_admin.token, false).await;
    let globex = &globex.data()["apiTokens"];
    assert_eq!(globex["totalCount"], 1, "{globex}");
    assert_eq!(globex["nodes"][0]["name"], "made by Person(OtherOrgAdmin)");

    for (who, want) in callers(denied("NOT_FOUND")) {
        let target = create_token(&app, &cast.admin, "Target", &["READ"]).await;
        let res = app
            .gql(
                bearer(who).as_deref(),
                &super::revoke_token_query(),
                json!({ "input": { "id": target.id } }),
            )
            .await;
        assert_eq!(
            res.outcome(),
            want,
            "revokeApiToken as {who:?}: {}",
            res.body
        );
        let still = works(&app, &target.secret).await;
        match want {
            Ok(()) => assert_eq!(still, denied("UNAUTHENTICATED"), "revoked by {who:?}"),
            Err(_) => assert_eq!(still, Ok(()), "{who:?} could not revoke it"),
        }
    }
}

async fn a_token_needs_a_name_a_scope_and_an_expiry_in_the_future(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for (name, scopes, expires_at, field) in [
        ("  ", vec!["READ"], None, "name"),
        ("No scopes", vec![], None, "scopes"),
        (
            "Expired already",
            vec!["READ"],
            Some(Utc::now() - chrono::Duration::minutes(1)),
            "expiresAt",
        ),
    ] {
        let res = try_create_token(&app, &admin.token, name, &scopes, expires_at).await;
        assert_bad_input(&res, field);
    }
    let res = api_tokens(&app, &admin.token, true).await;
    assert_eq!(
        res.data()["apiTokens"]["totalCount"],
        0,
        "nothing was created"
    );
}

async fn a_revoked_token_is_unauthenticated_on_its_next_request(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = create_token(
        &app,
        &org.admin,
        "Jira sync",
        &["READ", "INITIATIVES_WRITE"],
    )
    .await;
    works(&app, &token.secret).await.unwrap();
    org.try_initiative(&app, &token.secret, "Before")
        .await
        .data();

    let res = revoke_token(&app, &org.admin.token, &token.id).await;
    let revoked = res.data()["revokeApiToken"]["apiToken"].clone();
    assert_eq!(revoked["isActive"], false);
    let revoked_at = instant(&revoked["revokedAt"]);

    assert_eq!(works(&app, &token.secret).await, denied("UNAUTHENTICATED"));
    let res = org.try_initiative(&app, &token.secret, "After").await;
    assert_code(&res, "UNAUTHENTICATED");
    let res = app
        .gql_as(
            &org.admin,
            "{ initiatives(first: 10) { nodes { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res.data()["initiatives"]["nodes"],
        json!([{ "title": "Before" }])
    );

    // Revoking it again changes nothing.
    let res = revoke_token(&app, &org.admin.token, &token.id).await;
    let again = &res.data()["revokeApiToken"]["apiToken"];
    assert_eq!(instant(&again["revokedAt"]), revoked_at);

    // Only the inactive list shows it.
    let res = api_tokens(&app, &org.admin.token, false).await;
    assert!(listed(&res.data()["apiTokens"], &token.id).is_none());
    let res = api_tokens(&app, &org.admin.token, true).await;
    let shown = listed(&res.data()["apiTokens"], &token.id).expect("listed as inactive");
    assert_eq!(shown["isActive"], false);
    assert_eq!(instant(&shown["revokedAt"]), revoked_at);
}

async fn an_expired_token_is_unauthenticated(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let expires_at = Utc::now() + chrono::Duration::seconds(2);
    let token = create_expiring_token(&app, &admin, "Short-lived", &["READ"], expires_at).await;
    let res = api_tokens(&app, &admin.token, false).await;
    let shown = listed(&res.data()["apiTokens"], &token.id).expect("active until it expires");
    let listed_expiry = instant(&shown["expiresAt"]);
    assert!(
        (listed_expiry - expires_at).num_milliseconds().abs() < 2,
        "{listed_expiry} / {expires_at}"
    );
    works(&app, &token.secret).await.unwrap();

    let wait = (expires_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(300)).await;
    assert_eq!(works(&app, &token.secret).await, denied("UNAUTHENTICATED"));

    let res = api_tokens(&app, &admin.token, false).await;
    assert!(listed(&res.data()["apiTokens"], &token.id).is_none());
    let res = api_tokens(&app, &admin.token, true).await;
    let shown = listed(&res.data()["apiTokens"], &token.id).expect("listed as inactive");
    assert_eq!(shown["isActive"], false);
    assert_eq!(shown["revokedAt"], Value::Null);
}

async fn a_malformed_or_unknown_token_is_unauthenticated(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let token = create_token(&app, &admin, "Jira sync", &["READ"]).await;
    let secret = &token.secret;
    let flip = |i: usize| {
        let mut chars: Vec<char> = secret.chars().collect();
        chars[i] = if chars[i] == 'a' { 'b' } else { 'a' };
        chars.into_iter().collect::<String>()
    };
    let body_len = secret.len() - 4;
    for bad in [
        "nst_".to_owned(),
        "nst_short".to_owned(),
        format!("nst_{}", "A".repeat(body_len)),
        flip(secret.len() - 1),
        flip(5),
        format!("{secret}x"),
        secret[..secret.len() - 1].to_owned(),
        format!("nst_{}", "é".repeat(body_len / 2)),
    ] {
        let reply = post(&app.address, Some(&bad), TEAMS, json!({})).await;
        assert_code(&reply.gql(), "UNAUTHENTICATED");
        assert_eq!(
            reply.header("x-ratelimit-limit"),
            None,
            "a token that is not one has no budget: {bad}"
        );
    }
    works(&app, secret).await.unwrap();
}

/// A roadmap session of the admin's organisation, to subscribe to.
async fn alignment(app: &TestApp, admin: &str) -> String {
    let res = app.gql(Some(admin), CREATE_ALIGNMENT, json!({})).await;
    res.data()["createRoadmapAlignment"]["roadmapAlignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn update_alignment(app: &TestApp, admin: &str, id: &str, title: &str) {
    app.gql(
        Some(admin),
        UPDATE_ALIGNMENT,
        json!({ "id": id, "title": title }),
    )
    .await
    .data();
}

/// A socket authenticated with `token`, subscribed to `alignment` as operation "1",
/// with the subscription live (a change reached it).
async fn live_subscription(app: &TestApp, admin: &str, token: &Token, alignment: &str) -> Socket {
    let mut ws = Socket::open(app).await;
    ws.init(&token.secret).await;
    ws.subscribe("1", SUBSCRIBE, json!({ "id": alignment }))
        .await;
    let m = ws
        .first_message(|| update_alignment(app, admin, alignment, "Live"))
        .await;
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(
        m["payload"]["data"]["roadmapAlignmentChanged"]["roadmapAlignment"]["title"], "Live",
        "{m}"
    );
    ws
}

async fn a_token_works_over_websocket_and_its_subscription_ends_when_it_is_revoked(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let id = alignment(&app, &admin.token).await;
    let token = create_token(&app, &admin, "Dashboard", &["READ"]).await;

    let mut ws = Socket::open(&app).await;
    ws.init(&token.secret).await;
    ws.subscribe("q", "{ teams { totalCount } }", json!({}))
        .await;
    let m = ws.message().await.unwrap();
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(m["payload"]["data"]["teams"]["totalCount"], 0, "{m}");
    assert_eq!(ws.message().await.unwrap()["type"], "complete");

    let mut ws = live_subscription(&app, &admin.token, &token, &id).await;
    // Another token's subscription is not concerned.
    let other = create_token(&app, &admin, "Wallboard", &["READ"]).await;
    let mut others = live_subscription(&app, &admin.token, &other, &id).await;

    revoke_token(&app, &admin.token, &token.id).await.data();
    assert_revoked(&mut ws, &["1"]).await;

    update_alignment(&app, &admin.token, &id, "After").await;
    loop {
        let m = others
            .message()
            .await
            .expect("the other token's socket stays");
        assert_eq!(m["type"], "next", "{m}");
        if m["payload"]["data"]["roadmapAlignmentChanged"]["roadmapAlignment"]["title"] == "After" {
            break;
        }
    }

    // A revoked token cannot open a new one.
    let mut again = Socket::open(&app).await;
    again
        .send(json!({ "type": "connection_init",
                      "payload": { "Authorization": format!("Bearer {}", token.secret) } }))
        .await;
    let (code, reason, _) = again.closed().await;
    assert_eq!(code, 4403, "{reason}");
}

async fn a_tokens_subscription_ends_when_the_token_expires(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let id = alignment(&app, &admin.token).await;
    let expires_at = Utc::now() + chrono::Duration::seconds(4);
    let token = create_expiring_token(&app, &admin, "Demo", &["READ"], expires_at).await;
    let mut ws = live_subscription(&app, &admin.token, &token, &id).await;
    assert!(
        Utc::now() < expires_at,
        "the test was too slow to see it live"
    );

    assert_revoked(&mut ws, &["1"]).await;
    let ended = Utc::now();
    assert!(
        ended >= expires_at - chrono::Duration::milliseconds(50),
        "it ended at {ended}, before the token expired at {expires_at}"
    );
}

#[tokio::test]
async fn revoking_a_token_through_one_server_refuses_it_on_another() {
    if postgres_url().is_none() {
        eprintln!("TEST_DATABASE_URL is not set: skipped (it needs PostgreSQL)");
        return;
    }
    let url = fresh_postgres_database().await;
    // One after the other: the first applies the migrations.
    let a = Node::start(&url).await;
    let b = Node::start(&url).await;
    let data = a
        .gql(
            None,
            r#"mutation { registerOrganization(input: {organizationName: "Acme", email: "ada@acme.test",
                password: "correct horse battery", displayName: "Ada", discipline: PRODUCT}) { accessToken } }"#,
            json!({}),
        )
        .await;
    let admin = data["registerOrganization"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = a.gql(Some(&admin), CREATE_ALIGNMENT, json!({})).await;
    let alignment = data["createRoadmapAlignment"]["roadmapAlignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = a
        .gql(
            Some(&admin),
            &super::create_token_query(),
            json!({ "input": { "name": "Jira sync", "scopes": ["READ"] } }),
        )
        .await;
    let secret = data["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let token_id = data["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The token works on B, over HTTP and WebSocket.
    let reply = post(&b.address, Some(&secret), TEAMS, json!({})).await;
    assert_eq!(reply.gql().outcome(), Ok(()), "{}", reply.body);
    let mut ws = Socket::connect(&b.address, "graphql-transport-ws").await;
    ws.init(&secret).await;
    ws.subscribe("1", SUBSCRIBE, json!({ "id": alignment }))
        .await;
    let m = ws
        .first_message(|| async {
            a.gql(
                Some(&admin),
                UPDATE_ALIGNMENT,
                json!({ "id": alignment, "title": "Live" }),
            )
            .await;
        })
        .await;
    assert_eq!(m["type"], "next", "{m}");

    // Revoked on A: refused on B at once, and B ends its subscription.
    a.gql(
        Some(&admin),
        &super::revoke_token_query(),
        json!({ "input": { "id": token_id } }),
    )
    .await;
    let reply = post(&b.address, Some(&secret), TEAMS, json!({})).await;
    assert_code(&reply.gql(), "UNAUTHENTICATED");
    assert_revoked(&mut ws, &["1"]).await;
}

crate::db_tests!(
    a_tokens_secret_is_shown_once_and_its_list_shows_everything_else,
    only_an_admin_creates_lists_and_revokes_api_tokens,
    a_token_needs_a_name_a_scope_and_an_expiry_in_the_future,
    a_revoked_token_is_unauthenticated_on_its_next_request,
    an_expired_token_is_unauthenticated,
    a_malformed_or_unknown_token_is_unauthenticated,
    a_token_works_over_websocket_and_its_subscription_ends_when_it_is_revoked,
    a_tokens_subscription_ends_when_the_token_expires,
);
