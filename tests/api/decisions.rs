//! Decision records (ADRs) over HTTP: from an approved review to an accepted record,
//! the status machine, supersede links, markdown, who may do what, tenant isolation,
//! bad input, and gap-free numbering under concurrency.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::{
    common::{denied, Cast, Session, TestApp, Who, Who::*},
    reviews::{approved, in_review, review_cast},
};

const CREATE: &str = r#"mutation($input: CreateDecisionRecordInput!) {
    createDecisionRecord(input: $input) {
        decisionRecord { id number title status system context decision consequences version
                         review { id } author { id } acceptedAt }
    }
}"#;
const UPDATE: &str = r#"mutation($input: UpdateDecisionRecordInput!) {
    updateDecisionRecord(input: $input) { decisionRecord { id title status version } }
}"#;
const ACCEPT: &str = r#"mutation($input: AcceptDecisionRecordInput!) {
    acceptDecisionRecord(input: $input) { decisionRecord { id status acceptedAt version } }
}"#;
const DEPRECATE: &str = r#"mutation($input: DeprecateDecisionRecordInput!) {
    deprecateDecisionRecord(input: $input) { decisionRecord { id status } }
}"#;
const SUPERSEDE: &str = r#"mutation($input: SupersedeDecisionRecordInput!) {
    supersedeDecisionRecord(input: $input) {
        decisionRecord { id number status supersededBy { id number } }
        supersededBy { id number status supersedes { totalCount edges { node { id number } } } }
    }
}"#;
const BY_NUMBER: &str = r#"query($n: Int!) { decisionRecord(number: $n) {
    id number title status markdown acceptedAt
    supersededBy { number title }
    supersedes { totalCount edges { node { number title } } }
} }"#;

/// Writes a record as `who`, returning its id and number.
async fn create(app: &TestApp, who: &Session, title: &str) -> (String, i64) {
    let res = app
        .gql_as(
            who,
            CREATE,
            json!({ "input": { "title": title, "decision": format!("We {title}."), "system": "ledger" } }),
        )
        .await;
    let record = &res.data()["createDecisionRecord"]["decisionRecord"];
    (
        record["id"].as_str().unwrap().to_owned(),
        record["number"].as_i64().unwrap(),
    )
}

/// A record written and accepted by the admin.
async fn accepted(app: &TestApp, cast: &Cast, title: &str) -> String {
    let (id, _) = create(app, &cast.admin, title).await;
    app.gql_as(&cast.admin, ACCEPT, json!({ "input": { "id": id } }))
        .await
        .data();
    id
}

async fn by_number(app: &TestApp, who: &Session, n: i64) -> Value {
    let res = app.gql_as(who, BY_NUMBER, json!({ "n": n })).await;
    res.data()["decisionRecord"].clone()
}

async fn an_approved_review_ends_in_an_accepted_decision_record(app: TestApp) {
    let cast = review_cast(&app).await;
    let review = approved(&app, &cast, "Move the ledger to PostgreSQL").await;
    let res = app
        .gql_as(
            cast.as_(Author),
            CREATE,
            json!({ "input": {
                "fromReviewId": review,
                "decision": "We move the ledger to PostgreSQL 16.",
                "consequences": "A weekend of migration; one database engine fewer."
            } }),
        )
        .await;
    let record = &res.data()["createDecisionRecord"]["decisionRecord"];
    assert_eq!(record["number"], 1);
    assert_eq!(record["status"], "PROPOSED");
    // Title, context and system come from the review.
    assert_eq!(record["title"], "Move the ledger to PostgreSQL");
    assert_eq!(
        record["context"],
        "## Proposal\n\nMove the ledger to PostgreSQL, because it is time."
    );
    assert_eq!(record["system"], "payments-api");
    assert_eq!(record["review"]["id"], review.as_str());
    assert_eq!(record["author"]["id"], cast.as_(Author).user_id.as_str());
    assert!(record["acceptedAt"].is_null());
    let id = record["id"].as_str().unwrap().to_owned();

    let res = app
        .gql_as(
            cast.as_(Viewer),
            r#"query($id: ID!) { node(id: $id) { ... on ArchitectureReview {
                decisionRecords { totalCount edges { node { number title } } } } } }"#,
            json!({ "id": review }),
        )
        .await;
    let records = &res.data()["node"]["decisionRecords"];
    assert_eq!(records["totalCount"], 1);
    assert_eq!(records["edges"][0]["node"]["number"], 1);

    let res = app
        .gql_as(cast.as_(TeamLead), ACCEPT, json!({ "input": { "id": id } }))
        .await;
    let done = &res.data()["acceptDecisionRecord"]["decisionRecord"];
    assert_eq!(done["status"], "ACCEPTED");
    let accepted_at = done["acceptedAt"].as_str().unwrap();

    let record = by_number(&app, cast.as_(Viewer), 1).await;
    assert_eq!(record["id"], id.as_str());
    assert_eq!(
        record["markdown"],
        format!(
            "# 1. Move the ledger to PostgreSQL\n\
             \n\
             Date: {date}\n\
             \n\
             ## Status\n\
             \n\
             Accepted\n\
             \n\
             ## Context\n\
             \n\
             ## Proposal\n\
             \n\
             Move the ledger to PostgreSQL, because it is time.\n\
             \n\
             ## Decision\n\
             \n\
             We move the ledger to PostgreSQL 16.\n\
             \n\
             ## Consequences\n\
             \n\
             A weekend of migration; one database engine fewer.\n",
            date = &accepted_at[..10]
        )
    );
}

async fn only_an_approved_review_becomes_a_decision_record(app: TestApp) {
    let cast = review_cast(&app).await;
    let pending = in_review(&app, &cast, "Not yet decided").await;
    let res = app
        .gql_as(
            cast.as_(Author),
            CREATE,
            json!({ "input": { "fromReviewId": pending, "decision": "d" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("fromReviewId"));

    // What the caller gives wins over the review.
    let review = approved(&app, &cast, "Cache everything").await;
    let res = app
        .gql_as(
            cast.as_(Author),
            CREATE,
            json!({ "input": { "fromReviewId": review, "title": "Cache product pages",
                               "system": "catalogue", "decision": "d" } }),
        )
        .await;
    let record = &res.data()["createDecisionRecord"]["decisionRecord"];
    assert_eq!(record["title"], "Cache product pages");
    assert_eq!(record["system"], "catalogue");
    assert_eq!(record["number"], 1, "the refused attempt used no number");
}

async fn a_record_changes_while_proposed_then_is_accepted_and_deprecated(app: TestApp) {
    let cast = review_cast(&app).await;
    let (id, _) = create(&app, cast.as_(Engineer), "Use gRPC inside").await;
    let res = app
        .gql_as(
            cast.as_(Engineer),
            UPDATE,
            json!({ "input": { "id": id, "title": "Use gRPC between services", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        res.data()["updateDecisionRecord"]["decisionRecord"]["version"],
        2
    );
    let res = app
        .gql_as(
            cast.as_(Engineer),
            UPDATE,
            json!({ "input": { "id": id, "title": "Stale", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("CONFLICT"), "{}", res.body);

    // Deprecating needs an accepted record.
    let res = app
        .gql_as(&cast.admin, DEPRECATE, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(res.error_field(), Some("id"), "{}", res.body);

    let res = app
        .gql_as(&cast.admin, ACCEPT, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(
        res.data()["acceptDecisionRecord"]["decisionRecord"]["status"],
        "ACCEPTED"
    );
    for (name, query, input) in [
        ("update", UPDATE, json!({ "id": id, "title": "Too late" })),
        ("accept again", ACCEPT, json!({ "id": id })),
    ] {
        let res = app
            .gql_as(&cast.admin, query, json!({ "input": input }))
            .await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{name}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some("id"), "{name}");
    }
    let res = app
        .gql_as(
            cast.as_(TeamLead),
            DEPRECATE,
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(
        res.data()["deprecateDecisionRecord"]["decisionRecord"]["status"],
        "DEPRECATED"
    );
    let record = by_number(&app, cast.as_(Viewer), 1).await;
    assert_eq!(record["status"], "DEPRECATED");
    assert!(record["markdown"]
        .as_str()
        .unwrap()
        .contains("## Status\n\nDeprecated\n"));
}

async fn superseding_links_both_records_both_ways(app: TestApp) {
    let cast = review_cast(&app).await;
    let mysql = accepted(&app, &cast, "Use MySQL").await;
    let postgres = accepted(&app, &cast, "Use PostgreSQL").await;
    let res = app
        .gql_as(
            cast.as_(TeamLead),
            SUPERSEDE,
            json!({ "input": { "id": mysql, "supersededById": postgres } }),
        )
        .await;
    let body = &res.data()["supersedeDecisionRecord"];
    assert_eq!(body["decisionRecord"]["status"], "SUPERSEDED");
    assert_eq!(
        body["decisionRecord"]["supersededBy"]["id"],
        postgres.as_str()
    );
    assert_eq!(body["supersededBy"]["status"], "ACCEPTED");
    assert_eq!(body["supersededBy"]["supersedes"]["totalCount"], 1);
    assert_eq!(
        body["supersededBy"]["supersedes"]["edges"][0]["node"]["id"],
        mysql.as_str()
    );

    let old = by_number(&app, cast.as_(Viewer), 1).await;
    assert_eq!(old["supersededBy"]["number"], 2);
    assert!(
        old["markdown"]
            .as_str()
            .unwrap()
            .contains("## Status\n\nSuperseded\n\nSuperseded by [2. Use PostgreSQL](0002-use-postgresql.md)\n"),
        "{}",
        old["markdown"]
    );
    let new = by_number(&app, cast.as_(Viewer), 2).await;
    assert!(new["supersededBy"].is_null());
    assert_eq!(new["supersedes"]["edges"][0]["node"]["title"], "Use MySQL");
    assert!(
        new["markdown"]
            .as_str()
            .unwrap()
            .contains("## Status\n\nAccepted\n\nSupersedes [1. Use MySQL](0001-use-mysql.md)\n"),
        "{}",
        new["markdown"]
    );

    // A record replaces several over time; each link shows on both sides.
    let sqlite = accepted(&app, &cast, "Use SQLite at the edge").await;
    let cockroach = accepted(&app, &cast, "Use CockroachDB").await;
    for old in [&postgres, &sqlite] {
        app.gql_as(
            &cast.admin,
            SUPERSEDE,
            json!({ "input": { "id": old, "supersededById": cockroach } }),
        )
        .await
        .data();
    }
    let newest = by_number(&app, cast.as_(Viewer), 4).await;
    assert_eq!(newest["supersedes"]["totalCount"], 2);
    let md = newest["markdown"].as_str().unwrap();
    assert!(md.contains("Supersedes [2. Use PostgreSQL](0002-use-postgresql.md)\n\nSupersedes [3. Use SQLite at the edge](0003-use-sqlite-at-the-edge.md)\n"), "{md}");

    let (proposed, _) = create(&app, &cast.admin, "Maybe Redis").await;
    for (name, id, by, field) in [
        ("already superseded", &mysql, &cockroach, "id"),
        ("by itself", &cockroach, &cockroach, "supersededById"),
        (
            "by a proposed record",
            &cockroach,
            &proposed,
            "supersededById",
        ),
        (
            "by a superseded record",
            &cockroach,
            &mysql,
            "supersededById",
        ),
        ("a proposed record", &proposed, &cockroach, "id"),
    ] {
        let res = app
            .gql_as(
                &cast.admin,
                SUPERSEDE,
                json!({ "input": { "id": id, "supersededById": by } }),
            )
            .await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{name}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some(field), "{name}");
    }
}

async fn who_may_write_a_decision_record(app: TestApp) {
    let cast = review_cast(&app).await;
    let (id, _) = create(&app, &cast.admin, "Shared").await;
    for (who, want) in [
        (Admin, Ok(())),
        (ProductAdmin, Ok(())),
        (TeamLead, Ok(())),
        (Engineer, Ok(())),
        (ProductMember, denied("FORBIDDEN")),
        (ProductLead, denied("FORBIDDEN")),
        (Viewer, denied("FORBIDDEN")),
    ] {
        let got = app
            .gql_as(
                cast.as_(who),
                CREATE,
                json!({ "input": { "title": format!("By {who:?}"), "decision": "d" } }),
            )
            .await
            .outcome();
        assert_eq!(got, want, "createDecisionRecord as {who:?}");
        let got = app
            .gql_as(
                cast.as_(who),
                UPDATE,
                json!({ "input": { "id": id, "consequences": format!("Edited by {who:?}") } }),
            )
            .await
            .outcome();
        assert_eq!(got, want, "updateDecisionRecord as {who:?}");
    }
    let got = app
        .gql_as(
            &cast.other_admin,
            UPDATE,
            json!({ "input": { "id": id, "title": "Globex" } }),
        )
        .await
        .outcome();
    assert_eq!(got, denied("NOT_FOUND"));
}

/// Who may decide on a record: admins and engineering leads of a team (the TeamLead).
fn deciders() -> [(Who, Result<(), String>); 9] {
    [
        (Admin, Ok(())),
        (ProductAdmin, Ok(())),
        (TeamLead, Ok(())),
        (Engineer, denied("FORBIDDEN")),
        (Author, denied("FORBIDDEN")),
        (ProductLead, denied("FORBIDDEN")),
        (ProductMember, denied("FORBIDDEN")),
        (Viewer, denied("FORBIDDEN")),
        (OtherOrgAdmin, denied("NOT_FOUND")),
    ]
}

async fn engineering_leads_and_admins_accept_deprecate_and_supersede(app: TestApp) {
    let cast = review_cast(&app).await;
    for (who, want) in deciders() {
        let (id, _) = create(&app, cast.as_(Engineer), "To accept").await;
        let got = app
            .gql_as(cast.as_(who), ACCEPT, json!({ "input": { "id": id } }))
            .await
            .outcome();
        assert_eq!(got, want, "acceptDecisionRecord as {who:?}");
    }
    for (who, want) in deciders() {
        let id = accepted(&app, &cast, "To deprecate").await;
        let got = app
            .gql_as(cast.as_(who), DEPRECATE, json!({ "input": { "id": id } }))
            .await
            .outcome();
        assert_eq!(got, want, "deprecateDecisionRecord as {who:?}");
    }
    for (who, want) in deciders() {
        let old = accepted(&app, &cast, "Old way").await;
        let new = accepted(&app, &cast, "New way").await;
        let got = app
            .gql_as(
                cast.as_(who),
                SUPERSEDE,
                json!({ "input": { "id": old, "supersededById": new } }),
            )
            .await
            .outcome();
        assert_eq!(got, want, "supersedeDecisionRecord as {who:?}");
    }
    // Everybody reads, the viewer included.
    let res = app
        .gql_as(
            cast.as_(Viewer),
            "{ decisionRecords { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res.data()["decisionRecords"]["totalCount"],
        deciders().len() * 4
    );
}

async fn another_organisations_decision_records_are_not_found(app: TestApp) {
    let cast = review_cast(&app).await;
    let acme = accepted(&app, &cast, "Acme's choice").await;
    let review = approved(&app, &cast, "Acme's review").await;
    let other = &cast.other_admin;
    let res = app.gql_as(other, BY_NUMBER, json!({ "n": 1 })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);

    // Globex numbers its own records from 1.
    let (globex, number) = create(&app, other, "Globex's choice").await;
    assert_eq!(number, 1);
    app.gql_as(other, ACCEPT, json!({ "input": { "id": globex } }))
        .await
        .data();

    for (name, query, input) in [
        ("update", UPDATE, json!({ "id": acme, "title": "Ours" })),
        ("accept", ACCEPT, json!({ "id": acme })),
        ("deprecate", DEPRECATE, json!({ "id": acme })),
        (
            "supersede Acme's",
            SUPERSEDE,
            json!({ "id": acme, "supersededById": globex }),
        ),
        (
            "supersede by Acme's",
            SUPERSEDE,
            json!({ "id": globex, "supersededById": acme }),
        ),
        (
            "write from Acme's review",
            CREATE,
            json!({ "fromReviewId": review, "decision": "d" }),
        ),
    ] {
        let res = app.gql_as(other, query, json!({ "input": input })).await;
        assert_eq!(res.error_code(), Some("NOT_FOUND"), "{name}: {}", res.body);
    }
    let res = app
        .gql_as(
            other,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": acme }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);
    let theirs = by_number(&app, other, 1).await;
    assert_eq!(theirs["title"], "Globex's choice");
    assert_eq!(theirs["status"], "ACCEPTED");
    let res = app
        .gql_as(
            other,
            "{ decisionRecords { totalCount edges { node { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(res.data()["decisionRecords"]["totalCount"], 1);
    // Acme's record is as it was.
    let ours = by_number(&app, cast.as_(Viewer), 1).await;
    assert_eq!(ours["title"], "Acme's choice");
    assert_eq!(ours["status"], "ACCEPTED");
}

async fn bad_decision_record_input_is_refused_with_its_field(app: TestApp) {
    let cast = review_cast(&app).await;
    let (id, _) = create(&app, &cast.admin, "Valid").await;
    let review = in_review(&app, &cast, "A review").await;
    let long = "x".repeat(50_001);
    for (name, query, input, field) in [
        (
            "no title and no review",
            CREATE,
            json!({ "decision": "d" }),
            "title",
        ),
        (
            "oversized title",
            CREATE,
            json!({ "title": "t".repeat(201), "decision": "d" }),
            "title",
        ),
        (
            "empty decision",
            CREATE,
            json!({ "title": "t", "decision": "  " }),
            "decision",
        ),
        (
            "oversized decision",
            CREATE,
            json!({ "title": "t", "decision": long }),
            "decision",
        ),
        (
            "oversized context",
            CREATE,
            json!({ "title": "t", "decision": "d", "context": long }),
            "context",
        ),
        (
            "oversized consequences",
            UPDATE,
            json!({ "id": id, "consequences": long }),
            "consequences",
        ),
        (
            "oversized system",
            UPDATE,
            json!({ "id": id, "system": "s".repeat(201) }),
            "system",
        ),
        (
            "an emptied decision",
            UPDATE,
            json!({ "id": id, "decision": "" }),
            "decision",
        ),
        (
            "a record id as review",
            CREATE,
            json!({ "decision": "d", "fromReviewId": id }),
            "fromReviewId",
        ),
        (
            "a review id as record",
            ACCEPT,
            json!({ "id": review }),
            "id",
        ),
        (
            "a user id as the replacement",
            SUPERSEDE,
            json!({ "id": id, "supersededById": cast.admin.user_id }),
            "supersededById",
        ),
        ("not an id", DEPRECATE, json!({ "id": "???" }), "id"),
    ] {
        let res = app
            .gql_as(&cast.admin, query, json!({ "input": input }))
            .await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{name}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some(field), "{name}: {}", res.body);
    }
    let res = app.gql_as(&cast.admin, BY_NUMBER, json!({ "n": 42 })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);
    // None of the refused writes took a number.
    let (_, next) = create(&app, &cast.admin, "Next").await;
    assert_eq!(next, 2);
}

async fn decision_records_filter_by_status_system_and_text(app: TestApp) {
    let cast = review_cast(&app).await;
    let one = accepted(&app, &cast, "Use PostgreSQL").await;
    let _two = create(&app, &cast.admin, "Use Kafka for events").await;
    let res = app
        .gql_as(
            &cast.admin,
            CREATE,
            json!({ "input": { "title": "Cache pages", "system": "Catalogue",
                               "decision": "Put a CDN in front of product pages" } }),
        )
        .await;
    res.data();
    let four = accepted(&app, &cast, "Use Redis").await;
    app.gql_as(&cast.admin, DEPRECATE, json!({ "input": { "id": four } }))
        .await
        .data();
    let _ = one;

    let numbers = |filter: Value, order: Value| {
        let app = &app;
        let viewer = cast.as_(Viewer);
        async move {
            let res = app
                .gql_as(
                    viewer,
                    r#"query($f: DecisionRecordFilter, $o: DecisionRecordOrder) {
                        decisionRecords(first: 50, filter: $f, orderBy: $o) { totalCount edges { node { number } } }
                    }"#,
                    json!({ "f": filter, "o": order }),
                )
                .await;
            let conn = &res.data()["decisionRecords"];
            let n: Vec<i64> = conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["number"].as_i64().unwrap())
                .collect();
            assert_eq!(conn["totalCount"], n.len());
            n
        }
    };
    assert_eq!(numbers(json!(null), json!(null)).await, [1, 2, 3, 4]);
    assert_eq!(
        numbers(json!(null), json!({ "direction": "DESC" })).await,
        [4, 3, 2, 1]
    );
    assert_eq!(
        numbers(json!(null), json!({ "field": "TITLE" })).await,
        [3, 2, 1, 4]
    );
    assert_eq!(
        numbers(json!({ "status": "ACCEPTED" }), json!(null)).await,
        [1]
    );
    assert_eq!(
        numbers(json!({ "status": "PROPOSED" }), json!(null)).await,
        [2, 3]
    );
    assert_eq!(
        numbers(json!({ "system": "catalogue" }), json!(null)).await,
        [3]
    );
    assert_eq!(
        numbers(json!({ "system": "LEDGER" }), json!(null)).await,
        [1, 2, 4]
    );
    // Text: title, context, decision or consequences, case-insensitively.
    assert_eq!(numbers(json!({ "search": "cdn" }), json!(null)).await, [3]);
    assert_eq!(
        numbers(json!({ "search": "USE" }), json!(null)).await,
        [1, 2, 4]
    );

    // Pages by number, with cursors.
    let res = app
        .gql_as(
            cast.as_(Viewer),
            "{ decisionRecords(first: 3) { pageInfo { hasNextPage endCursor } edges { node { number } } } }",
            json!({}),
        )
        .await;
    let page = &res.data()["decisionRecords"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let res = app
        .gql_as(
            cast.as_(Viewer),
            "query($a: String) { decisionRecords(first: 3, after: $a) { pageInfo { hasNextPage } edges { node { number } } } }",
            json!({ "a": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let page = &res.data()["decisionRecords"];
    assert_eq!(page["edges"][0]["node"]["number"], 4);
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
}

async fn twenty_records_written_at_once_are_numbered_1_to_20(app: TestApp) {
    let cast = review_cast(&app).await;
    let writers = [
        &cast.admin,
        cast.as_(TeamLead),
        cast.as_(Engineer),
        cast.as_(Author),
    ];
    let results = join_all((0..20).map(|i| {
        let app = &app;
        let who = writers[i % writers.len()];
        async move {
            app.gql_as(
                who,
                CREATE,
                json!({ "input": { "title": format!("Concurrent {i}"), "decision": "d" } }),
            )
            .await
        }
    }))
    .await;
    let mut numbers: Vec<i64> = results
        .iter()
        .map(|res| {
            res.data()["createDecisionRecord"]["decisionRecord"]["number"]
                .as_i64()
                .unwrap()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>());
    let res = app
        .gql_as(
            cast.as_(Viewer),
            "{ decisionRecords { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(res.data()["decisionRecords"]["totalCount"], 20);
    // The next one follows on.
    let (_, next) = create(&app, &cast.admin, "After the rush").await;
    assert_eq!(next, 21);
}

crate::db_tests!(
    an_approved_review_ends_in_an_accepted_decision_record,
    only_an_approved_review_becomes_a_decision_record,
    a_record_changes_while_proposed_then_is_accepted_and_deprecated,
    superseding_links_both_records_both_ways,
    who_may_write_a_decision_record,
    engineering_leads_and_admins_accept_deprecate_and_supersede,
    another_organisations_decision_records_are_not_found,
    bad_decision_record_input_is_refused_with_its_field,
    decision_records_filter_by_status_system_and_text,
    twenty_records_written_at_once_are_numbered_1_to_20,
);
