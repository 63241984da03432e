//! What each scope lets a token do (issue 13, DESIGN §2): one row per operation and
//! scope set. A token acts only within its scopes, never as a person, and only in its
//! own organisation.

use serde_json::{json, Value};

use super::{
    create_token, create_token_query, mutation, revoke_token_query, this_quarter, Org, Token,
    ALL_SCOPES, CREATE_INITIATIVE, CREATE_OUTCOME, DELETE_MEASUREMENT, KPI_OWNER, LINK, RECORD,
    TEAMS, UNLINK, UPDATE_INITIATIVE,
};
use crate::common::{assert_code, denied, id_of, Cast, Session, TestApp, Who};

/// The scope sets of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    Read,
    KpisWrite,
    InitiativesWrite,
    /// Every scope there is.
    All,
}

const SETS: [Set; 4] = [Set::Read, Set::KpisWrite, Set::InitiativesWrite, Set::All];

impl Set {
    fn scopes(self) -> Vec<&'static str> {
        match self {
            Set::Read => vec!["READ"],
            Set::KpisWrite => vec!["KPIS_WRITE"],
            Set::InitiativesWrite => vec!["INITIATIVES_WRITE"],
            Set::All => ALL_SCOPES.to_vec(),
        }
    }

    fn index(self) -> usize {
        SETS.iter().position(|s| *s == self).unwrap()
    }
}

/// Which scope sets an operation is allowed to, as each set's expected outcome.
fn allowed_to(sets: &[Set]) -> [Result<(), String>; 4] {
    SETS.map(|s| {
        if sets.contains(&s) {
            Ok(())
        } else {
            denied("FORBIDDEN")
        }
    })
}

/// One row: an operation, with the variables it is tried with for each scope set.
struct Row {
    op: &'static str,
    query: String,
    vars: [Value; 4],
    want: [Result<(), String>; 4],
}

impl Row {
    /// The same variables for every scope set.
    fn new(op: &'static str, query: impl Into<String>, vars: Value, allowed: &[Set]) -> Self {
        Self {
            op,
            query: query.into(),
            vars: [vars.clone(), vars.clone(), vars.clone(), vars],
            want: allowed_to(allowed),
        }
    }

    /// Variables of each scope set's own.
    fn each(
        op: &'static str,
        query: impl Into<String>,
        vars: impl Fn(Set) -> Value,
        allowed: &[Set],
    ) -> Self {
        Self {
            op,
            query: query.into(),
            vars: SETS.map(vars),
            want: allowed_to(allowed),
        }
    }
}

/// One operation tried with one scope set.
struct Case {
    op: &'static str,
    set: Set,
    query: String,
    vars: Value,
    want: Result<(), String>,
}

/// An operation only a person may do, and the person who then does it with the same
/// variables: proof that the tokens were refused for being tokens, not for bad input.
struct PersonOnly {
    op: &'static str,
    query: String,
    vars: Value,
    then: Who,
}

/// Acme, with a member, an engineer, and a reviewer assigned to a review in review; a
/// roadmap session in session; initiatives; and a token of each scope set.
struct World {
    cast: Cast,
    org: Org,
    tokens: Vec<Token>,
    /// One initiative per scope set, not mapped to the outcome.
    unmapped: Vec<String>,
    /// An initiative mapped to the outcome.
    mapped: String,
    review: String,
    alignment: String,
}

impl World {
    async fn new(app: &TestApp) -> Self {
        let cast = Cast::with(&[Who::Member, Who::Engineer, Who::Reviewer])
            .build(app)
            .await;
        let org = Org::of(app, cast.admin.clone()).await;
        let admin = &cast.admin.token;
        let mut tokens = Vec::new();
        for set in SETS {
            tokens.push(create_token(app, &cast.admin, &format!("{set:?}"), &set.scopes()).await);
        }
        let mut unmapped = Vec::new();
        for set in SETS {
            unmapped.push(
                org.initiative(app, admin, &format!("Unmapped {set:?}"))
                    .await,
            );
        }
        let mapped = org.initiative(app, admin, "Mapped").await;
        app.gql(
            Some(admin),
            LINK,
            json!({ "input": { "initiativeId": mapped, "outcomeId": org.outcome } }),
        )
        .await
        .data();

        let res = app
            .gql(
                Some(admin),
                &mutation(
                    "openArchitectureReview",
                    "OpenArchitectureReviewInput",
                    "architectureReview { id }",
                ),
                json!({ "input": { "title": "Queue the payouts", "system": "payouts" } }),
            )
            .await;
        let review = id_of(&res.data()["openArchitectureReview"]["architectureReview"]);
        app.gql(
            Some(admin),
            &mutation(
                "assignReviewers",
                "AssignReviewersInput",
                "architectureReview { id }",
            ),
            json!({ "input": { "reviewId": review,
                               "reviewerIds": [cast.as_(Who::Reviewer).user_id] } }),
        )
        .await
        .data();
        app.gql(
            Some(admin),
            &mutation(
                "submitArchitectureReview",
                "SubmitArchitectureReviewInput",
                "architectureReview { id }",
            ),
            json!({ "input": { "id": review, "meetingDate": "2026-12-03" } }),
        )
        .await
        .data();

        let res = app
            .gql(
                Some(admin),
                &mutation(
                    "createRoadmapAlignment",
                    "CreateRoadmapAlignmentInput",
                    "roadmapAlignment { id }",
                ),
                json!({ "input": { "quarter": this_quarter(), "title": "This quarter" } }),
            )
            .await;
        let alignment = id_of(&res.data()["createRoadmapAlignment"]["roadmapAlignment"]);
        app.gql(
            Some(admin),
            &mutation(
                "startRoadmapAlignment",
                "AlignmentIdInput",
                "roadmapAlignment { id }",
            ),
            json!({ "input": { "id": alignment } }),
        )
        .await
        .data();
        Self {
            cast,
            org,
            tokens,
            unmapped,
            mapped,
            review,
            alignment,
        }
    }

    fn token(&self, set: Set) -> &Token {
        &self.tokens[set.index()]
    }

    fn admin(&self) -> &Session {
        &self.cast.admin
    }
}

async fn each_scope_allows_its_own_operations_and_no_others(app: TestApp) {
    use Set::*;
    let w = World::new(&app).await;
    let admin = w.admin().token.clone();
    // Measurements to delete: each writing token's own, the admin's, and one of
    // another token.
    let mut own: Vec<Option<String>> = vec![None; SETS.len()];
    for set in [KpisWrite, All] {
        own[set.index()] = Some(w.org.measure(&app, &w.token(set).secret, 51.0).await);
    }
    let admins = w.org.measure(&app, &admin, 52.0).await;
    let another_tokens = w.org.measure(&app, &w.token(KpisWrite).secret, 53.0).await;

    let mut rows = vec![
        Row::new("query teams", TEAMS, json!({}), &[Read, All]),
        Row::new(
            "query node",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": w.mapped }),
            &[Read, All],
        ),
        Row::new(
            "query changes",
            "{ changes(first: 5) { cursor hasMore } }",
            json!({}),
            &[Read, All],
        ),
        // A token is nobody: no set makes it a viewer, an admin or an auditor.
        Row::new("query viewer", "{ viewer { id } }", json!({}), &[]),
        Row::new(
            "query apiTokens",
            "{ apiTokens { totalCount } }",
            json!({}),
            &[],
        ),
        Row::new(
            "query auditEvents",
            "{ auditEvents { totalCount } }",
            json!({}),
            &[],
        ),
        Row::each(
            "recordKpiMeasurement",
            RECORD,
            |set| json!({ "input": { "kpiId": w.org.kpi, "value": 40.0 + set.index() as f64 } }),
            &[KpisWrite, All],
        ),
        Row::new(
            "deleteKpiMeasurement of the admin's",
            DELETE_MEASUREMENT,
            json!({ "input": { "id": admins } }),
            &[],
        ),
        Row::each(
            "createInitiative",
            CREATE_INITIATIVE,
            |set| json!({ "input": { "squadId": w.org.squad, "title": format!("By {set:?}") } }),
            &[InitiativesWrite, All],
        ),
        Row::each(
            "updateInitiative",
            UPDATE_INITIATIVE,
            |set| json!({ "input": { "id": w.mapped, "title": format!("Renamed by {set:?}") } }),
            &[InitiativesWrite, All],
        ),
        Row::each(
            "linkInitiativeToOutcome",
            LINK,
            |set| {
                json!({ "input": { "initiativeId": w.unmapped[set.index()],
                                   "outcomeId": w.org.outcome } })
            },
            &[InitiativesWrite, All],
        ),
        // The refused sets try the mapping that exists; the others the one they made.
        Row::each(
            "unlinkInitiativeFromOutcome",
            UNLINK,
            |set| {
                let initiative = match set {
                    Read | KpisWrite => &w.mapped,
                    _ => &w.unmapped[set.index()],
                };
                json!({ "input": { "initiativeId": initiative, "outcomeId": w.org.outcome } })
            },
            &[InitiativesWrite, All],
        ),
        Row::each(
            "createOutcome",
            CREATE_OUTCOME,
            |set| {
                json!({ "input": { "teamId": w.org.team, "quarter": this_quarter(),
                                   "title": format!("Outcome of {set:?}") } })
            },
            &[InitiativesWrite, All],
        ),
        Row::each(
            "updateOutcome",
            mutation("updateOutcome", "UpdateOutcomeInput", "outcome { id }"),
            |set| json!({ "input": { "id": w.org.outcome, "title": format!("Set by {set:?}") } }),
            &[InitiativesWrite, All],
        ),
        Row::new(
            "setOutcomeStatus",
            mutation(
                "setOutcomeStatus",
                "SetOutcomeStatusInput",
                "outcome { id }",
            ),
            json!({ "input": { "id": w.org.outcome, "status": "AT_RISK" } }),
            &[InitiativesWrite, All],
        ),
    ];
    let mut cases: Vec<Case> = Vec::new();
    for row in rows.drain(..) {
        for set in SETS {
            cases.push(Case {
                op: row.op,
                set,
                query: row.query.clone(),
                vars: row.vars[set.index()].clone(),
                want: row.want[set.index()].clone(),
            });
        }
    }
    // A token deletes what it recorded itself, and nothing another token recorded.
    for set in [KpisWrite, All] {
        cases.push(Case {
            op: "deleteKpiMeasurement of its own",
            set,
            query: DELETE_MEASUREMENT.into(),
            vars: json!({ "input": { "id": own[set.index()] } }),
            want: Ok(()),
        });
    }
    cases.push(Case {
        op: "deleteKpiMeasurement of another token's",
        set: All,
        query: DELETE_MEASUREMENT.into(),
        vars: json!({ "input": { "id": another_tokens } }),
        want: denied("FORBIDDEN"),
    });

    for Case {
        op,
        set,
        query,
        vars,
        want,
    } in cases
    {
        let res = app.gql(Some(&w.token(set).secret), &query, vars).await;
        assert_eq!(res.outcome(), want, "{op} with {set:?}: {}", res.body);
    }

    // What the refused rows tried is still there; what the allowed ones did is done.
    let res = app
        .gql(
            Some(&admin),
            "query($kpi: ID!, $i: ID!) {
                kpi: node(id: $kpi) { ... on Kpi { measurements { nodes { id value } } } }
                mapped: node(id: $i) { ... on Initiative { title outcomes { totalCount } } } }",
            json!({ "kpi": w.org.kpi, "i": w.mapped }),
        )
        .await;
    let data = res.data();
    let mut values: Vec<f64> = data["kpi"]["measurements"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_f64().unwrap())
        .collect();
    values.sort_by(f64::total_cmp);
    // 41 and 43 recorded in the table, 52 the admin's, 53 the other token's; the two
    // tokens' own 51s deleted.
    assert_eq!(values, [41.0, 43.0, 52.0, 53.0], "{data}");
    assert_eq!(data["mapped"]["title"], "Renamed by All");
    assert_eq!(data["mapped"]["outcomes"]["totalCount"], 1, "still mapped");
}

async fn every_operation_of_a_person_is_forbidden_to_every_token(app: TestApp) {
    let w = World::new(&app).await;
    let member = w.cast.as_(Who::Member).user_id.clone();
    let engineer = w.cast.as_(Who::Engineer).user_id.clone();
    let reviewer = w.cast.as_(Who::Reviewer).user_id.clone();
    let spare = create_token(&app, w.admin(), "Spare", &["READ"]).await;
    let person_only = [
        PersonOnly {
            op: "inviteUser",
            query: mutation("inviteUser", "InviteUserInput", "user { id }"),
            vars: json!({ "email": "new.hire@acme.test", "displayName": "New Hire",
                          "discipline": "DESIGN", "orgRole": "MEMBER" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "createTeam",
            query: mutation("createTeam", "CreateTeamInput", "team { id }"),
            vars: json!({ "name": "Search" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "updateTeam",
            query: mutation("updateTeam", "UpdateTeamInput", "team { id }"),
            vars: json!({ "id": w.org.team, "name": "Payments & Billing" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "addTeamMember",
            query: mutation("addTeamMember", "AddTeamMemberInput", "team { id }"),
            vars: json!({ "teamId": w.org.team, "userId": reviewer, "role": "MEMBER" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "createSquad",
            query: mutation("createSquad", "CreateSquadInput", "squad { id }"),
            vars: json!({ "teamId": w.org.team, "name": "Wallet" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "addSquadMember",
            query: mutation("addSquadMember", "AddSquadMemberInput", "squad { id }"),
            vars: json!({ "squadId": w.org.squad, "userId": reviewer, "role": "MEMBER",
                          "allocationPercent": 10 }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "createKpi",
            query: mutation("createKpi", "CreateKpiInput", "kpi { id }"),
            vars: json!({ "squadId": w.org.squad, "name": "NPS", "category": "CUSTOMER" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "addKpiOwner",
            query: KPI_OWNER.to_owned(),
            vars: json!({ "kpiId": w.org.kpi, "userId": reviewer }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "openArchitectureReview",
            query: mutation(
                "openArchitectureReview",
                "OpenArchitectureReviewInput",
                "architectureReview { id }",
            ),
            vars: json!({ "title": "Split the monolith", "system": "core" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "addReviewComment",
            query: mutation(
                "addReviewComment",
                "AddReviewCommentInput",
                "comment { id }",
            ),
            vars: json!({ "reviewId": w.review, "body": "What about retries?" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "submitReviewVerdict",
            query: mutation(
                "submitReviewVerdict",
                "SubmitReviewVerdictInput",
                "reviewer { verdict }",
            ),
            vars: json!({ "reviewId": w.review, "verdict": "APPROVE" }),
            then: Who::Reviewer,
        },
        PersonOnly {
            op: "createDecisionRecord",
            query: mutation(
                "createDecisionRecord",
                "CreateDecisionRecordInput",
                "decisionRecord { id }",
            ),
            vars: json!({ "title": "Queue payouts", "decision": "We queue payouts." }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "createRoadmapAlignment",
            query: mutation(
                "createRoadmapAlignment",
                "CreateRoadmapAlignmentInput",
                "roadmapAlignment { id }",
            ),
            vars: json!({ "quarter": this_quarter(), "title": "Another session" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "signOffRoadmapAlignment",
            query: mutation(
                "signOffRoadmapAlignment",
                "SignOffRoadmapAlignmentInput",
                "signOff { discipline }",
            ),
            vars: json!({ "roadmapAlignmentId": w.alignment }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "createApiToken",
            query: create_token_query(),
            vars: json!({ "name": "Made by a token", "scopes": ALL_SCOPES }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "revokeApiToken",
            query: revoke_token_query(),
            vars: json!({ "id": spare.id }),
            then: Who::Admin,
        },
        // Last, as they change who the users are.
        PersonOnly {
            op: "updateUserRole",
            query: mutation("updateUserRole", "UpdateUserRoleInput", "user { id }"),
            vars: json!({ "userId": member, "orgRole": "VIEWER" }),
            then: Who::Admin,
        },
        PersonOnly {
            op: "deactivateUser",
            query: mutation("deactivateUser", "DeactivateUserInput", "user { id }"),
            vars: json!({ "userId": engineer }),
            then: Who::Admin,
        },
    ];
    for row in &person_only {
        for set in SETS {
            let res = app
                .gql(
                    Some(&w.token(set).secret),
                    &row.query,
                    json!({ "input": row.vars }),
                )
                .await;
            assert_eq!(
                res.outcome(),
                denied("FORBIDDEN"),
                "{} with {set:?}: {}",
                row.op,
                res.body
            );
        }
        let res = app
            .gql_as(
                w.cast.as_(row.then),
                &row.query,
                json!({ "input": row.vars }),
            )
            .await;
        assert_eq!(
            res.outcome(),
            Ok(()),
            "{} as {:?} after the tokens: {}",
            row.op,
            row.then,
            res.body
        );
    }
}

async fn a_measurement_a_token_records_names_no_person(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let token = create_token(&app, &org.admin, "Amplitude", &["KPIS_WRITE"]).await;
    let res = app
        .gql(
            Some(&token.secret),
            RECORD,
            json!({ "input": { "kpiId": org.kpi, "value": 55.0 } }),
        )
        .await;
    let m = &res.data()["recordKpiMeasurement"]["measurement"];
    assert_eq!(m["recordedBy"], Value::Null, "{m}");
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on KpiMeasurement { value recordedBy { id } } } }",
            json!({ "id": m["id"] }),
        )
        .await;
    assert_eq!(
        res.data()["node"],
        json!({ "value": 55.0, "recordedBy": null })
    );
    // A person's measurement names them.
    let mine = org.measure(&app, &org.admin.token, 56.0).await;
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on KpiMeasurement { recordedBy { id } } } }",
            json!({ "id": mine }),
        )
        .await;
    assert_eq!(
        res.data()["node"]["recordedBy"]["id"],
        org.admin.user_id.as_str()
    );
}

async fn a_token_of_one_organisation_never_reaches_another(app: TestApp) {
    let acme = Org::new(&app, "Acme").await;
    let globex = Org::new(&app, "Globex").await;
    let initiative = acme
        .initiative(&app, &acme.admin.token, "One-click pay")
        .await;
    let token = create_token(&app, &globex.admin, "Globex sync", &ALL_SCOPES).await;
    let bearer = Some(token.secret.as_str());

    for (op, query, vars) in [
        (
            "node",
            "query($id: ID!) { node(id: $id) { id } }".to_owned(),
            json!({ "id": initiative }),
        ),
        (
            "updateInitiative",
            UPDATE_INITIATIVE.to_owned(),
            json!({ "input": { "id": initiative, "title": "Hijacked" } }),
        ),
        (
            "createInitiative",
            CREATE_INITIATIVE.to_owned(),
            json!({ "input": { "squadId": acme.squad, "title": "Planted" } }),
        ),
        (
            "linkInitiativeToOutcome",
            LINK.to_owned(),
            json!({ "input": { "initiativeId": initiative, "outcomeId": acme.outcome } }),
        ),
        (
            "recordKpiMeasurement",
            RECORD.to_owned(),
            json!({ "input": { "kpiId": acme.kpi, "value": 1.0 } }),
        ),
    ] {
        let res = app.gql(bearer, &query, vars).await;
        assert_code(&res, "NOT_FOUND");
        assert!(
            !res.body.to_string().contains("Acme"),
            "{op} names nothing of Acme: {}",
            res.body
        );
    }
    // Its lists hold its own organisation only.
    let res = app.gql(bearer, TEAMS, json!({})).await;
    assert_eq!(
        res.data()["teams"]["nodes"],
        json!([{ "id": globex.team, "name": "Payments" }])
    );
    let res = app
        .gql(
            bearer,
            "{ initiatives(first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 0);

    let res = app
        .gql_as(
            &acme.admin,
            "query($id: ID!) { node(id: $id) { ... on Initiative { title outcomes { totalCount } } } }",
            json!({ "id": initiative }),
        )
        .await;
    assert_eq!(
        res.data()["node"],
        json!({ "title": "One-click pay", "outcomes": { "totalCount": 0 } })
    );
}

async fn a_token_without_read_cannot_subscribe(app: TestApp) {
    let w = World::new(&app).await;
    for (set, want) in [
        (Set::KpisWrite, Some("FORBIDDEN")),
        (Set::InitiativesWrite, Some("FORBIDDEN")),
        (Set::Read, None),
    ] {
        let mut ws = crate::websocket::Socket::open(&app).await;
        ws.init(&w.token(set).secret).await;
        ws.subscribe(
            "1",
            crate::websocket::SUBSCRIBE,
            json!({ "id": w.alignment }),
        )
        .await;
        match want {
            Some(code) => {
                let m = ws.message().await.expect("an answer");
                let errors = match m["type"].as_str() {
                    Some("error") => m["payload"].clone(),
                    Some("next") => m["payload"]["errors"].clone(),
                    _ => panic!("{set:?}: {m}"),
                };
                assert_eq!(errors[0]["extensions"]["code"], code, "{set:?}: {m}");
            }
            None => {
                let m = ws
                    .first_message(|| async {
                        app.gql_as(
                            w.admin(),
                            &mutation(
                                "updateRoadmapAlignment",
                                "UpdateRoadmapAlignmentInput",
                                "roadmapAlignment { id }",
                            ),
                            json!({ "input": { "id": w.alignment, "title": "Live" } }),
                        )
                        .await
                        .data();
                    })
                    .await;
                assert_eq!(m["type"], "next", "{m}");
                assert!(m["payload"].get("errors").is_none(), "{m}");
            }
        }
    }
}

crate::db_tests!(
    each_scope_allows_its_own_operations_and_no_others,
    every_operation_of_a_person_is_forbidden_to_every_token,
    a_measurement_a_token_records_names_no_person,
    a_token_of_one_organisation_never_reaches_another,
    a_token_without_read_cannot_subscribe,
);
