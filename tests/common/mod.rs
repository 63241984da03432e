//! The end-to-end test harness: the real server on port 0 with its own fresh database
//! per test (a temporary SQLite file, or a new PostgreSQL database under
//! `TEST_DATABASE_URL`), driven over HTTP. Beside it: the rows a test starts from
//! (`fixtures`), the cast of callers for permission tables (`cast`), and helpers to read
//! responses (`values`, `assertions`).

#![allow(dead_code)]

mod assertions;
mod cast;
mod fixtures;
mod values;

pub use assertions::{assert_bad_input, assert_code};
pub use cast::{denied, Cast, Who};
pub use values::{base64url, days_ago, global_id, id_of, instant, names, unknown_id};

use std::{sync::Once, time::Duration};

use api::{db::StatementCounter, Application, Config};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Defines, for each `async fn name(app: TestApp)`, a test on SQLite and one on
/// PostgreSQL. The PostgreSQL one creates its database on the server of
/// `TEST_DATABASE_URL`; when that is unset it passes without running (a laptop without
/// PostgreSQL), unless `NORTHSTAR_REQUIRE_POSTGRES` is set (to anything but `0`): then
/// it fails. `.ci/run` sets both whenever a PostgreSQL answers, so CI never passes a
/// PostgreSQL test it skipped.
///
/// `name => |config| …` runs the server of that test with the configuration the closure
/// adjusts (as [`TestApp::spawn_with`]); attributes before a name (`#[ignore = "…"]`)
/// apply to both of its tests.
#[macro_export]
macro_rules! db_tests {
    (@tweak) => { |_: &mut ::api::Config| {} };
    (@tweak $tweak:expr) => { $tweak };
    ($($(#[$meta:meta])* $name:ident $(=> $tweak:expr)?),* $(,)?) => { $(
        mod $name {
            #[tokio::test]
            $(#[$meta])*
            async fn sqlite() {
                let app = $crate::common::TestApp::spawn_with(
                    $crate::common::Db::Sqlite,
                    $crate::db_tests!(@tweak $($tweak)?),
                )
                .await;
                let handle = app.handle.clone();
                super::$name(app).await;
                handle.stop(false).await;
            }
            #[tokio::test]
            $(#[$meta])*
            async fn postgres() {
                let Some(app) = $crate::common::TestApp::spawn_postgres_with(
                    $crate::db_tests!(@tweak $($tweak)?),
                )
                .await
                else {
                    eprintln!("TEST_DATABASE_URL is not set: skipped on PostgreSQL");
                    return;
                };
                let handle = app.handle.clone();
                super::$name(app).await;
                handle.stop(false).await;
            }
        }
    )* };
}

static TRACING: Once = Once::new();

fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            api::telemetry::init("info,sqlx=warn");
        }
    });
}

/// A running server and a client for it.
pub struct TestApp {
    pub db_kind: Db,
    pub address: String,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    pub db: DatabaseConnection,
    pub handle: actix_web::dev::ServerHandle,
    /// The server's configuration (its database URL, for a second server on it).
    pub config: Config,
    _dir: Option<tempfile::TempDir>,
}

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub refresh_token: String,
    pub user_id: String,
    pub email: String,
}

/// A GraphQL response, with its HTTP status.
#[derive(Debug, Clone)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    /// `data`, after asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// The first error's `extensions.field`.
    pub fn error_field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }

    /// The first error's message.
    pub fn error_message(&self) -> Option<&str> {
        self.body["errors"][0]["message"].as_str()
    }

    /// `Ok(())` without errors, else `Err(code)`: what permission tables compare.
    pub fn outcome(&self) -> Result<(), String> {
        match self.body.get("errors") {
            None => Ok(()),
            Some(_) => Err(self.error_code().unwrap_or("<no code>").to_owned()),
        }
    }
}

fn base_config(url: String) -> Config {
    let mut config = Config::new(url);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.workers = Some(1);
    config.db_max_connections = 4;
    config.jwt_secret = Some("test secret test secret test secret!".to_owned().into());
    config
}

impl TestApp {
    /// A server on a fresh database of `kind` (panics for PostgreSQL without
    /// `TEST_DATABASE_URL`; use [`TestApp::spawn_postgres`]).
    pub async fn spawn(kind: Db) -> Self {
        match kind {
            Db::Sqlite => Self::spawn_with(Db::Sqlite, |_| {}).await,
            Db::Postgres => Self::spawn_postgres()
                .await
                .expect("TEST_DATABASE_URL is set"),
        }
    }

    /// A server on a fresh PostgreSQL database, when `TEST_DATABASE_URL` is set; see
    /// [`postgres_url`] for when it is not.
    pub async fn spawn_postgres() -> Option<Self> {
        Self::spawn_postgres_with(|_| {}).await
    }

    /// [`TestApp::spawn_postgres`], with the configuration `tweak` adjusts.
    pub async fn spawn_postgres_with(tweak: impl FnOnce(&mut Config)) -> Option<Self> {
        postgres_url()?;
        Some(Self::spawn_with(Db::Postgres, tweak).await)
    }

    /// A server whose configuration `tweak` adjusts.
    pub async fn spawn_with(kind: Db, tweak: impl FnOnce(&mut Config)) -> Self {
        init_tracing();
        let (url, dir) = match kind {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                (url, Some(dir))
            }
            Db::Postgres => (fresh_postgres_database().await, None),
        };
        let mut config = base_config(url);
        tweak(&mut config);
        let app = Application::build(config.clone())
            .await
            .expect("server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let statements = app.statements();
        let db = app.db();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Self {
            db_kind: kind,
            address,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            statements,
            db,
            handle,
            config,
            _dir: dir,
        }
    }

    /// A second server on `app`'s database (with `app`'s configuration), as another
    /// node of a cluster would be.
    pub async fn on_same_database(app: &TestApp) -> Self {
        let built = Application::build(app.config.clone())
            .await
            .expect("server builds");
        let address = format!("http://127.0.0.1:{}", built.port());
        let statements = built.statements();
        let db = built.db();
        let handle = built.handle();
        tokio::spawn(built.run_until_stopped());
        Self {
            db_kind: app.db_kind,
            address,
            client: app.client.clone(),
            statements,
            db,
            handle,
            config: app.config.clone(),
            _dir: None,
        }
    }

    /// POSTs a GraphQL request, with a bearer token when given.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request is sent");
        let status = resp.status().as_u16();
        let body = resp.json().await.expect("response is JSON");
        Gql { status, body }
    }

    /// `gql` as a signed-in caller.
    pub async fn gql_as(&self, who: &Session, query: &str, variables: Value) -> Gql {
        self.gql(Some(&who.token), query, variables).await
    }

    /// A GET request to `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request is sent")
    }
}

/// `TEST_DATABASE_URL`: the PostgreSQL server (and a database on it to connect to)
/// where PostgreSQL tests create their databases. `None` when it is unset (or empty):
/// the caller skips its PostgreSQL test.
///
/// # Panics
/// When `TEST_DATABASE_URL` is unset but `NORTHSTAR_REQUIRE_POSTGRES` is set (to
/// anything but `0`): a run that requires PostgreSQL must not pass by skipping it.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty());
    let required =
        std::env::var("NORTHSTAR_REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(
        url.is_some() || !required,
        "NORTHSTAR_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not: this PostgreSQL \
         test may not be skipped. Set TEST_DATABASE_URL (e.g. \
         postgres://postgres@127.0.0.1:5432/postgres), or unset NORTHSTAR_REQUIRE_POSTGRES \
         to test on SQLite only."
    );
    url
}

/// Creates `northstar_t_<random>` on the server of `TEST_DATABASE_URL` and returns
/// its URL. `.ci/run` drops these databases before and after a run.
pub async fn fresh_postgres_database() -> String {
    let base = postgres_url().expect("TEST_DATABASE_URL is set");
    let (server, _db) = base.rsplit_once('/').expect("URL with a database name");
    let name = format!("northstar_t_{}", uuid::Uuid::new_v4().simple());
    let admin: DatabaseConnection = Database::connect(base.clone())
        .await
        .expect("TEST_DATABASE_URL answers");
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await
        .expect("test database is created");
    admin.close().await.ok();
    format!("{server}/{name}")
}

/// A GraphQL subscription over WebSocket (graphql-transport-ws).
pub struct Subscription {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Subscription {
    /// Connects to `address` (http://…), authenticates with `token` in
    /// `connection_init`, and subscribes with `query`. Returns the first message that is
    /// not an acknowledgement when the server refuses.
    pub async fn start(
        address: &str,
        token: &str,
        query: &str,
        variables: Value,
    ) -> Result<Self, String> {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
        let url = format!("{}/graphql", address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
        ws.send(Message::text(init.to_string())).await.unwrap();
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.contains("connection_ack") => {}
            other => return Err(format!("no connection_ack: {other:?}")),
        }
        let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
        ws.send(Message::text(sub.to_string())).await.unwrap();
        Ok(Self { ws })
    }

    /// Runs `trigger` until the subscription delivers its first message, and returns it.
    /// The server starts a subscription asynchronously after `subscribe`, and a change
    /// made before then is (rightly) not delivered; this waits until it is live.
    pub async fn first_event<F, Fut>(&mut self, mut trigger: F) -> Value
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        for _ in 0..15 {
            trigger().await;
            if let Some(v) = self.next(2).await {
                return v;
            }
        }
        panic!("the subscription delivered nothing after 15 changes");
    }

    /// The next message for the subscription (`next`, `error` or `complete`), within
    /// `secs` seconds.
    pub async fn next(&mut self, secs: u64) -> Option<Value> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).ok()?;
                match v["type"].as_str() {
                    Some("next" | "error" | "complete") => return Some(v),
                    _ => continue,
                }
            }
        }
    }
}
