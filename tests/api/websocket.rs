//! GraphQL over WebSocket: the close codes of graphql-transport-ws, the older graphql-ws
//! subprotocol with its own rules, and subscriptions that end when their user is
//! deactivated, on every server. A raw client, so that every frame the server sends is
//! seen.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

use crate::{
    common::{fresh_postgres_database, Session, TestApp},
    two_nodes::Node,
};

pub(crate) const SUBSCRIBE: &str = r#"subscription($id: ID!) { roadmapAlignmentChanged(id: $id) {
  kind roadmapAlignment { title } } }"#;
const UPDATE: &str = r#"mutation($id: ID!, $title: String!) {
  updateRoadmapAlignment(input: {id: $id, title: $title}) { roadmapAlignment { title } } }"#;
const DEACTIVATE: &str =
    r#"mutation($id: ID!) { deactivateUser(input: {userId: $id}) { user { isActive } } }"#;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A client of `/graphql` over WebSocket that speaks whatever a test tells it to.
pub(crate) struct Socket(Ws);

impl Socket {
    /// Connects to the server at `address` (http://…) offering `protocol`.
    pub(crate) async fn connect(address: &str, protocol: &str) -> Self {
        let url = format!("{}/graphql", address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        let (ws, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the server accepts the WebSocket");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            protocol,
            "the server agrees on the subprotocol"
        );
        Self(ws)
    }

    /// A graphql-transport-ws socket.
    pub(crate) async fn open(app: &TestApp) -> Self {
        Self::connect(&app.address, "graphql-transport-ws").await
    }

    async fn send_text(&mut self, text: &str) {
        self.0.send(Message::text(text)).await.unwrap();
    }

    pub(crate) async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    /// Sends `connection_init` with `token` and waits for `connection_ack`.
    pub(crate) async fn init(&mut self, token: &str) {
        self.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
            .await;
        let ack = self.message().await.expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    pub(crate) async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next message from the server within 10 seconds; `None` once it closed.
    pub(crate) async fn message(&mut self) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .expect("the server answers within 10 seconds")?
                .ok()?;
            match frame {
                Message::Text(t) => return Some(serde_json::from_str(&t).unwrap()),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Runs `trigger` until a message arrives, and returns it. An operation starts
    /// asynchronously after `subscribe`, and a change made before then is (rightly) not
    /// delivered; this waits until the subscription is live.
    pub(crate) async fn first_message<F, Fut>(&mut self, mut trigger: F) -> Value
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        for _ in 0..15 {
            trigger().await;
            if let Ok(message) = tokio::time::timeout(Duration::from_secs(2), self.message()).await
            {
                return message.expect("a message, not the end of the socket");
            }
        }
        panic!("nothing arrived after 15 changes");
    }

    /// Reads until the server closes the socket (within 10 seconds): the close frame's
    /// code and reason, and the messages that came before it.
    pub(crate) async fn closed(&mut self) -> (u16, String, Vec<Value>) {
        let mut before = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .expect("the server closes the socket within 10 seconds")
                .expect("a close frame before the end of the stream")
                .expect("a readable frame");
            match frame {
                Message::Close(Some(f)) => return (f.code.into(), f.reason.to_string(), before),
                Message::Close(None) => panic!("a close frame without a code"),
                Message::Text(t) => before.push(serde_json::from_str(&t).unwrap()),
                _ => continue,
            }
        }
    }

    /// Sends `text` and expects the server to close the socket with `code`: returns the
    /// reason.
    async fn expect_close(&mut self, text: &str, code: u16) -> String {
        self.send_text(text).await;
        let (got, reason, before) = self.closed().await;
        assert_eq!(
            got, code,
            "close code after {text} (reason {reason:?}, after {before:?})"
        );
        reason
    }
}

/// An admin's organisation with a roadmap session to subscribe to.
async fn session(app: &TestApp) -> (Session, String) {
    let admin = app.register_org("Acme").await;
    let res = app
        .gql_as(
            &admin,
            r#"mutation { createRoadmapAlignment(input: {quarter: "2026-Q4", title: "Q4"}) { roadmapAlignment { id } } }"#,
            json!({}),
        )
        .await;
    let id = res.data()["createRoadmapAlignment"]["roadmapAlignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (admin, id)
}

async fn update(app: &TestApp, who: &Session, alignment: &str, title: &str) {
    app.gql_as(who, UPDATE, json!({ "id": alignment, "title": title }))
        .await
        .data();
}

/// Asserts that the socket closes with 4403 after an UNAUTHENTICATED `error` for each of
/// the operations `ids`, and nothing after the first of them.
pub(crate) async fn assert_revoked(ws: &mut Socket, ids: &[&str]) {
    let (code, reason, before) = ws.closed().await;
    assert_eq!(
        (code, reason.as_str()),
        (4403, "Forbidden: access revoked"),
        "{before:?}"
    );
    let first_error = before
        .iter()
        .position(|m| m["type"] == "error")
        .unwrap_or(before.len());
    let errors = &before[first_error..];
    let mut ended: Vec<&str> = errors.iter().map(|m| m["id"].as_str().unwrap()).collect();
    ended.sort();
    assert_eq!(ended, ids, "{before:?}");
    for e in errors {
        assert_eq!(e["type"], "error", "{before:?}");
        assert_eq!(
            e["payload"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{e}"
        );
    }
}

async fn messages_that_break_the_protocol_close_the_socket_with_4400(app: TestApp) {
    let admin = app.register_org("Acme").await;
    // Before connection_init: invalid JSON is refused as such, not as unauthorised.
    let mut ws = Socket::open(&app).await;
    let reason = ws.expect_close("{not json", 4400).await;
    assert!(reason.contains("not JSON"), "{reason}");

    for message in [
        "[]",
        r#"{"payload":{}}"#,
        r#"{"type":"hello"}"#,
        r#"{"type":"start","id":"1","payload":{"query":"{ viewer { id } }"}}"#,
        r#"{"type":"next","id":"1","payload":{}}"#,
        r#"{"type":"subscribe","payload":{"query":"{ viewer { id } }"}}"#,
        r#"{"type":"subscribe","id":"1"}"#,
        r#"{"type":"subscribe","id":"1","payload":{"variables":{}}}"#,
        r#"{"type":"subscribe","id":"1","payload":{"query":"{ viewer { id } }","variables":"x"}}"#,
        r#"{"type":"complete"}"#,
        r#"{"type":"ping","payload":"x"}"#,
    ] {
        let mut ws = Socket::open(&app).await;
        ws.init(&admin.token).await;
        let reason = ws.expect_close(message, 4400).await;
        assert!(
            reason.starts_with("Invalid message received"),
            "{message}: {reason}"
        );
    }
}

async fn a_subscribe_before_the_acknowledgement_closes_the_socket_with_4401(app: TestApp) {
    let mut ws = Socket::open(&app).await;
    let reason = ws
        .expect_close(
            r#"{"id":"1","type":"subscribe","payload":{"query":"{ viewer { id } }"}}"#,
            4401,
        )
        .await;
    assert_eq!(reason, "Unauthorized");
}

async fn a_refused_connection_init_closes_the_socket_with_4403(app: TestApp) {
    for init in [
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } }),
        json!({ "type": "connection_init" }),
    ] {
        let mut ws = Socket::open(&app).await;
        let reason = ws.expect_close(&init.to_string(), 4403).await;
        assert!(reason.starts_with("Forbidden"), "{init}: {reason}");
    }
}

async fn a_socket_without_connection_init_closes_with_4408_and_one_with_it_stays(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let mut ready = Socket::open(&app).await;
    ready.init(&admin.token).await;
    let started = std::time::Instant::now();
    let mut silent = Socket::open(&app).await;
    let (code, reason, _) = silent.closed().await;
    assert_eq!(
        (code, reason.as_str()),
        (4408, "Connection initialisation timeout")
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The socket that sent connection_init outlived the timeout, and still answers.
    ready.send(json!({ "type": "ping" })).await;
    assert_eq!(ready.message().await, Some(json!({ "type": "pong" })));
}

async fn a_subscribe_with_the_id_of_a_running_operation_closes_the_socket_with_4409(app: TestApp) {
    let (admin, alignment) = session(&app).await;
    let mut ws = Socket::open(&app).await;
    ws.init(&admin.token).await;
    // A finished operation frees its id.
    for _ in 0..2 {
        ws.subscribe("q", "{ viewer { email } }", json!({})).await;
        let next = ws.message().await.unwrap();
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(next["payload"]["data"]["viewer"]["email"], admin.email);
        assert_eq!(
            ws.message().await,
            Some(json!({ "id": "q", "type": "complete" }))
        );
    }
    ws.subscribe("1", SUBSCRIBE, json!({ "id": alignment }))
        .await;
    let subscribe_again = json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "id": alignment } } });
    let reason = ws.expect_close(&subscribe_again.to_string(), 4409).await;
    assert_eq!(reason, "Subscriber for 1 already exists");
}

async fn a_second_connection_init_closes_the_socket_with_4429(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let mut ws = Socket::open(&app).await;
    ws.init(&admin.token).await;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", admin.token) } });
    let reason = ws.expect_close(&init.to_string(), 4429).await;
    assert_eq!(reason, "Too many initialisation requests");
}

async fn a_client_without_a_graphql_subprotocol_is_refused(app: TestApp) {
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let err = tokio_tungstenite::connect_async(url)
        .await
        .expect_err("no subprotocol, no socket");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(resp) => {
            assert_eq!(resp.status().as_u16(), 400)
        }
        other => panic!("expected a 400, got {other:?}"),
    }
}

async fn the_older_graphql_ws_protocol_still_serves_subscriptions(app: TestApp) {
    let (admin, alignment) = session(&app).await;
    let mut ws = Socket::connect(&app.address, "graphql-ws").await;
    ws.init(&admin.token).await;
    ws.send(json!({ "id": "1", "type": "start", "payload": { "query": SUBSCRIBE, "variables": { "id": alignment } } }))
        .await;
    let data = ws
        .first_message(|| update(&app, &admin, &alignment, "Q4"))
        .await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["id"], "1", "{data}");
    assert_eq!(
        data["payload"]["data"]["roadmapAlignmentChanged"]["kind"], "UPDATED",
        "{data}"
    );
    ws.send(json!({ "id": "1", "type": "stop" })).await;
    assert_eq!(
        ws.message().await,
        Some(json!({ "id": "1", "type": "complete" }))
    );

    // Its own rule: a refused connection_init is a connection_error message, then the close.
    let mut refused = Socket::connect(&app.address, "graphql-ws").await;
    refused
        .send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nope" } }))
        .await;
    let (code, _, before) = refused.closed().await;
    assert_eq!(code, 4403);
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0]["type"], "connection_error", "{before:?}");
    assert!(before[0]["payload"]["message"].is_string(), "{before:?}");
}

async fn a_deactivated_users_subscriptions_end_at_once_and_others_stay(app: TestApp) {
    let (admin, alignment) = session(&app).await;
    let mia = app
        .add_user(&admin, "Mia Member", "ENGINEERING", "MEMBER")
        .await;
    let olga = app.add_user(&admin, "Olga Other", "DESIGN", "MEMBER").await;
    let vars = json!({ "id": alignment });

    let mut mias = Socket::open(&app).await;
    mias.init(&mia.token).await;
    mias.subscribe("1", SUBSCRIBE, vars.clone()).await;
    mias.subscribe("2", SUBSCRIBE, vars.clone()).await;
    let mut olgas = Socket::open(&app).await;
    olgas.init(&olga.token).await;
    olgas.subscribe("1", SUBSCRIBE, vars.clone()).await;
    // Every subscription is live once a change reaches it.
    let mut live = std::collections::BTreeSet::new();
    while live.len() < 2 {
        let m = mias
            .first_message(|| update(&app, &admin, &alignment, "Live"))
            .await;
        assert_eq!(m["type"], "next", "{m}");
        live.insert(m["id"].as_str().unwrap().to_owned());
    }
    let m = olgas
        .first_message(|| update(&app, &admin, &alignment, "Live"))
        .await;
    assert_eq!(m["type"], "next", "{m}");

    app.gql_as(&admin, DEACTIVATE, json!({ "id": mia.user_id }))
        .await
        .data();
    assert_revoked(&mut mias, &["1", "2"]).await;

    // Another user's subscription goes on.
    update(&app, &admin, &alignment, "After").await;
    loop {
        let m = olgas.message().await.expect("Olga's socket stays open");
        assert_eq!(m["type"], "next", "{m}");
        if m["payload"]["data"]["roadmapAlignmentChanged"]["roadmapAlignment"]["title"] == "After" {
            break;
        }
    }
}

#[tokio::test]
async fn deactivating_a_user_on_one_server_ends_their_subscriptions_on_another() {
    if crate::common::postgres_url().is_none() {
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
    let data = a
        .gql(
            Some(&admin),
            r#"mutation { createRoadmapAlignment(input: {quarter: "2026-Q4", title: "Q4"}) { roadmapAlignment { id } } }"#,
            json!({}),
        )
        .await;
    let alignment = data["createRoadmapAlignment"]["roadmapAlignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = a
        .gql(
            Some(&admin),
            r#"mutation { inviteUser(input: {email: "mia@acme.test", displayName: "Mia",
                discipline: ENGINEERING, orgRole: MEMBER}) { inviteToken user { id } } }"#,
            json!({}),
        )
        .await;
    let mia_id = data["inviteUser"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let invite = data["inviteUser"]["inviteToken"].as_str().unwrap();
    let data = a
        .gql(
            None,
            r#"mutation($t: String!) { acceptInvite(input: {inviteToken: $t, password: "another good password"}) { accessToken } }"#,
            json!({ "t": invite }),
        )
        .await;
    let mia = data["acceptInvite"]["accessToken"].as_str().unwrap();

    // Mia listens on B; the admin works on A.
    let mut ws = Socket::connect(&b.address, "graphql-transport-ws").await;
    ws.init(mia).await;
    ws.subscribe("1", SUBSCRIBE, json!({ "id": alignment }))
        .await;
    let m = ws
        .first_message(|| async {
            a.gql(
                Some(&admin),
                UPDATE,
                json!({ "id": alignment, "title": "Live" }),
            )
            .await;
        })
        .await;
    assert_eq!(m["type"], "next", "{m}");

    a.gql(Some(&admin), DEACTIVATE, json!({ "id": mia_id }))
        .await;
    assert_revoked(&mut ws, &["1"]).await;
}

#[tokio::test]
async fn a_revocation_lost_while_the_listener_was_away_is_caught_up_when_it_is_back() {
    use sea_orm::ConnectionTrait;
    let Some(app) = TestApp::spawn_postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: skipped (it needs PostgreSQL)");
        return;
    };
    let (admin, alignment) = session(&app).await;
    let mia = app
        .add_user(&admin, "Mia Member", "ENGINEERING", "MEMBER")
        .await;
    let mut ws = Socket::open(&app).await;
    ws.init(&mia.token).await;
    ws.subscribe("1", SUBSCRIBE, json!({ "id": alignment }))
        .await;
    let m = ws
        .first_message(|| update(&app, &admin, &alignment, "Live"))
        .await;
    assert_eq!(m["type"], "next", "{m}");

    // Mia is deactivated behind the server's back: no revocation is published, as when
    // its notification is lost. Then the server's listener loses its connection.
    app.db
        .execute_unprepared(&format!(
            r#"UPDATE "user" SET deactivated_at = now(), token_version = token_version + 1
               WHERE email = '{}'"#,
            mia.email
        ))
        .await
        .unwrap();
    let killed = app
        .db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert_eq!(killed.rows_affected(), 1, "the listener's connection");
    assert_revoked(&mut ws, &["1"]).await;
}

crate::db_tests!(
    messages_that_break_the_protocol_close_the_socket_with_4400,
    a_subscribe_before_the_acknowledgement_closes_the_socket_with_4401,
    a_refused_connection_init_closes_the_socket_with_4403,
    a_socket_without_connection_init_closes_with_4408_and_one_with_it_stays,
    a_subscribe_with_the_id_of_a_running_operation_closes_the_socket_with_4409,
    a_second_connection_init_closes_the_socket_with_4429,
    a_client_without_a_graphql_subprotocol_is_refused,
    the_older_graphql_ws_protocol_still_serves_subscriptions,
    a_deactivated_users_subscriptions_end_at_once_and_others_stay,
);
