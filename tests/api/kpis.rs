//! Shared KPIs over the API: define, edit, archive, owners and disciplines, measurements
//! (idempotent by external reference), latest value, windows, trend, attainment and
//! status, the `kpis` list, who may do which, tenant isolation and bad input
//! (DESIGN §1 "Shared KPIs", §2, §3; issue 3).

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

// ---------------------------------------------------------------------------------
// Define, edit, archive

async fn a_squad_kpi_is_defined_with_its_fields_and_its_definer_as_first_owner(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let res = create_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.squad, "name": " Checkout conversion ",
                "description": "Orders per checkout started", "unit": "PERCENT",
                "category": "CUSTOMER", "baseline": 40.0, "target": 60.0 }),
    )
    .await;
    let k = &res.data()["createKpi"]["kpi"];
    assert_eq!(k["name"], "Checkout conversion");
    assert_eq!(k["description"], "Orders per checkout started");
    assert_eq!(k["unit"], "PERCENT");
    assert_eq!(k["direction"], "HIGHER_IS_BETTER", "the default direction");
    assert_eq!(k["category"], "CUSTOMER");
    assert_eq!(k["baseline"], 40.0);
    assert_eq!(k["target"], 60.0);
    assert_eq!(k["squad"]["id"], org.squad.as_str());
    assert_eq!(k["team"], Value::Null);
    assert_eq!(k["version"], 1);
    assert_eq!(k["isArchived"], false);
    assert_eq!(owner_ids(k), [org.admin.user_id.as_str()]);
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING"]));
    assert_eq!(k["isShared"], false);
    assert_eq!(k["latestMeasurement"], Value::Null);
    assert_eq!(k["measurements"]["totalCount"], 0);
    assert_eq!(k["attainment"], Value::Null, "nothing measured yet");
    assert_eq!(k["status"], Value::Null);

    let read = kpi(&app, &org.engineer, &id_of(k)).await;
    assert_eq!(read["name"], "Checkout conversion");
    assert_eq!(read["squad"]["id"], org.squad.as_str());

    let res = create_kpi(
        &app,
        &org.admin,
        json!({ "teamId": org.team, "name": "Payment latency p95", "unit": "DURATION_SECONDS",
                "direction": "LOWER_IS_BETTER", "category": "RELIABILITY" }),
    )
    .await;
    let k = &res.data()["createKpi"]["kpi"];
    assert_eq!(k["team"]["id"], org.team.as_str());
    assert_eq!(k["squad"], Value::Null);
    assert_eq!(k["direction"], "LOWER_IS_BETTER");
    assert_eq!(k["baseline"], Value::Null);
    assert_eq!(k["target"], Value::Null);
}

async fn updating_a_kpi_changes_its_fields_and_a_stale_version_is_a_conflict(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;

    let res = update_kpi(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Checkout conversion rate",
                "target": 70.0, "category": "BUSINESS" }),
    )
    .await;
    let k = &res.data()["updateKpi"]["kpi"];
    assert_eq!(k["name"], "Checkout conversion rate");
    assert_eq!(k["target"], 70.0);
    assert_eq!(k["baseline"], 40.0, "untouched");
    assert_eq!(k["category"], "BUSINESS");
    assert_eq!(k["version"], 2);

    let res = update_kpi(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 1, "name": "Lost update", "target": 90.0 }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    let now = kpi(&app, &org.admin, &id).await;
    assert_eq!(now["name"], "Checkout conversion rate");
    assert_eq!(now["target"], 70.0);
    assert_eq!(now["version"], 2);

    // null clears the target (and with it the attainment); the unit may go too then.
    record_at(&app, &org.admin, &id, 55.0, &days_ago(1.0)).await;
    assert_close(
        &kpi(&app, &org.admin, &id).await["attainment"],
        0.5,
        "15 of 30",
    );
    let res = update_kpi(
        &app,
        &org.admin,
        json!({ "id": id, "expectedVersion": 2, "target": null, "unit": null }),
    )
    .await;
    let k = &res.data()["updateKpi"]["kpi"];
    assert_eq!(k["target"], Value::Null);
    assert_eq!(k["unit"], Value::Null);
    assert_eq!(k["attainment"], Value::Null);
    assert_eq!(k["status"], Value::Null);
    assert_eq!(k["version"], 3);
}

async fn an_archived_kpi_leaves_the_list_and_takes_no_measurements(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    record_at(&app, &org.admin, &id, 45.0, &days_ago(2.0)).await;

    let res = app
        .gql_as(&org.admin, ARCHIVE_KPI, json!({ "input": { "id": id } }))
        .await;
    let k = &res.data()["archiveKpi"]["kpi"];
    assert_eq!(k["isArchived"], true);
    assert!(k["archivedAt"].is_string());
    assert_eq!(k["version"], 2);

    assert_eq!(kpis(&app, &org.admin, json!({})).await["totalCount"], 0);
    let all = kpis(
        &app,
        &org.admin,
        json!({ "filter": { "includeArchived": true } }),
    )
    .await;
    assert_eq!(names(&all), ["Checkout conversion"]);
    let squad_kpis = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on Squad { kpis { totalCount } } } }",
            json!({ "id": org.squad }),
        )
        .await;
    assert_eq!(squad_kpis.data()["node"]["kpis"]["totalCount"], 0);

    let res = record(&app, &org.admin, json!({ "kpiId": id, "value": 50.0 })).await;
    assert_bad_input(&res, "kpiId");
    let now = kpi(&app, &org.admin, &id).await;
    assert_eq!(now["measurements"]["totalCount"], 1);
    assert_eq!(now["latestMeasurement"]["value"], 45.0);
    // Still readable, and archiving again changes nothing.
    let res = app
        .gql_as(&org.admin, ARCHIVE_KPI, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(res.data()["archiveKpi"]["kpi"]["version"], 2);
}

// ---------------------------------------------------------------------------------
// Owners: shared when they span disciplines

async fn owners_from_engineering_and_product_make_a_kpi_shared(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;

    // The admin is an engineer: one discipline, twice, is still not shared.
    let res = app
        .gql_as(
            &org.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.engineer.user_id } }),
        )
        .await;
    let k = &res.data()["addKpiOwner"]["kpi"];
    assert_eq!(k["owners"]["totalCount"], 2);
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING"]));
    assert_eq!(k["isShared"], false);

    let res = app
        .gql_as(
            &org.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.pm.user_id } }),
        )
        .await;
    let k = &res.data()["addKpiOwner"]["kpi"];
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING", "PRODUCT"]));
    assert_eq!(k["isShared"], true);

    // Adding an owner again keeps one ownership.
    let res = app
        .gql_as(
            &org.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.pm.user_id } }),
        )
        .await;
    assert_eq!(res.data()["addKpiOwner"]["kpi"]["owners"]["totalCount"], 3);
    let read = kpi(&app, &org.designer, &id).await;
    assert_eq!(
        owner_ids(&read),
        [
            org.admin.user_id.clone(),
            org.engineer.user_id.clone(),
            org.pm.user_id.clone()
        ]
    );

    let res = app
        .gql_as(
            &org.admin,
            REMOVE_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.pm.user_id } }),
        )
        .await;
    let k = &res.data()["removeKpiOwner"]["kpi"];
    assert_eq!(k["owners"]["totalCount"], 2);
    assert_eq!(k["isShared"], false);
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING"]));

    // Removing someone who is not an owner is NOT_FOUND.
    let res = app
        .gql_as(
            &org.admin,
            REMOVE_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.pm.user_id } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");

    // A designer and a product manager, without any engineer, are shared too.
    let res = app
        .gql_as(
            &org.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.designer.user_id } }),
        )
        .await;
    assert_eq!(
        res.data()["addKpiOwner"]["kpi"]["ownerDisciplines"],
        json!(["ENGINEERING", "DESIGN"])
    );
    for who in [&org.admin, &org.engineer] {
        app.gql_as(
            &org.admin,
            REMOVE_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": who.user_id } }),
        )
        .await
        .data();
    }
    app.gql_as(
        &org.admin,
        ADD_KPI_OWNER,
        json!({ "input": { "kpiId": id, "userId": org.pm.user_id } }),
    )
    .await
    .data();
    let read = kpi(&app, &org.admin, &id).await;
    assert_eq!(read["ownerDisciplines"], json!(["PRODUCT", "DESIGN"]));
    assert_eq!(read["isShared"], true);
}

async fn adding_the_same_owner_in_parallel_keeps_one_ownership(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let results = join_all((0..10).map(|_| {
        app.gql_as(
            &org.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": org.pm.user_id } }),
        )
    }))
    .await;
    for res in &results {
        assert_eq!(res.outcome(), Ok(()), "{}", res.body);
    }
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(
        owner_ids(&k),
        [org.admin.user_id.as_str(), org.pm.user_id.as_str()]
    );
    assert_eq!(k["isShared"], true);
}

// ---------------------------------------------------------------------------------
// Measurements

async fn recording_a_measurement_returns_it_with_the_kpis_new_attainment(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;

    let at = days_ago(1.0);
    let res = record(
        &app,
        &org.engineer,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": at, "note": "after the redesign" }),
    )
    .await;
    let payload = &res.data()["recordKpiMeasurement"];
    let m = &payload["measurement"];
    assert_eq!(m["value"], 50.0);
    assert_eq!(instant(&m["recordedAt"]), instant(&json!(at)));
    assert_eq!(m["source"], "MANUAL");
    assert_eq!(m["note"], "after the redesign");
    assert_eq!(m["externalRef"], Value::Null);
    assert_eq!(m["kpi"]["id"], id.as_str());
    assert_eq!(m["recordedBy"]["id"], org.engineer.user_id.as_str());
    let k = &payload["kpi"];
    assert_close(&k["attainment"], 0.5, "50 between 40 and 60");
    assert_eq!(k["latestMeasurement"]["id"], m["id"]);
    assert_eq!(k["measurements"]["totalCount"], 1);

    // Without recordedAt it is recorded now, and is the latest.
    let before = Utc::now() - Duration::seconds(1);
    let res = record(&app, &org.pm, json!({ "kpiId": id, "value": 58.0 })).await;
    let payload = &res.data()["recordKpiMeasurement"];
    let recorded = instant(&payload["measurement"]["recordedAt"]);
    assert!(recorded >= before && recorded <= Utc::now() + Duration::seconds(1));
    assert_close(&payload["kpi"]["attainment"], 0.9, "58 between 40 and 60");
    assert_eq!(payload["kpi"]["latestMeasurement"]["value"], 58.0);

    // An older value recorded later does not become the latest.
    let res = record(
        &app,
        &org.pm,
        json!({ "kpiId": id, "value": 41.0, "recordedAt": days_ago(20.0) }),
    )
    .await;
    let k = &res.data()["recordKpiMeasurement"]["kpi"];
    assert_eq!(k["latestMeasurement"]["value"], 58.0);
    assert_close(&k["attainment"], 0.9, "still from the latest value");
    assert_eq!(k["measurements"]["totalCount"], 3);

    // The measurement is a node.
    let res = app
        .gql_as(
            &org.designer,
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on KpiMeasurement {{ {MEASUREMENT_FIELDS} }} }} }}"),
            json!({ "id": m["id"] }),
        )
        .await;
    assert_eq!(res.data()["node"]["value"], 50.0);
}

async fn recording_the_same_external_reference_twice_stores_one_row_and_changes_nothing(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let input = json!({ "kpiId": id, "value": 52.5, "recordedAt": days_ago(1.0),
        "externalRef": { "source": "amplitude", "id": "conv-2026-11-24",
                         "url": "https://amplitude.example/c/24" } });

    let first = record(&app, &org.engineer, input.clone()).await;
    let first = first.data()["recordKpiMeasurement"].clone();
    assert_eq!(first["measurement"]["source"], "INTEGRATION");
    assert_eq!(
        first["measurement"]["externalRef"],
        json!({ "source": "amplitude", "id": "conv-2026-11-24",
                "url": "https://amplitude.example/c/24" })
    );

    let second = record(&app, &org.engineer, input.clone()).await;
    let second = second.data()["recordKpiMeasurement"].clone();
    assert_eq!(second["measurement"]["id"], first["measurement"]["id"]);
    assert_eq!(
        second["measurement"]["updatedAt"],
        first["measurement"]["updatedAt"]
    );
    assert_eq!(second["measurement"]["value"], 52.5);
    assert_eq!(second["kpi"]["version"], first["kpi"]["version"]);
    assert_eq!(second["kpi"]["updatedAt"], first["kpi"]["updatedAt"]);
    assert_eq!(second["kpi"]["measurements"]["totalCount"], 1);

    // Another member sending it (without a time) changes nothing either.
    let mut again = input.clone();
    again.as_object_mut().unwrap().remove("recordedAt");
    let third = record(&app, &org.pm, again).await;
    let third = &third.data()["recordKpiMeasurement"];
    assert_eq!(third["measurement"]["id"], first["measurement"]["id"]);
    assert_eq!(
        third["measurement"]["updatedAt"],
        first["measurement"]["updatedAt"]
    );
    assert_eq!(
        third["measurement"]["recordedAt"],
        first["measurement"]["recordedAt"]
    );

    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["updatedAt"], first["kpi"]["updatedAt"]);
    assert_eq!(k["version"], first["kpi"]["version"]);
}

async fn ten_parallel_identical_recordings_store_exactly_one_measurement(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let input = json!({ "kpiId": id, "value": 47.0, "recordedAt": days_ago(0.5),
        "externalRef": { "source": "datadog", "id": "slo-checkout-1" } });

    let results = join_all((0..10).map(|_| record(&app, &org.engineer, input.clone()))).await;
    let ids: Vec<Value> = results
        .iter()
        .map(|r| r.data()["recordKpiMeasurement"]["measurement"]["id"].clone())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "every call answers with the one measurement: {ids:?}"
    );
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["latestMeasurement"]["id"], ids[0]);
    assert_close(&k["attainment"], 0.35, "47 between 40 and 60");
}

async fn parallel_recordings_of_one_reference_on_two_kpis_store_it_on_one_only(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org.conversion(&app).await;
    let abandonment = new_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.squad, "name": "Cart abandonment", "unit": "PERCENT",
                "direction": "LOWER_IS_BETTER", "category": "CUSTOMER" }),
    )
    .await;
    let ext = json!({ "source": "amplitude", "id": "shared-ref" });
    let calls: Vec<(String, f64)> = (0..10)
        .map(|i| {
            if i % 2 == 0 {
                (conversion.clone(), 50.0)
            } else {
                (abandonment.clone(), 12.0)
            }
        })
        .collect();
    let results = join_all(calls.iter().map(|(k, v)| {
        record(
            &app,
            &org.admin,
            json!({ "kpiId": k, "value": v, "externalRef": ext }),
        )
    }))
    .await;
    let mut stored_on = Vec::new();
    for ((kpi_id, _), res) in calls.iter().zip(&results) {
        match res.outcome() {
            Ok(()) => {
                let m = &res.data()["recordKpiMeasurement"]["measurement"];
                assert_eq!(
                    m["kpi"]["id"],
                    kpi_id.as_str(),
                    "a recording answered with another KPI's measurement: {}",
                    res.body
                );
                stored_on.push(kpi_id.clone());
            }
            Err(code) => assert_eq!(code, "CONFLICT", "{}", res.body),
        }
    }
    stored_on.dedup();
    assert_eq!(stored_on.len(), 1, "the reference landed on {stored_on:?}");
    let total = |id: &str| {
        let app = &app;
        let admin = &org.admin;
        let id = id.to_owned();
        async move { kpi(app, admin, &id).await["measurements"]["totalCount"].clone() }
    };
    let on_conversion = total(&conversion).await;
    let on_abandonment = total(&abandonment).await;
    assert_eq!(
        (on_conversion.as_i64().unwrap() + on_abandonment.as_i64().unwrap()),
        1
    );
}

async fn parallel_recordings_leave_the_attainment_of_the_latest_value(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    // Ten values, each an hour apart; the newest (1 hour ago) is 59: attainment 0.95.
    let inputs: Vec<Value> = (1..=10)
        .map(|h| {
            json!({ "kpiId": id, "value": 60.0 - h as f64,
                    "recordedAt": days_ago(h as f64 / 24.0) })
        })
        .collect();
    let results = join_all(
        inputs
            .iter()
            .map(|i| record(&app, &org.engineer, i.clone())),
    )
    .await;
    for r in &results {
        r.data();
    }
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 10);
    assert_eq!(k["latestMeasurement"]["value"], 59.0);
    assert_close(&k["attainment"], 0.95, "attainment of the latest value, 59");
}

async fn a_new_value_for_a_known_external_reference_updates_that_measurement(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let at = days_ago(1.0);
    let ext = json!({ "source": "amplitude", "id": "conv-1" });
    let first = record(
        &app,
        &org.engineer,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": at, "externalRef": ext }),
    )
    .await;
    let first = first.data()["recordKpiMeasurement"].clone();
    assert_close(&first["kpi"]["attainment"], 0.5, "50");

    let res = record(
        &app,
        &org.engineer,
        json!({ "kpiId": id, "value": 56.0, "recordedAt": at, "externalRef": ext,
                "note": "late events" }),
    )
    .await;
    let second = &res.data()["recordKpiMeasurement"];
    assert_eq!(second["measurement"]["id"], first["measurement"]["id"]);
    assert_eq!(second["measurement"]["value"], 56.0);
    assert_eq!(second["measurement"]["note"], "late events");
    assert!(
        instant(&second["measurement"]["updatedAt"]) > instant(&first["measurement"]["updatedAt"])
    );
    assert_close(&second["kpi"]["attainment"], 0.8, "56");

    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["latestMeasurement"]["value"], 56.0);
}

async fn an_external_reference_already_recorded_on_another_kpi_is_a_conflict(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let conversion = org.conversion(&app).await;
    let other = new_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.squad, "name": "Cart abandonment", "unit": "PERCENT",
                "direction": "LOWER_IS_BETTER", "category": "CUSTOMER" }),
    )
    .await;
    let ext = json!({ "source": "amplitude", "id": "daily-1" });
    record(
        &app,
        &org.admin,
        json!({ "kpiId": conversion, "value": 50.0, "externalRef": ext }),
    )
    .await
    .data();

    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": other, "value": 12.0, "externalRef": ext }),
    )
    .await;
    assert_code(&res, "CONFLICT");
    assert_eq!(
        kpi(&app, &org.admin, &other).await["measurements"]["totalCount"],
        0
    );
    let k = kpi(&app, &org.admin, &conversion).await;
    assert_eq!(k["measurements"]["totalCount"], 1);
    assert_eq!(k["latestMeasurement"]["value"], 50.0);

    // The same id from another source is another reference.
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": other, "value": 12.0,
                "externalRef": { "source": "mixpanel", "id": "daily-1" } }),
    )
    .await;
    res.data();

    // And references are unique per organisation only.
    let globex = Org::new(&app, "Globex").await;
    let theirs = globex.conversion(&app).await;
    let res = record(
        &app,
        &globex.admin,
        json!({ "kpiId": theirs, "value": 44.0, "externalRef": ext }),
    )
    .await;
    assert_eq!(
        res.data()["recordKpiMeasurement"]["kpi"]["measurements"]["totalCount"],
        1
    );
    assert_eq!(
        kpi(&app, &org.admin, &conversion).await["latestMeasurement"]["value"],
        50.0
    );
}

async fn deleting_a_measurement_brings_back_the_previous_latest_value(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    record_at(&app, &org.admin, &id, 45.0, &days_ago(3.0)).await;
    let newest = record_at(&app, &org.admin, &id, 58.0, &days_ago(1.0)).await;
    assert_close(&kpi(&app, &org.admin, &id).await["attainment"], 0.9, "58");

    let res = app
        .gql_as(
            &org.admin,
            DELETE_MEASUREMENT,
            json!({ "input": { "id": newest } }),
        )
        .await;
    let payload = &res.data()["deleteKpiMeasurement"];
    assert_eq!(payload["deletedMeasurementId"], newest.as_str());
    assert_eq!(payload["kpi"]["measurements"]["totalCount"], 1);
    assert_eq!(payload["kpi"]["latestMeasurement"]["value"], 45.0);
    assert_close(&payload["kpi"]["attainment"], 0.25, "45");

    let res = app
        .gql_as(
            &org.admin,
            DELETE_MEASUREMENT,
            json!({ "input": { "id": newest } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": newest }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
}

async fn only_owners_leads_and_admins_may_delete_a_measurement(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    for who in [&org.engineer, &org.pm] {
        app.gql_as(
            &org.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": id, "userId": who.user_id } }),
        )
        .await
        .data();
    }
    let by_engineer = record_at(&app, &org.engineer, &id, 45.0, &days_ago(2.0)).await;

    // Another owner may not delete the engineer's value; a designer outside the KPI
    // neither; the engineer may.
    for (who, want) in [
        (&org.pm, denied("FORBIDDEN")),
        (&org.designer, denied("FORBIDDEN")),
        (&org.engineer, Ok(())),
    ] {
        let got = app
            .gql_as(
                who,
                DELETE_MEASUREMENT,
                json!({ "input": { "id": by_engineer } }),
            )
            .await
            .outcome();
        assert_eq!(got, want);
    }
    assert_eq!(
        kpi(&app, &org.admin, &id).await["measurements"]["totalCount"],
        0
    );
    let by_pm = record_at(&app, &org.pm, &id, 46.0, &days_ago(1.0)).await;
    app.gql_as(
        &org.admin,
        DELETE_MEASUREMENT,
        json!({ "input": { "id": by_pm } }),
    )
    .await
    .data();
    assert_eq!(
        kpi(&app, &org.admin, &id).await["measurements"]["totalCount"],
        0
    );
}

async fn measurements_are_listed_newest_first_within_a_window_and_paged(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    // Values 41..=50 recorded 10 days ago down to 1 day ago.
    let mut at = Vec::new();
    for d in (1..=10).rev() {
        let t = days_ago(d as f64);
        record_at(&app, &org.admin, &id, 51.0 - d as f64, &t).await;
        at.push(t);
    }
    let values = |conn: &Value| -> Vec<f64> {
        conn["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| float(&n["value"]))
            .collect()
    };
    let read = |vars: Value| {
        let app = &app;
        let admin = &org.admin;
        async move { app.gql_as(admin, MEASUREMENTS, vars).await.data()["node"]["measurements"].clone() }
    };

    let all = read(json!({ "id": id })).await;
    assert_eq!(all["totalCount"], 10);
    assert_eq!(
        values(&all),
        [50.0, 49.0, 48.0, 47.0, 46.0, 45.0, 44.0, 43.0, 42.0, 41.0]
    );

    // [from, to): from 7 days ago (inclusive) to 3 days ago (exclusive).
    let window = read(json!({ "id": id, "from": at[3], "to": at[7] })).await;
    assert_eq!(values(&window), [47.0, 46.0, 45.0, 44.0]);
    assert_eq!(window["totalCount"], 4);

    let page1 = read(json!({ "id": id, "from": at[3], "first": 3 })).await;
    assert_eq!(values(&page1), [50.0, 49.0, 48.0]);
    assert_eq!(page1["totalCount"], 7);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    let page2 = read(
        json!({ "id": id, "from": at[3], "first": 3, "after": page1["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(values(&page2), [47.0, 46.0, 45.0]);
    let page3 = read(
        json!({ "id": id, "from": at[3], "first": 3, "after": page2["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(values(&page3), [44.0]);
    assert_eq!(page3["pageInfo"]["hasNextPage"], false);

    let res = app
        .gql_as(
            &org.admin,
            MEASUREMENTS,
            json!({ "id": id, "from": at[7], "to": at[3] }),
        )
        .await;
    assert_bad_input(&res, "to");
}

// ---------------------------------------------------------------------------------
// Trend, attainment, status

async fn a_trend_over_seven_days_honours_the_kpis_direction(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let latency = new_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.squad, "name": "Checkout latency p95", "unit": "DURATION_SECONDS",
                "direction": "LOWER_IS_BETTER", "category": "RELIABILITY" }),
    )
    .await;
    let conversion = org.conversion(&app).await;
    let flat = new_kpi(
        &app,
        &org.admin,
        json!({ "squadId": org.squad, "name": "Support tickets", "unit": "COUNT",
                "direction": "LOWER_IS_BETTER", "category": "QUALITY" }),
    )
    .await;
    // The same values on both: 10 days ago (outside the window), then 6, 3 and 1.
    for (days, value) in [(10.0, 900.0), (6.0, 400.0), (3.0, 350.0), (1.0, 300.0)] {
        record_at(&app, &org.admin, &latency, value, &days_ago(days)).await;
        record_at(&app, &org.admin, &conversion, value / 10.0, &days_ago(days)).await;
    }
    for days in [6.0, 2.0] {
        record_at(&app, &org.admin, &flat, 12.0, &days_ago(days)).await;
    }
    let trend = |id: String, window: &'static str| {
        let app = &app;
        let admin = &org.admin;
        async move {
            app.gql_as(admin, TREND, json!({ "id": id, "window": window }))
                .await
                .data()["node"]["trend"]
                .clone()
        }
    };

    let t = trend(latency.clone(), "P7D").await;
    assert_eq!(
        t,
        json!({ "first": 400.0, "last": 300.0, "delta": -100.0, "direction": "IMPROVING",
                "measurementCount": 3 })
    );
    let t = trend(conversion.clone(), "P7D").await;
    assert_eq!(t["first"], 40.0);
    assert_eq!(t["last"], 30.0);
    assert_eq!(t["delta"], -10.0);
    assert_eq!(t["direction"], "WORSENING", "lower conversion is worse");
    let t = trend(flat.clone(), "P1W").await;
    assert_eq!(t["direction"], "FLAT");
    assert_eq!(t["delta"], 0.0);

    // Other windows: two weeks reach the oldest value; two days hold one value.
    let t = trend(latency.clone(), "P14D").await;
    assert_eq!(t["first"], 900.0);
    assert_eq!(t["measurementCount"], 4);
    let t = trend(latency.clone(), "PT48H").await;
    assert_eq!(
        t,
        json!({ "first": 300.0, "last": 300.0, "delta": 0.0, "direction": "FLAT",
                "measurementCount": 1 })
    );
    // A window with nothing in it has no trend.
    let t = trend(latency.clone(), "PT12H").await;
    assert_eq!(t, Value::Null);

    // Listing them at once gives each its own trend (one batch, three KPIs).
    let res = app
        .gql_as(
            &org.admin,
            "{ kpis { nodes { name trend(window: \"P7D\") { direction } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res.data()["kpis"]["nodes"],
        json!([
            { "name": "Checkout conversion", "trend": { "direction": "WORSENING" } },
            { "name": "Checkout latency p95", "trend": { "direction": "IMPROVING" } },
            { "name": "Support tickets", "trend": { "direction": "FLAT" } },
        ])
    );
}

/// Direction, baseline, target, values oldest first, and the attainment they give.
type AttainmentCase = (
    &'static str,
    Option<f64>,
    Option<f64>,
    Vec<f64>,
    Option<f64>,
);

async fn attainment_runs_from_baseline_to_target_in_the_kpis_direction(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // (direction, baseline, target, values oldest first, attainment)
    let cases: Vec<AttainmentCase> = vec![
        (
            "HIGHER_IS_BETTER",
            Some(40.0),
            Some(60.0),
            vec![50.0],
            Some(0.5),
        ),
        (
            "HIGHER_IS_BETTER",
            Some(40.0),
            Some(60.0),
            vec![75.0],
            Some(1.0),
        ),
        (
            "HIGHER_IS_BETTER",
            Some(40.0),
            Some(60.0),
            vec![30.0],
            Some(0.0),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![75.0],
            Some(0.5),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![90.0],
            Some(0.2),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![40.0],
            Some(1.0),
        ),
        (
            "LOWER_IS_BETTER",
            Some(100.0),
            Some(50.0),
            vec![120.0],
            Some(0.0),
        ),
        // Without a baseline the first measurement is the baseline.
        (
            "LOWER_IS_BETTER",
            None,
            Some(50.0),
            vec![150.0, 100.0],
            Some(0.5),
        ),
        ("HIGHER_IS_BETTER", None, Some(10.0), vec![2.0], Some(0.0)),
        // Without a target there is nothing to attain.
        ("HIGHER_IS_BETTER", Some(40.0), None, vec![50.0], None),
        ("HIGHER_IS_BETTER", Some(40.0), Some(60.0), vec![], None),
    ];
    for (n, (direction, baseline, target, values, want)) in cases.into_iter().enumerate() {
        let id = new_kpi(
            &app,
            &org.admin,
            json!({ "squadId": org.squad, "name": format!("KPI {n}"), "unit": "SCORE",
                    "category": "QUALITY", "direction": direction,
                    "baseline": baseline, "target": target }),
        )
        .await;
        for (i, v) in values.iter().enumerate() {
            record_at(&app, &org.admin, &id, *v, &days_ago(5.0 - i as f64)).await;
        }
        let got = &kpi(&app, &org.admin, &id).await["attainment"];
        let what = format!("{direction} {baseline:?} → {target:?} at {values:?}");
        match want {
            Some(w) => assert_close(got, w, &what),
            None => assert_eq!(*got, Value::Null, "{what}"),
        }
    }
}

/// A name, (days ago, value) pairs oldest first, and the status they give.
type StatusCase = (&'static str, Vec<(f64, f64)>, Option<&'static str>);

async fn status_follows_attainment_and_the_30_day_trend(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // Baseline 0, target 100: attainment is the latest value / 100. Values oldest first,
    // all within 30 days unless said otherwise.
    let cases: Vec<StatusCase> = vec![
        (
            "reached, worsening",
            vec![(3.0, 120.0), (1.0, 110.0)],
            Some("ON_TRACK"),
        ),
        ("0.8, flat", vec![(1.0, 80.0)], Some("ON_TRACK")),
        (
            "0.8, improving",
            vec![(3.0, 70.0), (1.0, 80.0)],
            Some("ON_TRACK"),
        ),
        (
            "0.8, worsening",
            vec![(3.0, 90.0), (1.0, 80.0)],
            Some("AT_RISK"),
        ),
        (
            "0.5, improving",
            vec![(3.0, 20.0), (1.0, 50.0)],
            Some("ON_TRACK"),
        ),
        ("0.5, flat", vec![(3.0, 50.0), (1.0, 50.0)], Some("AT_RISK")),
        (
            "0.5, worsening",
            vec![(3.0, 60.0), (1.0, 50.0)],
            Some("OFF_TRACK"),
        ),
        (
            "0.1, improving",
            vec![(3.0, 0.0), (1.0, 10.0)],
            Some("AT_RISK"),
        ),
        ("0.1, flat", vec![(1.0, 10.0)], Some("OFF_TRACK")),
        (
            "0.1, worsening",
            vec![(3.0, 20.0), (1.0, 10.0)],
            Some("OFF_TRACK"),
        ),
        // A rise older than 30 days is no trend: 0.5 and flat.
        (
            "0.5, rise 40 days ago",
            vec![(40.0, 20.0), (1.0, 50.0)],
            Some("AT_RISK"),
        ),
        ("nothing measured", vec![], None),
    ];
    let mut want_by_name = Vec::new();
    for (name, values, want) in cases {
        let id = new_kpi(
            &app,
            &org.admin,
            json!({ "squadId": org.squad, "name": name, "unit": "PERCENT",
                    "category": "DELIVERY", "baseline": 0.0, "target": 100.0 }),
        )
        .await;
        for (days, v) in values {
            record_at(&app, &org.admin, &id, v, &days_ago(days)).await;
        }
        want_by_name.push((name, want));
        let got = &kpi(&app, &org.admin, &id).await["status"];
        assert_eq!(got.as_str(), want, "{name}: status on its own ({})", got);
    }
    // The same through one list (batched trends).
    let res = app
        .gql_as(
            &org.admin,
            "{ kpis(first: 50) { nodes { name status } } }",
            json!({}),
        )
        .await;
    for node in res.data()["kpis"]["nodes"].as_array().unwrap() {
        let name = node["name"].as_str().unwrap();
        let (_, want) = want_by_name.iter().find(|(n, _)| *n == name).unwrap();
        assert_eq!(node["status"].as_str(), *want, "{name}: status in a list");
    }
}

// ---------------------------------------------------------------------------------
// The kpis list

/// Four KPIs across two teams and their squads, plus an archived one.
struct Catalogue {
    org: Org,
    search_team: String,
    ranking: String,
    latency: String,
    csat: String,
    deploys: String,
}

impl Catalogue {
    async fn new(app: &TestApp) -> Self {
        let org = Org::new(app, "Acme").await;
        let search_team = app.create_team(&org.admin, "Search").await;
        let ranking = app.create_squad(&org.admin, &search_team, "Ranking").await;
        let conversion = org.conversion(app).await;
        let latency = new_kpi(
            app,
            &org.admin,
            json!({ "teamId": org.team, "name": "Payment latency p95",
                    "unit": "DURATION_SECONDS", "direction": "LOWER_IS_BETTER",
                    "category": "RELIABILITY", "baseline": 2.0, "target": 1.0 }),
        )
        .await;
        let csat = new_kpi(
            app,
            &org.admin,
            json!({ "squadId": ranking, "name": "Search CSAT", "unit": "SCORE",
                    "category": "CUSTOMER", "baseline": 3.0, "target": 4.5,
                    "description": "Survey after a search session" }),
        )
        .await;
        let deploys = new_kpi(
            app,
            &org.admin,
            json!({ "teamId": search_team, "name": "Deploys per week", "unit": "COUNT",
                    "category": "DELIVERY",
                    "description": "Includes CHECKOUT releases shipped by Search" }),
        )
        .await;
        let old = new_kpi(
            app,
            &org.admin,
            json!({ "teamId": org.team, "name": "Old uptime", "category": "RELIABILITY" }),
        )
        .await;
        app.gql_as(&org.admin, ARCHIVE_KPI, json!({ "input": { "id": old } }))
            .await
            .data();
        // Shared: conversion (engineer + product), CSAT (engineer + design).
        for (k, who) in [(&conversion, &org.pm), (&csat, &org.designer)] {
            app.gql_as(
                &org.admin,
                ADD_KPI_OWNER,
                json!({ "input": { "kpiId": k, "userId": who.user_id } }),
            )
            .await
            .data();
        }
        // Attainments: conversion 0.75, latency 0.25, CSAT 1.0, deploys unknown.
        record_at(app, &org.admin, &conversion, 55.0, &days_ago(1.0)).await;
        record_at(app, &org.admin, &latency, 1.75, &days_ago(1.0)).await;
        record_at(app, &org.admin, &csat, 4.6, &days_ago(1.0)).await;
        Self {
            org,
            search_team,
            ranking,
            latency,
            csat,
            deploys,
        }
    }
}

async fn kpis_are_filtered_by_scope_category_sharing_owner_and_text(app: TestApp) {
    let c = Catalogue::new(&app).await;
    let o = &c.org;
    for (filter, want) in [
        (
            json!({}),
            vec![
                "Checkout conversion",
                "Deploys per week",
                "Payment latency p95",
                "Search CSAT",
            ],
        ),
        (json!({ "teamId": o.team }), vec!["Payment latency p95"]),
        (json!({ "teamId": c.search_team }), vec!["Deploys per week"]),
        (json!({ "squadId": o.squad }), vec!["Checkout conversion"]),
        (json!({ "squadId": c.ranking }), vec!["Search CSAT"]),
        (
            json!({ "category": "CUSTOMER" }),
            vec!["Checkout conversion", "Search CSAT"],
        ),
        (json!({ "category": "BUSINESS" }), vec![]),
        (
            json!({ "isShared": true }),
            vec!["Checkout conversion", "Search CSAT"],
        ),
        (
            json!({ "isShared": false }),
            vec!["Deploys per week", "Payment latency p95"],
        ),
        (
            json!({ "ownerId": o.pm.user_id }),
            vec!["Checkout conversion"],
        ),
        (json!({ "ownerId": o.engineer.user_id }), vec![]),
        (
            json!({ "ownerId": o.admin.user_id, "isShared": false }),
            vec!["Deploys per week", "Payment latency p95"],
        ),
        (json!({ "text": "LATENCY" }), vec!["Payment latency p95"]),
        // The description counts too.
        (
            json!({ "text": "checkout" }),
            vec!["Checkout conversion", "Deploys per week"],
        ),
        (json!({ "text": "survey" }), vec!["Search CSAT"]),
        (json!({ "text": "%" }), vec![]),
        (
            json!({ "category": "RELIABILITY", "includeArchived": true }),
            vec!["Old uptime", "Payment latency p95"],
        ),
    ] {
        let got = kpis(&app, &o.admin, json!({ "filter": filter })).await;
        assert_eq!(names(&got), want, "filter {filter}");
        assert_eq!(got["totalCount"], want.len(), "filter {filter}");
    }
    let res = app
        .gql_as(&o.admin, KPIS, json!({ "filter": { "teamId": o.squad } }))
        .await;
    assert_bad_input(&res, "teamId");
}

async fn kpis_updated_since_an_instant_include_those_with_new_measurements(app: TestApp) {
    let c = Catalogue::new(&app).await;
    let o = &c.org;
    let res = update_kpi(
        &app,
        &o.admin,
        json!({ "id": c.csat, "description": "Asked after every search session" }),
    )
    .await;
    let since = res.data()["updateKpi"]["kpi"]["updatedAt"].clone();
    let got = kpis(
        &app,
        &o.admin,
        json!({ "filter": { "updatedSince": since } }),
    )
    .await;
    assert_eq!(names(&got), ["Search CSAT"]);

    // A new value changes a KPI, with a target or without one.
    record_at(&app, &o.admin, &c.deploys, 14.0, &days_ago(0.1)).await;
    record_at(&app, &o.admin, &c.latency, 1.5, &days_ago(0.1)).await;
    let got = kpis(
        &app,
        &o.admin,
        json!({ "filter": { "updatedSince": since } }),
    )
    .await;
    assert_eq!(
        names(&got),
        ["Deploys per week", "Payment latency p95", "Search CSAT"]
    );
    for node in got["edges"].as_array().unwrap() {
        assert!(instant(&node["node"]["updatedAt"]) >= instant(&since));
    }
}

async fn kpis_are_ordered_by_name_category_attainment_or_last_change(app: TestApp) {
    let c = Catalogue::new(&app).await;
    let o = &c.org;
    // A later change to CSAT's definition makes it the most recently updated.
    update_kpi(
        &app,
        &o.admin,
        json!({ "id": c.csat, "name": "Search CSAT" }),
    )
    .await
    .data();
    for (order, want) in [
        (
            json!({ "field": "NAME" }),
            vec![
                "Checkout conversion",
                "Deploys per week",
                "Payment latency p95",
                "Search CSAT",
            ],
        ),
        (
            json!({ "field": "NAME", "direction": "DESC" }),
            vec![
                "Search CSAT",
                "Payment latency p95",
                "Deploys per week",
                "Checkout conversion",
            ],
        ),
        (
            json!({ "field": "CATEGORY" }),
            vec![
                "Checkout conversion",
                "Search CSAT",
                "Deploys per week",
                "Payment latency p95",
            ],
        ),
        // Unknown attainment (deploys) sorts before 0.
        (
            json!({ "field": "ATTAINMENT" }),
            vec![
                "Deploys per week",
                "Payment latency p95",
                "Checkout conversion",
                "Search CSAT",
            ],
        ),
        (
            json!({ "field": "ATTAINMENT", "direction": "DESC" }),
            vec![
                "Search CSAT",
                "Checkout conversion",
                "Payment latency p95",
                "Deploys per week",
            ],
        ),
        (
            json!({ "field": "UPDATED_AT", "direction": "DESC" }),
            vec![
                "Search CSAT",
                "Payment latency p95",
                "Checkout conversion",
                "Deploys per week",
            ],
        ),
    ] {
        let got = kpis(&app, &o.admin, json!({ "orderBy": order })).await;
        assert_eq!(names(&got), want, "order {order}");
    }

    // Paging by attainment, two at a time, neither skips nor repeats.
    let order = json!({ "field": "ATTAINMENT", "direction": "DESC" });
    let page1 = kpis(&app, &o.admin, json!({ "first": 2, "orderBy": order })).await;
    assert_eq!(names(&page1), ["Search CSAT", "Checkout conversion"]);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    let page2 = kpis(
        &app,
        &o.admin,
        json!({ "first": 2, "orderBy": order, "after": page1["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(names(&page2), ["Payment latency p95", "Deploys per week"]);
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);
    // A cursor of the attainment order means nothing in the name order.
    let res = app
        .gql_as(
            &o.admin,
            KPIS,
            json!({ "first": 2, "after": page1["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_bad_input(&res, "after");
}

// ---------------------------------------------------------------------------------
// Bad input

async fn a_kpi_for_an_unknown_team_or_squad_is_not_found(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for input in [
        json!({ "teamId": unknown_id("Team"), "name": "Ghost", "category": "DELIVERY" }),
        json!({ "squadId": unknown_id("Squad"), "name": "Ghost", "category": "DELIVERY" }),
    ] {
        let res = create_kpi(&app, &org.admin, input.clone()).await;
        assert_code(&res, "NOT_FOUND");
    }
    let res = create_kpi(
        &app,
        &org.admin,
        json!({ "teamId": org.squad, "name": "Ghost", "category": "DELIVERY" }),
    )
    .await;
    assert_bad_input(&res, "teamId");
    assert_eq!(
        kpis(
            &app,
            &org.admin,
            json!({ "filter": { "includeArchived": true } })
        )
        .await["totalCount"],
        0
    );
}

async fn a_kpi_needs_exactly_one_of_team_and_squad(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    for input in [
        json!({ "teamId": org.team, "squadId": org.squad, "name": "Both", "category": "DELIVERY" }),
        json!({ "name": "Neither", "category": "DELIVERY" }),
    ] {
        let res = create_kpi(&app, &org.admin, input).await;
        assert_bad_input(&res, "teamId");
    }
    assert_eq!(kpis(&app, &org.admin, json!({})).await["totalCount"], 0);
}

async fn a_target_needs_a_unit_and_must_be_better_than_the_baseline(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let base = |extra: Value| {
        let mut input =
            json!({ "squadId": org.squad, "name": "Conversion", "category": "CUSTOMER" });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    for (extra, field) in [
        (json!({ "target": 60.0 }), "unit"),
        (
            json!({ "unit": "PERCENT", "baseline": 60.0, "target": 40.0 }),
            "target",
        ),
        (
            json!({ "unit": "PERCENT", "baseline": 60.0, "target": 60.0 }),
            "target",
        ),
        (json!({ "unit": "SECONDS_NOT_A_UNIT", "target": 1.0 }), ""),
        (
            json!({ "unit": "DURATION_SECONDS", "direction": "LOWER_IS_BETTER",
                    "baseline": 1.0, "target": 2.0 }),
            "target",
        ),
        (json!({ "name": "   " }), "name"),
    ] {
        let res = create_kpi(&app, &org.admin, base(extra.clone())).await;
        if field.is_empty() {
            assert_code(&res, "BAD_USER_INPUT");
        } else {
            assert_bad_input(&res, field);
        }
    }
    assert_eq!(kpis(&app, &org.admin, json!({})).await["totalCount"], 0);

    // The same rules hold when a change would break them.
    let id = org.conversion(&app).await;
    for (change, field) in [
        (json!({ "unit": null }), "unit"),
        (json!({ "target": 30.0 }), "target"),
        (json!({ "direction": "LOWER_IS_BETTER" }), "target"),
        (json!({ "baseline": 70.0 }), "target"),
    ] {
        let mut input = change.clone();
        input["id"] = json!(id);
        let res = update_kpi(&app, &org.admin, input).await;
        assert_bad_input(&res, field);
    }
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["version"], 1);
    assert_eq!(k["target"], 60.0);
    assert_eq!(k["unit"], "PERCENT");
}

async fn a_measurement_in_the_future_is_refused(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": days_ago(-1.0) }),
    )
    .await;
    assert_bad_input(&res, "recordedAt");
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": id, "value": 50.0, "recordedAt": "yesterday" }),
    )
    .await;
    assert_code(&res, "BAD_USER_INPUT");
    let k = kpi(&app, &org.admin, &id).await;
    assert_eq!(k["measurements"]["totalCount"], 0);
    assert_eq!(k["latestMeasurement"], Value::Null);
}

async fn a_trend_window_in_months_or_nonsense_is_bad_input(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    record_at(&app, &org.admin, &id, 50.0, &days_ago(1.0)).await;
    // Windows of a million years reached past the calendar: they are refused, and
    // the server answers the next request as before.
    for window in [
        "P1M",
        "x",
        "P1Y",
        "P0D",
        "30D",
        "",
        "P36526D",
        "P99999999W",
        "PT9223372036854775S",
    ] {
        let res = app
            .gql_as(&org.admin, TREND, json!({ "id": id, "window": window }))
            .await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    let res = app
        .gql_as(&org.admin, TREND, json!({ "id": id, "window": "P36525D" }))
        .await;
    assert_eq!(res.data()["node"]["trend"]["last"], 50.0);
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on Kpi { trend(window: \"P1M\") { delta } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_code(&res, "BAD_USER_INPUT");
    // The default window is 30 days.
    let res = app
        .gql_as(
            &org.admin,
            "query($id: ID!) { node(id: $id) { ... on Kpi { trend { last measurementCount } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        res.data()["node"]["trend"],
        json!({ "last": 50.0, "measurementCount": 1 })
    );
}

async fn a_value_that_is_not_a_number_is_refused(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    for value in [json!("fifty"), json!(null)] {
        let res = record(&app, &org.admin, json!({ "kpiId": id, "value": value })).await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    let res = record(
        &app,
        &org.admin,
        json!({ "kpiId": id, "value": 1.0, "externalRef": { "source": " ", "id": "x" } }),
    )
    .await;
    assert_bad_input(&res, "externalRef.source");
    assert_eq!(
        kpi(&app, &org.admin, &id).await["measurements"]["totalCount"],
        0
    );
}

// ---------------------------------------------------------------------------------
// Who may do what (DESIGN §2)

/// Who calls, in the permission tables.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// ADMIN of the organisation.
    Admin,
    /// A MEMBER who is LEAD of the team (the squad's home team).
    TeamLead,
    /// A MEMBER who is LEAD of the squad and a plain member of its team.
    SquadLead,
    /// A MEMBER who is a plain member of the team and of the squad.
    Member,
    /// A MEMBER who leads another team of the organisation.
    OtherTeamLead,
    /// A VIEWER who is (even) LEAD of the team and of the squad.
    Viewer,
    /// ADMIN of another organisation.
    OtherOrgAdmin,
}

/// Everybody the permission tables need, around team "Payments" and its squad
/// "Checkout" in "Acme".
struct Cast {
    admin: Session,
    team_lead: Session,
    squad_lead: Session,
    member: Session,
    other_team_lead: Session,
    viewer: Session,
    outsider: Session,
    other_admin: Session,
    team: String,
    squad: String,
}

impl Cast {
    async fn new(app: &TestApp) -> Self {
        let admin = app.register_org("Acme").await;
        let team_lead = app
            .add_user(&admin, "Tess Lead", "ENGINEERING", "MEMBER")
            .await;
        let squad_lead = app.add_user(&admin, "Sam Squad", "PRODUCT", "MEMBER").await;
        let member = app
            .add_user(&admin, "Max Member", "ENGINEERING", "MEMBER")
            .await;
        let other_team_lead = app
            .add_user(&admin, "Otto Other", "ENGINEERING", "MEMBER")
            .await;
        let viewer = app.add_user(&admin, "Vic Viewer", "DESIGN", "VIEWER").await;
        let outsider = app
            .add_user(&admin, "Olga Outside", "PRODUCT", "MEMBER")
            .await;
        let other_admin = app.register_org("Globex").await;
        let team = app.create_team(&admin, "Payments").await;
        let other_team = app.create_team(&admin, "Search").await;
        app.add_team_member(&admin, &other_team, &other_team_lead.user_id, "LEAD")
            .await;
        for (who, role) in [
            (&team_lead, "LEAD"),
            (&squad_lead, "MEMBER"),
            (&member, "MEMBER"),
            (&viewer, "LEAD"),
        ] {
            app.add_team_member(&admin, &team, &who.user_id, role).await;
        }
        let squad = app.create_squad(&admin, &team, "Checkout").await;
        for (who, role) in [
            (&squad_lead, "LEAD"),
            (&member, "MEMBER"),
            (&viewer, "LEAD"),
        ] {
            app.add_squad_member(&admin, &squad, &who.user_id, role, 20)
                .await
                .data();
        }
        Self {
            admin,
            team_lead,
            squad_lead,
            member,
            other_team_lead,
            viewer,
            outsider,
            other_admin,
            team,
            squad,
        }
    }

    fn session(&self, who: Who) -> &Session {
        match who {
            Who::Admin => &self.admin,
            Who::TeamLead => &self.team_lead,
            Who::SquadLead => &self.squad_lead,
            Who::Member => &self.member,
            Who::OtherTeamLead => &self.other_team_lead,
            Who::Viewer => &self.viewer,
            Who::OtherOrgAdmin => &self.other_admin,
        }
    }

    /// `{ teamId }` or `{ squadId }`.
    fn scope(&self, squad: bool) -> Value {
        if squad {
            json!({ "squadId": self.squad })
        } else {
            json!({ "teamId": self.team })
        }
    }
}

fn with(mut base: Value, extra: Value) -> Value {
    base.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    base
}

async fn a_kpi_is_defined_and_edited_by_an_admin_or_a_lead_of_its_team_or_squad(app: TestApp) {
    let cast = Cast::new(&app).await;
    // (caller, on a team KPI, on a squad KPI)
    for (who, team_want, squad_want) in [
        (Who::Admin, Ok(()), Ok(())),
        (Who::TeamLead, Ok(()), Ok(())),
        (Who::SquadLead, denied("FORBIDDEN"), Ok(())),
        (Who::Member, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::OtherTeamLead, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND"), denied("NOT_FOUND")),
    ] {
        for (squad, want) in [(false, &team_want), (true, &squad_want)] {
            let what = format!("{who:?} on a {} KPI", if squad { "squad" } else { "team" });
            let session = cast.session(who);

            let name = format!("Defined by {what}");
            let got = create_kpi(
                &app,
                session,
                with(
                    cast.scope(squad),
                    json!({ "name": name, "category": "DELIVERY" }),
                ),
            )
            .await
            .outcome();
            assert_eq!(got, *want, "createKpi as {what}");
            let found = kpis(&app, &cast.admin, json!({ "filter": { "text": name } })).await;
            assert_eq!(found["totalCount"], i32::from(want.is_ok()), "{what}");

            let id = new_kpi(
                &app,
                &cast.admin,
                with(
                    cast.scope(squad),
                    json!({ "name": format!("Edited by {what}"), "category": "DELIVERY" }),
                ),
            )
            .await;
            let got = update_kpi(
                &app,
                session,
                json!({ "id": id, "description": "changed", "category": "QUALITY" }),
            )
            .await
            .outcome();
            assert_eq!(got, *want, "updateKpi as {what}");
            let got = app
                .gql_as(
                    session,
                    ADD_KPI_OWNER,
                    json!({ "input": { "kpiId": id, "userId": cast.outsider.user_id } }),
                )
                .await
                .outcome();
            assert_eq!(got, *want, "addKpiOwner as {what}");
            let got = app
                .gql_as(session, ARCHIVE_KPI, json!({ "input": { "id": id } }))
                .await
                .outcome();
            assert_eq!(got, *want, "archiveKpi as {what}");

            let after = kpi(&app, &cast.admin, &id).await;
            if want.is_ok() {
                assert_eq!(after["description"], "changed", "{what}");
                assert_eq!(after["owners"]["totalCount"], 2, "{what}");
                assert_eq!(after["isArchived"], true, "{what}");
            } else {
                assert_eq!(after["description"], "", "{what}");
                assert_eq!(after["category"], "DELIVERY", "{what}");
                assert_eq!(after["version"], 1, "{what}");
                assert_eq!(after["owners"]["totalCount"], 1, "{what}");
                assert_eq!(after["isArchived"], false, "{what}");
            }
        }
    }
}

/// Who records, in the measurement table.
#[derive(Debug, Clone, Copy)]
enum Recorder {
    /// An owner who is in neither the team nor the squad.
    Owner,
    /// A plain member of the team and the squad who is not an owner.
    Member,
    /// A LEAD of the squad who is not an owner.
    SquadLead,
    /// ADMIN, not an owner.
    Admin,
    /// A VIEWER who owns the KPI (and leads the team and squad).
    ViewerOwner,
    /// ADMIN of another organisation.
    OtherOrgAdmin,
}

async fn a_measurement_is_recorded_by_an_owner_or_a_member_of_the_kpis_squad(app: TestApp) {
    let cast = Cast::new(&app).await;
    // Both defined by the team lead, who is their first owner; the outsider and the
    // viewer become owners too.
    let mut ids = Vec::new();
    for squad in [false, true] {
        let id = new_kpi(
            &app,
            &cast.team_lead,
            with(
                cast.scope(squad),
                json!({ "name": format!("Measured {squad}"), "category": "DELIVERY" }),
            ),
        )
        .await;
        for who in [&cast.outsider, &cast.viewer] {
            app.gql_as(
                &cast.admin,
                ADD_KPI_OWNER,
                json!({ "input": { "kpiId": id, "userId": who.user_id } }),
            )
            .await
            .data();
        }
        ids.push(id);
    }
    let (team_kpi, squad_kpi) = (&ids[0], &ids[1]);
    // (caller, on the team KPI, on the squad KPI)
    for (who, team_want, squad_want) in [
        (Recorder::Owner, Ok(()), Ok(())),
        (Recorder::Member, denied("FORBIDDEN"), Ok(())),
        (Recorder::SquadLead, denied("FORBIDDEN"), Ok(())),
        (Recorder::Admin, denied("FORBIDDEN"), denied("FORBIDDEN")),
        (
            Recorder::ViewerOwner,
            denied("FORBIDDEN"),
            denied("FORBIDDEN"),
        ),
        (
            Recorder::OtherOrgAdmin,
            denied("NOT_FOUND"),
            denied("NOT_FOUND"),
        ),
    ] {
        let session = match who {
            Recorder::Owner => &cast.outsider,
            Recorder::Member => &cast.member,
            Recorder::SquadLead => &cast.squad_lead,
            Recorder::Admin => &cast.admin,
            Recorder::ViewerOwner => &cast.viewer,
            Recorder::OtherOrgAdmin => &cast.other_admin,
        };
        for (id, want) in [(team_kpi, team_want), (squad_kpi, squad_want)] {
            let before = kpi(&app, &cast.admin, id).await["measurements"]["totalCount"]
                .as_i64()
                .unwrap();
            let got = record(&app, session, json!({ "kpiId": id, "value": 3.0 }))
                .await
                .outcome();
            let what = format!(
                "{who:?} on {}",
                if id == team_kpi {
                    "the team KPI"
                } else {
                    "the squad KPI"
                }
            );
            assert_eq!(got, want, "recordKpiMeasurement as {what}");
            let after = kpi(&app, &cast.admin, id).await["measurements"]["totalCount"]
                .as_i64()
                .unwrap();
            assert_eq!(after - before, i64::from(want.is_ok()), "{what}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Tenant isolation (DESIGN §1, §2)

async fn another_organisation_cannot_see_or_touch_a_kpi(app: TestApp) {
    let acme = Org::new(&app, "Acme").await;
    let id = acme.conversion(&app).await;
    let m = record_at(&app, &acme.admin, &id, 50.0, &days_ago(1.0)).await;
    let globex = Org::new(&app, "Globex").await;
    let theirs = globex.conversion(&app).await;

    let res = app
        .gql_as(&globex.admin, &kpi_query(), json!({ "id": id }))
        .await;
    assert_code(&res, "NOT_FOUND");
    let res = app
        .gql_as(
            &globex.admin,
            "query($id: ID!) { node(id: $id) { ... on KpiMeasurement { id } } }",
            json!({ "id": m }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    let res = update_kpi(&app, &globex.admin, json!({ "id": id, "name": "Mine now" })).await;
    assert_code(&res, "NOT_FOUND");
    let res = app
        .gql_as(&globex.admin, ARCHIVE_KPI, json!({ "input": { "id": id } }))
        .await;
    assert_code(&res, "NOT_FOUND");
    let res = record(&app, &globex.admin, json!({ "kpiId": id, "value": 1.0 })).await;
    assert_code(&res, "NOT_FOUND");
    let res = app
        .gql_as(
            &globex.admin,
            DELETE_MEASUREMENT,
            json!({ "input": { "id": m } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    for mutation in [ADD_KPI_OWNER, REMOVE_KPI_OWNER] {
        let res = app
            .gql_as(
                &globex.admin,
                mutation,
                json!({ "input": { "kpiId": id, "userId": globex.admin.user_id } }),
            )
            .await;
        assert_code(&res, "NOT_FOUND");
    }
    // Nor can Acme's people be made owners of Globex's KPI, nor Acme's squad be a scope.
    let res = app
        .gql_as(
            &globex.admin,
            ADD_KPI_OWNER,
            json!({ "input": { "kpiId": theirs, "userId": acme.pm.user_id } }),
        )
        .await;
    assert_code(&res, "NOT_FOUND");
    let res = create_kpi(
        &app,
        &globex.admin,
        json!({ "squadId": acme.squad, "name": "Spy", "category": "DELIVERY" }),
    )
    .await;
    assert_code(&res, "NOT_FOUND");

    let listed = kpis(&app, &globex.admin, json!({})).await;
    assert_eq!(listed["totalCount"], 1);
    assert_eq!(listed["edges"][0]["node"]["id"], theirs.as_str());
    let by_squad = kpis(
        &app,
        &globex.admin,
        json!({ "filter": { "squadId": acme.squad } }),
    )
    .await;
    assert_eq!(by_squad["totalCount"], 0);
    let by_owner = kpis(
        &app,
        &globex.admin,
        json!({ "filter": { "ownerId": acme.admin.user_id } }),
    )
    .await;
    assert_eq!(by_owner["totalCount"], 0);

    let ours = kpi(&app, &acme.admin, &id).await;
    assert_eq!(ours["name"], "Checkout conversion");
    assert_eq!(ours["version"], 1);
    assert_eq!(ours["isArchived"], false);
    assert_eq!(ours["owners"]["totalCount"], 1);
    assert_eq!(ours["measurements"]["totalCount"], 1);
}

crate::db_tests!(
    a_squad_kpi_is_defined_with_its_fields_and_its_definer_as_first_owner,
    updating_a_kpi_changes_its_fields_and_a_stale_version_is_a_conflict,
    an_archived_kpi_leaves_the_list_and_takes_no_measurements,
    owners_from_engineering_and_product_make_a_kpi_shared,
    adding_the_same_owner_in_parallel_keeps_one_ownership,
    recording_a_measurement_returns_it_with_the_kpis_new_attainment,
    recording_the_same_external_reference_twice_stores_one_row_and_changes_nothing,
    ten_parallel_identical_recordings_store_exactly_one_measurement,
    parallel_recordings_of_one_reference_on_two_kpis_store_it_on_one_only,
    parallel_recordings_leave_the_attainment_of_the_latest_value,
    a_new_value_for_a_known_external_reference_updates_that_measurement,
    an_external_reference_already_recorded_on_another_kpi_is_a_conflict,
    deleting_a_measurement_brings_back_the_previous_latest_value,
    only_owners_leads_and_admins_may_delete_a_measurement,
    measurements_are_listed_newest_first_within_a_window_and_paged,
    a_trend_over_seven_days_honours_the_kpis_direction,
    attainment_runs_from_baseline_to_target_in_the_kpis_direction,
    status_follows_attainment_and_the_30_day_trend,
    kpis_are_filtered_by_scope_category_sharing_owner_and_text,
    kpis_updated_since_an_instant_include_those_with_new_measurements,
    kpis_are_ordered_by_name_category_attainment_or_last_change,
    a_kpi_for_an_unknown_team_or_squad_is_not_found,
    a_kpi_needs_exactly_one_of_team_and_squad,
    a_target_needs_a_unit_and_must_be_better_than_the_baseline,
    a_measurement_in_the_future_is_refused,
    a_trend_window_in_months_or_nonsense_is_bad_input,
    a_value_that_is_not_a_number_is_refused,
    a_kpi_is_defined_and_edited_by_an_admin_or_a_lead_of_its_team_or_squad,
    a_measurement_is_recorded_by_an_owner_or_a_member_of_the_kpis_squad,
    another_organisation_cannot_see_or_touch_a_kpi,
);
