use serde_json::json;

use crate::common::TestApp;

async fn a_new_organisation_can_query_its_viewer(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = app
        .gql_as(
            &admin,
            "{ viewer { email orgRole organization { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(res.data()["viewer"]["email"], "admin@acme.test");
    assert_eq!(res.data()["viewer"]["orgRole"], "ADMIN");
}

crate::db_tests!(a_new_organisation_can_query_its_viewer);
