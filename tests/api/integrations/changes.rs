//! The change feed (issue 13): `changes(since:, first:)`, oldest first from an opaque
//! cursor, with creations, updates, deletions and removed relations, who made them,
//! pages that visit every change once even while writers run, and a clear
//! BAD_USER_INPUT for a cursor it cannot serve.

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::{
    changes, create_token, revoke_token, Org, DELETE_MEASUREMENT, KPI_OWNER, LINK,
    REMOVE_KPI_OWNER, UNLINK, UPDATE_INITIATIVE,
};
use crate::common::{assert_bad_input, instant, Session, TestApp};

/// A change as the tests compare it: kind, type, id and related id.
type Entry = (String, String, String, Option<String>);

fn entry(change: &Value) -> Entry {
    (
        change["kind"].as_str().unwrap().to_owned(),
        change["type"].as_str().unwrap().to_owned(),
        change["id"].as_str().unwrap().to_owned(),
        change["relatedId"].as_str().map(str::to_owned),
    )
}

fn e(kind: &str, ty: &str, id: &str, related: Option<&str>) -> Entry {
    (
        kind.to_owned(),
        ty.to_owned(),
        id.to_owned(),
        related.map(str::to_owned),
    )
}

/// Every change after `since` the feed serves now, read `first` at a time, and the
/// cursor to go on from.
async fn drain(app: &TestApp, who: &str, since: Option<&str>, first: i64) -> (Vec<Value>, String) {
    let mut all = Vec::new();
    let mut since = since.map(str::to_owned);
    loop {
        let res = changes(app, who, since.as_deref(), Some(first)).await;
        let page = res.data()["changes"].clone();
        all.extend(page["nodes"].as_array().unwrap().iter().cloned());
        since = Some(page["cursor"].as_str().unwrap().to_owned());
        if page["hasMore"] != true {
            return (all, since.unwrap());
        }
    }
}

/// Follows the feed from `since` until what it read satisfies `enough`, as a sync job
/// polling it would, and returns what it read and the cursor after it.
///
/// On PostgreSQL a committed change shows once every write transaction that began
/// before it has ended, on the whole server (other tests' databases too), so it may
/// show a moment after its mutation answered; see
/// `a_write_transaction_left_open_elsewhere_on_the_server_does_not_stall_the_feed`.
async fn read_until(
    app: &TestApp,
    who: &str,
    since: Option<&str>,
    enough: impl Fn(&[Value]) -> bool,
) -> (Vec<Value>, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut all = Vec::new();
    let (more, mut cursor) = drain(app, who, since, 100).await;
    all.extend(more);
    while !enough(&all) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the feed did not catch up in 20 s: {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (more, next) = drain(app, who, Some(&cursor), 100).await;
        all.extend(more);
        cursor = next;
    }
    (all, cursor)
}

/// The next `n` changes after `since`.
async fn next_changes(app: &TestApp, who: &str, since: &str, n: usize) -> Vec<Value> {
    let (feed, _) = read_until(app, who, Some(since), |all| all.len() >= n).await;
    assert_eq!(feed.len(), n, "{feed:#?}");
    feed
}

/// A cursor past every change of the organisation so far: it makes one more (a team
/// named "Marker …") and follows the feed until that shows.
async fn settled_cursor(app: &TestApp, admin: &Session) -> String {
    let marker = app
        .create_team(admin, &format!("Marker {}", uuid::Uuid::new_v4()))
        .await;
    read_until(app, &admin.token, None, |all| {
        all.iter().any(|c| c["id"] == marker.as_str())
    })
    .await
    .1
}

async fn creations_updates_and_deletions_appear_in_the_order_they_happened(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let admin = org.admin.token.clone();
    let member = app
        .add_user(&org.admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    let since = settled_cursor(&app, &org.admin).await;

    let initiative = org.initiative(&app, &admin, "One-click pay").await;
    let update = json!({ "input": { "id": initiative, "title": "One-click checkout" } });
    app.gql(Some(&admin), UPDATE_INITIATIVE, update)
        .await
        .data();
    let link = json!({ "input": { "initiativeId": initiative, "outcomeId": org.outcome } });
    app.gql(Some(&admin), LINK, link.clone()).await.data();
    app.gql(Some(&admin), UNLINK, link).await.data();
    let owner = json!({ "input": { "kpiId": org.kpi, "userId": member.user_id } });
    app.gql(Some(&admin), KPI_OWNER, owner.clone()).await.data();
    app.gql(Some(&admin), REMOVE_KPI_OWNER, owner).await.data();
    let measurement = org.measure(&app, &admin, 50.0).await;
    app.gql(
        Some(&admin),
        DELETE_MEASUREMENT,
        json!({ "input": { "id": measurement } }),
    )
    .await
    .data();

    let feed = next_changes(&app, &admin, &since, 10).await;
    let got: Vec<Entry> = feed.iter().map(entry).collect();
    let (i, o, k, m, u) = (
        initiative.as_str(),
        org.outcome.as_str(),
        org.kpi.as_str(),
        measurement.as_str(),
        member.user_id.as_str(),
    );
    assert_eq!(
        got,
        [
            e("CREATED", "Initiative", i, None),
            e("UPDATED", "Initiative", i, None),
            e("CREATED", "InitiativeOutcome", i, Some(o)),
            e("DELETED", "InitiativeOutcome", i, Some(o)),
            e("CREATED", "KpiOwner", k, Some(u)),
            e("DELETED", "KpiOwner", k, Some(u)),
            // A measurement changes its KPI's latest value and attainment.
            e("CREATED", "KpiMeasurement", m, None),
            e("UPDATED", "Kpi", k, None),
            e("DELETED", "KpiMeasurement", m, None),
            e("UPDATED", "Kpi", k, None),
        ],
        "{feed:#?}"
    );
    for change in &feed {
        assert_eq!(
            change["changedBy"]["id"],
            org.admin.user_id.as_str(),
            "{change}"
        );
        assert_eq!(change["changedByToken"], Value::Null, "{change}");
        // The node is what the change is about (a relation's first end) as it is now;
        // a deleted measurement has none.
        if change["type"] == "KpiMeasurement" {
            assert_eq!(change["node"], Value::Null, "{change}");
        } else {
            assert_eq!(change["node"]["id"], change["id"], "{change}");
        }
    }
    for pair in feed.windows(2) {
        assert!(
            instant(&pair[0]["at"]) <= instant(&pair[1]["at"]),
            "{pair:?}"
        );
    }
}

async fn memberships_appear_as_relations_between_the_place_and_the_person(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let admin = org.admin.token.clone();
    let pat = app
        .add_user(&org.admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    let since = settled_cursor(&app, &org.admin).await;
    app.add_team_member(&org.admin, &org.team, &pat.user_id, "MEMBER")
        .await;
    app.add_team_member(&org.admin, &org.team, &pat.user_id, "LEAD")
        .await;
    let remove = json!({ "input": { "teamId": org.team, "userId": pat.user_id } });
    app.gql(
        Some(&admin),
        &super::mutation("removeTeamMember", "RemoveTeamMemberInput", "team { id }"),
        remove,
    )
    .await
    .data();
    app.add_squad_member(&org.admin, &org.squad, &pat.user_id, "MEMBER", 10)
        .await
        .data();
    let remove = json!({ "input": { "squadId": org.squad, "userId": pat.user_id } });
    app.gql(
        Some(&admin),
        &super::mutation(
            "removeSquadMember",
            "RemoveSquadMemberInput",
            "squad { id }",
        ),
        remove,
    )
    .await
    .data();

    let feed = next_changes(&app, &admin, &since, 5).await;
    let got: Vec<Entry> = feed.iter().map(entry).collect();
    let (team, squad, pat) = (
        org.team.as_str(),
        org.squad.as_str(),
        Some(pat.user_id.as_str()),
    );
    assert_eq!(
        got,
        [
            e("CREATED", "TeamMembership", team, pat),
            // A new role is a change of the relation.
            e("UPDATED", "TeamMembership", team, pat),
            e("DELETED", "TeamMembership", team, pat),
            e("CREATED", "SquadMembership", squad, pat),
            e("DELETED", "SquadMembership", squad, pat),
        ]
    );
}

async fn a_repeated_write_that_changes_nothing_adds_nothing_to_the_feed(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let admin = org.admin.token.clone();
    let pat = app
        .add_user(&org.admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    let initiative = org.initiative(&app, &admin, "One-click pay").await;
    let since = settled_cursor(&app, &org.admin).await;
    let mut measurement = Value::Null;
    for _ in 0..3 {
        let link = json!({ "input": { "initiativeId": initiative, "outcomeId": org.outcome } });
        app.gql(Some(&admin), LINK, link).await.data();
        let owner = json!({ "input": { "kpiId": org.kpi, "userId": pat.user_id } });
        app.gql(Some(&admin), KPI_OWNER, owner).await.data();
        let record = json!({ "input": { "kpiId": org.kpi, "value": 52.0,
            "externalRef": { "source": "amplitude", "id": "conv-2026-12-06" } } });
        let res = app.gql(Some(&admin), super::RECORD, record).await;
        measurement = res.data()["recordKpiMeasurement"]["measurement"]["id"].clone();
    }
    let marker = app.create_team(&org.admin, "Marker").await;
    let (feed, _) = read_until(&app, &admin, Some(&since), |all| {
        all.iter().any(|c| c["id"] == marker.as_str())
    })
    .await;
    let got: Vec<Entry> = feed.iter().map(entry).collect();
    let (i, o, k, u) = (
        initiative.as_str(),
        org.outcome.as_str(),
        org.kpi.as_str(),
        Some(pat.user_id.as_str()),
    );
    assert_eq!(
        got,
        [
            e("CREATED", "InitiativeOutcome", i, Some(o)),
            e("CREATED", "KpiOwner", k, u),
            e(
                "CREATED",
                "KpiMeasurement",
                measurement.as_str().unwrap(),
                None
            ),
            e("UPDATED", "Kpi", k, None),
            e("CREATED", "Team", &marker, None),
        ]
    );
}

async fn a_tokens_change_names_the_token_and_no_person(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = create_token(
        &app,
        &org.admin,
        "Jira sync",
        &["READ", "INITIATIVES_WRITE"],
    )
    .await;
    let since = settled_cursor(&app, &org.admin).await;
    let initiative = org.initiative(&app, &token.secret, "Saved cards").await;
    app.gql_as(
        &org.admin,
        UPDATE_INITIATIVE,
        json!({ "input": { "id": initiative, "title": "Saved cards, for real" } }),
    )
    .await
    .data();

    // The token reads the feed as an integration would.
    let feed = next_changes(&app, &token.secret, &since, 2).await;
    assert_eq!(feed[0]["kind"], "CREATED");
    assert_eq!(feed[0]["id"], initiative.as_str());
    assert_eq!(feed[0]["changedBy"], Value::Null);
    assert_eq!(feed[0]["changedByToken"], "Jira sync");
    assert_eq!(feed[1]["kind"], "UPDATED");
    assert_eq!(feed[1]["changedBy"]["id"], org.admin.user_id.as_str());
    assert_eq!(feed[1]["changedByToken"], Value::Null);

    // Revoked, the token is still named for what it did.
    revoke_token(&app, &org.admin.token, &token.id).await.data();
    let (feed, _) = drain(&app, &org.admin.token, Some(&since), 100).await;
    assert_eq!(feed.len(), 2, "{feed:#?}");
    assert_eq!(feed[0]["changedByToken"], "Jira sync");
}

async fn pages_of_first_visit_every_change_exactly_once(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let since = settled_cursor(&app, &admin).await;
    let mut teams = Vec::new();
    for n in 0..25 {
        teams.push(app.create_team(&admin, &format!("Team {n:02}")).await);
    }
    let all = next_changes(&app, &admin.token, &since, 25).await;
    let ids: Vec<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, teams, "oldest first");

    for first in [1, 5, 7, 25, 100] {
        let mut seen = Vec::new();
        let mut cursor = since.clone();
        let mut pages = 0;
        loop {
            let res = changes(&app, &admin.token, Some(&cursor), Some(first)).await;
            let page = res.data()["changes"].clone();
            let nodes = page["nodes"].as_array().unwrap();
            assert!(nodes.len() as i64 <= first, "first {first}: {page}");
            seen.extend(nodes.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
            cursor = page["cursor"].as_str().unwrap().to_owned();
            pages += 1;
            if page["hasMore"] != true {
                break;
            }
            assert_eq!(nodes.len() as i64, first, "a page before the last is full");
        }
        assert_eq!(seen, teams, "first {first}");
        assert_eq!(
            pages,
            (25 + first - 1) / first,
            "first {first}: no empty page"
        );
        // Past the end: nothing, and nothing more.
        let res = changes(&app, &admin.token, Some(&cursor), Some(first)).await;
        assert_eq!(res.data()["changes"]["nodes"], json!([]));
        assert_eq!(res.data()["changes"]["hasMore"], false);
    }
}

async fn a_cursor_from_when_nothing_changed_still_serves_the_changes_after_it(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let quiet = settled_cursor(&app, &admin).await;
    let res = changes(&app, &admin.token, Some(&quiet), None).await;
    let page = res.data()["changes"].clone();
    assert_eq!(page["nodes"], json!([]));
    assert_eq!(page["hasMore"], false);
    let quieter = page["cursor"].as_str().unwrap().to_owned();

    let team = app.create_team(&admin, "Payments").await;
    let mut after = String::new();
    for cursor in [&quiet, &quieter] {
        let (feed, next) =
            read_until(&app, &admin.token, Some(cursor), |all| !all.is_empty()).await;
        let got: Vec<Entry> = feed.iter().map(entry).collect();
        assert_eq!(got, [e("CREATED", "Team", &team, None)]);
        after = next;
    }
    // From the cursor after it: only what changed since.
    let search = app.create_team(&admin, "Search").await;
    let feed = next_changes(&app, &admin.token, &after, 1).await;
    let got: Vec<Entry> = feed.iter().map(entry).collect();
    assert_eq!(got, [e("CREATED", "Team", &search, None)]);
}

async fn a_cursor_or_page_size_it_cannot_serve_is_bad_input(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let good = settled_cursor(&app, &admin).await;
    for since in [
        "not a cursor".to_owned(),
        String::new(),
        crate::common::base64url(b"hello"),
        crate::common::base64url(br#"{"tx":"x","seq":1}"#),
        format!("{good}x"),
    ] {
        let res = changes(&app, &admin.token, Some(&since), None).await;
        assert_bad_input(&res, "since");
    }
    for first in [0, 101, -1] {
        let res = changes(&app, &admin.token, Some(&good), Some(first)).await;
        assert_bad_input(&res, "first");
    }
    for first in [1, 100] {
        changes(&app, &admin.token, Some(&good), Some(first))
            .await
            .data();
    }
}

async fn a_cursor_older_than_the_retention_window_is_bad_input(app: TestApp) {
    // Retention 0 days: every cursor is expired as soon as it is issued.
    let admin = app.register_org("Acme").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let cursor = loop {
        let res = changes(&app, &admin.token, None, None).await;
        let page = res.data()["changes"].clone();
        if !page["nodes"].as_array().unwrap().is_empty() {
            break page["cursor"].as_str().unwrap().to_owned();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the feed stays empty"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    let res = changes(&app, &admin.token, Some(&cursor), None).await;
    assert_bad_input(&res, "since");
    let message = res.error_message().unwrap();
    assert!(
        message.contains("again"),
        "tells the client to resync: {message}"
    );
}

async fn another_organisations_changes_never_appear(app: TestApp) {
    let acme = Org::new(&app, "Acme").await;
    let globex = Org::new(&app, "Globex").await;
    let acme_cursor = settled_cursor(&app, &acme.admin).await;
    globex
        .initiative(&app, &globex.admin.token, "Globex plan")
        .await;
    acme.initiative(&app, &acme.admin.token, "Acme plan").await;
    globex.measure(&app, &globex.admin.token, 1.0).await;

    let ids = |feed: &[Value]| -> Vec<String> {
        feed.iter()
            .flat_map(|c| [c["id"].as_str(), c["relatedId"].as_str()])
            .flatten()
            .map(str::to_owned)
            .collect()
    };
    let marker = |admin: &Session| {
        let admin = admin.clone();
        let app = &app;
        async move { app.create_team(&admin, "Marker").await }
    };
    let (acme_marker, globex_marker) = (marker(&acme.admin).await, marker(&globex.admin).await);
    let shows = |id: String| move |all: &[Value]| all.iter().any(|c| c["id"] == id.as_str());
    let acme_feed = read_until(&app, &acme.admin.token, None, shows(acme_marker))
        .await
        .0;
    let globex_token = create_token(&app, &globex.admin, "Globex sync", &["READ"]).await;
    let globex_feed = read_until(&app, &globex_token.secret, None, shows(globex_marker))
        .await
        .0;
    let acme_ids = ids(&acme_feed);
    let globex_ids = ids(&globex_feed);
    for id in [&globex.team, &globex.squad, &globex.kpi, &globex.outcome] {
        assert!(globex_ids.contains(id), "{id}");
        assert!(!acme_ids.contains(id), "Acme sees Globex's {id}");
    }
    for id in [&acme.team, &acme.squad, &acme.kpi, &acme.outcome] {
        assert!(acme_ids.contains(id), "{id}");
        assert!(!globex_ids.contains(id), "Globex sees Acme's {id}");
    }
    for c in &acme_feed {
        assert_ne!(c["changedBy"]["id"], globex.admin.user_id.as_str(), "{c}");
    }
    // Acme's cursor is no way into Globex's feed either.
    let (feed, _) = drain(&app, &globex_token.secret, Some(&acme_cursor), 100).await;
    for id in ids(&feed) {
        assert!(globex_ids.contains(&id), "{id} is not Globex's");
    }
}

async fn readers_paging_while_writers_run_see_every_change_exactly_once(app: TestApp) {
    const WRITERS: usize = 6;
    const EACH: usize = 20;
    let org = Org::new(&app, "Acme").await;
    let admin = org.admin.token.clone();
    let since = settled_cursor(&app, &org.admin).await;
    let done = AtomicBool::new(false);

    let writers = async {
        let created = join_all((0..WRITERS).map(|w| {
            let org = &org;
            let app = &app;
            let admin = &admin;
            async move {
                let mut ids = Vec::new();
                for n in 0..EACH {
                    ids.push(org.initiative(app, admin, &format!("W{w} #{n}")).await);
                }
                ids
            }
        }))
        .await;
        done.store(true, Ordering::SeqCst);
        created.into_iter().flatten().collect::<Vec<_>>()
    };
    // Each reader follows the feed on its own, as a sync job would, with its own page
    // size: each is one more chance to read between two commits.
    let reader = |first: i64| {
        let (app, admin, since, done) = (&app, &admin, &since, &done);
        async move {
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut cursor = since.clone();
            let mut reads = 0;
            let mut deadline = None;
            loop {
                // Once the writers are done, a reader goes on until it saw as many
                // initiatives as they made (a change may show a moment after its
                // mutation answered: see `read_until`), then reads once more for any
                // repeat.
                let finished = done.load(Ordering::SeqCst);
                if finished && deadline.is_none() {
                    deadline = Some(tokio::time::Instant::now() + Duration::from_secs(20));
                }
                let res = changes(app, admin, Some(&cursor), Some(first)).await;
                reads += 1;
                let page = res.data()["changes"].clone();
                let nodes = page["nodes"].as_array().unwrap();
                for c in nodes {
                    if c["type"] == "Initiative" && c["kind"] == "CREATED" {
                        *seen
                            .entry(c["id"].as_str().unwrap().to_owned())
                            .or_default() += 1;
                    }
                }
                cursor = page["cursor"].as_str().unwrap().to_owned();
                let all_seen = seen.len() >= WRITERS * EACH;
                if finished && all_seen && nodes.is_empty() && page["hasMore"] == false {
                    return (first, seen, reads);
                }
                if deadline.is_some_and(|d| tokio::time::Instant::now() > d) {
                    return (first, seen, reads);
                }
                if nodes.is_empty() {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        }
    };
    let readers = join_all([1, 3, 7, 20, 100].map(reader));
    let (created, readers) = tokio::join!(writers, readers);
    assert_eq!(created.len(), WRITERS * EACH);
    for (first, seen, reads) in readers {
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            twice.is_empty(),
            "first {first}: seen more than once: {twice:?}"
        );
        let missed: Vec<_> = created
            .iter()
            .filter(|id| !seen.contains_key(*id))
            .collect();
        assert!(
            missed.is_empty(),
            "first {first}: missed {} of {} after {reads} reads: {missed:?}",
            missed.len(),
            created.len()
        );
        assert_eq!(seen.len(), created.len());
        assert!(
            reads > 2,
            "first {first}: the reader read while the writers wrote ({reads} reads)"
        );
    }
}

/// On PostgreSQL the feed holds back every change whose transaction id is not below
/// the oldest write transaction still running on the server; a transaction left open
/// in another database of the same server (a migration, a stuck session of another
/// application) must not stall every organisation's feed.
#[tokio::test]
async fn a_write_transaction_left_open_elsewhere_on_the_server_does_not_stall_the_feed() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Some(app) = TestApp::spawn_postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: skipped (it needs PostgreSQL)");
        return;
    };
    let admin = app.register_org("Acme").await;
    let since = settled_cursor(&app, &admin).await;

    // Another database on the same server, with a write transaction left open.
    let elsewhere = sea_orm::Database::connect(crate::common::postgres_url().unwrap())
        .await
        .unwrap();
    let open = elsewhere.begin().await.unwrap();
    open.execute_unprepared("SELECT pg_current_xact_id()")
        .await
        .unwrap();

    let team = app.create_team(&admin, "Payments").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut feed = Vec::new();
    let mut cursor = since;
    while feed.is_empty() && tokio::time::Instant::now() < deadline {
        let (more, next) = drain(&app, &admin.token, Some(&cursor), 100).await;
        feed.extend(more);
        cursor = next;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    open.rollback().await.unwrap();
    let got: Vec<Entry> = feed.iter().map(entry).collect();
    assert_eq!(
        got,
        [e("CREATED", "Team", &team, None)],
        "the team shows within 5 s while a transaction is open in another database"
    );
}

/// A cursor before an entry that was deleted past the retention is refused, whatever
/// time the cursor says it was issued: it could have missed that entry.
async fn a_cursor_before_a_pruned_change_is_refused_and_one_after_it_is_served(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let org = Org::new(&app, "Acme").await;
    let before = settled_cursor(&app, &org.admin).await;
    let team = app.create_team(&org.admin, "Old news").await;
    let (_, after) = read_until(&app, &org.admin.token, Some(&before), |all| {
        all.iter().any(|c| c["id"] == team.as_str())
    })
    .await;

    // The team's entry is past 30 days and a grace day: a server starting on the
    // database prunes it at once.
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE change_log SET occurred_at = now() - interval '40 days' \
             WHERE object_id IN (SELECT id FROM team WHERE name = 'Old news')"
        }
        _ => {
            "UPDATE change_log SET occurred_at = '2000-01-01T00:00:00+00:00' \
             WHERE object_id IN (SELECT id FROM team WHERE name = 'Old news')"
        }
    };
    app.db
        .execute_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    let second = TestApp::on_same_database(&app).await;
    let mut refused = None;
    for _ in 0..100 {
        let res = changes(&second, &org.admin.token, Some(&before), Some(100)).await;
        if res.error_code().is_some() {
            refused = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = refused.expect("the cursor before the pruned entry is refused");
    assert_bad_input(&refused, "since");
    let res = changes(&app, &org.admin.token, Some(&after), Some(100)).await;
    assert!(res.body.get("errors").is_none(), "{}", res.body);
}

crate::db_tests!(
    a_cursor_before_a_pruned_change_is_refused_and_one_after_it_is_served,
    creations_updates_and_deletions_appear_in_the_order_they_happened,
    memberships_appear_as_relations_between_the_place_and_the_person,
    a_repeated_write_that_changes_nothing_adds_nothing_to_the_feed,
    a_tokens_change_names_the_token_and_no_person,
    pages_of_first_visit_every_change_exactly_once,
    a_cursor_from_when_nothing_changed_still_serves_the_changes_after_it,
    a_cursor_or_page_size_it_cannot_serve_is_bad_input,
    a_cursor_older_than_the_retention_window_is_bad_input => |c| c.change_retention_days = 0,
    another_organisations_changes_never_appear,
    readers_paging_while_writers_run_see_every_change_exactly_once,
);
