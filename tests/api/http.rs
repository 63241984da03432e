//! The HTTP surface: health, readiness, GraphiQL, GET and POST, limits, error codes.

use serde_json::{json, Value};

use crate::common::{Db, Subscription, TestApp};

async fn healthz_and_readyz_answer_while_the_database_does(app: TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ready");
}

async fn readyz_is_503_when_the_database_does_not_answer(app: TestApp) {
    // Closing the shared pool leaves the server without a database.
    app.db.clone().close().await.unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn a_browser_gets_graphiql(app: TestApp) {
    let res = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
}

async fn queries_run_over_get_but_mutations_are_refused(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ viewer { email } }")])
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["viewer"]["email"], "admin@acme.test");

    let res = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[(
            "query",
            r#"mutation { createTeam(input: {name: "Sneaky"}) { team { id } } }"#,
        )])
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers().get("allow").unwrap(), "POST");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let teams = app
        .gql_as(&admin, "{ teams { totalCount } }", json!({}))
        .await;
    assert_eq!(
        teams.data()["teams"]["totalCount"],
        0,
        "the mutation did not run"
    );
}

async fn an_oversized_body_is_refused_with_a_code(app: TestApp) {
    // Past the default limit of 1 MiB.
    let padding = "x".repeat(1100 * 1024);
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": format!("{{ __typename }} # {padding}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

async fn a_body_that_is_not_a_graphql_request_is_a_coded_400(app: TestApp) {
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

async fn parse_and_validation_errors_carry_bad_user_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for query in [
        "{ viewer { ",
        "{ viewer { nope } }",
        "{ teams(first: \"x\") { totalCount } }",
    ] {
        let res = app.gql_as(&admin, query, json!({})).await;
        assert_eq!(res.status, 200, "{query}: application/json keeps 200");
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{query}: {}",
            res.body
        );
    }
    // With the GraphQL-over-HTTP media type, a request that never executed is a 400.
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ viewer { nope } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/graphql-response+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

async fn too_deep_or_alias_heavy_queries_are_query_too_complex(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let deep = "{ viewer { teams { edges { node { team { squads { edges { node { team { squads { edges { node { team { name } } } } } } } } } } } } } }";
    let res = app.gql_as(&admin, deep, json!({})).await;
    assert_eq!(res.error_code(), Some("QUERY_TOO_COMPLEX"), "{}", res.body);

    let aliases: String = (0..40)
        .map(|i| format!("a{i}: viewer {{ email }} "))
        .collect();
    let res = app
        .gql_as(&admin, &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(res.error_code(), Some("QUERY_TOO_COMPLEX"), "{}", res.body);

    let few: String = (0..5)
        .map(|i| format!("a{i}: viewer {{ email }} "))
        .collect();
    let res = app.gql_as(&admin, &format!("{{ {few} }}"), json!({})).await;
    assert_eq!(res.data()["a4"]["email"], "admin@acme.test");
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.cors_origins = vec!["https://plan.example".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let ok = preflight("https://plan.example").await.unwrap();
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "https://plan.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    app.handle.stop(false).await;
}

/// One series of the Prometheus text at `/metrics`, summed over its labels, or only
/// those whose labels contain `with`.
async fn metric(app: &TestApp, name: &str, with: &str) -> f64 {
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(series, _)| series.split('{').next() == Some(name) && series.contains(with))
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .sum()
}

async fn metrics_count_requests_errors_and_sql_statements(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let requests = metric(&app, "northstar_graphql_requests_total", "").await;
    let statements = metric(&app, "northstar_db_statements_total", "").await;
    let unauthenticated = metric(&app, "northstar_graphql_errors_total", "UNAUTHENTICATED").await;

    let res = app
        .gql(Some(&admin.token), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(res.data()["viewer"]["email"], "admin@acme.test");
    let res = app.gql(None, "{ viewer { email } }", json!({})).await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));

    assert_eq!(
        metric(&app, "northstar_graphql_requests_total", "").await,
        requests + 2.0
    );
    assert_eq!(
        metric(&app, "northstar_graphql_errors_total", "UNAUTHENTICATED").await,
        unauthenticated + 1.0
    );
    // The signed-in request read its user at least.
    assert!(metric(&app, "northstar_db_statements_total", "").await > statements);
    assert!(metric(&app, "northstar_graphql_request_duration_seconds_count", "").await >= 2.0);
}

/// The token is checked when a request arrives, but the user's row is read only when a
/// resolver needs the caller: `{ __typename }` costs no statement, with a valid token,
/// an invalid one or none. What needs the caller still checks it.
async fn a_request_that_needs_no_caller_reads_nothing(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let before = metric(&app, "northstar_db_statements_total", "").await;
    for token in [Some(admin.token.as_str()), Some("not-a-token"), None] {
        for _ in 0..2 {
            let res = app.gql(token, "{ __typename }", json!({})).await;
            assert_eq!(res.data()["__typename"], "Query", "{}", res.body);
        }
    }
    assert_eq!(
        metric(&app, "northstar_db_statements_total", "").await,
        before,
        "no statement ran"
    );

    let res = app
        .gql(Some("not-a-token"), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{}", res.body);
    let res = app
        .gql(
            Some(&admin.token),
            "{ __typename viewer { email } }",
            json!({}),
        )
        .await;
    assert_eq!(res.data()["viewer"]["email"], "admin@acme.test");
    assert!(metric(&app, "northstar_db_statements_total", "").await > before);
}

/// Documents sent over WebSocket meet the limits of those sent over HTTP.
async fn queries_over_websocket_meet_the_same_limits(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let aliases: String = (0..40).map(|i| format!("a{i}: __typename ")).collect();
    let mut sub = Subscription::start(
        &app.address,
        &admin.token,
        &format!("{{ {aliases} }}"),
        json!({}),
    )
    .await
    .expect("the connection is accepted");
    let msg = sub.next(10).await.expect("an answer");
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{msg}"
    );
    assert_eq!(msg["payload"]["data"], Value::Null, "{msg}");
}

crate::db_tests!(
    metrics_count_requests_errors_and_sql_statements,
    a_request_that_needs_no_caller_reads_nothing,
    queries_over_websocket_meet_the_same_limits,
    healthz_and_readyz_answer_while_the_database_does,
    readyz_is_503_when_the_database_does_not_answer,
    a_browser_gets_graphiql,
    queries_run_over_get_but_mutations_are_refused,
    an_oversized_body_is_refused_with_a_code,
    a_body_that_is_not_a_graphql_request_is_a_coded_400,
    parse_and_validation_errors_carry_bad_user_input,
    too_deep_or_alias_heavy_queries_are_query_too_complex,
);
