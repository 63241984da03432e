//! Who may plan what (DESIGN §2), and another organisation nothing at all (DESIGN §1).

use serde_json::json;

use super::{
    create_dependency, create_initiative, create_outcome, day, dependency, initiative, link,
    mutate, new_dependency, new_initiative, new_outcome, outcome, quarter, set_outcome_status,
    titles, update_dependency, update_initiative, update_outcome, Org, DEPENDENCIES, INITIATIVES,
    OUTCOMES, QUARTER_PLAN, UNLINK, WEEKLY_SYNC,
};
use crate::common::{assert_code, denied, Cast, TestApp, Who};

// ---------------------------------------------------------------------------------
// Who may do what (DESIGN §2)

/// Team "Payments" with squads "Checkout" (the squad) and "Wallet" (the other squad,
/// which Checkout depends on), and team "Search" that the OtherTeamLead leads.
async fn cast(app: &TestApp) -> Cast {
    Cast::with(&[
        Who::TeamLead,
        Who::SquadLead,
        Who::Member,
        Who::OtherSquadMember,
        Who::OtherTeamLead,
        Who::Viewer,
    ])
    .team("Payments")
    .squad("Checkout")
    .other_squad("Wallet")
    .other_team("Search")
    .build(app)
    .await
}

async fn an_outcome_is_planned_by_an_admin_or_a_lead_of_its_team_or_squad(app: TestApp) {
    let cast = cast(&app).await;
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
            (json!({ "teamId": cast.team() }), &team_want),
            (json!({ "squadId": cast.squad() }), &squad_want),
        ] {
            let what = format!("{who:?} for {scope}");
            let session = cast.as_(who);
            let mut input = scope.clone();
            input["quarter"] = json!(q);
            input["title"] = json!(format!("Set by {what}"));
            let got = create_outcome(&app, session, input).await.outcome();
            assert_eq!(got, *want, "createOutcome as {what}");

            let mut input = scope.clone();
            input["quarter"] = json!(q);
            input["title"] = json!(format!("Changed by {what}"));
            let id = new_outcome(&app, &cast.admin, input).await;
            let got = update_outcome(&app, session, json!({ "id": id, "description": "new" }))
                .await
                .outcome();
            assert_eq!(got, *want, "updateOutcome as {what}");
            let got = set_outcome_status(&app, session, json!({ "id": id, "status": "AT_RISK" }))
                .await
                .outcome();
            assert_eq!(got, *want, "setOutcomeStatus as {what}");
            let after = outcome(&app, &cast.admin, &id).await;
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
        .gql_as(&cast.admin, OUTCOMES, json!({ "filter": { "quarter": q } }))
        .await;
    let set_by: Vec<String> = titles(&res.data()["outcomes"]["nodes"])
        .into_iter()
        .filter(|t| t.starts_with("Set by"))
        .collect();
    assert_eq!(set_by.len(), 5, "{set_by:?}");
}

async fn an_initiative_is_written_by_its_squad_its_leads_or_an_admin(app: TestApp) {
    let cast = cast(&app).await;
    let target = new_outcome(
        &app,
        &cast.admin,
        json!({ "teamId": cast.team(), "quarter": quarter(0), "title": "Target" }),
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
        let session = cast.as_(who);
        let title = format!("Created by {who:?}");
        let got = create_initiative(
            &app,
            session,
            json!({ "squadId": cast.squad(), "title": title }),
        )
        .await
        .outcome();
        assert_eq!(got, want, "createInitiative as {who:?}");
        let res = app
            .gql_as(
                &cast.admin,
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
            &cast.admin,
            json!({ "squadId": cast.squad(), "title": format!("Changed by {who:?}") }),
        )
        .await;
        let got = update_initiative(&app, session, json!({ "id": id, "status": "PLANNED" }))
            .await
            .outcome();
        assert_eq!(got, want, "updateInitiative as {who:?}");
        let got = link(&app, session, &id, &target).await.outcome();
        assert_eq!(got, want, "linkInitiativeToOutcome as {who:?}");
        let after = initiative(&app, &cast.admin, &id).await;
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
            link(&app, &cast.admin, &id, &target).await.data();
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
                initiative(&app, &cast.admin, &id).await["outcomes"]["totalCount"],
                1
            );
        }
    }
}

async fn a_dependency_is_declared_by_the_needing_squad_and_updated_by_either(app: TestApp) {
    let cast = cast(&app).await;
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
        let session = cast.as_(who);
        let what = format!("Declared by {who:?}");
        let got = create_dependency(
            &app,
            session,
            json!({ "fromSquadId": cast.squad(), "toSquadId": cast.other_squad(),
                    "description": what, "neededBy": day(7) }),
        )
        .await
        .outcome();
        assert_eq!(got, create_want, "createDependency as {who:?}");

        let id = new_dependency(
            &app,
            &cast.admin,
            json!({ "fromSquadId": cast.squad(), "toSquadId": cast.other_squad(),
                    "description": format!("Updated by {who:?}"), "neededBy": day(7) }),
        )
        .await;
        let got = update_dependency(&app, session, json!({ "id": id, "status": "AT_RISK" }))
            .await
            .outcome();
        assert_eq!(got, update_want, "updateDependency as {who:?}");
        let after = dependency(&app, &cast.admin, &id).await;
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
            &cast.admin,
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

crate::db_tests!(
    an_outcome_is_planned_by_an_admin_or_a_lead_of_its_team_or_squad,
    an_initiative_is_written_by_its_squad_its_leads_or_an_admin,
    a_dependency_is_declared_by_the_needing_squad_and_updated_by_either,
    another_organisation_cannot_see_or_touch_outcomes_initiatives_or_dependencies,
);
