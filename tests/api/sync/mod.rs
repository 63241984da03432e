//! The sync path of integrations (issue 13): upserts by external reference, bulk
//! upserts of up to 1,000 items, and incremental reads by `updatedSince`.

mod bulk;
mod incremental;
mod upserts;

use serde_json::{json, Value};

use crate::common::{Session, TestApp};

/// An organisation with a team, a squad in it, and a KPI of the squad.
pub(crate) struct Org {
    pub admin: Session,
    pub team: String,
    pub squad: String,
    pub kpi: String,
}

impl Org {
    pub(crate) async fn new(app: &TestApp, name: &str) -> Org {
        let admin = app.register_org(name).await;
        let team = app.create_team(&admin, "Payments").await;
        let squad = app.create_squad(&admin, &team, "Checkout").await;
        let kpi = app
            .create_kpi(
                &admin,
                json!({ "squadId": squad, "name": "Checkout conversion", "unit": "PERCENT",
                        "direction": "HIGHER_IS_BETTER", "category": "CUSTOMER",
                        "baseline": 50.0, "target": 70.0 }),
            )
            .await;
        Org {
            admin,
            team,
            squad,
            kpi,
        }
    }

    /// An API token of this organisation with `scopes`, as its secret.
    pub(crate) async fn token(&self, app: &TestApp, scopes: &[&str]) -> String {
        let res = app
            .gql_as(
                &self.admin,
                "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret } }",
                json!({ "input": { "name": "Jira sync", "scopes": scopes } }),
            )
            .await;
        res.data()["createApiToken"]["secret"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub(crate) const UPSERT_INITIATIVE: &str = r#"
mutation($input: UpsertInitiativeInput!) {
  upsertInitiative(input: $input) {
    result
    initiative { id title description status startDate targetDate version updatedAt
                 squad { id } externalRef { source id url } }
  }
}"#;

pub(crate) const BULK_INITIATIVES: &str = r#"
mutation($items: [UpsertInitiativeInput!]!) {
  bulkUpsertInitiatives(input: { items: $items }) {
    results { result initiative { id title version } }
    errors { index field code message }
  }
}"#;

pub(crate) const UPSERT_MEASUREMENT: &str = r#"
mutation($input: UpsertKpiMeasurementInput!) {
  upsertKpiMeasurement(input: $input) {
    result
    measurement { id value note version updatedAt recordedBy { id } recordedByToken source }
    kpi { id latestMeasurement { value } }
  }
}"#;

pub(crate) const BULK_MEASUREMENTS: &str = r#"
mutation($items: [UpsertKpiMeasurementInput!]!) {
  bulkUpsertKpiMeasurements(input: { items: $items }) {
    results { result measurement { id value } }
    errors { index field code message }
  }
}"#;

/// An initiative item for `squad` from Jira issue `key`.
pub(crate) fn initiative_item(squad: &str, key: &str, title: &str) -> Value {
    json!({ "externalRef": { "source": "jira", "id": key }, "squadId": squad, "title": title })
}

/// A measurement item for `kpi` from the analytics export's row `key`.
pub(crate) fn measurement_item(kpi: &str, key: &str, value: f64) -> Value {
    json!({ "externalRef": { "source": "analytics", "id": key }, "kpiId": kpi, "value": value })
}

/// How many initiatives the organisation has, by `initiatives.totalCount`.
pub(crate) async fn initiative_count(app: &TestApp, who: &Session) -> u64 {
    let res = app
        .gql_as(who, "{ initiatives { totalCount } }", json!({}))
        .await;
    res.data()["initiatives"]["totalCount"].as_u64().unwrap()
}
