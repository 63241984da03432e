//! Quarterly outcomes, initiatives mapped to them, a team's quarter plan, cross-squad
//! dependencies and the weekly sync over the API (DESIGN §1 "Outcomes and work", §2,
//! §3; issue 3), one file per part, and who may do which, within and across
//! organisations.

mod dependencies;
mod initiatives;
mod outcomes;
mod permissions;
mod quarter_plan;
mod weekly_sync;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::common::{id_of, Gql, Session, TestApp};

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
        app.create_kpi(
            &self.admin,
            json!({ "squadId": squad, "name": name, "unit": "PERCENT", "category": "CUSTOMER",
                    "baseline": 40.0, "target": target }),
        )
        .await
    }
}
