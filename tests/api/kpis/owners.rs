//! A KPI's owners, and its sharing when they span disciplines.

use futures_util::future::join_all;
use serde_json::json;

use super::{add_owner, kpi, owner_ids, remove_owner, Org};
use crate::common::{assert_code, TestApp};

// ---------------------------------------------------------------------------------
// Owners: shared when they span disciplines

async fn owners_from_engineering_and_product_make_a_kpi_shared(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;

    // The admin is an engineer: one discipline, twice, is still not shared.
    let res = add_owner(&app, &org.admin, &id, &org.engineer.user_id).await;
    let k = &res.data()["addKpiOwner"]["kpi"];
    assert_eq!(k["owners"]["totalCount"], 2);
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING"]));
    assert_eq!(k["isShared"], false);

    let res = add_owner(&app, &org.admin, &id, &org.pm.user_id).await;
    let k = &res.data()["addKpiOwner"]["kpi"];
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING", "PRODUCT"]));
    assert_eq!(k["isShared"], true);

    // Adding an owner again keeps one ownership.
    let res = add_owner(&app, &org.admin, &id, &org.pm.user_id).await;
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

    let res = remove_owner(&app, &org.admin, &id, &org.pm.user_id).await;
    let k = &res.data()["removeKpiOwner"]["kpi"];
    assert_eq!(k["owners"]["totalCount"], 2);
    assert_eq!(k["isShared"], false);
    assert_eq!(k["ownerDisciplines"], json!(["ENGINEERING"]));

    // Removing someone who is not an owner is NOT_FOUND.
    let res = remove_owner(&app, &org.admin, &id, &org.pm.user_id).await;
    assert_code(&res, "NOT_FOUND");

    // A designer and a product manager, without any engineer, are shared too.
    let res = add_owner(&app, &org.admin, &id, &org.designer.user_id).await;
    assert_eq!(
        res.data()["addKpiOwner"]["kpi"]["ownerDisciplines"],
        json!(["ENGINEERING", "DESIGN"])
    );
    for who in [&org.admin, &org.engineer] {
        remove_owner(&app, &org.admin, &id, &who.user_id)
            .await
            .data();
    }
    add_owner(&app, &org.admin, &id, &org.pm.user_id)
        .await
        .data();
    let read = kpi(&app, &org.admin, &id).await;
    assert_eq!(read["ownerDisciplines"], json!(["PRODUCT", "DESIGN"]));
    assert_eq!(read["isShared"], true);
}

async fn adding_the_same_owner_in_parallel_keeps_one_ownership(app: TestApp) {
    let org = Org::new(&app, "Acme").await;
    let id = org.conversion(&app).await;
    let results =
        join_all((0..10).map(|_| add_owner(&app, &org.admin, &id, &org.pm.user_id))).await;
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

crate::db_tests!(
    owners_from_engineering_and_product_make_a_kpi_shared,
    adding_the_same_owner_in_parallel_keeps_one_ownership,
);
