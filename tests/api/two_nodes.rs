//! Two server processes on one PostgreSQL database behave as one: a change made
//! through one reaches the subscribers of the other (LISTEN/NOTIFY).

use std::{process::Stdio, time::Duration};

use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::common::{fresh_postgres_database, postgres_url, Subscription};

/// A `northstar serve` process of its own.
pub(crate) struct Node {
    pub(crate) address: String,
    _child: Child,
}

const SECRET: &str = "two nodes share one secret, as a cluster would";

impl Node {
    pub(crate) async fn start(database_url: &str) -> Node {
        Self::start_with(database_url, &[]).await
    }

    /// A node started with more flags of `northstar serve`, e.g.
    /// `["--token-rate-limit", "3"]`.
    pub(crate) async fn start_with(database_url: &str, flags: &[&str]) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_northstar"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .args(flags)
            .env("NORTHSTAR_JWT_SECRET", SECRET)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the northstar binary starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    return digits.parse::<u16>().unwrap();
                }
            }
            panic!("the server exited before listening");
        })
        .await
        .expect("the server listens within a minute");
        // Keep draining its log so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Node {
            address: format!("http://127.0.0.1:{port}"),
            _child: child,
        }
    }

    /// `data` of a GraphQL request, after asserting there were no errors.
    pub(crate) async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = reqwest::Client::new()
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let body: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        body["data"].clone()
    }
}

const UPDATE: &str = r#"mutation($id: ID!, $title: String!) {
  updateRoadmapAlignment(input: {id: $id, title: $title}) { roadmapAlignment { title } } }"#;
const SUBSCRIBE: &str = r#"subscription($id: ID!) { roadmapAlignmentChanged(id: $id) {
  kind roadmapAlignment { title } } }"#;

#[tokio::test]
async fn two_server_processes_on_one_database_deliver_each_others_changes() {
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
    let token = data["registerOrganization"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = b
        .gql(
            Some(&token),
            r#"mutation { createRoadmapAlignment(input: {quarter: "2026-Q4", title: "Q4"}) { roadmapAlignment { id } } }"#,
            json!({}),
        )
        .await;
    let id = data["createRoadmapAlignment"]["roadmapAlignment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (listener, writer, title) in [(&a, &b, "Changed on B"), (&b, &a, "Changed on A")] {
        let mut sub =
            Subscription::start(&listener.address, &token, SUBSCRIBE, json!({ "id": id }))
                .await
                .unwrap();
        // Changes made before the subscription is live are not delivered: repeat the
        // change until one arrives.
        let e = sub
            .first_event(|| async {
                writer
                    .gql(Some(&token), UPDATE, json!({ "id": id, "title": title }))
                    .await;
            })
            .await;
        let ev = &e["payload"]["data"]["roadmapAlignmentChanged"];
        assert_eq!(ev["kind"], "UPDATED", "{e}");
        assert_eq!(ev["roadmapAlignment"]["title"], title, "{e}");
    }
}
