//! A team's quarter plan and its checklist.

use serde_json::json;

use super::{
    link, new_initiative, new_outcome, quarter, titles, update_initiative, Org, QUARTER_PLAN,
};
use crate::common::TestApp;

// ---------------------------------------------------------------------------------
// The quarter plan: 3 measurable outcomes and every active initiative mapped

async fn a_quarter_plan_meets_the_checklist_with_3_measurable_outcomes_and_all_work_mapped(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let q = quarter(0);
    let plan = |quarter: String| {
        let app = &app;
        let admin = &org.admin;
        let team = org.payments.clone();
        async move {
            app.gql_as(
                admin,
                QUARTER_PLAN,
                json!({ "team": team, "quarter": quarter }),
            )
            .await
            .data()["node"]["quarterPlan"]
                .clone()
        }
    };
    let mut kpis = Vec::new();
    for n in 0..4 {
        kpis.push(
            org.kpi(&app, &org.checkout, &format!("KPI {n}"), true)
                .await,
        );
    }
    let vague = org.kpi(&app, &org.checkout, "Vague", false).await;

    // Two measurable outcomes (one of the team, one of a squad), one without a target,
    // one without a KPI, and a measurable one of another quarter and another team.
    new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "O1", "kpiId": kpis[0] }),
    )
    .await;
    let o2 = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "quarter": q, "title": "O2", "kpiId": kpis[1] }),
    )
    .await;
    new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "quarter": q, "title": "Vague", "kpiId": vague }),
    )
    .await;
    new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": q, "title": "Unmeasured" }),
    )
    .await;
    let later = new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.payments, "quarter": quarter(1), "title": "Later",
                "kpiId": kpis[2] }),
    )
    .await;
    new_outcome(
        &app,
        &org.admin,
        json!({ "teamId": org.search, "quarter": q, "title": "Search's", "kpiId": kpis[2] }),
    )
    .await;

    let p = plan(q.clone()).await;
    assert_eq!(p["quarter"], q.as_str());
    assert_eq!(titles(&p["outcomes"]), ["O1", "O2", "Vague", "Unmeasured"]);
    assert_eq!(p["measurableOutcomeCount"], 2);
    assert_eq!(p["meetsOutcomeChecklist"], false, "2 measurable outcomes");

    let o3 = new_outcome(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "quarter": q, "title": "O3", "kpiId": kpis[3] }),
    )
    .await;
    let p = plan(q.clone()).await;
    assert_eq!(p["measurableOutcomeCount"], 3);
    assert_eq!(p["unmappedInitiatives"], json!([]));
    assert_eq!(p["meetsOutcomeChecklist"], true);

    // Active work mapped to nothing of this quarter breaks it; proposed, done or
    // dropped work does not count, nor work of another team's squads.
    let planned = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.checkout, "title": "Planned", "status": "PLANNED" }),
    )
    .await;
    for (squad, title, status) in [
        (&org.checkout, "Proposed", "PROPOSED"),
        (&org.wallet, "Done", "DONE"),
        (&org.wallet, "Dropped", "DROPPED"),
        (&org.ranking, "Search work", "IN_PROGRESS"),
    ] {
        new_initiative(
            &app,
            &org.admin,
            json!({ "squadId": squad, "title": title, "status": status }),
        )
        .await;
    }
    let p = plan(q.clone()).await;
    assert_eq!(
        p["unmappedInitiatives"],
        json!([{ "title": "Planned", "status": "PLANNED" }])
    );
    assert_eq!(
        p["meetsOutcomeChecklist"], false,
        "unmapped PLANNED initiative"
    );

    // Mapped to next quarter's outcome only: still unmapped for this quarter.
    link(&app, &org.admin, &planned, &later).await.data();
    assert_eq!(plan(q.clone()).await["meetsOutcomeChecklist"], false);
    link(&app, &org.admin, &planned, &o2).await.data();
    let p = plan(q.clone()).await;
    assert_eq!(p["unmappedInitiatives"], json!([]));
    assert_eq!(p["meetsOutcomeChecklist"], true);

    // Work in progress must be mapped too.
    let wip = new_initiative(
        &app,
        &org.admin,
        json!({ "squadId": org.wallet, "title": "In progress" }),
    )
    .await;
    for status in ["PLANNED", "IN_PROGRESS"] {
        update_initiative(&app, &org.admin, json!({ "id": wip, "status": status }))
            .await
            .data();
    }
    let p = plan(q.clone()).await;
    assert_eq!(titles(&p["unmappedInitiatives"]), ["In progress"]);
    assert_eq!(p["meetsOutcomeChecklist"], false);
    link(&app, &org.admin, &wip, &o3).await.data();
    assert_eq!(plan(q.clone()).await["meetsOutcomeChecklist"], true);

    // Next quarter has one measurable outcome and no mapped work.
    let p = plan(quarter(1)).await;
    assert_eq!(titles(&p["outcomes"]), ["Later"]);
    assert_eq!(p["measurableOutcomeCount"], 1);
    assert_eq!(p["meetsOutcomeChecklist"], false);
}

crate::db_tests!(a_quarter_plan_meets_the_checklist_with_3_measurable_outcomes_and_all_work_mapped);
