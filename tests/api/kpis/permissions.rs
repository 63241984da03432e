//! Who may do what with a KPI (DESIGN §2), and another organisation nothing at all
//! (DESIGN §1).

use serde_json::{json, Value};

use super::{
    add_owner, create_kpi, kpi, kpi_query, kpis, record, update_kpi, Org, ADD_KPI_OWNER,
    ARCHIVE_KPI, DELETE_MEASUREMENT, REMOVE_KPI_OWNER,
};
use crate::common::{assert_code, days_ago, denied, Cast, TestApp, Who};

// ---------------------------------------------------------------------------------
// Who may do what (DESIGN §2)

/// Around team "Payments" and its squad "Checkout"; the OtherTeamLead leads team
/// "Search", and the ProductMember is in neither team nor squad.
async fn cast(app: &TestApp) -> Cast {
    Cast::with(&[
        Who::TeamLead,
        Who::SquadLead,
        Who::Member,
        Who::OtherTeamLead,
        Who::Viewer,
        Who::ProductMember,
    ])
    .team("Payments")
    .squad("Checkout")
    .other_team("Search")
    .build(app)
    .await
}

/// `{ teamId }` of the cast's team or `{ squadId }` of its squad.
fn scope(cast: &Cast, squad: bool) -> Value {
    if squad {
        json!({ "squadId": cast.squad() })
    } else {
        json!({ "teamId": cast.team() })
    }
}

/// `base` with the fields of `extra`.
fn with(mut base: Value, extra: Value) -> Value {
    base.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    base
}

async fn a_kpi_is_defined_and_edited_by_an_admin_or_a_lead_of_its_team_or_squad(app: TestApp) {
    let cast = cast(&app).await;
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
            let session = cast.as_(who);

            let name = format!("Defined by {what}");
            let got = create_kpi(
                &app,
                session,
                with(
                    scope(&cast, squad),
                    json!({ "name": name, "category": "DELIVERY" }),
                ),
            )
            .await
            .outcome();
            assert_eq!(got, *want, "createKpi as {what}");
            let found = kpis(&app, &cast.admin, json!({ "filter": { "text": name } })).await;
            assert_eq!(found["totalCount"], i32::from(want.is_ok()), "{what}");

            let id = app
                .create_kpi(
                    &cast.admin,
                    with(
                        scope(&cast, squad),
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
            let got = add_owner(&app, session, &id, &cast.as_(Who::ProductMember).user_id)
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
    /// An owner who is in neither the team nor the squad (the ProductMember).
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
    let cast = cast(&app).await;
    // Both defined by the team lead, who is their first owner; the outsider and the
    // viewer become owners too.
    let mut ids = Vec::new();
    for squad in [false, true] {
        let id = app
            .create_kpi(
                cast.as_(Who::TeamLead),
                with(
                    scope(&cast, squad),
                    json!({ "name": format!("Measured {squad}"), "category": "DELIVERY" }),
                ),
            )
            .await;
        for who in [cast.as_(Who::ProductMember), cast.as_(Who::Viewer)] {
            add_owner(&app, &cast.admin, &id, &who.user_id).await.data();
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
            Recorder::Owner => cast.as_(Who::ProductMember),
            Recorder::Member => cast.as_(Who::Member),
            Recorder::SquadLead => cast.as_(Who::SquadLead),
            Recorder::Admin => &cast.admin,
            Recorder::ViewerOwner => cast.as_(Who::Viewer),
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
    let m = app
        .record_measurement(&acme.admin, &id, 50.0, &days_ago(1.0))
        .await;
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
    let res = add_owner(&app, &globex.admin, &theirs, &acme.pm.user_id).await;
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
