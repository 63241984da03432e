//! Who may do what with a KPI (DESIGN §2), and another organisation nothing at all
//! (DESIGN §1).

use super::*;

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
    a_kpi_is_defined_and_edited_by_an_admin_or_a_lead_of_its_team_or_squad,
    a_measurement_is_recorded_by_an_owner_or_a_member_of_the_kpis_squad,
    another_organisation_cannot_see_or_touch_a_kpi,
);
