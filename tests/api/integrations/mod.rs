//! Integrations over the API (issue 13; DESIGN §2, §3, §5), one file per part: API
//! tokens (shown once, revoked, expired, over WebSocket and on two servers), what each
//! scope allows, the per-token rate limit, the audit log, and the change feed.

mod audit;
mod changes;
mod rate_limits;
mod scopes;
mod tokens;

use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use crate::common::{id_of, Gql, Session, TestApp};

/// Every scope a token may have.
pub(crate) const ALL_SCOPES: [&str; 5] = [
    "READ",
    "KPIS_WRITE",
    "INITIATIVES_WRITE",
    "DEBT_WRITE",
    "DELIVERY_WRITE",
];

const TOKEN_FIELDS: &str = "id name prefix scopes createdBy { id } createdAt expiresAt
    revokedAt lastUsedAt isActive";

pub(crate) fn create_token_query() -> String {
    format!(
        "mutation($input: CreateApiTokenInput!) {{ createApiToken(input: $input) {{
            secret apiToken {{ {TOKEN_FIELDS} }} }} }}"
    )
}

pub(crate) fn revoke_token_query() -> String {
    format!(
        "mutation($input: RevokeApiTokenInput!) {{ revokeApiToken(input: $input) {{
            apiToken {{ {TOKEN_FIELDS} }} }} }}"
    )
}

pub(crate) fn api_tokens_query() -> String {
    format!(
        "query($filter: ApiTokenFilter) {{ apiTokens(first: 100, filter: $filter) {{
            totalCount nodes {{ {TOKEN_FIELDS} }} }} }}"
    )
}

pub(crate) const CHANGES: &str = "query($since: String, $first: Int) {
    changes(since: $since, first: $first) {
        cursor hasMore
        nodes { kind type id relatedId node { id } at changedBy { id } changedByToken } } }";

pub(crate) const TEAMS: &str = "{ teams(first: 100) { totalCount nodes { id name } } }";

/// An API token as its creator received it.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Its global id (for `revokeApiToken`, `actorTokenId`).
    pub(crate) id: String,
    pub(crate) name: String,
    /// The `nst_…` bearer token, shown once.
    pub(crate) secret: String,
}

/// Creates a token named `name` with `scopes` (and `expires_at`, if given) as `who`,
/// returning the response.
pub(crate) async fn try_create_token(
    app: &TestApp,
    who: &str,
    name: &str,
    scopes: &[&str],
    expires_at: Option<DateTime<Utc>>,
) -> Gql {
    let mut input = json!({ "name": name, "scopes": scopes });
    if let Some(at) = expires_at {
        input["expiresAt"] = json!(at.to_rfc3339_opts(SecondsFormat::Millis, true));
    }
    app.gql(Some(who), &create_token_query(), json!({ "input": input }))
        .await
}

/// Creates a token named `name` with `scopes` as the admin.
pub(crate) async fn create_token(
    app: &TestApp,
    admin: &Session,
    name: &str,
    scopes: &[&str],
) -> Token {
    token_of(&try_create_token(app, &admin.token, name, scopes, None).await)
}

/// Creates a token that expires at `at`, as the admin.
pub(crate) async fn create_expiring_token(
    app: &TestApp,
    admin: &Session,
    name: &str,
    scopes: &[&str],
    at: DateTime<Utc>,
) -> Token {
    token_of(&try_create_token(app, &admin.token, name, scopes, Some(at)).await)
}

/// The token a `createApiToken` response created.
pub(crate) fn token_of(res: &Gql) -> Token {
    let payload = &res.data()["createApiToken"];
    Token {
        id: id_of(&payload["apiToken"]),
        name: payload["apiToken"]["name"].as_str().unwrap().to_owned(),
        secret: payload["secret"].as_str().unwrap().to_owned(),
    }
}

/// Revokes the token `id` as `who`, returning the response.
pub(crate) async fn revoke_token(app: &TestApp, who: &str, id: &str) -> Gql {
    app.gql(
        Some(who),
        &revoke_token_query(),
        json!({ "input": { "id": id } }),
    )
    .await
}

/// The organisation's API tokens as `who` lists them (`includeInactive` or not).
pub(crate) async fn api_tokens(app: &TestApp, who: &str, include_inactive: bool) -> Gql {
    app.gql(
        Some(who),
        &api_tokens_query(),
        json!({ "filter": { "includeInactive": include_inactive } }),
    )
    .await
}

/// A page of `changes` as `who` reads it.
pub(crate) async fn changes(
    app: &TestApp,
    who: &str,
    since: Option<&str>,
    first: Option<i64>,
) -> Gql {
    app.gql(
        Some(who),
        CHANGES,
        json!({ "since": since, "first": first }),
    )
    .await
}

/// A response with its status and headers, for what a GraphQL body does not say.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    /// A header's value, if the response has it.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII"))
    }

    /// A header's value as a number.
    pub(crate) fn number(&self, name: &str) -> i64 {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header: {:?}", self.headers))
            .parse()
            .unwrap_or_else(|_| panic!("{name} is not a number: {:?}", self.headers))
    }

    /// The response as a [`Gql`], to read its errors.
    pub(crate) fn gql(&self) -> Gql {
        Gql {
            status: self.status,
            body: self.body.clone(),
        }
    }
}

/// POSTs a GraphQL request to the server at `address` (http://…) with `bearer`, if
/// given.
pub(crate) async fn post(address: &str, bearer: Option<&str>, query: &str, vars: Value) -> Reply {
    let mut req = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": vars }));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let resp = req.send().await.expect("request is sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.expect("response is JSON");
    Reply {
        status,
        headers,
        body,
    }
}

/// The quarter of today, e.g. "2026-Q4".
pub(crate) fn this_quarter() -> String {
    let today = Utc::now().date_naive();
    format!("{}-Q{}", today.year(), today.month0() / 3 + 1)
}

pub(crate) const CREATE_INITIATIVE: &str = "mutation($input: CreateInitiativeInput!) {
    createInitiative(input: $input) { initiative { id title version } } }";

pub(crate) const UPDATE_INITIATIVE: &str = "mutation($input: UpdateInitiativeInput!) {
    updateInitiative(input: $input) { initiative { id title version } } }";

pub(crate) const CREATE_OUTCOME: &str = "mutation($input: CreateOutcomeInput!) {
    createOutcome(input: $input) { outcome { id } } }";

pub(crate) const LINK: &str = "mutation($input: InitiativeOutcomeInput!) {
    linkInitiativeToOutcome(input: $input) { initiative { id } outcome { id } } }";

pub(crate) const UNLINK: &str = "mutation($input: InitiativeOutcomeInput!) {
    unlinkInitiativeFromOutcome(input: $input) { initiative { id } outcome { id } } }";

pub(crate) const RECORD: &str = "mutation($input: RecordKpiMeasurementInput!) {
    recordKpiMeasurement(input: $input) { measurement { id recordedBy { id } } } }";

pub(crate) const DELETE_MEASUREMENT: &str = "mutation($input: DeleteKpiMeasurementInput!) {
    deleteKpiMeasurement(input: $input) { deletedMeasurementId } }";

pub(crate) const KPI_OWNER: &str = "mutation($input: KpiOwnerInput!) {
    addKpiOwner(input: $input) { kpi { id } } }";

pub(crate) const REMOVE_KPI_OWNER: &str = "mutation($input: KpiOwnerInput!) {
    removeKpiOwner(input: $input) { kpi { id } } }";

/// An organisation to integrate with: its admin, a team "Payments" with a squad
/// "Checkout", a KPI of the squad, and an outcome of the team for this quarter, all
/// made by the admin.
pub(crate) struct Org {
    pub(crate) admin: Session,
    pub(crate) team: String,
    pub(crate) squad: String,
    pub(crate) kpi: String,
    pub(crate) outcome: String,
}

impl Org {
    pub(crate) async fn new(app: &TestApp, name: &str) -> Self {
        let admin = app.register_org(name).await;
        Self::of(app, admin).await
    }

    /// The places and objects of an organisation whose admin is `admin`.
    pub(crate) async fn of(app: &TestApp, admin: Session) -> Self {
        let team = app.create_team(&admin, "Payments").await;
        let squad = app.create_squad(&admin, &team, "Checkout").await;
        let kpi = app
            .create_kpi(
                &admin,
                json!({ "squadId": squad, "name": "Checkout conversion", "unit": "PERCENT",
                        "category": "CUSTOMER", "baseline": 40.0, "target": 60.0 }),
            )
            .await;
        let res = app
            .gql_as(
                &admin,
                CREATE_OUTCOME,
                json!({ "input": { "teamId": team, "quarter": this_quarter(),
                                   "title": "Checkout converts", "kpiId": kpi } }),
            )
            .await;
        let outcome = id_of(&res.data()["createOutcome"]["outcome"]);
        Self {
            admin,
            team,
            squad,
            kpi,
            outcome,
        }
    }

    /// Creates an initiative of the squad titled `title` as `who` (a session's or an API
    /// token's bearer), returning the response.
    pub(crate) async fn try_initiative(&self, app: &TestApp, who: &str, title: &str) -> Gql {
        app.gql(
            Some(who),
            CREATE_INITIATIVE,
            json!({ "input": { "squadId": self.squad, "title": title } }),
        )
        .await
    }

    /// Creates an initiative of the squad as `who`, returning its id.
    pub(crate) async fn initiative(&self, app: &TestApp, who: &str, title: &str) -> String {
        id_of(&self.try_initiative(app, who, title).await.data()["createInitiative"]["initiative"])
    }

    /// Records `value` on the KPI as `who`, returning the measurement's id.
    pub(crate) async fn measure(&self, app: &TestApp, who: &str, value: f64) -> String {
        let res = app
            .gql(
                Some(who),
                RECORD,
                json!({ "input": { "kpiId": self.kpi, "value": value } }),
            )
            .await;
        id_of(&res.data()["recordKpiMeasurement"]["measurement"])
    }
}

/// `mutation($input: <input>!) { <field>(input: $input) { <selection> } }`.
pub(crate) fn mutation(field: &str, input: &str, selection: &str) -> String {
    format!("mutation($input: {input}!) {{ {field}(input: $input) {{ {selection} }} }}")
}
