//! Incremental reads: a sync pages by `(updatedAt, id)` from `updatedSince` and misses
//! nothing that changes while it pages.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use super::{initiative_item, Org, BULK_INITIATIVES, UPSERT_INITIATIVE};
use crate::common::TestApp;

const SYNC_PAGE: &str = r#"
query($since: DateTime, $after: String) {
  initiatives(first: 7, after: $after, filter: { updatedSince: $since },
              orderBy: { field: UPDATED_AT, direction: ASC }) {
    nodes { id title updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}"#;

/// One sync round from `since`: every page, as (id → title) and the latest
/// `updatedAt` seen; `between` runs after each page (the planning tool changing rows).
async fn sync_round(
    app: &TestApp,
    token: &str,
    since: Option<&str>,
    mut between: impl FnMut(usize) -> Option<Value>,
) -> (HashMap<String, String>, Option<String>) {
    let mut seen = HashMap::new();
    let mut latest: Option<String> = since.map(str::to_owned);
    let mut after: Option<String> = None;
    for page in 0.. {
        let res = app
            .gql(
                Some(token),
                SYNC_PAGE,
                json!({ "since": since, "after": after }),
            )
            .await;
        let list = &res.data()["initiatives"];
        for n in list["nodes"].as_array().unwrap() {
            seen.insert(
                n["id"].as_str().unwrap().to_owned(),
                n["title"].as_str().unwrap().to_owned(),
            );
            let at = n["updatedAt"].as_str().unwrap().to_owned();
            if latest.as_ref().is_none_or(|l| at > *l) {
                latest = Some(at);
            }
        }
        if let Some(change) = between(page) {
            app.gql(Some(token), UPSERT_INITIATIVE, json!({ "input": change }))
                .await
                .data();
        }
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    (seen, latest)
}

async fn a_sync_paging_by_updated_at_misses_nothing_that_changes_meanwhile(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = org.token(&app, &["READ", "INITIATIVES_WRITE"]).await;
    let batch: Vec<Value> = (0..30)
        .map(|i| initiative_item(&org.squad, &format!("PAY-{i}"), &format!("v1 {i}")))
        .collect();
    let res = app
        .gql(Some(&token), BULK_INITIATIVES, json!({ "items": batch }))
        .await;
    let ids: Vec<String> = res.data()["bulkUpsertInitiatives"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["initiative"]["id"].as_str().unwrap().to_owned())
        .collect();

    // While the first round pages, the tool renames an item already read (0) and one
    // not read yet (29), and adds a new one.
    let changes = [
        initiative_item(&org.squad, "PAY-0", "v2 0"),
        initiative_item(&org.squad, "PAY-29", "v2 29"),
        initiative_item(&org.squad, "PAY-NEW", "v1 new"),
    ];
    let (seen, latest) = sync_round(&app, &token, None, |page| changes.get(page).cloned()).await;
    let all: HashSet<&String> = ids.iter().collect();
    assert!(
        all.iter().all(|id| seen.contains_key(*id)),
        "every initiative read at least once"
    );
    assert_eq!(seen.len(), 31, "and the new one too");
    assert_eq!(
        seen[&ids[29]], "v2 29",
        "a row changed before it was read is read changed"
    );
    assert_eq!(
        seen[&ids[0]], "v2 0",
        "a row changed after it was read moves to the end of the order and is read again"
    );

    // The next round, from the latest `updatedAt` seen, reads only what changed since.
    app.gql(
        Some(&token),
        UPSERT_INITIATIVE,
        json!({ "input": initiative_item(&org.squad, "PAY-5", "v2 5") }),
    )
    .await
    .data();
    let (next, _) = sync_round(&app, &token, latest.as_deref(), |_| None).await;
    assert_eq!(next.get(&ids[5]).map(String::as_str), Some("v2 5"));
    assert!(next.len() <= 3, "not everything again: {next:?}");
}

async fn every_synced_list_takes_updated_since_and_orders_by_updated_at(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let other = app.create_squad(&org.admin, &org.team, "Wallet").await;
    app.gql_as(
        &org.admin,
        "mutation($input: CreateDependencyInput!) { createDependency(input: $input) { dependency { id } } }",
        json!({ "input": { "fromSquadId": org.squad, "toSquadId": other,
                           "description": "Card vault API", "neededBy": "2026-12-20" } }),
    )
    .await
    .data();
    app.gql_as(
        &org.admin,
        "mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) { outcome { id } } }",
        json!({ "input": { "squadId": org.squad, "quarter": "2026-Q4", "title": "Faster checkout" } }),
    )
    .await
    .data();
    let before = "2000-01-01T00:00:00Z";
    let after = "2999-01-01T00:00:00Z";
    for (list, order) in [
        ("dependencies", "{ field: UPDATED_AT, direction: DESC }"),
        ("outcomes", "{ field: UPDATED_AT }"),
        ("kpis", "{ field: UPDATED_AT }"),
    ] {
        let q = format!(
            "query($since: DateTime) {{ {list}(filter: {{ updatedSince: $since }}, orderBy: {order}) {{ totalCount }} }}"
        );
        let all = app.gql_as(&org.admin, &q, json!({ "since": before })).await;
        let none = app.gql_as(&org.admin, &q, json!({ "since": after })).await;
        assert_eq!(all.data()[list]["totalCount"], 1, "{list} since long ago");
        assert_eq!(
            none.data()[list]["totalCount"],
            0,
            "{list} since the future"
        );
    }

    // Two initiatives; the older one changes last, so it comes last by updatedAt (and
    // first the other way), unlike the default order by creation.
    for (key, title) in [("PAY-1", "Older"), ("PAY-2", "Newer")] {
        app.gql_as(
            &org.admin,
            UPSERT_INITIATIVE,
            json!({ "input": initiative_item(&org.squad, key, title) }),
        )
        .await
        .data();
    }
    app.gql_as(
        &org.admin,
        UPSERT_INITIATIVE,
        json!({ "input": initiative_item(&org.squad, "PAY-1", "Older, renamed") }),
    )
    .await
    .data();
    let titles = |dir: &str| {
        format!("{{ initiatives(orderBy: {{ field: UPDATED_AT, direction: {dir} }}) {{ nodes {{ title }} }} }}")
    };
    let names = |res: &crate::common::Gql| -> Vec<String> {
        res.data()["initiatives"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let asc = app.gql_as(&org.admin, &titles("ASC"), json!({})).await;
    assert_eq!(names(&asc), ["Newer", "Older, renamed"]);
    let desc = app.gql_as(&org.admin, &titles("DESC"), json!({})).await;
    assert_eq!(names(&desc), ["Older, renamed", "Newer"]);
    let created = app
        .gql_as(&org.admin, "{ initiatives { nodes { title } } }", json!({}))
        .await;
    assert_eq!(
        names(&created),
        ["Older, renamed", "Newer"],
        "default: oldest first"
    );
    let since = app
        .gql_as(
            &org.admin,
            "query($s: DateTime) { initiatives(filter: { updatedSince: $s }) { totalCount } }",
            json!({ "s": after }),
        )
        .await;
    assert_eq!(since.data()["initiatives"]["totalCount"], 0);
}

crate::db_tests!(
    a_sync_paging_by_updated_at_misses_nothing_that_changes_meanwhile,
    every_synced_list_takes_updated_since_and_orders_by_updated_at,
);
