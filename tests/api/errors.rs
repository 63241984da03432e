//! The error contract over HTTP: every error has a code from the one list, a request
//! that never ran has no `data`, limits say which limit and by how much, a timeout has
//! its own code, and a POST body must be JSON.

use serde_json::{json, Value};

use crate::common::{Db, Subscription, TestApp};

/// POSTs `body` with `content_type` (none when `None`) and `accept`.
async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    accept: &str,
    body: &str,
) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", accept)
        .body(body.to_owned());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

const JSON: &str = "application/json";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// `{ viewer { teams { nodes { team { members { nodes { user … { email } } } } } } } }`:
/// a valid query 2 + 6 × `levels` fields deep.
fn deep_query(levels: usize) -> String {
    format!(
        "{{ viewer{} {{ email }}{} }}",
        " { teams { nodes { team { members { nodes { user".repeat(levels),
        " } } } } } }".repeat(levels)
    )
}

async fn a_request_that_never_ran_has_no_data_entry(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let deep = deep_query(2);
    for (what, query) in [
        ("does not parse", "{ viewer { ".to_owned()),
        ("is not valid", "{ viewer { nope } }".to_owned()),
        ("breaks a limit", deep),
        (
            "holds a NUL",
            r#"{ teams(filter: { nameContains: "a\u0000" }) { totalCount } }"#.to_owned(),
        ),
    ] {
        for accept in [JSON, GRAPHQL_RESPONSE] {
            let res = app
                .client
                .post(format!("{}/graphql", app.address))
                .header("accept", accept)
                .bearer_auth(&admin.token)
                .json(&json!({ "query": query }))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            assert!(body.get("data").is_none(), "{what} ({accept}): {body}");
            assert!(
                body["errors"][0]["extensions"]["code"].is_string(),
                "{what}: {body}"
            );
            let want = if accept == JSON { 200 } else { 400 };
            assert_eq!(status, want, "{what} ({accept}): {body}");
        }
    }
    // Once execution started, `data` is there, null or not, errors or not.
    let res = app
        .gql(None, "{ __typename viewer { email } }", json!({}))
        .await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
    assert!(res.body.get("data").is_some(), "{}", res.body);
}

async fn a_post_without_a_json_content_type_is_415(app: TestApp) {
    let body = r#"{"query":"{ __typename }"}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let (status, res) = post_raw(&app, content_type, JSON, body).await;
        assert_eq!(status, 415, "{content_type:?}: {res}");
        assert_eq!(
            res["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{res}"
        );
        assert!(res.get("data").is_none(), "{res}");
    }
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/graphql+json",
    ] {
        let (status, res) = post_raw(&app, Some(content_type), JSON, body).await;
        assert_eq!(status, 200, "{content_type}: {res}");
        assert_eq!(res["data"]["__typename"], "Query", "{content_type}: {res}");
    }
}

async fn a_broken_limit_names_the_limit_its_maximum_and_the_query_s_measure(app: TestApp) {
    let admin = app.register_org("Acme").await;
    // 14 levels of fields, two more than the limit.
    let deep = deep_query(2);
    let res = app.gql_as(&admin, &deep, json!({})).await;
    let ext = &res.body["errors"][0]["extensions"];
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{}", res.body);
    assert_eq!(ext["limit"], "depth");
    assert_eq!(ext["max"], 12);
    assert_eq!(ext["actual"], 14);
    let res = app.gql_as(&admin, &deep_query(1), json!({})).await;
    assert!(
        res.body.get("errors").is_none(),
        "8 levels run: {}",
        res.body
    );

    // Every place a field appears counts: 10,001 times `viewer { id }` is 20,002.
    let fields = "viewer { id } ".repeat(10_001);
    let res = app
        .gql_as(&admin, &format!("{{ {fields} }}"), json!({}))
        .await;
    let ext = &res.body["errors"][0]["extensions"];
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{}", res.body);
    assert_eq!(ext["limit"], "complexity");
    assert_eq!(ext["max"], 20_000);

    // Fragments that spread the next one twice: 2^21 fields once expanded, refused
    // at the limit without expanding them all.
    let mut doc = String::from("{ viewer { ...F0 } }");
    for i in 0..20 {
        let n = i + 1;
        doc.push_str(&format!(" fragment F{i} on User {{ ...F{n} ...F{n} }}"));
    }
    doc.push_str(" fragment F20 on User { id email }");
    let res = app.gql_as(&admin, &doc, json!({})).await;
    let ext = &res.body["errors"][0]["extensions"];
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{}", res.body);
    assert_eq!(ext["limit"], "complexity");

    let cyclic = "{ viewer { ...A } } fragment A on User { ...B } fragment B on User { ...A }";
    let res = app.gql_as(&admin, cyclic, json!({})).await;
    let ext = &res.body["errors"][0]["extensions"];
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{}", res.body);
    assert_eq!(ext["limit"], "nesting");

    // The same over WebSocket.
    let mut sub = Subscription::start(&app.address, &admin.token, &deep, json!({}))
        .await
        .expect("the connection is accepted");
    let msg = sub.next(10).await.expect("an answer");
    let ext = &msg["payload"]["errors"][0]["extensions"];
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{msg}");
    assert_eq!(ext["limit"], "depth", "{msg}");
}

/// A request stopped by the timeout is TIMEOUT, not INTERNAL: it is no fault of the
/// server, and the client must read before it retries a write.
#[tokio::test]
async fn a_request_past_the_timeout_is_timeout_not_internal() {
    for db in [Db::Sqlite, Db::Postgres] {
        if db == Db::Postgres && crate::common::postgres_url().is_none() {
            continue;
        }
        // A zero time limit stops any request at its first wait for the database.
        let app = TestApp::spawn_with(db, |c| c.request_timeout_secs = 0).await;
        let login = json!({
            "query": r#"mutation { login(input: { email: "a@b.example", password: "pw-pw-pw-pw" }) { accessToken } }"#
        })
        .to_string();
        for (accept, want_status) in [(JSON, 200), (GRAPHQL_RESPONSE, 504)] {
            let (status, res) = post_raw(&app, Some(JSON), accept, &login).await;
            assert_eq!(
                res["errors"][0]["extensions"]["code"], "TIMEOUT",
                "{db:?}: {res}"
            );
            assert!(
                res["errors"][0]["extensions"].get("requestId").is_none(),
                "{res}"
            );
            assert!(res.get("data").is_none(), "{res}");
            assert_eq!(status, want_status, "{db:?} {accept}: {res}");
        }
        app.handle.stop(false).await;
    }
}

crate::db_tests!(
    a_request_that_never_ran_has_no_data_entry,
    a_post_without_a_json_content_type_is_415,
    a_broken_limit_names_the_limit_its_maximum_and_the_query_s_measure,
);
