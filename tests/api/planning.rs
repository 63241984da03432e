//! Quarterly outcomes, initiatives mapped to them, a team's quarter plan, cross-squad
//! dependencies and the weekly sync over the API: rules, who may do which, tenant
//! isolation and bad input (DESIGN §1 "Outcomes and work", §2, §3; issue 3).

use chrono::{Datelike, Duration, NaiveDate, SecondsFormat, Utc};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{Gql, Session, TestApp};

const OUTCOME_FIELDS: &str = "id quarter title description status isMeasurable progress
    version updatedAt team { id } squad { id } kpi { id name }
    initiatives { totalCount nodes { id title } }";

const INITIATIVE_FIELDS: &str = "id title description status startDate targetDate version
    externalRef { source id url } squad { id } outcomes { totalCount nodes { id title } }";

const DEPENDENCY_FIELDS: &str = "id description neededBy status isOverdue version
    fromSquad { id } toSquad { id } initiative { id }";

fn outcome_mutation(name: &str, input: &str) -> String {
    format!(
        "mutation($input: {input}!) {{ {name}(input: $input) {{ outcome {{ {OUTCOME_FIELDS} }} }} }}"
    )
}

fn initiative_mutation(name: &str, input: &str) -> String {
    format!(
        "mutation($input: {input}!) {{ {name}(input: $input) {{ initiative {{ {INITIATIVE_FIELDS} }} }} }}"
    )
}

fn dependency_mutation(name: &str, input: &str) -> String {
    format!(
        "mutation($input: {input}!) {{ {name}(input: $input) {{ dependency {{ {DEPENDENCY_FIELDS} }} }} }}"
    )
}

const LINK: &str = "mutation($input: InitiativeOutcomeInput!) {
    linkInitiativeToOutcome(input: $input) {
        initiative { id outcomes { totalCount nodes { id } } }
        outcome { id initiatives { totalCount nodes { id } } } } }";

const UNLINK: &str = "mutation($input: InitiativeOutcomeInput!) {
    unlinkInitiativeFromOutcome(input: $input) {
        initiative { id outcomes { totalCount nodes { id } } }
        outcome { id initiatives { totalCount nodes { id } } } } }";

const OUTCOMES: &str = "query($filter: OutcomeFilter) {
    outcomes(first: 100, filter: $filter) { totalCount nodes { title quarter status } } }";

const INITIATIVES: &str = "query($filter: InitiativeFilter) {
    initiatives(first: 100, filter: $filter) { totalCount nodes { title status } } }";

const DEPENDENCIES: &str = "query($filter: DependencyFilter) {
    dependencies(first: 100, filter: $filter) { totalCount nodes { description status } } }";

const QUARTER_PLAN: &str = "query($team: ID!, $quarter: Quarter!) { node(id: $team) { ... on Team {
    quarterPlan(quarter: $quarter) {
        quarter outcomes { title isMeasurable } unmappedInitiatives { title status }
        measurableOutcomeCount meetsOutcomeChecklist } } } }";

const WEEKLY_SYNC: &str = "query($team: ID!, $week: Date) { node(id: $team) { ... on Team {
    weeklySync(week: $week) {
        weekStart asOf
        dependencies { description status isOverdue }
        outcomesAtRisk { title status }
        worseningKpis { name } } } } }";

// ---------------------------------------------------------------------------------
// Helpers

async fn mutate(app: &TestApp, who: &Session, query: &str, input: Value) -> Gql {
    app.gql_as(who, query, json!({ "input": input })).await
}

async fn create_outcome(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &outcome_mutation("createOutcome", "CreateOutcomeInput"),
        input,
    )
    .await
}

async fn update_outcome(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &outcome_mutation("updateOutcome", "UpdateOutcomeInput"),
        input,
    )
    .await
}

async fn set_outcome_status(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &outcome_mutation("setOutcomeStatus", "SetOutcomeStatusInput"),
        input,
    )
    .await
}

async fn create_initiative(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &initiative_mutation("createInitiative", "CreateInitiativeInput"),
        input,
    )
    .await
}

async fn update_initiative(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &initiative_mutation("updateInitiative", "UpdateInitiativeInput"),
        input,
    )
    .await
}

async fn create_dependency(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &dependency_mutation("createDependency", "CreateDependencyInput"),
        input,
    )
    .await
}

async fn update_dependency(app: &TestApp, who: &Session, input: Value) -> Gql {
    mutate(
        app,
        who,
        &dependency_mutation("updateDependency", "UpdateDependencyInput"),
        input,
    )
    .await
}

/// Creates an outcome, returning its id.
async fn new_outcome(app: &TestApp, who: &Session, input: Value) -> String {
    id_of(&create_outcome(app, who, input).await.data()["createOutcome"]["outcome"])
}

/// Creates an initiative, returning its id.
async fn new_initiative(app: &TestApp, who: &Session, input: Value) -> String {
    id_of(&create_initiative(app, who, input).await.data()["createInitiative"]["initiative"])
}

/// Creates a dependency, returning its id.
async fn new_dependency(app: &TestApp, who: &Session, input: Value) -> String {
    id_of(&create_dependency(app, who, input).await.data()["createDependency"]["dependency"])
}

/// Creates a KPI, returning its id.
async fn new_kpi(app: &TestApp, who: &Session, input: Value) -> String {
    let res = app
        .gql_as(
            who,
            "mutation($input: CreateKpiInput!) { createKpi(input: $input) { kpi { id } } }",
            json!({ "input": input }),
        )
        .await;
    id_of(&res.data()["createKpi"]["kpi"])
}

/// Records `value` on `kpi`, `days` days ago.
async fn record(app: &TestApp, who: &Session, kpi: &str, value: f64, days: f64) {
    let at = Utc::now() - Duration::milliseconds((days * 86_400_000.0) as i64);
    app.gql_as(
        who,
        "mutation($input: RecordKpiMeasurementInput!) {
            recordKpiMeasurement(input: $input) { measurement { id } } }",
        json!({ "input": { "kpiId": kpi, "value": value,
                           "recordedAt": at.to_rfc3339_opts(SecondsFormat::Micros, true) } }),
    )
    .await
    .data();
}

async fn link(app: &TestApp, who: &Session, initiative: &str, outcome: &str) -> Gql {
    mutate(
        app,
        who,
        LINK,
        json!({ "initiativeId": initiative, "outcomeId": outcome }),
    )
    .await
}

/// A node as `who` reads it, with `fields` on type `on`.
async fn node(app: &TestApp, who: &Session, id: &str, on: &str, fields: &str) -> Value {
    app.gql_as(
        who,
        &format!("query($id: ID!) {{ node(id: $id) {{ ... on {on} {{ {fields} }} }} }}"),
        json!({ "id": id }),
    )
    .await
    .data()["node"]
        .clone()
}

async fn outcome(app: &TestApp, who: &Session, id: &str) -> Value {
    node(app, who, id, "Outcome", OUTCOME_FIELDS).await
}

async fn initiative(app: &TestApp, who: &Session, id: &str) -> Value {
    node(app, who, id, "Initiative", INITIATIVE_FIELDS).await
}

async fn dependency(app: &TestApp, who: &Session, id: &str) -> Value {
    node(app, who, id, "Dependency", DEPENDENCY_FIELDS).await
}

/// The titles (or descriptions) of a list of nodes, in order.
fn titles(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .unwrap_or_else(|| panic!("a list, not {nodes}"))
        .iter()
        .map(|n| {
            n.get("title")
                .or_else(|| n.get("description"))
                .or_else(|| n.get("name"))
                .and_then(Value::as_str)
                .expect("a title")
                .to_owned()
        })
        .collect()
}

fn ids(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .expect("a list")
        .iter()
        .map(id_of)
        .collect()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// Today plus `days`, as a `Date` input.
fn day(days: i64) -> String {
    date(Utc::now().date_naive() + Duration::days(days))
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The quarter of today plus `quarters`, e.g. "2026-Q4".
fn quarter(quarters: i32) -> String {
    let today = Utc::now().date_naive();
    let n = today.year() * 4 + today.month0() as i32 / 3 + quarters;
    format!("{}-Q{}", n.div_euclid(4), n.rem_euclid(4) + 1)
}

#[track_caller]
fn assert_bad_input(res: &Gql, field: &str) {
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some(field), "{}", res.body);
}

#[track_caller]
fn assert_code(res: &Gql, code: &str) {
    assert_eq!(res.error_code(), Some(code), "{}", res.body);
}

fn denied(code: &str) -> Result<(), String> {
    Err(code.to_owned())
}

/// An organisation with team "Payments" and its squads "Checkout" and "Wallet", team
/// "Search" and its squad "Ranking".
struct Org {
    admin: Session,
    payments: String,
    checkout: String,
    wallet: String,
    search: String,
    ranking: String,
}

impl Org {
    async fn new(app: &TestApp, name: &str) -> Self {
        let admin = app.register_org(name).await;
        let payments = app.create_team(&admin, "Payments").await;
        let checkout = app.create_squad(&admin, &payments, "Checkout").await;
        let wallet = app.create_squad(&admin, &payments, "Wallet").await;
        let search = app.create_team(&admin, "Search").await;
        let ranking = app.create_squad(&admin, &search, "Ranking").await;
        Self {
            admin,
            payments,
            checkout,
            wallet,
            search,
            ranking,
        }
    }

    /// A KPI of `squad` with a target (measurable) or without.
    async fn kpi(&self, app: &TestApp, squad: &str, name: &str, target: bool) -> String {
        let target = if target { json!(60.0) } else { Value::Null };
        new_kpi(
            app,
            &self.admin,
            json!({ "squadId": squad, "name": name, "unit": "PERCENT", "category": "CUSTOMER",
                    "baseline": 40.0, "target": target }),
        )
        .await
    }
}

// ---------------------------------------------------------------------------------
// Outcomes

async fn an_outcome_is_measurable_with_a_kpi_that_has_a_target_and_progresses_with_it(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org
        .kpi(&app, &org.checkout, "Checkout conversion", true)
        .await;
    let q = quarter(0);
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": q, "title": " Faster checkout ",
                "description": "Fewer steps to pay", "kpiId": conversion }),
    )
    .await;
    let o = res.data()["createOutcome"]["outcome"].clone();
    assert_eq!(o["quarter"], q.as_str());
    assert_eq!(o["title"], "Faster checkout");
    assert_eq!(o["description"], "Fewer steps to pay");
    assert_eq!(o["status"], "ON_TRACK", "the default status");
    assert_eq!(o["squad"]["id"], org.checkout.as_str());
    assert_eq!(o["team"], Value::Null);
    assert_eq!(o["kpi"]["name"], "Checkout conversion");
    assert_eq!(o["isMeasurable"], true);
    assert_eq!(o["progress"], Value::Null, "nothing measured yet");
    assert_eq!(o["version"], 1);
    assert_eq!(o["initiatives"]["totalCount"], 0);

    record(&app, &org.admin, &conversion, 55.0, 1.0).await;
    let read = outcome(&app, &org.admin, &id_of(&o)).await;
    assert_eq!(read["progress"], 0.75, "55 between 40 and 60");

    // A KPI without a target measures nothing; no KPI neither.
    let vague = org.kpi(&app, &org.checkout, "Happiness", false).await;
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Happier users", "kpiId": vague }),
    )
    .await;
    let o = &res.data()["createOutcome"]["outcome"];
    assert_eq!(o["team"]["id"], org.payments.as_str());
    assert_eq!(o["isMeasurable"], false);
    assert_eq!(o["progress"], Value::Null);
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "No KPI" }),
    )
    .await;
    let o = &res.data()["createOutcome"]["outcome"];
    assert_eq!(o["kpi"], Value::Null);
    assert_eq!(o["isMeasurable"], false);
}

async fn updating_an_outcome_changes_its_fields_and_a_stale_version_is_a_conflict(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org
        .kpi(&app, &org.checkout, "Checkout conversion", true)
        .await;
    let id = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": quarter(0), "title": "Faster checkout" }),
    )
    .await;

    let res = update_outcome(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "title": "One-click checkout",
                "quarter": quarter(1), "kpiId": conversion }),
    )
    .await;
    let o = &res.data()["updateOutcome"]["outcome"];
    assert_eq!(o["title"], "One-click checkout");
    assert_eq!(o["quarter"], quarter(1).as_str());
    assert_eq!(o["kpi"]["id"], conversion.as_str());
    assert_eq!(o["isMeasurable"], true);
    assert_eq!(o["version"], 2);

    let res = update_outcome(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "title": "Lost update" }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    assert_eq!(
        outcome(&app, &org.admin, &id).await["title"],
        "One-click checkout"
    );

    // null unlinks the KPI.
    let res = update_outcome(&app, &org.admin, json!({ "id": id, "kpiId": null })).await;
    let o = &res.data()["updateOutcome"]["outcome"];
    assert_eq!(o["kpi"], Value::Null);
    assert_eq!(o["isMeasurable"], false);
    assert_eq!(o["version"], 3);

    for status in ["AT_RISK", "OFF_TRACK", "ACHIEVED", "MISSED", "ON_TRACK"] {
        let res = set_outcome_status(&app, &org.admin, json!({ "id": id, "status": status })).await;
        assert_eq!(res.data()["setOutcomeStatus"]["outcome"]["status"], status);
    }
    let res = set_outcome_status(
        &app,
        &org.admin,
        json!({ "id": id, "status": "MISSED", "expectedVersion": 3 }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    let now = outcome(&app, &org.admin, &id).await;
    assert_eq!(now["status"], "ON_TRACK");
    assert_eq!(now["version"], 8);
}

async fn a_quarter_must_look_like_2026_q4(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for bad in [
        "2026-Q5", "2026Q4", "2026-Q0", "26-Q4", "2026-q4", "Q4-2026", "", "2026-Q4x",
    ] {
        let res = create_outcome(
            &app,
            &org.admin,
            json!({ "teamId": org.payments, "quarter": bad, "title": "Bad quarter" }),
        )
        .await;
        assert_code(&res, "BAD_USER_INPUT");
        let res = app
            .gql_as(
                &org.admin,
                OUTCOMES,
                json!({ "filter": { "quarter": bad } }),
            )
            .await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    let res = app
        .gql_as(
            &org.admin,
            &format!(
                "mutation {{ createOutcome(input: {{ teamId: \"{}\", quarter: \"2026-Q5\",
                    title: \"Inline\" }}) {{ outcome {{ id }} }} }}",
                org.payments
            ),
            json!({}),
        )
        .await;
    assert_code(&res, "BAD_USER_INPUT");
    let res = app
        .gql_as(
            &org.admin,
            QUARTER_PLAN,
            json!({ "team": org.payments, "quarter": "2026-Q5" }),
        )
        .await;
    assert_code(&res, "BAD_USER_INPUT");
    let outcomes = app.gql_as(&org.admin, OUTCOMES, json!({})).await;
    assert_eq!(outcomes.data()["outcomes"]["totalCount"], 0);

    let id = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": "2026-Q4", "title": "Good quarter" }),
    )
    .await;
    let res = update_outcome(&app, &org.admin, json!({ "id": id, "quarter": "2026-Q9" })).await;
    assert_code(&res, "BAD_USER_INPUT");
    assert_eq!(outcome(&app, &org.admin, &id).await["quarter"], "2026-Q4");
}

async fn an_outcome_needs_exactly_one_owner_a_title_and_a_known_kpi(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let q = quarter(0);
    for input in [
        json!({ "teamId": org.payments, "squadId": org.checkout, "quarter": q, "title": "Both" }),
        json!({ "quarter": q, "title": "Neither" }),
    ] {
        let res = create_outcome(&app, &org.admin, input).await;
        assert_bad_input(&res, "teamId");
    }
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "  " }),
    )
    .await;
    assert_bad_input(&res, "title");
    let ghost_kpi = new_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "name": "Ghost", "category": "CUSTOMER" }),
    )
    .await;
    let globex = Org::new(&app, "Globex").await;
    let res = create_outcome(
        &app,
        &globex.admin,
        json!({ "teamId": globex.payments, "quarter": q, "title": "Spy", "kpiId": ghost_kpi }),
    )
    .await;
    assert_code(&res, "NOT_FOUND");
    let res = create_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Wrong kind",
                "kpiId": org.checkout }),
    )
    .await;
    assert_bad_input(&res, "kpiId");
    for who in [&org.admin, &globex.admin] {
        let res = app.gql_as(who, OUTCOMES, json!({})).await;
        assert_eq!(res.data()["outcomes"]["totalCount"], 0);
    }
}

async fn outcomes_are_filtered_by_quarter_team_squad_and_status(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let (now, next) = (quarter(0), quarter(1));
    for (scope, q, title, status) in [
        (
            json!({ "teamId": org.payments }),
            &now,
            "Payments now",
            "ON_TRACK",
        ),
        (
            json!({ "teamId": org.payments }),
            &next,
            "Payments next",
            "ON_TRACK",
        ),
        (
            json!({ "squadId": org.checkout }),
            &now,
            "Checkout now",
            "AT_RISK",
        ),
        (
            json!({ "squadId": org.wallet }),
            &now,
            "Wallet now",
            "OFF_TRACK",
        ),
        (
            json!({ "teamId": org.search }),
            &now,
            "Search now",
            "AT_RISK",
        ),
    ] {
        let mut input = scope;
        input["quarter"] = json!(q);
        input["title"] = json!(title);
        input["status"] = json!(status);
        new_outcome(&app, &org.admin, input).await;
    }
    for (filter, want) in [
        (
            json!({ "quarter": now }),
            vec!["Search now", "Wallet now", "Checkout now", "Payments now"],
        ),
        (json!({ "quarter": next }), vec!["Payments next"]),
        // The team's own outcomes, not its squads'.
        (
            json!({ "teamId": org.payments }),
            vec!["Payments next", "Payments now"],
        ),
        (json!({ "squadId": org.checkout }), vec!["Checkout now"]),
        (
            json!({ "status": "AT_RISK" }),
            vec!["Search now", "Checkout now"],
        ),
        (
            json!({ "quarter": now, "teamId": org.search, "status": "AT_RISK" }),
            vec!["Search now"],
        ),
        (json!({ "squadId": org.ranking }), vec![]),
    ] {
        let res = app
            .gql_as(&org.admin, OUTCOMES, json!({ "filter": filter }))
            .await;
        let got = &res.data()["outcomes"];
        // Newest quarter first; within a quarter, the newest first.
        assert_eq!(titles(&got["nodes"]), want, "filter {filter}");
        assert_eq!(got["totalCount"], want.len(), "filter {filter}");
    }
    let team_outcomes = node(
        &app,
        &org.admin,
        &org.payments,
        "Team",
        "outcomes { totalCount nodes { title } }",
    )
    .await;
    assert_eq!(
        titles(&team_outcomes["outcomes"]["nodes"]),
        ["Payments next", "Payments now"]
    );
    let squad_outcomes = node(
        &app,
        &org.admin,
        &org.wallet,
        "Squad",
        "outcomes { totalCount nodes { title } }",
    )
    .await;
    assert_eq!(titles(&squad_outcomes["outcomes"]["nodes"]), ["Wallet now"]);
}

// ---------------------------------------------------------------------------------
// Initiatives

async fn an_initiative_starts_as_proposed_in_its_squad(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": " Apple Pay ", "description": "Wallet payments",
                "startDate": day(0), "targetDate": day(30),
                "externalRef": { "source": "jira", "id": "PAY-1",
                                 "url": "https://jira.example/PAY-1" } }),
    )
    .await;
    let i = &res.data()["createInitiative"]["initiative"];
    assert_eq!(i["title"], "Apple Pay");
    assert_eq!(i["description"], "Wallet payments");
    assert_eq!(i["status"], "PROPOSED");
    assert_eq!(i["startDate"], day(0).as_str());
    assert_eq!(i["targetDate"], day(30).as_str());
    assert_eq!(i["squad"]["id"], org.checkout.as_str());
    assert_eq!(
        i["externalRef"],
        json!({ "source": "jira", "id": "PAY-1", "url": "https://jira.example/PAY-1" })
    );
    assert_eq!(i["outcomes"]["totalCount"], 0);
    assert_eq!(i["version"], 1);

    // An external reference is unique per organisation.
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Copy",
                "externalRef": { "source": "jira", "id": "PAY-1" } }),
    )
    .await;
    assert_bad_input(&res, "externalRef");
    let res = app.gql_as(&org.admin, INITIATIVES, json!({})).await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 1);

    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Already planned", "status": "PLANNED" }),
    )
    .await;
    assert_eq!(
        res.data()["createInitiative"]["initiative"]["status"],
        "PLANNED"
    );
}

async fn an_initiative_moves_forward_from_proposed_to_done_or_drops_and_nothing_else(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // Each path of legal moves from PROPOSED, then the moves refused from where it ends.
    for (path, refused) in [
        (vec![], vec!["IN_PROGRESS", "DONE"]),
        (vec!["PLANNED"], vec!["PROPOSED", "DONE"]),
        (vec!["PLANNED", "IN_PROGRESS"], vec!["PROPOSED", "PLANNED"]),
        (
            vec!["PLANNED", "IN_PROGRESS", "DONE"],
            vec!["PROPOSED", "PLANNED", "IN_PROGRESS", "DROPPED"],
        ),
        (
            vec!["DROPPED"],
            vec!["PROPOSED", "PLANNED", "IN_PROGRESS", "DONE"],
        ),
        (vec!["PLANNED", "DROPPED"], vec!["PLANNED", "IN_PROGRESS"]),
        (
            vec!["PLANNED", "IN_PROGRESS", "DROPPED"],
            vec!["IN_PROGRESS", "DONE"],
        ),
    ] {
        let id = new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": format!("Via {path:?}") }),
        )
        .await;
        let mut version = 1;
        for status in &path {
            let res =
                update_initiative(&app, &org.admin, json!({ "id": id, "status": status })).await;
            let i = &res.data()["updateInitiative"]["initiative"];
            assert_eq!(i["status"], *status, "{path:?}");
            version += 1;
            assert_eq!(i["version"], version);
        }
        let at = path.last().copied().unwrap_or("PROPOSED");
        for status in refused {
            let res =
                update_initiative(&app, &org.admin, json!({ "id": id, "status": status })).await;
            assert_bad_input(&res, "status");
            let now = initiative(&app, &org.admin, &id).await;
            assert_eq!(now["status"], at, "{at} -> {status} was refused");
            assert_eq!(now["version"], version);
        }
        // Staying where it is, is no move.
        let res = update_initiative(&app, &org.admin, json!({ "id": id, "status": at })).await;
        assert_eq!(res.data()["updateInitiative"]["initiative"]["status"], at);
    }
}

async fn a_target_date_before_the_start_date_is_refused(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Backwards",
                "startDate": day(10), "targetDate": day(9) }),
    )
    .await;
    assert_bad_input(&res, "targetDate");
    let res = create_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Bad date", "startDate": "2026-02-30" }),
    )
    .await;
    assert_code(&res, "BAD_USER_INPUT");
    let res = app.gql_as(&org.admin, INITIATIVES, json!({})).await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 0);

    let id = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay",
                "startDate": day(10), "targetDate": day(40) }),
    )
    .await;
    for change in [
        json!({ "targetDate": day(5) }),
        json!({ "startDate": day(41) }),
    ] {
        let mut input = change.clone();
        input["id"] = json!(id);
        let res = update_initiative(&app, &org.admin, input).await;
        assert_bad_input(&res, "targetDate");
    }
    // Moving both together is fine; clearing the start frees the target.
    let res = update_initiative(
        &app,
        &org.admin,
        json!({ "id": id, "startDate": day(50), "targetDate": day(60) }),
    )
    .await;
    assert_eq!(
        res.data()["updateInitiative"]["initiative"]["startDate"],
        day(50).as_str()
    );
    let res = update_initiative(
        &app,
        &org.admin,
        json!({ "id": id, "startDate": null, "targetDate": day(1) }),
    )
    .await;
    let i = &res.data()["updateInitiative"]["initiative"];
    assert_eq!(i["startDate"], Value::Null);
    assert_eq!(i["targetDate"], day(1).as_str());
}

async fn initiatives_are_linked_to_outcomes_and_unlinked(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let q = quarter(0);
    let faster = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": q, "title": "Faster checkout" }),
    )
    .await;
    let safer = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Fewer chargebacks" }),
    )
    .await;
    let apple_pay = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay" }),
    )
    .await;
    let fraud = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Fraud rules" }),
    )
    .await;
    new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Unmapped work" }),
    )
    .await;

    let res = link(&app, &org.admin, &apple_pay, &faster).await;
    let payload = &res.data()["linkInitiativeToOutcome"];
    assert_eq!(
        ids(&payload["initiative"]["outcomes"]["nodes"]),
        [faster.as_str()]
    );
    assert_eq!(
        ids(&payload["outcome"]["initiatives"]["nodes"]),
        [apple_pay.as_str()]
    );
    link(&app, &org.admin, &apple_pay, &safer).await.data();
    link(&app, &org.admin, &fraud, &safer).await.data();
    // Linking again keeps one link.
    let res = link(&app, &org.admin, &fraud, &safer).await;
    assert_eq!(
        res.data()["linkInitiativeToOutcome"]["outcome"]["initiatives"]["totalCount"],
        2
    );

    let i = initiative(&app, &org.admin, &apple_pay).await;
    assert_eq!(i["outcomes"]["totalCount"], 2);
    assert_eq!(
        titles(&i["outcomes"]["nodes"]),
        ["Faster checkout", "Fewer chargebacks"]
    );
    let o = outcome(&app, &org.admin, &safer).await;
    assert_eq!(
        titles(&o["initiatives"]["nodes"]),
        ["Apple Pay", "Fraud rules"]
    );

    for (filter, want) in [
        (json!({ "unmapped": true }), vec!["Unmapped work"]),
        (
            json!({ "unmapped": false }),
            vec!["Apple Pay", "Fraud rules"],
        ),
        (json!({ "outcomeId": faster }), vec!["Apple Pay"]),
        (
            json!({ "squadId": org.wallet }),
            vec!["Fraud rules", "Unmapped work"],
        ),
        (json!({ "text": "PAY" }), vec!["Apple Pay"]),
    ] {
        let res = app
            .gql_as(&org.admin, INITIATIVES, json!({ "filter": filter }))
            .await;
        assert_eq!(
            titles(&res.data()["initiatives"]["nodes"]),
            want,
            "filter {filter}"
        );
        assert_eq!(res.data()["initiatives"]["totalCount"], want.len());
    }

    let res = mutate(
        &app,
        &org.admin,
        UNLINK,
        json!({ "initiativeId": apple_pay, "outcomeId": safer }),
    )
    .await;
    let payload = &res.data()["unlinkInitiativeFromOutcome"];
    assert_eq!(
        ids(&payload["initiative"]["outcomes"]["nodes"]),
        [faster.as_str()]
    );
    assert_eq!(
        ids(&payload["outcome"]["initiatives"]["nodes"]),
        [fraud.as_str()]
    );
    let res = mutate(
        &app,
        &org.admin,
        UNLINK,
        json!({ "initiativeId": apple_pay, "outcomeId": safer }),
    )
    .await;
    assert_code(&res, "NOT_FOUND");
    let res = mutate(
        &app,
        &org.admin,
        UNLINK,
        json!({ "initiativeId": fraud, "outcomeId": safer }),
    )
    .await;
    res.data();
    let res = app
        .gql_as(
            &org.admin,
            INITIATIVES,
            json!({ "filter": { "unmapped": true } }),
        )
        .await;
    assert_eq!(
        titles(&res.data()["initiatives"]["nodes"]),
        ["Fraud rules", "Unmapped work"]
    );
}

async fn linking_the_same_initiative_and_outcome_in_parallel_keeps_one_link(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let o = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": quarter(0), "title": "Faster checkout" }),
    )
    .await;
    let i = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay" }),
    )
    .await;
    let results = join_all((0..10).map(|_| link(&app, &org.admin, &i, &o))).await;
    for res in &results {
        assert_eq!(res.outcome(), Ok(()), "{}", res.body);
    }
    assert_eq!(
        outcome(&app, &org.admin, &o).await["initiatives"]["totalCount"],
        1
    );
    assert_eq!(
        initiative(&app, &org.admin, &i).await["outcomes"]["totalCount"],
        1
    );
}

// ---------------------------------------------------------------------------------
// The quarter plan: 3 measurable outcomes and every active initiative mapped

async fn a_quarter_plan_meets_the_checklist_with_3_measurable_outcomes_and_all_work_mapped(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let q = quarter(0);
    let plan = |quarter: String| {
        let app = &app;
        let admin = &org.admin;
        let team = org.payments.clone();
        async move {
            app.gql_as(
                admin,
                QUARTER_PLAN,
                json!({ "team": team, "quarter": quarter }),
            )
            .await
            .data()["node"]["quarterPlan"]
                .clone()
        }
    };
    let mut kpis = Vec::new();
    for n in 0..4 {
        kpis.push(
            org.kpi(&app, &org.checkout, &format!("KPI {n}"), true)
                .await,
        );
    }
    let vague = org.kpi(&app, &org.checkout, "Vague", false).await;

    // Two measurable outcomes (one of the team, one of a squad), one without a target,
    // one without a KPI, and a measurable one of another quarter and another team.
    new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "O1", "kpiId": kpis[0] }),
    )
    .await;
    let o2 = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": q, "title": "O2", "kpiId": kpis[1] }),
    )
    .await;
    new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "quarter": q, "title": "Vague", "kpiId": vague }),
    )
    .await;
    new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Unmeasured" }),
    )
    .await;
    let later = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": quarter(1), "title": "Later",
                "kpiId": kpis[2] }),
    )
    .await;
    new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.search, "quarter": q, "title": "Search's", "kpiId": kpis[2] }),
    )
    .await;

    let p = plan(q.clone()).await;
    assert_eq!(p["quarter"], q.as_str());
    assert_eq!(titles(&p["outcomes"]), ["O1", "O2", "Vague", "Unmeasured"]);
    assert_eq!(p["measurableOutcomeCount"], 2);
    assert_eq!(p["meetsOutcomeChecklist"], false, "2 measurable outcomes");

    let o3 = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "quarter": q, "title": "O3", "kpiId": kpis[3] }),
    )
    .await;
    let p = plan(q.clone()).await;
    assert_eq!(p["measurableOutcomeCount"], 3);
    assert_eq!(p["unmappedInitiatives"], json!([]));
    assert_eq!(p["meetsOutcomeChecklist"], true);

    // Active work mapped to nothing of this quarter breaks it; proposed, done or
    // dropped work does not count, nor work of another team's squads.
    let planned = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Planned", "status": "PLANNED" }),
    )
    .await;
    for (squad, title, status) in [
        (&org.checkout, "Proposed", "PROPOSED"),
        (&org.wallet, "Done", "DONE"),
        (&org.wallet, "Dropped", "DROPPED"),
        (&org.ranking, "Search work", "IN_PROGRESS"),
    ] {
        new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": squad, "title": title, "status": status }),
        )
        .await;
    }
    let p = plan(q.clone()).await;
    assert_eq!(
        p["unmappedInitiatives"],
        json!([{ "title": "Planned", "status": "PLANNED" }])
    );
    assert_eq!(
        p["meetsOutcomeChecklist"], false,
        "unmapped PLANNED initiative"
    );

    // Mapped to next quarter's outcome only: still unmapped for this quarter.
    link(&app, &org.admin, &planned, &later).await.data();
    assert_eq!(plan(q.clone()).await["meetsOutcomeChecklist"], false);
    link(&app, &org.admin, &planned, &o2).await.data();
    let p = plan(q.clone()).await;
    assert_eq!(p["unmappedInitiatives"], json!([]));
    assert_eq!(p["meetsOutcomeChecklist"], true);

    // Work in progress must be mapped too.
    let wip = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "In progress" }),
    )
    .await;
    for status in ["PLANNED", "IN_PROGRESS"] {
        update_initiative(&app, &org.admin, json!({ "id": wip, "status": status }))
            .await
            .data();
    }
    let p = plan(q.clone()).await;
    assert_eq!(titles(&p["unmappedInitiatives"]), ["In progress"]);
    assert_eq!(p["meetsOutcomeChecklist"], false);
    link(&app, &org.admin, &wip, &o3).await.data();
    assert_eq!(plan(q.clone()).await["meetsOutcomeChecklist"], true);

    // Next quarter has one measurable outcome and no mapped work.
    let p = plan(quarter(1)).await;
    assert_eq!(titles(&p["outcomes"]), ["Later"]);
    assert_eq!(p["measurableOutcomeCount"], 1);
    assert_eq!(p["meetsOutcomeChecklist"], false);
}

// ---------------------------------------------------------------------------------
// Dependencies

async fn a_squad_declares_what_it_needs_from_another_by_a_date(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let apple_pay = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Apple Pay" }),
    )
    .await;
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                "initiativeId": apple_pay, "description": " Tokenised cards API ",
                "neededBy": day(20) }),
    )
    .await;
    let d = res.data()["createDependency"]["dependency"].clone();
    assert_eq!(d["description"], "Tokenised cards API");
    assert_eq!(d["neededBy"], day(20).as_str());
    assert_eq!(d["status"], "OPEN");
    assert_eq!(d["isOverdue"], false);
    assert_eq!(d["fromSquad"]["id"], org.checkout.as_str());
    assert_eq!(d["toSquad"]["id"], org.wallet.as_str());
    assert_eq!(d["initiative"]["id"], apple_pay.as_str());
    assert_eq!(d["version"], 1);
    let id = id_of(&d);

    let needs = node(
        &app,
        &org.admin,
        &org.checkout,
        "Squad",
        "dependencies { totalCount nodes { id } } dependents { totalCount }",
    )
    .await;
    assert_eq!(ids(&needs["dependencies"]["nodes"]), [id.as_str()]);
    assert_eq!(needs["dependents"]["totalCount"], 0);
    let needed = node(
        &app,
        &org.admin,
        &org.wallet,
        "Squad",
        "dependencies { totalCount } dependents { totalCount nodes { id } }",
    )
    .await;
    assert_eq!(ids(&needed["dependents"]["nodes"]), [id.as_str()]);
    assert_eq!(needed["dependencies"]["totalCount"], 0);

    // OPEN → AT_RISK → DONE, and back to OPEN when it turns out not to be done.
    let mut version = 1;
    for status in ["AT_RISK", "DONE", "OPEN", "CANCELLED"] {
        let res = update_dependency(&app, &org.admin, json!({ "id": id, "status": status })).await;
        let d = &res.data()["updateDependency"]["dependency"];
        version += 1;
        assert_eq!(d["status"], status);
        assert_eq!(d["version"], version);
    }
    let res = update_dependency(
        &app,
        &org.admin,
        json!({ "id": id, "status": "OPEN", "expectedVersion": 2 }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    let res = update_dependency(
        &app,
        &org.admin,
        json!({ "id": id, "neededBy": day(-2), "description": "Cards API v2", "status": "OPEN" }),
    )
    .await;
    let d = &res.data()["updateDependency"]["dependency"];
    assert_eq!(d["neededBy"], day(-2).as_str());
    assert_eq!(d["description"], "Cards API v2");
    assert_eq!(d["isOverdue"], true);

    let res = update_dependency(&app, &org.admin, json!({ "id": id, "status": "LATE" })).await;
    assert_code(&res, "BAD_USER_INPUT");
    let res = update_dependency(&app, &org.admin, json!({ "id": id, "description": " " })).await;
    assert_bad_input(&res, "description");
    assert_eq!(
        dependency(&app, &org.admin, &id).await["description"],
        "Cards API v2"
    );

    for (filter, want) in [
        (json!({ "squadId": org.wallet }), 1),
        (json!({ "squadId": org.ranking }), 0),
        (json!({ "status": "OPEN" }), 1),
        (json!({ "status": "DONE" }), 0),
        (json!({ "dueBy": day(-3) }), 0),
        (json!({ "dueBy": day(-2) }), 1),
    ] {
        let res = app
            .gql_as(&org.admin, DEPENDENCIES, json!({ "filter": filter }))
            .await;
        assert_eq!(
            res.data()["dependencies"]["totalCount"],
            want,
            "filter {filter}"
        );
    }
}

async fn a_squad_cannot_depend_on_itself(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.checkout,
                "description": "Ourselves", "neededBy": day(5) }),
    )
    .await;
    assert_bad_input(&res, "toSquadId");
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                "description": "   ", "neededBy": day(5) }),
    )
    .await;
    assert_bad_input(&res, "description");
    let res = create_dependency(
        &app,
        &org.admin,
        json!({ "fromSquadId": org.checkout, "toSquadId": org.payments,
                "description": "A team is no squad", "neededBy": day(5) }),
    )
    .await;
    assert_bad_input(&res, "toSquadId");
    let res = app.gql_as(&org.admin, DEPENDENCIES, json!({})).await;
    assert_eq!(res.data()["dependencies"]["totalCount"], 0);
}

async fn lists_of_outcomes_initiatives_and_dependencies_are_paged_with_cursors(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for (n, due) in [(3, 3), (1, 1), (4, 4), (2, 2), (5, 5)] {
        new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                    "description": format!("Due {n}"), "neededBy": day(due) }),
        )
        .await;
        new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": format!("Initiative {n}") }),
        )
        .await;
        new_outcome(
            &app,
            &org.admin,
            json!({ "teamId": org.payments, "quarter": quarter(n - 3),
                    "title": format!("Outcome {n}") }),
        )
        .await;
    }
    // (list, its query with $after, where its page sits, titles in order)
    let dependencies = "query($after: String) { dependencies(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { description } } }";
    let needs = "query($id: ID!, $after: String) { node(id: $id) { ... on Squad {
        dependencies(first: 2, after: $after) {
            pageInfo { hasNextPage endCursor } nodes { description } } } } }";
    let initiatives = "query($after: String) { initiatives(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { title } } }";
    let outcomes = "query($after: String) { outcomes(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { title } } }";
    let soonest_first: Vec<String> = (1..=5).map(|n| format!("Due {n}")).collect();
    let oldest_first: Vec<String> = [3, 1, 4, 2, 5]
        .iter()
        .map(|n| format!("Initiative {n}"))
        .collect();
    let newest_quarter_first: Vec<String> = (1..=5).rev().map(|n| format!("Outcome {n}")).collect();
    for (query, path, want) in [
        (dependencies, vec!["dependencies"], &soonest_first),
        (needs, vec!["node", "dependencies"], &soonest_first),
        (initiatives, vec!["initiatives"], &oldest_first),
        (outcomes, vec!["outcomes"], &newest_quarter_first),
    ] {
        let mut got = Vec::new();
        let mut after = Value::Null;
        for _page in 0..3 {
            let res = app
                .gql_as(
                    &org.admin,
                    query,
                    json!({ "id": org.checkout, "after": after }),
                )
                .await;
            let mut conn = res.data().clone();
            for key in &path {
                conn = conn[key].clone();
            }
            got.extend(titles(&conn["nodes"]));
            after = conn["pageInfo"]["endCursor"].clone();
            if conn["pageInfo"]["hasNextPage"] == false {
                break;
            }
        }
        assert_eq!(&got, want, "{path:?}");
    }
}

// ---------------------------------------------------------------------------------
// The weekly sync

async fn the_weekly_sync_shows_dependencies_due_within_14_days_outcomes_at_risk_and_worsening_kpis(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let sync = |week: Value| {
        let app = &app;
        let admin = &org.admin;
        let team = org.payments.clone();
        async move {
            app.gql_as(admin, WEEKLY_SYNC, json!({ "team": team, "week": week }))
                .await
                .data()["node"]["weeklySync"]
                .clone()
        }
    };
    let relevance = app.create_squad(&org.admin, &org.search, "Relevance").await;
    let mut far = String::new();
    for (from, to, what, due) in [
        (&org.checkout, &org.ranking, "Due in 10 days", 10),
        (&org.ranking, &org.wallet, "Needed from us in 13 days", 13),
        (&org.checkout, &org.wallet, "Due in 30 days", 30),
        (&org.checkout, &org.ranking, "Overdue", -3),
        (&org.checkout, &org.ranking, "Due in 5 days but done", 5),
        (&org.wallet, &org.ranking, "Due in 15 days", 15),
        (&org.ranking, &relevance, "Between Search's squads", 3),
    ] {
        let id = new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": from, "toSquadId": to, "description": what,
                    "neededBy": day(due) }),
        )
        .await;
        match due {
            5 => {
                update_dependency(&app, &org.admin, json!({ "id": id, "status": "DONE" }))
                    .await
                    .data();
            }
            30 => far = id,
            _ => {}
        }
    }

    let q = quarter(0);
    for (scope, q, title, status) in [
        (
            json!({ "squadId": org.checkout }),
            &q,
            "Checkout at risk",
            "AT_RISK",
        ),
        (
            json!({ "teamId": org.payments }),
            &q,
            "Payments off track",
            "OFF_TRACK",
        ),
        (
            json!({ "squadId": org.wallet }),
            &q,
            "Wallet on track",
            "ON_TRACK",
        ),
        (
            json!({ "squadId": org.wallet }),
            &quarter(1),
            "Next quarter at risk",
            "AT_RISK",
        ),
        (
            json!({ "teamId": org.search }),
            &q,
            "Search at risk",
            "AT_RISK",
        ),
    ] {
        let mut input = scope;
        input["quarter"] = json!(q);
        input["title"] = json!(title);
        input["status"] = json!(status);
        new_outcome(&app, &org.admin, input).await;
    }

    // Conversion fell, latency (lower is better) rose: both worse. Signups rose; NPS
    // has one value; Search's own KPI fell but is not Payments'.
    let conversion = org.kpi(&app, &org.checkout, "Conversion", true).await;
    let latency = new_kpi(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "name": "Latency", "unit": "DURATION_SECONDS",
                "direction": "LOWER_IS_BETTER", "category": "RELIABILITY" }),
    )
    .await;
    let signups = org.kpi(&app, &org.wallet, "Signups", false).await;
    let nps = org.kpi(&app, &org.wallet, "NPS", false).await;
    let search_kpi = org.kpi(&app, &org.ranking, "Search CTR", false).await;
    for (kpi, values) in [
        (&conversion, [55.0, 50.0]),
        (&latency, [1.0, 1.4]),
        (&signups, [10.0, 14.0]),
        (&search_kpi, [30.0, 20.0]),
    ] {
        record(&app, &org.admin, kpi, values[0], 6.0).await;
        record(&app, &org.admin, kpi, values[1], 1.0).await;
    }
    record(&app, &org.admin, &nps, 30.0, 1.0).await;

    let want_deps = ["Overdue", "Due in 10 days", "Needed from us in 13 days"];
    for week in [Value::Null, json!(day(0))] {
        let s = sync(week.clone()).await;
        let monday = Utc::now().date_naive()
            - Duration::days(Utc::now().date_naive().weekday().num_days_from_monday() as i64);
        assert_eq!(s["weekStart"], date(monday).as_str(), "week {week}");
        assert_eq!(
            s["asOf"],
            day(0).as_str(),
            "this week's sync looks ahead from today"
        );
        assert_eq!(titles(&s["dependencies"]), want_deps, "week {week}");
        assert_eq!(s["dependencies"][0]["isOverdue"], true);
        assert_eq!(
            titles(&s["outcomesAtRisk"]),
            ["Checkout at risk", "Payments off track"],
            "week {week}"
        );
        assert_eq!(
            titles(&s["worseningKpis"]),
            ["Conversion", "Latency"],
            "week {week}"
        );
    }

    // Due in 30 days shows once it is at risk.
    update_dependency(&app, &org.admin, json!({ "id": far, "status": "AT_RISK" }))
        .await
        .data();
    let s = sync(Value::Null).await;
    assert_eq!(
        titles(&s["dependencies"]),
        [
            "Overdue",
            "Due in 10 days",
            "Needed from us in 13 days",
            "Due in 30 days"
        ]
    );
    assert_eq!(s["dependencies"][3]["status"], "AT_RISK");
}

async fn the_weekly_sync_of_another_week_looks_14_days_ahead_of_its_monday(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let in_four_weeks = monday + Duration::days(28);
    for (what, due) in [("Inside", 14), ("Outside", 15)] {
        new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet, "description": what,
                    "neededBy": date(in_four_weeks + Duration::days(due)) }),
        )
        .await;
    }
    // Asked by any day of that week, the sync is the same.
    for offset in [0, 3, 6] {
        let res = app
            .gql_as(
                &org.admin,
                WEEKLY_SYNC,
                json!({ "team": org.payments,
                        "week": date(in_four_weeks + Duration::days(offset)) }),
            )
            .await;
        let s = &res.data()["node"]["weeklySync"];
        assert_eq!(s["weekStart"], date(in_four_weeks).as_str());
        assert_eq!(s["asOf"], date(in_four_weeks).as_str());
        assert_eq!(titles(&s["dependencies"]), ["Inside"], "offset {offset}");
    }
}

async fn a_date_needs_a_four_digit_year(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // Dates at the far end of the calendar overflowed when the sync added a week.
    for week in [
        "+262142-12-31",
        "-0001-01-01",
        "262142-12-31",
        "2026-1-5",
        "2026-02-30",
    ] {
        let res = app
            .gql_as(
                &org.admin,
                WEEKLY_SYNC,
                json!({ "team": org.payments, "week": week }),
            )
            .await;
        assert_code(&res, "BAD_USER_INPUT");
        let res = create_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": "Far", "targetDate": week }),
        )
        .await;
        assert_code(&res, "BAD_USER_INPUT");
        let res = create_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                    "description": "Far", "neededBy": week }),
        )
        .await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    for week in ["9999-12-31", "0001-01-01"] {
        let res = app
            .gql_as(
                &org.admin,
                WEEKLY_SYNC,
                json!({ "team": org.payments, "week": week }),
            )
            .await;
        assert!(res.data()["node"]["weeklySync"]["weekStart"].is_string());
    }
    let res = app.gql_as(&org.admin, INITIATIVES, json!({})).await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 0);
}

// ---------------------------------------------------------------------------------
// Who may do what (DESIGN §2)

/// Who calls, in the permission tables.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// ADMIN of the organisation.
    Admin,
    /// A MEMBER who is LEAD of team "Payments" (Checkout's home team).
    TeamLead,
    /// A MEMBER who is LEAD of squad "Checkout" and a plain member of its team.
    SquadLead,
    /// A MEMBER who is a plain member of the team and of "Checkout".
    Member,
    /// A MEMBER of squad "Wallet" only (the squad Checkout depends on).
    OtherSquadMember,
    /// A MEMBER who leads team "Search".
    OtherTeamLead,
    /// A VIEWER who is (even) LEAD of the team and of the squad.
    Viewer,
    /// ADMIN of another organisation.
    OtherOrgAdmin,
}

struct Cast {
    org: Org,
    team_lead: Session,
    squad_lead: Session,
    member: Session,
    other_squad_member: Session,
    other_team_lead: Session,
    viewer: Session,
    other_admin: Session,
}

impl Cast {
    async fn new(app: &TestApp) -> Self {
        let org = Org::new(app, "Acme").await;
        let admin = &org.admin;
        let team_lead = app
            .add_user(admin, "Tess Lead", "ENGINEERING", "MEMBER")
            .await;
        let squad_lead = app.add_user(admin, "Sam Squad", "PRODUCT", "MEMBER").await;
        let member = app
            .add_user(admin, "Max Member", "ENGINEERING", "MEMBER")
            .await;
        let other_squad_member = app
            .add_user(admin, "Wanda Wallet", "DESIGN", "MEMBER")
            .await;
        let other_team_lead = app
            .add_user(admin, "Otto Other", "ENGINEERING", "MEMBER")
            .await;
        let viewer = app.add_user(admin, "Vic Viewer", "DESIGN", "VIEWER").await;
        let other_admin = app.register_org("Globex").await;
        for (who, role) in [
            (&team_lead, "LEAD"),
            (&squad_lead, "MEMBER"),
            (&member, "MEMBER"),
            (&viewer, "LEAD"),
        ] {
            app.add_team_member(admin, &org.payments, &who.user_id, role)
                .await;
        }
        app.add_team_member(admin, &org.search, &other_team_lead.user_id, "LEAD")
            .await;
        for (who, role) in [
            (&squad_lead, "LEAD"),
            (&member, "MEMBER"),
            (&viewer, "LEAD"),
        ] {
            app.add_squad_member(admin, &org.checkout, &who.user_id, role, 20)
                .await
                .data();
        }
        app.add_squad_member(
            admin,
            &org.wallet,
            &other_squad_member.user_id,
            "MEMBER",
            20,
        )
        .await
        .data();
        Self {
            org,
            team_lead,
            squad_lead,
            member,
            other_squad_member,
            other_team_lead,
            viewer,
            other_admin,
        }
    }

    fn session(&self, who: Who) -> &Session {
        match who {
            Who::Admin => &self.org.admin,
            Who::TeamLead => &self.team_lead,
            Who::SquadLead => &self.squad_lead,
            Who::Member => &self.member,
            Who::OtherSquadMember => &self.other_squad_member,
            Who::OtherTeamLead => &self.other_team_lead,
            Who::Viewer => &self.viewer,
            Who::OtherOrgAdmin => &self.other_admin,
        }
    }
}

async fn an_outcome_is_planned_by_an_admin_or_a_lead_of_its_team_or_squad(app: TestApp) {
    let cast = Cast::new(&app).await;
    let org = &cast.org;
    let q = quarter(0);
    // (caller, for the team "Payments", for the squad "Checkout")
    for (who, team_want, squad_want) in [
        (Who::Admin, Ok(()), Ok(())),
        (Who::TeamLead, Ok(()), Ok(())),
        (Who::SquadLead, denied("FORBIDDEN"), Ok(())),
        (Who::Member, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::OtherTeamLead, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND"), denied("NOT_FOUND")),
    ] {
        for (scope, want) in [
            (json!({ "teamId": org.payments }), &team_want),
            (json!({ "squadId": org.checkout }), &squad_want),
        ] {
            let what = format!("{who:?} for {scope}");
            let session = cast.session(who);
            let mut input = scope.clone();
            input["quarter"] = json!(q);
            input["title"] = json!(format!("Set by {what}"));
            let got = create_outcome(&app, session, input).await.outcome();
            assert_eq!(got, *want, "createOutcome as {what}");

            let mut input = scope.clone();
            input["quarter"] = json!(q);
            input["title"] = json!(format!("Changed by {what}"));
            let id = new_outcome(&app, &org.admin, input).await;
            let got = update_outcome(&app, session, json!({ "id": id, "description": "new" }))
                .await
                .outcome();
            assert_eq!(got, *want, "updateOutcome as {what}");
            let got = set_outcome_status(&app, session, json!({ "id": id, "status": "AT_RISK" }))
                .await
                .outcome();
            assert_eq!(got, *want, "setOutcomeStatus as {what}");
            let after = outcome(&app, &org.admin, &id).await;
            if want.is_ok() {
                assert_eq!(after["description"], "new");
                assert_eq!(after["status"], "AT_RISK");
            } else {
                assert_eq!(after["description"], "");
                assert_eq!(after["status"], "ON_TRACK");
                assert_eq!(after["version"], 1);
            }
        }
    }
    let res = app
        .gql_as(&org.admin, OUTCOMES, json!({ "filter": { "quarter": q } }))
        .await;
    let set_by: Vec<String> = titles(&res.data()["outcomes"]["nodes"])
        .into_iter()
        .filter(|t| t.starts_with("Set by"))
        .collect();
    assert_eq!(set_by.len(), 5, "{set_by:?}");
}

async fn an_initiative_is_written_by_its_squad_its_leads_or_an_admin(app: TestApp) {
    let cast = Cast::new(&app).await;
    let org = &cast.org;
    let target = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": quarter(0), "title": "Target" }),
    )
    .await;
    for (who, want) in [
        (Who::Admin, Ok(())),
        (Who::TeamLead, Ok(())),
        (Who::SquadLead, Ok(())),
        (Who::Member, Ok(())),
        (Who::OtherSquadMember, denied("FORBIDDEN")),
        (Who::OtherTeamLead, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
    ] {
        let session = cast.session(who);
        let title = format!("Created by {who:?}");
        let got = create_initiative(
            &app,
            session,
            json!({ "squadId": org.checkout, "title": title }),
        )
        .await
        .outcome();
        assert_eq!(got, want, "createInitiative as {who:?}");
        let res = app
            .gql_as(
                &org.admin,
                INITIATIVES,
                json!({ "filter": { "text": title } }),
            )
            .await;
        assert_eq!(
            res.data()["initiatives"]["totalCount"],
            i32::from(want.is_ok()),
            "{who:?}"
        );

        let id = new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": format!("Changed by {who:?}") }),
        )
        .await;
        let got = update_initiative(&app, session, json!({ "id": id, "status": "PLANNED" }))
            .await
            .outcome();
        assert_eq!(got, want, "updateInitiative as {who:?}");
        let got = link(&app, session, &id, &target).await.outcome();
        assert_eq!(got, want, "linkInitiativeToOutcome as {who:?}");
        let after = initiative(&app, &org.admin, &id).await;
        if want.is_ok() {
            assert_eq!(after["status"], "PLANNED");
            assert_eq!(after["outcomes"]["totalCount"], 1);
            let got = mutate(
                &app,
                session,
                UNLINK,
                json!({ "initiativeId": id, "outcomeId": target }),
            )
            .await
            .outcome();
            assert_eq!(got, want, "unlinkInitiativeFromOutcome as {who:?}");
        } else {
            assert_eq!(after["status"], "PROPOSED");
            assert_eq!(after["version"], 1);
            assert_eq!(after["outcomes"]["totalCount"], 0);
            link(&app, &org.admin, &id, &target).await.data();
            let got = mutate(
                &app,
                session,
                UNLINK,
                json!({ "initiativeId": id, "outcomeId": target }),
            )
            .await
            .outcome();
            assert_eq!(got, want, "unlinkInitiativeFromOutcome as {who:?}");
            assert_eq!(
                initiative(&app, &org.admin, &id).await["outcomes"]["totalCount"],
                1
            );
        }
    }
}

async fn a_dependency_is_declared_by_the_needing_squad_and_updated_by_either(app: TestApp) {
    let cast = Cast::new(&app).await;
    let org = &cast.org;
    // (caller, create for Checkout needing Wallet, update one of those)
    for (who, create_want, update_want) in [
        (Who::Admin, Ok(()), Ok(())),
        (Who::TeamLead, Ok(()), Ok(())),
        (Who::SquadLead, Ok(()), Ok(())),
        (Who::Member, Ok(()), Ok(())),
        (Who::OtherSquadMember, denied("FORBIDDEN"), Ok(())),
        (Who::OtherTeamLead, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND"), denied("NOT_FOUND")),
    ] {
        let session = cast.session(who);
        let what = format!("Declared by {who:?}");
        let got = create_dependency(
            &app,
            session,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                    "description": what, "neededBy": day(7) }),
        )
        .await
        .outcome();
        assert_eq!(got, create_want, "createDependency as {who:?}");

        let id = new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                    "description": format!("Updated by {who:?}"), "neededBy": day(7) }),
        )
        .await;
        let got = update_dependency(&app, session, json!({ "id": id, "status": "AT_RISK" }))
            .await
            .outcome();
        assert_eq!(got, update_want, "updateDependency as {who:?}");
        let after = dependency(&app, &org.admin, &id).await;
        assert_eq!(
            after["status"],
            if update_want.is_ok() {
                "AT_RISK"
            } else {
                "OPEN"
            },
            "{who:?}"
        );
    }
    let res = app
        .gql_as(
            &org.admin,
            "{ dependencies(first: 100) { nodes { description } } }",
            json!({}),
        )
        .await;
    let declared = titles(&res.data()["dependencies"]["nodes"])
        .into_iter()
        .filter(|d| d.starts_with("Declared by"))
        .count();
    assert_eq!(declared, 4);
}

// ---------------------------------------------------------------------------------
// Tenant isolation (DESIGN §1, §2)

async fn another_organisation_cannot_see_or_touch_outcomes_initiatives_or_dependencies(
    app: TestApp,
) {
    let acme = Org::new(&app, "Acme").await;
    let q = quarter(0);
    let o = new_outcome(
        &app,
        &acme.admin,
        json!({ "teamId": acme.payments, "quarter": q, "title": "Acme outcome" }),
    )
    .await;
    let i = new_initiative(
        &app,
        &acme.admin,
        json!({ "squadId": acme.checkout, "title": "Acme work" }),
    )
    .await;
    let d = new_dependency(
        &app,
        &acme.admin,
        json!({ "fromSquadId": acme.checkout, "toSquadId": acme.wallet,
                "description": "Acme need", "neededBy": day(3) }),
    )
    .await;
    let globex = Org::new(&app, "Globex").await;
    let theirs_o = new_outcome(
        &app,
        &globex.admin,
        json!({ "teamId": globex.payments, "quarter": q, "title": "Globex outcome" }),
    )
    .await;
    let theirs_i = new_initiative(
        &app,
        &globex.admin,
        json!({ "squadId": globex.checkout, "title": "Globex work" }),
    )
    .await;
    let g = &globex.admin;

    for id in [&o, &i, &d] {
        let res = app
            .gql_as(
                g,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_code(&res, "NOT_FOUND");
    }
    for res in [
        update_outcome(&app, g, json!({ "id": o, "title": "Mine" })).await,
        set_outcome_status(&app, g, json!({ "id": o, "status": "MISSED" })).await,
        update_initiative(&app, g, json!({ "id": i, "status": "PLANNED" })).await,
        update_dependency(&app, g, json!({ "id": d, "status": "CANCELLED" })).await,
        link(&app, g, &i, &theirs_o).await,
        link(&app, g, &theirs_i, &o).await,
        mutate(
            &app,
            g,
            UNLINK,
            json!({ "initiativeId": theirs_i, "outcomeId": o }),
        )
        .await,
        create_outcome(
            &app,
            g,
            json!({ "squadId": acme.checkout, "quarter": q, "title": "Spy" }),
        )
        .await,
        create_initiative(&app, g, json!({ "squadId": acme.checkout, "title": "Spy" })).await,
        create_dependency(
            &app,
            g,
            json!({ "fromSquadId": globex.checkout, "toSquadId": acme.wallet,
                    "description": "Spy", "neededBy": day(3) }),
        )
        .await,
        create_dependency(
            &app,
            g,
            json!({ "fromSquadId": globex.checkout, "toSquadId": globex.wallet,
                    "initiativeId": i, "description": "Spy", "neededBy": day(3) }),
        )
        .await,
        app.gql_as(
            g,
            QUARTER_PLAN,
            json!({ "team": acme.payments, "quarter": q }),
        )
        .await,
        app.gql_as(g, WEEKLY_SYNC, json!({ "team": acme.payments }))
            .await,
    ] {
        assert_code(&res, "NOT_FOUND");
    }

    for (query, key, filter) in [
        (OUTCOMES, "outcomes", json!({ "teamId": acme.payments })),
        (
            INITIATIVES,
            "initiatives",
            json!({ "squadId": acme.checkout }),
        ),
        (
            DEPENDENCIES,
            "dependencies",
            json!({ "squadId": acme.checkout }),
        ),
        (INITIATIVES, "initiatives", json!({ "outcomeId": o })),
    ] {
        let res = app.gql_as(g, query, json!({ "filter": filter })).await;
        assert_eq!(res.data()[key]["totalCount"], 0, "{key} {filter}");
    }
    let res = app.gql_as(g, OUTCOMES, json!({})).await;
    assert_eq!(titles(&res.data()["outcomes"]["nodes"]), ["Globex outcome"]);
    let res = app.gql_as(g, DEPENDENCIES, json!({})).await;
    assert_eq!(res.data()["dependencies"]["totalCount"], 0);

    let ours = outcome(&app, &acme.admin, &o).await;
    assert_eq!(ours["title"], "Acme outcome");
    assert_eq!(ours["status"], "ON_TRACK");
    assert_eq!(ours["version"], 1);
    assert_eq!(ours["initiatives"]["totalCount"], 0);
    let ours = initiative(&app, &acme.admin, &i).await;
    assert_eq!(ours["status"], "PROPOSED");
    assert_eq!(ours["outcomes"]["totalCount"], 0);
    assert_eq!(dependency(&app, &acme.admin, &d).await["status"], "OPEN");
}

async fn initiative_search_ignores_case_beyond_ascii_and_archived_squads_leave_the_plan(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Überweisung per Klick", "status": "PLANNED" }),
    )
    .await;
    for needle in ["über", "ÜBER", "Über"] {
        let res = app
            .gql_as(
                &org.admin,
                INITIATIVES,
                json!({ "filter": { "text": needle } }),
            )
            .await;
        assert_eq!(
            res.data()["initiatives"]["totalCount"],
            1,
            "search {needle:?}"
        );
    }
    new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "Wallet top-up", "status": "IN_PROGRESS" }),
    )
    .await;
    let plan = || async {
        app.gql_as(
            &org.admin,
            QUARTER_PLAN,
            json!({ "team": org.payments, "quarter": quarter(0) }),
        )
        .await
        .data()["node"]["quarterPlan"]["unmappedInitiatives"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(plan().await, 2);
    // An archived squad's work is no longer part of the team's plan.
    for status in ["ACTIVE", "ARCHIVED"] {
        app.gql_as(
            &org.admin,
            "mutation($id: ID!, $s: SquadStatus!) { updateSquad(input: {id: $id, status: $s}) { squad { status } } }",
            json!({ "id": org.wallet, "s": status }),
        )
        .await
        .data();
    }
    assert_eq!(plan().await, 1);
}

crate::db_tests!(
    an_outcome_is_measurable_with_a_kpi_that_has_a_target_and_progresses_with_it,
    updating_an_outcome_changes_its_fields_and_a_stale_version_is_a_conflict,
    a_quarter_must_look_like_2026_q4,
    an_outcome_needs_exactly_one_owner_a_title_and_a_known_kpi,
    outcomes_are_filtered_by_quarter_team_squad_and_status,
    an_initiative_starts_as_proposed_in_its_squad,
    an_initiative_moves_forward_from_proposed_to_done_or_drops_and_nothing_else,
    a_target_date_before_the_start_date_is_refused,
    initiatives_are_linked_to_outcomes_and_unlinked,
    linking_the_same_initiative_and_outcome_in_parallel_keeps_one_link,
    a_quarter_plan_meets_the_checklist_with_3_measurable_outcomes_and_all_work_mapped,
    a_squad_declares_what_it_needs_from_another_by_a_date,
    a_squad_cannot_depend_on_itself,
    lists_of_outcomes_initiatives_and_dependencies_are_paged_with_cursors,
    the_weekly_sync_shows_dependencies_due_within_14_days_outcomes_at_risk_and_worsening_kpis,
    the_weekly_sync_of_another_week_looks_14_days_ahead_of_its_monday,
    a_date_needs_a_four_digit_year,
    an_outcome_is_planned_by_an_admin_or_a_lead_of_its_team_or_squad,
    an_initiative_is_written_by_its_squad_its_leads_or_an_admin,
    a_dependency_is_declared_by_the_needing_squad_and_updated_by_either,
    another_organisation_cannot_see_or_touch_outcomes_initiatives_or_dependencies,
    initiative_search_ignores_case_beyond_ascii_and_archived_squads_leave_the_plan,
);
