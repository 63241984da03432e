//! Builders of the rows a test needs before it tests anything, through the API as a
//! client would make them. Each asserts that it worked.

use serde_json::{json, Value};

use super::{Gql, Session, TestApp};

impl Session {
    /// The session an `AuthPayload` (`accessToken refreshToken user { id email }`)
    /// describes.
    pub fn from_auth_payload(v: &Value) -> Self {
        Self {
            token: v["accessToken"].as_str().unwrap().to_owned(),
            refresh_token: v["refreshToken"].as_str().unwrap().to_owned(),
            user_id: v["user"]["id"].as_str().unwrap().to_owned(),
            email: v["user"]["email"].as_str().unwrap().to_owned(),
        }
    }
}

impl TestApp {
    /// Registers an organisation whose first user (an ENGINEERING admin) is returned.
    pub async fn register_org(&self, name: &str) -> Session {
        let email = format!("admin@{}.test", name.to_lowercase().replace(' ', "-"));
        let res = self
            .gql(
                None,
                r#"mutation($input: RegisterOrganizationInput!) {
                    registerOrganization(input: $input) {
                        accessToken refreshToken user { id email }
                    }
                }"#,
                json!({ "input": {
                    "organizationName": name, "email": email,
                    "password": "correct horse battery", "displayName": format!("{name} Admin"),
                    "discipline": "ENGINEERING"
                }}),
            )
            .await;
        Session::from_auth_payload(&res.data()["registerOrganization"])
    }

    /// Invites a user into the admin's organisation and signs them in.
    pub async fn add_user(
        &self,
        admin: &Session,
        name: &str,
        discipline: &str,
        org_role: &str,
    ) -> Session {
        let domain = admin.email.split('@').nth(1).unwrap().to_owned();
        let res = self
            .gql_as(
                admin,
                r#"mutation($input: InviteUserInput!) {
                    inviteUser(input: $input) { inviteToken user { id } }
                }"#,
                json!({ "input": {
                    "email": format!("{}@{domain}", name.to_lowercase().replace(' ', ".")),
                    "displayName": name, "discipline": discipline, "orgRole": org_role
                }}),
            )
            .await;
        let token = res.data()["inviteUser"]["inviteToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = self
            .gql(
                None,
                r#"mutation($input: AcceptInviteInput!) {
                    acceptInvite(input: $input) { accessToken refreshToken user { id email } }
                }"#,
                json!({ "input": { "inviteToken": token, "password": "another good password" } }),
            )
            .await;
        Session::from_auth_payload(&res.data()["acceptInvite"])
    }

    /// Creates a team as `who`, returning its id.
    pub async fn create_team(&self, who: &Session, name: &str) -> String {
        let res = self
            .gql_as(
                who,
                "mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }",
                json!({ "input": { "name": name } }),
            )
            .await;
        res.data()["createTeam"]["team"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a squad in `team` as `who`, returning its id.
    pub async fn create_squad(&self, who: &Session, team: &str, name: &str) -> String {
        let res = self
            .gql_as(
                who,
                "mutation($input: CreateSquadInput!) { createSquad(input: $input) { squad { id } } }",
                json!({ "input": { "teamId": team, "name": name, "mission": "m", "customerJourney": "j" } }),
            )
            .await;
        res.data()["createSquad"]["squad"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Adds `user` to `team` with `role`, as `who`.
    pub async fn add_team_member(&self, who: &Session, team: &str, user: &str, role: &str) {
        self.gql_as(
            who,
            "mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { team { id } } }",
            json!({ "input": { "teamId": team, "userId": user, "role": role } }),
        )
        .await
        .data();
    }

    /// Adds `user` to `squad` with `role` and `allocation` percent, as `who`.
    pub async fn add_squad_member(
        &self,
        who: &Session,
        squad: &str,
        user: &str,
        role: &str,
        allocation: i32,
    ) -> Gql {
        self.gql_as(
            who,
            "mutation($input: AddSquadMemberInput!) { addSquadMember(input: $input) { squad { id } } }",
            json!({ "input": { "squadId": squad, "userId": user, "role": role, "allocationPercent": allocation } }),
        )
        .await
    }

    /// Defines a KPI from a full `CreateKpiInput` as `who`, returning its id.
    pub async fn create_kpi(&self, who: &Session, input: Value) -> String {
        let res = self
            .gql_as(
                who,
                "mutation($input: CreateKpiInput!) { createKpi(input: $input) { kpi { id } } }",
                json!({ "input": input }),
            )
            .await;
        res.data()["createKpi"]["kpi"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Records `value` on `kpi` at `recorded_at` (a `DateTime`) as `who`, returning the
    /// measurement's id.
    pub async fn record_measurement(
        &self,
        who: &Session,
        kpi: &str,
        value: f64,
        recorded_at: &str,
    ) -> String {
        let res = self
            .gql_as(
                who,
                "mutation($input: RecordKpiMeasurementInput!) {
                    recordKpiMeasurement(input: $input) { measurement { id } } }",
                json!({ "input": { "kpiId": kpi, "value": value, "recordedAt": recorded_at } }),
            )
            .await;
        res.data()["recordKpiMeasurement"]["measurement"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
