//! Monthly architecture reviews over HTTP: the status machine, who may do what,
//! tenant isolation, bad input, the agenda, and the statements a nested list costs.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{denied, Cast, Gql, Session, TestApp, Who::*};

pub(crate) const OPEN: &str = r#"mutation($input: OpenArchitectureReviewInput!) {
    openArchitectureReview(input: $input) { architectureReview { id status version author { id } } }
}"#;
pub(crate) const UPDATE: &str = r#"mutation($input: UpdateArchitectureReviewInput!) {
    updateArchitectureReview(input: $input) { architectureReview { id title status version } }
}"#;
pub(crate) const SUBMIT: &str = r#"mutation($input: SubmitArchitectureReviewInput!) {
    submitArchitectureReview(input: $input) {
        architectureReview { id status meetingDate submittedAt decidedAt version }
    }
}"#;
pub(crate) const ASSIGN: &str = r#"mutation($input: AssignReviewersInput!) {
    assignReviewers(input: $input) {
        architectureReview { id reviewers { totalCount edges { node { verdict reviewer { id } } } } }
    }
}"#;
pub(crate) const VERDICT: &str = r#"mutation($input: SubmitReviewVerdictInput!) {
    submitReviewVerdict(input: $input) {
        architectureReview { id status decidedAt }
        reviewer { verdict comment verdictAt reviewer { id } }
    }
}"#;
pub(crate) const COMMENT: &str = r#"mutation($input: AddReviewCommentInput!) {
    addReviewComment(input: $input) {
        comment { id body author { id } replyTo { id } }
        architectureReview { id }
    }
}"#;
pub(crate) const WITHDRAW: &str = r#"mutation($input: WithdrawArchitectureReviewInput!) {
    withdrawArchitectureReview(input: $input) { architectureReview { id status } }
}"#;
const REVIEW: &str = r#"query($id: ID!) { node(id: $id) { ... on ArchitectureReview {
    id title status meetingDate submittedAt decidedAt version
    reviewers { totalCount edges { node { verdict comment verdictAt reviewer { id } } } }
} } }"#;

/// The cast of the review tests (and the decision records'): engineers who write,
/// review or stand by, product people, a viewer, and two admins. The TeamLead (an
/// engineer) leads team "Platform", as does the Viewer; the ProductLead leads team
/// "Checkout".
pub(crate) async fn review_cast(app: &TestApp) -> Cast {
    Cast::with(&[
        ProductAdmin,
        TeamLead,
        Author,
        Reviewer,
        SecondReviewer,
        Engineer,
        ProductMember,
        ProductLead,
        Viewer,
    ])
    .team("Platform")
    .other_team("Checkout")
    .build(app)
    .await
}

/// Opens a review as `who`, returning its id.
pub(crate) async fn open(app: &TestApp, who: &Session, title: &str, system: &str) -> String {
    let res = app
        .gql_as(
            who,
            OPEN,
            json!({ "input": { "title": title, "system": system,
                               "proposal": format!("## Proposal\n\n{title}, because it is time.") } }),
        )
        .await;
    res.data()["openArchitectureReview"]["architectureReview"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn assign(app: &TestApp, who: &Session, review: &str, users: &[&str]) -> Gql {
    app.gql_as(
        who,
        ASSIGN,
        json!({ "input": { "reviewId": review, "reviewerIds": users } }),
    )
    .await
}

pub(crate) async fn submit(app: &TestApp, who: &Session, review: &str, date: &str) -> Gql {
    app.gql_as(
        who,
        SUBMIT,
        json!({ "input": { "id": review, "meetingDate": date } }),
    )
    .await
}

pub(crate) async fn verdict(
    app: &TestApp,
    who: &Session,
    review: &str,
    verdict: &str,
    comment: &str,
) -> Gql {
    app.gql_as(
        who,
        VERDICT,
        json!({ "input": { "reviewId": review, "verdict": verdict, "comment": comment } }),
    )
    .await
}

/// A review by the author with both reviewers assigned, submitted for 2026-12-03.
pub(crate) async fn in_review(app: &TestApp, cast: &Cast, title: &str) -> String {
    let id = open(app, cast.as_(Author), title, "payments-api").await;
    assign(
        app,
        cast.as_(Author),
        &id,
        &[
            &cast.as_(Reviewer).user_id,
            &cast.as_(SecondReviewer).user_id,
        ],
    )
    .await
    .data();
    submit(app, cast.as_(Author), &id, "2026-12-03")
        .await
        .data();
    id
}

/// A review that both reviewers approved.
pub(crate) async fn approved(app: &TestApp, cast: &Cast, title: &str) -> String {
    let id = in_review(app, cast, title).await;
    verdict(app, cast.as_(Reviewer), &id, "APPROVE", "")
        .await
        .data();
    let res = verdict(app, cast.as_(SecondReviewer), &id, "APPROVE", "Ship it").await;
    assert_eq!(
        res.data()["submitReviewVerdict"]["architectureReview"]["status"],
        "APPROVED"
    );
    id
}

async fn review(app: &TestApp, who: &Session, id: &str) -> Value {
    let res = app.gql_as(who, REVIEW, json!({ "id": id })).await;
    res.data()["node"].clone()
}

fn verdicts(review: &Value) -> Vec<String> {
    review["reviewers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["verdict"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_review_goes_from_draft_to_approved_once_every_reviewer_approves(app: TestApp) {
    let cast = review_cast(&app).await;
    let res = app
        .gql_as(
            cast.as_(Author),
            OPEN,
            json!({ "input": { "title": "Move the ledger to PostgreSQL", "system": "ledger",
                               "proposal": "MySQL 5 is end of life.", "teamId": cast.team() } }),
        )
        .await;
    let opened = &res.data()["openArchitectureReview"]["architectureReview"];
    assert_eq!(opened["status"], "DRAFT");
    assert_eq!(opened["version"], 1);
    assert_eq!(opened["author"]["id"], cast.as_(Author).user_id.as_str());
    let id = opened["id"].as_str().unwrap().to_owned();

    let res = assign(
        &app,
        cast.as_(Author),
        &id,
        &[
            &cast.as_(Reviewer).user_id,
            &cast.as_(SecondReviewer).user_id,
        ],
    )
    .await;
    let reviewers = &res.data()["assignReviewers"]["architectureReview"]["reviewers"];
    assert_eq!(reviewers["totalCount"], 2);
    assert_eq!(reviewers["edges"][0]["node"]["verdict"], "PENDING");

    let res = submit(&app, cast.as_(Author), &id, "2026-12-03").await;
    let submitted = &res.data()["submitArchitectureReview"]["architectureReview"];
    assert_eq!(submitted["status"], "IN_REVIEW");
    assert_eq!(submitted["meetingDate"], "2026-12-03");
    assert!(submitted["submittedAt"].is_string());
    assert!(submitted["decidedAt"].is_null());

    let res = verdict(&app, cast.as_(Reviewer), &id, "APPROVE", "Good plan").await;
    let body = &res.data()["submitReviewVerdict"];
    assert_eq!(body["architectureReview"]["status"], "IN_REVIEW");
    assert!(body["architectureReview"]["decidedAt"].is_null());
    assert_eq!(body["reviewer"]["verdict"], "APPROVE");
    assert_eq!(body["reviewer"]["comment"], "Good plan");
    assert!(body["reviewer"]["verdictAt"].is_string());
    assert_eq!(
        body["reviewer"]["reviewer"]["id"],
        cast.as_(Reviewer).user_id.as_str()
    );

    let res = verdict(&app, cast.as_(SecondReviewer), &id, "APPROVE", "").await;
    let decided = &res.data()["submitReviewVerdict"]["architectureReview"];
    assert_eq!(decided["status"], "APPROVED");
    assert!(decided["decidedAt"].is_string());

    let r = review(&app, cast.as_(Viewer), &id).await;
    assert_eq!(r["status"], "APPROVED");
    assert_eq!(verdicts(&r), ["APPROVE", "APPROVE"]);
    // The last verdict closes the review: no more verdicts.
    let res = verdict(&app, cast.as_(Reviewer), &id, "REJECT", "Changed my mind").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("reviewId"));
}

async fn every_combination_of_verdicts_decides_the_review(app: TestApp) {
    let cast = review_cast(&app).await;
    for (first, second, outcome) in [
        ("APPROVE", "APPROVE", "APPROVED"),
        ("APPROVE", "REQUEST_CHANGES", "CHANGES_REQUESTED"),
        ("REQUEST_CHANGES", "APPROVE", "CHANGES_REQUESTED"),
        ("REQUEST_CHANGES", "REQUEST_CHANGES", "CHANGES_REQUESTED"),
        ("APPROVE", "REJECT", "REJECTED"),
        ("REJECT", "APPROVE", "REJECTED"),
        ("REQUEST_CHANGES", "REJECT", "REJECTED"),
        ("REJECT", "REQUEST_CHANGES", "REJECTED"),
        ("REJECT", "REJECT", "REJECTED"),
    ] {
        let id = in_review(&app, &cast, &format!("{first} then {second}")).await;
        let res = verdict(&app, cast.as_(Reviewer), &id, first, "because").await;
        assert_eq!(
            res.data()["submitReviewVerdict"]["architectureReview"]["status"],
            "IN_REVIEW",
            "{first}: one verdict of two decides nothing"
        );
        let res = verdict(&app, cast.as_(SecondReviewer), &id, second, "because").await;
        let decided = &res.data()["submitReviewVerdict"]["architectureReview"];
        assert_eq!(decided["status"], outcome, "{first} + {second}");
        assert!(decided["decidedAt"].is_string(), "{first} + {second}");
    }

    // A reviewer may change their verdict until the last one is in.
    let id = in_review(&app, &cast, "Changing minds").await;
    verdict(&app, cast.as_(Reviewer), &id, "REJECT", "No")
        .await
        .data();
    verdict(
        &app,
        cast.as_(Reviewer),
        &id,
        "APPROVE",
        "On second thought, yes",
    )
    .await
    .data();
    let res = verdict(&app, cast.as_(SecondReviewer), &id, "APPROVE", "").await;
    assert_eq!(
        res.data()["submitReviewVerdict"]["architectureReview"]["status"],
        "APPROVED"
    );
}

async fn the_last_two_verdicts_given_at_once_still_decide_the_review(app: TestApp) {
    let cast = review_cast(&app).await;
    for round in 0..5 {
        let id = in_review(&app, &cast, &format!("Race {round}")).await;
        let results = join_all([
            verdict(&app, cast.as_(Reviewer), &id, "APPROVE", ""),
            verdict(
                &app,
                cast.as_(SecondReviewer),
                &id,
                "REQUEST_CHANGES",
                "More tests",
            ),
        ])
        .await;
        for res in &results {
            res.data();
        }
        // Whichever came last saw the other's verdict and decided.
        let r = review(&app, cast.as_(Author), &id).await;
        assert_eq!(r["status"], "CHANGES_REQUESTED", "round {round}");
    }
}

async fn resubmitting_after_changes_requested_resets_the_verdicts(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = in_review(&app, &cast, "Event sourcing for orders").await;
    verdict(&app, cast.as_(Reviewer), &id, "APPROVE", "Fine by me")
        .await
        .data();
    let res = verdict(
        &app,
        cast.as_(SecondReviewer),
        &id,
        "REQUEST_CHANGES",
        "Say how you replay",
    )
    .await;
    assert_eq!(
        res.data()["submitReviewVerdict"]["architectureReview"]["status"],
        "CHANGES_REQUESTED"
    );

    // While CHANGES_REQUESTED the author edits, and nobody can give a verdict.
    let res = app
        .gql_as(
            cast.as_(Author),
            UPDATE,
            json!({ "input": { "id": id, "title": "Event sourcing for orders, with replay" } }),
        )
        .await;
    assert_eq!(
        res.data()["updateArchitectureReview"]["architectureReview"]["status"],
        "CHANGES_REQUESTED"
    );
    let res = verdict(&app, cast.as_(Reviewer), &id, "APPROVE", "").await;
    assert_eq!(res.error_field(), Some("reviewId"), "{}", res.body);

    let res = submit(&app, cast.as_(Author), &id, "2027-01-07").await;
    let again = &res.data()["submitArchitectureReview"]["architectureReview"];
    assert_eq!(again["status"], "IN_REVIEW");
    assert_eq!(again["meetingDate"], "2027-01-07");
    assert!(again["decidedAt"].is_null());
    let r = review(&app, cast.as_(Author), &id).await;
    assert_eq!(verdicts(&r), ["PENDING", "PENDING"]);
    for edge in r["reviewers"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["comment"], "");
        assert!(edge["node"]["verdictAt"].is_null());
    }

    // One approval is not enough any more: the earlier one was reset.
    let res = verdict(
        &app,
        cast.as_(SecondReviewer),
        &id,
        "APPROVE",
        "Replay is clear",
    )
    .await;
    assert_eq!(
        res.data()["submitReviewVerdict"]["architectureReview"]["status"],
        "IN_REVIEW"
    );
    let res = verdict(&app, cast.as_(Reviewer), &id, "APPROVE", "").await;
    assert_eq!(
        res.data()["submitReviewVerdict"]["architectureReview"]["status"],
        "APPROVED"
    );
}

async fn a_review_changes_only_where_its_status_allows(app: TestApp) {
    let cast = review_cast(&app).await;
    let author = cast.as_(Author);

    // Submitting needs a reviewer.
    let draft = open(&app, author, "Lonely proposal", "search").await;
    let res = submit(&app, author, &draft, "2026-12-03").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("id"));

    // IN_REVIEW: no edits, no second submission.
    let id = in_review(&app, &cast, "Frozen while in review").await;
    let res = app
        .gql_as(
            author,
            UPDATE,
            json!({ "input": { "id": id, "title": "Sneaky edit" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("id"));
    let res = submit(&app, author, &id, "2026-12-10").await;
    assert_eq!(res.error_field(), Some("id"), "{}", res.body);

    // A stale expectedVersion is a CONFLICT.
    let res = app
        .gql_as(
            author,
            UPDATE,
            json!({ "input": { "id": draft, "title": "Renamed", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        res.data()["updateArchitectureReview"]["architectureReview"]["version"],
        2
    );
    let res = app
        .gql_as(
            author,
            UPDATE,
            json!({ "input": { "id": draft, "title": "Renamed again", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("CONFLICT"), "{}", res.body);

    // APPROVED is final: no edits, resubmission, withdrawal or new reviewers.
    let done = approved(&app, &cast, "Decided already").await;
    for (query, input) in [
        (UPDATE, json!({ "id": done, "title": "Too late" })),
        (SUBMIT, json!({ "id": done, "meetingDate": "2027-01-07" })),
        (WITHDRAW, json!({ "id": done })),
    ] {
        let res = app.gql_as(author, query, json!({ "input": input })).await;
        assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
        assert_eq!(res.error_field(), Some("id"), "{}", res.body);
    }
    let res = assign(&app, author, &done, &[&cast.as_(Engineer).user_id]).await;
    assert_eq!(res.error_field(), Some("reviewId"), "{}", res.body);

    // Withdrawn is final too, and takes no more comments.
    let res = app
        .gql_as(author, WITHDRAW, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(
        res.data()["withdrawArchitectureReview"]["architectureReview"]["status"],
        "WITHDRAWN"
    );
    let res = submit(&app, author, &id, "2027-01-07").await;
    assert_eq!(res.error_field(), Some("id"), "{}", res.body);
    let res = app
        .gql_as(
            author,
            COMMENT,
            json!({ "input": { "reviewId": id, "body": "Hello?" } }),
        )
        .await;
    assert_eq!(res.error_field(), Some("reviewId"), "{}", res.body);
    let res = verdict(&app, cast.as_(Reviewer), &id, "APPROVE", "").await;
    assert_eq!(res.error_field(), Some("reviewId"), "{}", res.body);
}

async fn who_may_open_a_review(app: TestApp) {
    let cast = review_cast(&app).await;
    for (who, want) in [
        (Admin, Ok(())),
        (TeamLead, Ok(())),
        (Engineer, Ok(())),
        (ProductAdmin, denied("FORBIDDEN")),
        (ProductMember, denied("FORBIDDEN")),
        (ProductLead, denied("FORBIDDEN")),
        (Viewer, denied("FORBIDDEN")),
    ] {
        let got = app
            .gql_as(
                cast.as_(who),
                OPEN,
                json!({ "input": { "title": format!("By {who:?}"), "system": "x" } }),
            )
            .await
            .outcome();
        assert_eq!(got, want, "openArchitectureReview as {who:?}");
    }
    let res = app
        .gql(
            None,
            OPEN,
            json!({ "input": { "title": "t", "system": "x" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
}

async fn only_the_author_changes_submits_or_withdraws_a_review(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = open(&app, cast.as_(Author), "Mine", "search").await;
    assign(&app, cast.as_(Author), &id, &[&cast.as_(Reviewer).user_id])
        .await
        .data();
    let callers = [
        (Author, Ok(())),
        (Admin, denied("FORBIDDEN")),
        (TeamLead, denied("FORBIDDEN")),
        (Reviewer, denied("FORBIDDEN")),
        (ProductMember, denied("FORBIDDEN")),
        (Viewer, denied("FORBIDDEN")),
        (OtherOrgAdmin, denied("NOT_FOUND")),
    ];
    for (who, want) in &callers {
        let got = app
            .gql_as(
                cast.as_(*who),
                UPDATE,
                json!({ "input": { "id": id, "title": format!("Edited by {who:?}") } }),
            )
            .await
            .outcome();
        assert_eq!(got, *want, "updateArchitectureReview as {who:?}");
    }
    // The author's own rows come last: they change the review.
    for (who, want) in callers.iter().rev() {
        let got = submit(&app, cast.as_(*who), &id, "2026-12-03")
            .await
            .outcome();
        assert_eq!(got, *want, "submitArchitectureReview as {who:?}");
    }
    for (who, want) in callers.iter().rev() {
        let got = app
            .gql_as(cast.as_(*who), WITHDRAW, json!({ "input": { "id": id } }))
            .await
            .outcome();
        assert_eq!(got, *want, "withdrawArchitectureReview as {who:?}");
    }
}

async fn who_may_assign_reviewers(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = open(&app, cast.as_(Author), "Needs eyes", "search").await;
    for (who, want) in [
        (Author, Ok(())),
        (TeamLead, Ok(())),
        (Admin, Ok(())),
        (Engineer, denied("FORBIDDEN")),
        (Reviewer, denied("FORBIDDEN")),
        (ProductLead, denied("FORBIDDEN")),
        (Viewer, denied("FORBIDDEN")),
        (OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let got = assign(&app, cast.as_(who), &id, &[&cast.as_(Reviewer).user_id])
            .await
            .outcome();
        assert_eq!(got, want, "assignReviewers as {who:?}");
    }
    // Assigning twice changes nothing.
    let r = review(&app, cast.as_(Author), &id).await;
    assert_eq!(r["reviewers"]["totalCount"], 1);
}

async fn reviewers_are_active_engineers_of_the_organisation_other_than_the_author(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = open(&app, cast.as_(Author), "Who reviews", "search").await;
    let deactivated = app
        .add_user(&cast.admin, "Dee Parted", "ENGINEERING", "MEMBER")
        .await;
    app.gql_as(
        &cast.admin,
        "mutation($input: DeactivateUserInput!) { deactivateUser(input: $input) { user { id } } }",
        json!({ "input": { "userId": deactivated.user_id } }),
    )
    .await
    .data();
    for (user, code, why) in [
        (&cast.as_(Author).user_id, "BAD_USER_INPUT", "the author"),
        (
            &cast.as_(ProductMember).user_id,
            "BAD_USER_INPUT",
            "not an engineer",
        ),
        (&cast.as_(Viewer).user_id, "BAD_USER_INPUT", "a viewer"),
        (&deactivated.user_id, "BAD_USER_INPUT", "deactivated"),
        (
            &cast.other_admin.user_id,
            "NOT_FOUND",
            "another organisation's",
        ),
    ] {
        let res = assign(
            &app,
            cast.as_(Author),
            &id,
            &[&cast.as_(Reviewer).user_id, user],
        )
        .await;
        assert_eq!(res.error_code(), Some(code), "{why}: {}", res.body);
        if code == "BAD_USER_INPUT" {
            assert_eq!(res.error_field(), Some("reviewerIds"), "{why}");
        }
    }
    let res = assign(&app, cast.as_(Author), &id, &[]).await;
    assert_eq!(res.error_field(), Some("reviewerIds"), "{}", res.body);
    let r = review(&app, cast.as_(Author), &id).await;
    assert_eq!(
        r["reviewers"]["totalCount"], 0,
        "a refused list adds nobody"
    );
}

async fn only_an_assigned_engineering_reviewer_gives_a_verdict(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = in_review(&app, &cast, "Verdicts").await;
    for (who, want) in [
        (Author, denied("FORBIDDEN")),
        (Admin, denied("FORBIDDEN")),
        (TeamLead, denied("FORBIDDEN")),
        (Engineer, denied("FORBIDDEN")),
        (ProductAdmin, denied("FORBIDDEN")),
        (Viewer, denied("FORBIDDEN")),
        (OtherOrgAdmin, denied("NOT_FOUND")),
        (Reviewer, Ok(())),
    ] {
        let got = verdict(&app, cast.as_(who), &id, "APPROVE", "")
            .await
            .outcome();
        assert_eq!(got, want, "submitReviewVerdict as {who:?}");
    }
    let r = review(&app, cast.as_(Author), &id).await;
    assert_eq!(r["status"], "IN_REVIEW");
    assert_eq!(verdicts(&r), ["APPROVE", "PENDING"]);
}

async fn members_and_admins_comment_in_threads(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = in_review(&app, &cast, "Talk about it").await;
    let mut first = None;
    for (who, want) in [
        (Admin, Ok(())),
        (ProductMember, Ok(())),
        (Engineer, Ok(())),
        (Author, Ok(())),
        (Viewer, denied("FORBIDDEN")),
        (OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let res = app
            .gql_as(
                cast.as_(who),
                COMMENT,
                json!({ "input": { "reviewId": id, "body": format!("{who:?} thinks so") } }),
            )
            .await;
        assert_eq!(res.outcome(), want, "addReviewComment as {who:?}");
        if first.is_none() && want.is_ok() {
            first = Some(res.data()["addReviewComment"]["comment"]["id"].clone());
        }
    }
    let first = first.unwrap();
    let res = app
        .gql_as(
            cast.as_(Author),
            COMMENT,
            json!({ "input": { "reviewId": id, "body": "Agreed", "replyToId": first } }),
        )
        .await;
    let reply = &res.data()["addReviewComment"]["comment"];
    assert_eq!(reply["replyTo"]["id"], first);
    assert_eq!(reply["author"]["id"], cast.as_(Author).user_id.as_str());

    // A reply stays on its review.
    let elsewhere = open(&app, cast.as_(Author), "Elsewhere", "search").await;
    let res = app
        .gql_as(
            cast.as_(Author),
            COMMENT,
            json!({ "input": { "reviewId": elsewhere, "body": "Hm", "replyToId": first } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("replyToId"));

    let res = app
        .gql_as(
            cast.as_(Viewer),
            r#"query($id: ID!) { node(id: $id) { ... on ArchitectureReview {
                comments { totalCount edges { node { body replyTo { body } author { displayName }
                    replies { totalCount edges { node { body } } } } } }
            } } }"#,
            json!({ "id": id }),
        )
        .await;
    let comments = &res.data()["node"]["comments"];
    assert_eq!(comments["totalCount"], 5);
    let edges = comments["edges"].as_array().unwrap();
    assert_eq!(edges[0]["node"]["body"], "Admin thinks so");
    assert_eq!(edges[0]["node"]["author"]["displayName"], "Acme Admin");
    assert_eq!(edges[0]["node"]["replies"]["totalCount"], 1);
    assert_eq!(
        edges[0]["node"]["replies"]["edges"][0]["node"]["body"],
        "Agreed"
    );
    assert_eq!(edges[4]["node"]["body"], "Agreed");
    assert_eq!(edges[4]["node"]["replyTo"]["body"], "Admin thinks so");
}

async fn reviews_filter_by_status_system_team_author_month_and_text(app: TestApp) {
    let cast = review_cast(&app).await;
    let ledger = open(&app, cast.as_(Author), "Move the ledger", "Ledger").await;
    app.gql_as(
        cast.as_(Author),
        UPDATE,
        json!({ "input": { "id": ledger, "teamId": cast.team(),
                           "proposal": "Use PostgreSQL 100% of the time" } }),
    )
    .await
    .data();
    let _search = open(&app, cast.as_(Engineer), "Replace Solr", "search").await;
    in_review(&app, &cast, "Cache the catalogue").await;
    let january = open(&app, cast.as_(Author), "Shard by tenant", "ledger").await;
    assign(
        &app,
        cast.as_(Author),
        &january,
        &[&cast.as_(Reviewer).user_id],
    )
    .await
    .data();
    submit(&app, cast.as_(Author), &january, "2027-01-07")
        .await
        .data();

    let titles = |filter: Value| {
        let app = &app;
        let viewer = cast.as_(Viewer);
        async move {
            let res = app
                .gql_as(
                    viewer,
                    r#"query($f: ArchitectureReviewFilter) {
                        architectureReviews(first: 50, filter: $f) { totalCount edges { node { title } } }
                    }"#,
                    json!({ "f": filter }),
                )
                .await;
            let conn = &res.data()["architectureReviews"];
            let titles: Vec<String> = conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(conn["totalCount"], titles.len());
            titles
        }
    };
    assert_eq!(titles(json!(null)).await.len(), 4);
    assert_eq!(
        titles(json!({ "status": "IN_REVIEW" })).await,
        ["Cache the catalogue", "Shard by tenant"]
    );
    assert_eq!(
        titles(json!({ "system": " LEDGER " })).await,
        ["Move the ledger", "Shard by tenant"]
    );
    assert_eq!(
        titles(json!({ "teamId": cast.team() })).await,
        ["Move the ledger"]
    );
    assert_eq!(
        titles(json!({ "authorId": cast.as_(Engineer).user_id })).await,
        ["Replace Solr"]
    );
    assert_eq!(
        titles(json!({ "month": "2026-12" })).await,
        ["Cache the catalogue"]
    );
    assert_eq!(
        titles(json!({ "month": "2027-01", "system": "ledger" })).await,
        ["Shard by tenant"]
    );
    // Text search: title or proposal, case-insensitive, wildcards taken literally.
    assert_eq!(titles(json!({ "search": "SOLR" })).await, ["Replace Solr"]);
    assert_eq!(
        titles(json!({ "search": "postgresql 100%" })).await,
        ["Move the ledger"]
    );
    assert_eq!(titles(json!({ "search": "100%_" })).await.len(), 0);
    assert_eq!(
        titles(json!({ "search": "because it is TIME" })).await,
        ["Replace Solr", "Cache the catalogue", "Shard by tenant"],
        "the proposals that still say so"
    );
}

async fn the_agenda_lists_the_reviews_of_a_months_meeting_oldest_first(app: TestApp) {
    let cast = review_cast(&app).await;
    // Opened first, submitted last: the agenda goes by age, not by submission.
    let early = open(
        &app,
        cast.as_(Author),
        "Opened early, submitted late",
        "search",
    )
    .await;
    assign(
        &app,
        cast.as_(Author),
        &early,
        &[&cast.as_(Reviewer).user_id],
    )
    .await
    .data();
    let first = in_review(&app, &cast, "First in December").await;
    let january = open(&app, cast.as_(Author), "January", "search").await;
    assign(
        &app,
        cast.as_(Author),
        &january,
        &[&cast.as_(Reviewer).user_id],
    )
    .await
    .data();
    submit(&app, cast.as_(Author), &january, "2027-01-07")
        .await
        .data();
    let _draft = open(&app, cast.as_(Author), "Still a draft", "search").await;
    let withdrawn = in_review(&app, &cast, "Withdrawn").await;
    app.gql_as(
        cast.as_(Author),
        WITHDRAW,
        json!({ "input": { "id": withdrawn } }),
    )
    .await
    .data();
    let second = in_review(&app, &cast, "Second in December").await;
    // A decided review stays on the agenda of its meeting.
    verdict(&app, cast.as_(Reviewer), &second, "APPROVE", "")
        .await
        .data();
    verdict(&app, cast.as_(SecondReviewer), &second, "APPROVE", "")
        .await
        .data();
    submit(&app, cast.as_(Author), &early, "2026-12-31")
        .await
        .data();

    let agenda = |month: &'static str| {
        let app = &app;
        let who = cast.as_(ProductMember);
        async move {
            app.gql_as(
                who,
                r#"query($m: String!) { architectureReviewAgenda(month: $m) {
                    totalCount edges { node { id title status meetingDate } } } }"#,
                json!({ "m": month }),
            )
            .await
        }
    };
    let res = agenda("2026-12").await;
    let conn = &res.data()["architectureReviewAgenda"];
    let titles: Vec<&str> = conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Opened early, submitted late",
            "First in December",
            "Second in December"
        ]
    );
    assert_eq!(conn["totalCount"], 3);
    assert_eq!(conn["edges"][1]["node"]["id"], first.as_str());
    assert_eq!(conn["edges"][2]["node"]["status"], "APPROVED");
    let res = agenda("2027-01").await;
    assert_eq!(
        res.data()["architectureReviewAgenda"]["edges"][0]["node"]["title"],
        "January"
    );
    let res = agenda("2027-02").await;
    assert_eq!(res.data()["architectureReviewAgenda"]["totalCount"], 0);
    for bad in ["2026-13", "2026-1", "December", "2026-12-01", ""] {
        let res = agenda(bad).await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{bad:?}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some("month"), "{bad:?}");
    }
}

async fn another_organisations_reviews_are_not_found(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = in_review(&app, &cast, "Acme's secret plan").await;
    let res = app
        .gql_as(
            cast.as_(Author),
            COMMENT,
            json!({ "input": { "reviewId": id, "body": "First!" } }),
        )
        .await;
    let comment = res.data()["addReviewComment"]["comment"]["id"].clone();
    let other = &cast.other_admin;
    // Globex's own review, to aim Acme's ids at.
    let theirs = open(&app, other, "Globex plan", "search").await;

    for (name, query, input) in [
        ("update", UPDATE, json!({ "id": id, "title": "Mine now" })),
        (
            "submit",
            SUBMIT,
            json!({ "id": id, "meetingDate": "2026-12-03" }),
        ),
        ("withdraw", WITHDRAW, json!({ "id": id })),
        (
            "assign",
            ASSIGN,
            json!({ "reviewId": id, "reviewerIds": [other.user_id] }),
        ),
        (
            "verdict",
            VERDICT,
            json!({ "reviewId": id, "verdict": "REJECT", "comment": "no" }),
        ),
        (
            "comment",
            COMMENT,
            json!({ "reviewId": id, "body": "Hello" }),
        ),
        (
            "reply to Acme's comment",
            COMMENT,
            json!({ "reviewId": theirs, "body": "Hello", "replyToId": comment }),
        ),
        (
            "open for Acme's team",
            OPEN,
            json!({ "title": "t", "system": "x", "teamId": cast.team() }),
        ),
        (
            "move to Acme's team",
            UPDATE,
            json!({ "id": theirs, "teamId": cast.team() }),
        ),
    ] {
        let res = app.gql_as(other, query, json!({ "input": input })).await;
        assert_eq!(res.error_code(), Some("NOT_FOUND"), "{name}: {}", res.body);
    }
    // Acme's users cannot review Globex's proposal either.
    let res = assign(&app, other, &theirs, &[&cast.as_(Reviewer).user_id]).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);

    let res = app.gql_as(other, REVIEW, json!({ "id": id })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);
    let res = app
        .gql_as(
            other,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": comment }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{}", res.body);
    let res = app
        .gql_as(
            other,
            r#"{ architectureReviews { totalCount edges { node { title } } }
                 architectureReviewAgenda(month: "2026-12") { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(res.data()["architectureReviews"]["totalCount"], 1);
    assert_eq!(
        res.data()["architectureReviews"]["edges"][0]["node"]["title"],
        "Globex plan"
    );
    assert_eq!(res.data()["architectureReviewAgenda"]["totalCount"], 0);
    // And nothing changed at Acme.
    let r = review(&app, cast.as_(Author), &id).await;
    assert_eq!(r["title"], "Acme's secret plan");
    assert_eq!(verdicts(&r), ["PENDING", "PENDING"]);
}

async fn bad_review_input_is_refused_with_its_field(app: TestApp) {
    let cast = review_cast(&app).await;
    let id = in_review(&app, &cast, "Valid").await;
    let author = cast.as_(Author);
    for (name, query, input, field) in [
        (
            "oversized title",
            OPEN,
            json!({ "title": "t".repeat(201), "system": "x" }),
            "title",
        ),
        (
            "empty title",
            OPEN,
            json!({ "title": "  ", "system": "x" }),
            "title",
        ),
        (
            "oversized proposal",
            OPEN,
            json!({ "title": "t", "system": "x", "proposal": "p".repeat(50_001) }),
            "proposal",
        ),
        (
            "empty system",
            OPEN,
            json!({ "title": "t", "system": "" }),
            "system",
        ),
        (
            "oversized system",
            OPEN,
            json!({ "title": "t", "system": "s".repeat(201) }),
            "system",
        ),
        (
            "a user id as team",
            OPEN,
            json!({ "title": "t", "system": "x", "teamId": author.user_id }),
            "teamId",
        ),
        (
            "a team id as review",
            UPDATE,
            json!({ "id": cast.team(), "title": "t" }),
            "id",
        ),
        ("not an id", WITHDRAW, json!({ "id": "nonsense" }), "id"),
        (
            "a user id as review",
            VERDICT,
            json!({ "reviewId": author.user_id, "verdict": "APPROVE" }),
            "reviewId",
        ),
        (
            "a review id as reviewer",
            ASSIGN,
            json!({ "reviewId": id, "reviewerIds": [id] }),
            "reviewerIds",
        ),
        (
            "a review id as comment",
            COMMENT,
            json!({ "reviewId": id, "body": "b", "replyToId": id }),
            "replyToId",
        ),
        (
            "an empty comment",
            COMMENT,
            json!({ "reviewId": id, "body": " " }),
            "body",
        ),
        (
            "an oversized comment",
            COMMENT,
            json!({ "reviewId": id, "body": "b".repeat(10_001) }),
            "body",
        ),
    ] {
        let res = app.gql_as(author, query, json!({ "input": input })).await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{name}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some(field), "{name}: {}", res.body);
    }
    for (name, verdict_, comment, field) in [
        ("PENDING is no verdict", "PENDING", "", "verdict"),
        ("a rejection says why", "REJECT", " ", "comment"),
        (
            "a change request says why",
            "REQUEST_CHANGES",
            "",
            "comment",
        ),
        (
            "an oversized comment",
            "APPROVE",
            &"c".repeat(10_001)[..],
            "comment",
        ),
    ] {
        let res = verdict(&app, cast.as_(Reviewer), &id, verdict_, comment).await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{name}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some(field), "{name}: {}", res.body);
    }
    // A date that is not one, and a verdict that does not exist, never reach a resolver.
    let draft = open(&app, author, "Dates", "x").await;
    for date in ["2026-02-30", "03/12/2026", "2026-12"] {
        let res = submit(&app, author, &draft, date).await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{date}: {}",
            res.body
        );
    }
    let res = verdict(&app, cast.as_(Reviewer), &id, "MAYBE", "").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    let res = app
        .gql_as(
            author,
            r#"{ architectureReviews(filter: { month: "2026-13" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("month"));
    let r = review(&app, author, &id).await;
    assert_eq!(verdicts(&r), ["PENDING", "PENDING"], "nothing was recorded");
}

const NESTED: &str = r#"{
  architectureReviews(first: 100) {
    totalCount
    edges { node {
      title status author { displayName } team { name }
      reviewers { totalCount edges { node { verdict comment reviewer { displayName discipline } } } }
      comments { totalCount edges { node {
        body author { displayName }
        replyTo { body author { displayName } }
        replies { totalCount }
      } } }
      decisionRecords { totalCount }
    } }
  }
}"#;

/// Seeds `n` reviews with two reviewers (one verdict given) and two comments (one a
/// reply) each, then returns the statements the nested query ran.
async fn statements_for(app: &TestApp, cast: &Cast, n: usize, first: usize) -> u64 {
    for i in first..first + n {
        let id = in_review(app, cast, &format!("Review {i:03}")).await;
        verdict(app, cast.as_(Reviewer), &id, "APPROVE", "ok")
            .await
            .data();
        let res = app
            .gql_as(
                cast.as_(Engineer),
                COMMENT,
                json!({ "input": { "reviewId": id, "body": format!("Question {i}") } }),
            )
            .await;
        let question = res.data()["addReviewComment"]["comment"]["id"].clone();
        app.gql_as(
            cast.as_(Author),
            COMMENT,
            json!({ "input": { "reviewId": id, "body": "Answer", "replyToId": question } }),
        )
        .await
        .data();
    }
    let before = app.statements.get();
    let res = app.gql_as(cast.as_(Viewer), NESTED, json!({})).await;
    let after = app.statements.get();
    let reviews = res.data()["architectureReviews"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(reviews.len(), first + n);
    let r = &reviews[0]["node"];
    assert_eq!(r["reviewers"]["totalCount"], 2);
    assert_eq!(r["comments"]["totalCount"], 2);
    assert_eq!(
        r["comments"]["edges"][1]["node"]["replyTo"]["author"]["displayName"],
        "Eve Engineer"
    );
    after - before
}

async fn a_page_of_reviews_with_reviewers_comments_and_authors_costs_a_fixed_number_of_statements(
    app: TestApp,
) {
    let cast = review_cast(&app).await;
    let five = statements_for(&app, &cast, 5, 0).await;
    let thirty = statements_for(&app, &cast, 25, 5).await;
    println!(
        "nested reviews query ({:?}): 5 reviews: {five} statements; 30 reviews: {thirty} statements",
        app.db_kind
    );
    // 1 to authenticate, 2 for the page and its total, then per wave of the query's
    // shape one batch per loader: authors, teams, reviewers (page and count), reviewer
    // users, comments (page and count), comment authors, replyTo, replies counts,
    // decision record counts. Loads of one loader from two waves may or may not share
    // a batch (timing), so the exact count varies a little, but it is bounded by the
    // shape alone: an N+1 would cost 30+ statements per relation here.
    const SHAPE_BOUND: u64 = 20;
    assert!(five <= SHAPE_BOUND, "{five} statements for 5 reviews");
    assert!(thirty <= SHAPE_BOUND, "{thirty} statements for 30 reviews");
}

crate::db_tests!(
    a_review_goes_from_draft_to_approved_once_every_reviewer_approves,
    every_combination_of_verdicts_decides_the_review,
    the_last_two_verdicts_given_at_once_still_decide_the_review,
    resubmitting_after_changes_requested_resets_the_verdicts,
    a_review_changes_only_where_its_status_allows,
    who_may_open_a_review,
    only_the_author_changes_submits_or_withdraws_a_review,
    who_may_assign_reviewers,
    reviewers_are_active_engineers_of_the_organisation_other_than_the_author,
    only_an_assigned_engineering_reviewer_gives_a_verdict,
    members_and_admins_comment_in_threads,
    reviews_filter_by_status_system_team_author_month_and_text,
    the_agenda_lists_the_reviews_of_a_months_meeting_oldest_first,
    another_organisations_reviews_are_not_found,
    bad_review_input_is_refused_with_its_field,
    a_page_of_reviews_with_reviewers_comments_and_authors_costs_a_fixed_number_of_statements,
);
