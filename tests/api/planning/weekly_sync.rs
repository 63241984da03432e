//! A team's weekly sync: dependencies due soon, outcomes at risk, worsening KPIs; and
//! the dates it (and planning) accepts.

use chrono::{Datelike, Duration, Utc};
use serde_json::{json, Value};

use super::{
    create_dependency, create_initiative, date, day, new_dependency, new_outcome, quarter, titles,
    update_dependency, Org, INITIATIVES, WEEKLY_SYNC,
};
use crate::common::{assert_code, days_ago, TestApp};

// ---------------------------------------------------------------------------------
// The weekly sync

async fn the_weekly_sync_shows_dependencies_due_within_14_days_outcomes_at_risk_and_worsening_kpis(
    app: TestApp,
) {
    let org = Org::new(&app, "Acme").await;
    let sync = |week: Value| {
        let app = &app;
        let admin = &org.admin;
        let team = org.payments.clone();
        async move {
            app.gql_as(admin, WEEKLY_SYNC, json!({ "team": team, "week": week }))
                .await
                .data()["node"]["weeklySync"]
                .clone()
        }
    };
    let relevance = app.create_squad(&org.admin, &org.search, "Relevance").await;
    let mut far = String::new();
    for (from, to, what, due) in [
        (&org.checkout, &org.ranking, "Due in 10 days", 10),
        (&org.ranking, &org.wallet, "Needed from us in 13 days", 13),
        (&org.checkout, &org.wallet, "Due in 30 days", 30),
        (&org.checkout, &org.ranking, "Overdue", -3),
        (&org.checkout, &org.ranking, "Due in 5 days but done", 5),
        (&org.wallet, &org.ranking, "Due in 15 days", 15),
        (&org.ranking, &relevance, "Between Search's squads", 3),
    ] {
        let id = new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": from, "toSquadId": to, "description": what,
                    "neededBy": day(due) }),
        )
        .await;
        match due {
            5 => {
                update_dependency(&app, &org.admin, json!({ "id": id, "status": "DONE" }))
                    .await
                    .data();
            }
            30 => far = id,
            _ => {}
        }
    }

    let q = quarter(0);
    for (scope, q, title, status) in [
        (
            json!({ "squadId": org.checkout }),
            &q,
            "Checkout at risk",
            "AT_RISK",
        ),
        (
            json!({ "teamId": org.payments }),
            &q,
            "Payments off track",
            "OFF_TRACK",
        ),
        (
            json!({ "squadId": org.wallet }),
            &q,
            "Wallet on track",
            "ON_TRACK",
        ),
        (
            json!({ "squadId": org.wallet }),
            &quarter(1),
            "Next quarter at risk",
            "AT_RISK",
        ),
        (
            json!({ "teamId": org.search }),
            &q,
            "Search at risk",
            "AT_RISK",
        ),
    ] {
        let mut input = scope;
        input["quarter"] = json!(q);
        input["title"] = json!(title);
        input["status"] = json!(status);
        new_outcome(&app, &org.admin, input).await;
    }

    // Conversion fell, latency (lower is better) rose: both worse. Signups rose; NPS
    // has one value; Search's own KPI fell but is not Payments'.
    let conversion = org.kpi(&app, &org.checkout, "Conversion", true).await;
    let latency = app
        .create_kpi(
            &org.admin,
            json!({ "teamId": org.payments, "name": "Latency", "unit": "DURATION_SECONDS",
                "direction": "LOWER_IS_BETTER", "category": "RELIABILITY" }),
        )
        .await;
    let signups = org.kpi(&app, &org.wallet, "Signups", false).await;
    let nps = org.kpi(&app, &org.wallet, "NPS", false).await;
    let search_kpi = org.kpi(&app, &org.ranking, "Search CTR", false).await;
    for (kpi, values) in [
        (&conversion, [55.0, 50.0]),
        (&latency, [1.0, 1.4]),
        (&signups, [10.0, 14.0]),
        (&search_kpi, [30.0, 20.0]),
    ] {
        app.record_measurement(&org.admin, kpi, values[0], &days_ago(6.0))
            .await;
        app.record_measurement(&org.admin, kpi, values[1], &days_ago(1.0))
            .await;
    }
    app.record_measurement(&org.admin, &nps, 30.0, &days_ago(1.0))
        .await;

    let want_deps = ["Overdue", "Due in 10 days", "Needed from us in 13 days"];
    for week in [Value::Null, json!(day(0))] {
        let s = sync(week.clone()).await;
        let monday = Utc::now().date_naive()
            - Duration::days(Utc::now().date_naive().weekday().num_days_from_monday() as i64);
        assert_eq!(s["weekStart"], date(monday).as_str(), "week {week}");
        assert_eq!(
            s["asOf"],
            day(0).as_str(),
            "this week's sync looks ahead from today"
        );
        assert_eq!(titles(&s["dependencies"]), want_deps, "week {week}");
        assert_eq!(s["dependencies"][0]["isOverdue"], true);
        assert_eq!(
            titles(&s["outcomesAtRisk"]),
            ["Checkout at risk", "Payments off track"],
            "week {week}"
        );
        assert_eq!(
            titles(&s["worseningKpis"]),
            ["Conversion", "Latency"],
            "week {week}"
        );
    }

    // Due in 30 days shows once it is at risk.
    update_dependency(&app, &org.admin, json!({ "id": far, "status": "AT_RISK" }))
        .await
        .data();
    let s = sync(Value::Null).await;
    assert_eq!(
        titles(&s["dependencies"]),
        [
            "Overdue",
            "Due in 10 days",
            "Needed from us in 13 days",
            "Due in 30 days"
        ]
    );
    assert_eq!(s["dependencies"][3]["status"], "AT_RISK");
}

async fn the_weekly_sync_of_another_week_looks_14_days_ahead_of_its_monday(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let in_four_weeks = monday + Duration::days(28);
    for (what, due) in [("Inside", 14), ("Outside", 15)] {
        new_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet, "description": what,
                    "neededBy": date(in_four_weeks + Duration::days(due)) }),
        )
        .await;
    }
    // Asked by any day of that week, the sync is the same.
    for offset in [0, 3, 6] {
        let res = app
            .gql_as(
                &org.admin,
                WEEKLY_SYNC,
                json!({ "team": org.payments,
                        "week": date(in_four_weeks + Duration::days(offset)) }),
            )
            .await;
        let s = &res.data()["node"]["weeklySync"];
        assert_eq!(s["weekStart"], date(in_four_weeks).as_str());
        assert_eq!(s["asOf"], date(in_four_weeks).as_str());
        assert_eq!(titles(&s["dependencies"]), ["Inside"], "offset {offset}");
    }
}

async fn a_date_needs_a_four_digit_year(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    // Dates at the far end of the calendar overflowed when the sync added a week.
    for week in [
        "+262142-12-31",
        "-0001-01-01",
        "262142-12-31",
        "2026-1-5",
        "2026-02-30",
    ] {
        let res = app
            .gql_as(
                &org.admin,
                WEEKLY_SYNC,
                json!({ "team": org.payments, "week": week }),
            )
            .await;
        assert_code(&res, "BAD_USER_INPUT");
        let res = create_initiative(
            &app,
            &org.admin,
            json!({ "squadId": org.checkout, "title": "Far", "targetDate": week }),
        )
        .await;
        assert_code(&res, "BAD_USER_INPUT");
        let res = create_dependency(
            &app,
            &org.admin,
            json!({ "fromSquadId": org.checkout, "toSquadId": org.wallet,
                    "description": "Far", "neededBy": week }),
        )
        .await;
        assert_code(&res, "BAD_USER_INPUT");
    }
    for week in ["9999-12-31", "0001-01-01"] {
        let res = app
            .gql_as(
                &org.admin,
                WEEKLY_SYNC,
                json!({ "team": org.payments, "week": week }),
            )
            .await;
        assert!(res.data()["node"]["weeklySync"]["weekStart"].is_string());
    }
    let res = app.gql_as(&org.admin, INITIATIVES, json!({})).await;
    assert_eq!(res.data()["initiatives"]["totalCount"], 0);
}

crate::db_tests!(
    the_weekly_sync_shows_dependencies_due_within_14_days_outcomes_at_risk_and_worsening_kpis,
    the_weekly_sync_of_another_week_looks_14_days_ahead_of_its_monday,
    a_date_needs_a_four_digit_year,
);
