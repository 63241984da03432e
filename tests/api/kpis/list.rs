//! The `kpis` list: filters, `updatedSince`, order and paging.

use serde_json::json;

use super::{add_owner, kpis, update_kpi, Org, ARCHIVE_KPI, KPIS};
use crate::common::{assert_bad_input, days_ago, instant, names, TestApp};

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
        let latency = app
            .create_kpi(
                &org.admin,
                json!({ "teamId": org.team, "name": "Payment latency p95",
                    "unit": "DURATION_SECONDS", "direction": "LOWER_IS_BETTER",
                    "category": "RELIABILITY", "baseline": 2.0, "target": 1.0 }),
            )
            .await;
        let csat = app
            .create_kpi(
                &org.admin,
                json!({ "squadId": ranking, "name": "Search CSAT", "unit": "SCORE",
                    "category": "CUSTOMER", "baseline": 3.0, "target": 4.5,
                    "description": "Survey after a search session" }),
            )
            .await;
        let deploys = app
            .create_kpi(
                &org.admin,
                json!({ "teamId": search_team, "name": "Deploys per week", "unit": "COUNT",
                    "category": "DELIVERY",
                    "description": "Includes CHECKOUT releases shipped by Search" }),
            )
            .await;
        let old = app
            .create_kpi(
                &org.admin,
                json!({ "teamId": org.team, "name": "Old uptime", "category": "RELIABILITY" }),
            )
            .await;
        app.gql_as(&org.admin, ARCHIVE_KPI, json!({ "input": { "id": old } }))
            .await
            .data();
        // Shared: conversion (engineer + product), CSAT (engineer + design).
        for (k, who) in [(&conversion, &org.pm), (&csat, &org.designer)] {
            add_owner(app, &org.admin, k, &who.user_id).await.data();
        }
        // Attainments: conversion 0.75, latency 0.25, CSAT 1.0, deploys unknown.
        app.record_measurement(&org.admin, &conversion, 55.0, &days_ago(1.0))
            .await;
        app.record_measurement(&org.admin, &latency, 1.75, &days_ago(1.0))
            .await;
        app.record_measurement(&org.admin, &csat, 4.6, &days_ago(1.0))
            .await;
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
    app.record_measurement(&o.admin, &c.deploys, 14.0, &days_ago(0.1))
        .await;
    app.record_measurement(&o.admin, &c.latency, 1.5, &days_ago(0.1))
        .await;
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

crate::db_tests!(
    kpis_are_filtered_by_scope_category_sharing_owner_and_text,
    kpis_updated_since_an_instant_include_those_with_new_measurements,
    kpis_are_ordered_by_name_category_attainment_or_last_change,
);
