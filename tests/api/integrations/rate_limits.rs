//! Each API token's budget of requests per minute (issue 13): told in every response,
//! refused with 429 and RATE_LIMITED past it, per token, and shared by every server on
//! the database. A scenario that straddles a minute boundary (its responses name two
//! windows) runs once more.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use super::{create_token, post, Org, Reply, Token, CREATE_INITIATIVE, TEAMS};
use crate::{
    common::{fresh_postgres_database, postgres_url, Session, TestApp},
    two_nodes::Node,
};

/// Whether every response names the same window (its `x-ratelimit-reset`).
fn one_window(replies: &[Reply]) -> bool {
    replies
        .windows(2)
        .all(|w| w[0].header("x-ratelimit-reset") == w[1].header("x-ratelimit-reset"))
}

async fn send(app: &TestApp, token: &Token, query: &str) -> Reply {
    post(&app.address, Some(&token.secret), query, json!({})).await
}

#[track_caller]
fn assert_rate_limited(reply: &Reply) {
    assert_eq!(reply.status, 429, "{reply:?}");
    assert!(reply.body.get("data").is_none(), "no data: {}", reply.body);
    let error = &reply.body["errors"][0]["extensions"];
    assert_eq!(error["code"], "RATE_LIMITED", "{}", reply.body);
    let retry_after = error["retryAfter"].as_i64().expect("retryAfter");
    assert!((1..=60).contains(&retry_after), "{}", reply.body);
    let header = reply.number("retry-after");
    assert!(
        (1..=60).contains(&header) && (header - retry_after).abs() <= 1,
        "retry-after {header} and retryAfter {retry_after}"
    );
    assert_eq!(reply.number("x-ratelimit-remaining"), 0);
}

async fn every_response_to_a_token_tells_its_budget_and_what_is_left(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for attempt in 0..2 {
        let token = create_token(&app, &admin, &format!("Sync {attempt}"), &["READ"]).await;
        let replies = vec![
            send(&app, &token, TEAMS).await,
            send(&app, &token, TEAMS).await,
            // Refused by the policy, it still spends from the budget and says so.
            send(&app, &token, "{ viewer { id } }").await,
        ];
        if !one_window(&replies) {
            continue;
        }
        assert_eq!(replies[2].gql().error_code(), Some("FORBIDDEN"));
        let remaining: Vec<i64> = replies
            .iter()
            .map(|r| r.number("x-ratelimit-remaining"))
            .collect();
        assert_eq!(remaining, [599, 598, 597]);
        for r in &replies {
            assert_eq!(r.status, 200);
            assert_eq!(r.number("x-ratelimit-limit"), 600);
            assert_eq!(r.header("retry-after"), None);
            let reset = r.number("x-ratelimit-reset");
            let now = Utc::now().timestamp();
            assert!(
                reset > now - 1 && reset <= now + 60,
                "the window ends within the minute: {reset} (now {now})"
            );
        }
        return;
    }
    panic!("two minute boundaries in two tries");
}

async fn a_token_over_its_budget_is_refused_until_its_window_ends(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let create = json!({ "input": { "squadId": org.squad, "title": "Over the budget" } });
    for attempt in 0..2 {
        let token = create_token(
            &app,
            &org.admin,
            &format!("Sync {attempt}"),
            &["READ", "INITIATIVES_WRITE"],
        )
        .await;
        let mut replies = Vec::new();
        for _ in 0..3 {
            replies.push(send(&app, &token, TEAMS).await);
        }
        replies.push(
            post(
                &app.address,
                Some(&token.secret),
                CREATE_INITIATIVE,
                create.clone(),
            )
            .await,
        );
        replies.push(send(&app, &token, TEAMS).await);
        if !one_window(&replies) {
            continue;
        }
        let remaining: Vec<i64> = replies[..3]
            .iter()
            .map(|r| r.number("x-ratelimit-remaining"))
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        for r in &replies[..3] {
            assert_eq!(r.status, 200, "{r:?}");
            assert_eq!(r.number("x-ratelimit-limit"), 3);
        }
        // The fourth and fifth are refused, and the refused mutation did not run.
        assert_rate_limited(&replies[3]);
        assert_rate_limited(&replies[4]);
        let res = app
            .gql_as(
                &org.admin,
                "{ initiatives(first: 10) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(res.data()["initiatives"]["totalCount"], 0);

        // After retryAfter seconds, a new window lets it in again.
        let retry_after = replies[4].number("retry-after") as u64;
        tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(200)).await;
        let again = post(&app.address, Some(&token.secret), CREATE_INITIATIVE, create).await;
        assert_eq!(again.status, 200, "{again:?}");
        again.gql().data();
        assert_eq!(again.number("x-ratelimit-remaining"), 2);
        assert!(
            again.number("x-ratelimit-reset") > replies[4].number("x-ratelimit-reset"),
            "a new window"
        );
        return;
    }
    panic!("two minute boundaries in two tries");
}

async fn each_token_spends_its_own_budget(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for attempt in 0..2 {
        let first = create_token(&app, &admin, &format!("First {attempt}"), &["READ"]).await;
        let second = create_token(&app, &admin, &format!("Second {attempt}"), &["READ"]).await;
        let mut replies = Vec::new();
        for _ in 0..4 {
            replies.push(send(&app, &first, TEAMS).await);
        }
        replies.push(send(&app, &second, TEAMS).await);
        if !one_window(&replies) {
            continue;
        }
        assert_rate_limited(&replies[3]);
        assert_eq!(replies[4].status, 200, "{:?}", replies[4]);
        assert_eq!(replies[4].number("x-ratelimit-remaining"), 2);
        replies[4].gql().data();
        return;
    }
    panic!("two minute boundaries in two tries");
}

async fn a_persons_requests_have_no_budget(app: TestApp) {
    let admin: Session = app.register_org("Acme").await;
    for _ in 0..5 {
        for bearer in [Some(admin.token.as_str()), None] {
            let reply = post(&app.address, bearer, TEAMS, json!({})).await;
            assert_eq!(reply.status, 200, "{reply:?}");
            for name in [
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
                "retry-after",
            ] {
                assert_eq!(reply.header(name), None, "{name}: {reply:?}");
            }
        }
    }
    let reply = post(&app.address, Some(&admin.token), TEAMS, json!({})).await;
    reply.gql().data();
}

/// Sleeps into the next minute when this one is nearly over, so that a short scenario
/// stays in one window.
async fn away_from_a_minute_boundary() {
    let second = Utc::now().timestamp() % 60;
    if second >= 50 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
}

async fn a_tokens_operations_over_websocket_count_like_its_requests(app: TestApp) {
    let admin = app.register_org("Acme").await;
    away_from_a_minute_boundary().await;
    let token = create_token(&app, &admin, "Wallboard", &["READ"]).await;
    let mut ws = crate::websocket::Socket::open(&app).await;
    ws.init(&token.secret).await;
    let mut codes = Vec::new();
    for n in 0..4 {
        ws.subscribe(&format!("q{n}"), TEAMS, json!({})).await;
        let m = ws.message().await.expect("an answer");
        let errors = match m["type"].as_str() {
            Some("error") => m["payload"].clone(),
            _ => m["payload"]["errors"].clone(),
        };
        codes.push(errors[0]["extensions"]["code"].as_str().map(str::to_owned));
        if m["type"] == "next" {
            ws.message().await;
        }
    }
    assert_eq!(
        codes,
        [None, None, None, Some("RATE_LIMITED".to_owned())],
        "the fourth operation in the minute is over a budget of 3"
    );
    assert_rate_limited(&send(&app, &token, TEAMS).await);
    // Its use shows too.
    let res = super::api_tokens(&app, &admin.token, false).await;
    assert!(
        res.data()["apiTokens"]["nodes"][0]["lastUsedAt"].is_string(),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn two_servers_on_one_database_share_a_tokens_budget() {
    if postgres_url().is_none() {
        eprintln!("TEST_DATABASE_URL is not set: skipped (it needs PostgreSQL)");
        return;
    }
    let url = fresh_postgres_database().await;
    let flags = ["--token-rate-limit", "3"];
    // One after the other: the first applies the migrations.
    let a = Node::start_with(&url, &flags).await;
    let b = Node::start_with(&url, &flags).await;
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
    for attempt in 0..2 {
        let data = a
            .gql(
                Some(&admin),
                &super::create_token_query(),
                json!({ "input": { "name": format!("Sync {attempt}"), "scopes": ["READ"] } }),
            )
            .await;
        let secret = data["createApiToken"]["secret"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut replies = Vec::new();
        for node in [&a, &a, &b, &b] {
            replies.push(post(&node.address, Some(&secret), TEAMS, json!({})).await);
        }
        if !one_window(&replies) {
            continue;
        }
        let remaining: Vec<i64> = replies[..3]
            .iter()
            .map(|r| r.number("x-ratelimit-remaining"))
            .collect();
        assert_eq!(remaining, [2, 1, 0], "B counts what A spent");
        assert_rate_limited(&replies[3]);
        return;
    }
    panic!("two minute boundaries in two tries");
}

crate::db_tests!(
    every_response_to_a_token_tells_its_budget_and_what_is_left,
    a_token_over_its_budget_is_refused_until_its_window_ends => |c| c.token_rate_limit = 3,
    each_token_spends_its_own_budget => |c| c.token_rate_limit = 3,
    a_persons_requests_have_no_budget => |c| c.token_rate_limit = 3,
    a_tokens_operations_over_websocket_count_like_its_requests => |c| c.token_rate_limit = 3,
);
