//! Every check-then-write runs in one transaction: what a write checks (a team is not
//! archived, a user is active) still holds when it commits. Each test changes the
//! checked row in a transaction of its own, held open while the request starts, and
//! commits it while the request waits: the request must see the change and refuse,
//! where a check made before the wait would have let the write through.

use std::time::Duration;

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::common::{Db, Gql, TestApp};

/// Posts `query` as `token` from a task of its own.
fn post(
    app: &TestApp,
    token: &str,
    query: &'static str,
    variables: serde_json::Value,
) -> impl std::future::Future<Output = Gql> + Send + 'static {
    let (client, url, token) = (
        app.client.clone(),
        format!("{}/graphql", app.address),
        token.to_owned(),
    );
    async move {
        let res = client
            .post(url)
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        Gql {
            status,
            body: res.json().await.unwrap(),
        }
    }
}

/// Runs `sql` in a write transaction that stays open while `request` starts, then
/// commits it, and returns what the request answered.
async fn with_row_changed_meanwhile(
    app: &TestApp,
    sql: &str,
    request: impl std::future::Future<Output = Gql> + Send + 'static,
) -> Gql {
    let txn = match app.db_kind {
        // SQLite: the write lock at once, as the server's own writes take it.
        Db::Sqlite => api::db::begin_write(&app.db).await.unwrap(),
        Db::Postgres => app.db.begin().await.unwrap(),
    };
    txn.execute_unprepared(sql).await.unwrap();
    let pending = tokio::spawn(request);
    // Long enough for the request to reach the row; if it has not, it reads the
    // committed change and refuses anyway, so the test cannot pass wrongly.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!pending.is_finished(), "the request waited for the row");
    txn.commit().await.unwrap();
    pending.await.unwrap()
}

const CREATE_SQUAD: &str = r#"mutation($t: ID!) {
    createSquad(input: { teamId: $t, name: "Checkout" }) { squad { id } } }"#;

async fn a_squad_is_not_created_in_a_team_archived_while_it_was_being_created(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Core").await;
    let res = with_row_changed_meanwhile(
        &app,
        "UPDATE team SET archived_at = '2026-01-01T00:00:00+00:00', version = version + 1 WHERE name = 'Core'",
        post(&app, &admin.token, CREATE_SQUAD, json!({ "t": team })),
    )
    .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("teamId"));
    let squads = app
        .gql_as(&admin, "{ squads { totalCount } }", json!({}))
        .await;
    assert_eq!(squads.data()["squads"]["totalCount"], 0, "{}", squads.body);
}

async fn a_user_deactivated_while_being_added_to_a_team_is_not_added(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Core").await;
    let pat = app.add_user(&admin, "Pat Lee", "PRODUCT", "MEMBER").await;
    let res = with_row_changed_meanwhile(
        &app,
        "UPDATE \"user\" SET deactivated_at = '2026-01-01T00:00:00+00:00', version = version + 1 WHERE display_name = 'Pat Lee'",
        post(
            &app,
            &admin.token,
            r#"mutation($t: ID!, $u: ID!) { addTeamMember(input: { teamId: $t, userId: $u }) { team { id } } }"#,
            json!({ "t": team, "u": pat.user_id }),
        ),
    )
    .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("userId"));
}

crate::db_tests!(
    a_squad_is_not_created_in_a_team_archived_while_it_was_being_created,
    a_user_deactivated_while_being_added_to_a_team_is_not_added,
);
