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

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use futures_util::future::join_all;
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

/// Creates a KPI from a full `CreateKpiInput`, returning its id.
async fn new_kpi(app: &TestApp, who: &Session, input: Value) -> String {
    id_of(&create_kpi(app, who, input).await.data()["createKpi"]["kpi"])
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

/// Records `value` on `kpi` at `at`, asserting it worked; returns the measurement id.
async fn record_at(app: &TestApp, who: &Session, kpi: &str, value: f64, at: &str) -> String {
    let res = record(
        app,
        who,
        json!({ "kpiId": kpi, "value": value, "recordedAt": at }),
    )
    .await;
    id_of(&res.data()["recordKpiMeasurement"]["measurement"])
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

/// The names on a page of `kpis`, in order.
fn names(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
        .collect()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
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

/// `days` days before now, as a `DateTime` input (to the microsecond).
fn days_ago(days: f64) -> String {
    let t = Utc::now() - Duration::milliseconds((days * 86_400_000.0) as i64);
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A `DateTime` field's value.
fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .expect("a DateTime string")
        .parse()
        .expect("RFC 3339")
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

/// Asserts a BAD_USER_INPUT error about `field`.
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

/// A well-formed global id (base64url of `Kind:uuid`) that names no row.
fn unknown_id(kind: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let raw = format!("{kind}:{}", uuid::Uuid::new_v4());
    let mut out = String::new();
    for chunk in raw.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
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
        new_kpi(
            app,
            &self.admin,
            json!({ "squadId": self.squad, "name": "Checkout conversion", "unit": "PERCENT",
                    "category": "CUSTOMER", "baseline": 40.0, "target": 60.0 }),
        )
        .await
    }
}
