//! Shared KPIs over the API (DESIGN §1 "Shared KPIs", §2, §3; issue 3), one file per
//! part: definitions (define, edit, archive), owners and disciplines, measurements
//! (idempotent by external reference), trends with attainment and status, the `kpis`
//! list, and who may do which, within and across organisations.

mod definitions;
mod list;
mod measurements;
mod owners;
mod permissions;
mod trends;

use serde_json::{json, Value};

use crate::common::{Gql, Session, TestApp};

const KPI_FIELDS: &str = "id name description unit direction category baseline target
    attainment status isShared ownerDisciplines isArchived version createdAt updatedAt
    team { id } squad { id }
    owners { totalCount nodes { user { id discipline } } }
    latestMeasurement { id value recordedAt }
    measurements { totalCount }";

const MEASUREMENT_FIELDS: &str = "id value recordedAt source note updatedAt
    externalRef { source id url } kpi { id } recordedBy { id }";

fn create_kpi_query() -> String {
    format!(
        "mutation($input: CreateKpiInput!) {{ createKpi(input: $input) {{ kpi {{ {KPI_FIELDS} }} }} }}"
    )
}

fn update_kpi_query() -> String {
    format!(
        "mutation($input: UpdateKpiInput!) {{ updateKpi(input: $input) {{ kpi {{ {KPI_FIELDS} }} }} }}"
    )
}

fn kpi_query() -> String {
    format!("query($id: ID!) {{ node(id: $id) {{ ... on Kpi {{ {KPI_FIELDS} }} }} }}")
}

fn record_query() -> String {
    format!(
        "mutation($input: RecordKpiMeasurementInput!) {{ recordKpiMeasurement(input: $input) {{
            measurement {{ {MEASUREMENT_FIELDS} }} kpi {{ {KPI_FIELDS} }} }} }}"
    )
}

const ARCHIVE_KPI: &str = "mutation($input: ArchiveKpiInput!) {
    archiveKpi(input: $input) { kpi { id isArchived archivedAt version } } }";

const ADD_KPI_OWNER: &str = "mutation($input: KpiOwnerInput!) {
    addKpiOwner(input: $input) { kpi { id isShared ownerDisciplines
        owners { totalCount nodes { user { id } } } } } }";

const REMOVE_KPI_OWNER: &str = "mutation($input: KpiOwnerInput!) {
    removeKpiOwner(input: $input) { kpi { id isShared ownerDisciplines
        owners { totalCount nodes { user { id } } } } } }";

const DELETE_MEASUREMENT: &str = "mutation($input: DeleteKpiMeasurementInput!) {
    deleteKpiMeasurement(input: $input) { deletedMeasurementId
        kpi { id attainment latestMeasurement { id value } measurements { totalCount } } } }";

const MEASUREMENTS: &str =
    "query($id: ID!, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
    node(id: $id) { ... on Kpi {
        measurements(from: $from, to: $to, first: $first, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } nodes { id value recordedAt } } } } }";

const TREND: &str = "query($id: ID!, $window: Duration!) { node(id: $id) { ... on Kpi {
    trend(window: $window) { first last delta direction measurementCount } } } }";

const KPIS: &str = "query($first: Int, $after: String, $filter: KpiFilter, $orderBy: KpiOrder) {
    kpis(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id name category attainment status isShared updatedAt } }
    } }";

// ---------------------------------------------------------------------------------
// Helpers

/// Creates a KPI from a full `CreateKpiInput`, returning the response.
async fn create_kpi(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &create_kpi_query(), json!({ "input": input }))
        .await
}

/// Updates a KPI from a full `UpdateKpiInput`, returning the response.
async fn update_kpi(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &update_kpi_query(), json!({ "input": input }))
        .await
}

/// Records a measurement from a full `RecordKpiMeasurementInput`, returning the response.
async fn record(app: &TestApp, who: &Session, input: Value) -> Gql {
    app.gql_as(who, &record_query(), json!({ "input": input }))
        .await
}

/// Makes `user` an owner of `kpi`, as `who`.
async fn add_owner(app: &TestApp, who: &Session, kpi: &str, user: &str) -> Gql {
    let input = json!({ "input": { "kpiId": kpi, "userId": user } });
    app.gql_as(who, ADD_KPI_OWNER, input).await
}

/// Removes `user` from the owners of `kpi`, as `who`.
async fn remove_owner(app: &TestApp, who: &Session, kpi: &str, user: &str) -> Gql {
    let input = json!({ "input": { "kpiId": kpi, "userId": user } });
    app.gql_as(who, REMOVE_KPI_OWNER, input).await
}

/// A KPI as `who` reads it through `node`.
async fn kpi(app: &TestApp, who: &Session, id: &str) -> Value {
    app.gql_as(who, &kpi_query(), json!({ "id": id }))
        .await
        .data()["node"]
        .clone()
}

/// The `kpis` connection for `vars`, asserting it has no errors.
async fn kpis(app: &TestApp, who: &Session, vars: Value) -> Value {
    app.gql_as(who, KPIS, vars).await.data()["kpis"].clone()
}

/// The user ids of a KPI's owners, in the order they became owners.
fn owner_ids(kpi: &Value) -> Vec<String> {
    kpi["owners"]["nodes"]
        .as_array()
        .expect("owners")
        .iter()
        .map(|o| o["user"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A `Float` field's value.
fn float(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number, not {v}"))
}

#[track_caller]
fn assert_close(got: &Value, want: f64, what: &str) {
    let got = float(got);
    assert!((got - want).abs() < 1e-9, "{what}: {got} is not {want}");
}

/// An organisation with a team, a squad in it, an engineer and a product manager who
/// are plain members of both.
struct Org {
    admin: Session,
    engineer: Session,
    pm: Session,
    designer: Session,
    team: String,
    squad: String,
}

impl Org {
    async fn new(app: &TestApp, name: &str) -> Self {
        let admin = app.register_org(name).await;
        let engineer = app
            .add_user(&admin, "Erin Engineer", "ENGINEERING", "MEMBER")
            .await;
        let pm = app
            .add_user(&admin, "Pat Product", "PRODUCT", "MEMBER")
            .await;
        let designer = app
            .add_user(&admin, "Dana Designer", "DESIGN", "MEMBER")
            .await;
        let team = app.create_team(&admin, "Payments").await;
        let squad = app.create_squad(&admin, &team, "Checkout").await;
        for who in [&engineer, &pm] {
            app.add_team_member(&admin, &team, &who.user_id, "MEMBER")
                .await;
            app.add_squad_member(&admin, &squad, &who.user_id, "MEMBER", 50)
                .await
                .data();
        }
        Self {
            admin,
            engineer,
            pm,
            designer,
            team,
            squad,
        }
    }

    /// A squad KPI "Checkout conversion" (percent, 40 → 60), defined by the admin.
    async fn conversion(&self, app: &TestApp) -> String {
        app.create_kpi(
            &self.admin,
            json!({ "squadId": self.squad, "name": "Checkout conversion", "unit": "PERCENT",
                    "category": "CUSTOMER", "baseline": 40.0, "target": 60.0 }),
        )
        .await
    }
}
