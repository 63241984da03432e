//! Sign-in throttling: repeated failures for one account become RATE_LIMITED.

use serde_json::json;

use crate::common::TestApp;

const LOGIN: &str = r#"mutation($input: LoginInput!) { login(input: $input) { accessToken } }"#;

async fn repeated_wrong_passwords_lock_the_account_for_a_while(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let other = app
        .add_user(&admin, "Pat Product", "PRODUCT", "MEMBER")
        .await;
    for _ in 0..5 {
        let res = app
            .gql(
                None,
                LOGIN,
                json!({ "input": { "email": admin.email, "password": "wrong password!" } }),
            )
            .await;
        assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
    }
    // Even the right password is refused now: the account's window is full.
    let res = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": admin.email, "password": "correct horse battery" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("RATE_LIMITED"), "{}", res.body);
    // Another account from the same address still signs in.
    let res = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": other.email, "password": "another good password" } }),
        )
        .await;
    assert!(res.data()["login"]["accessToken"].is_string());
}

async fn a_successful_sign_in_resets_the_account_counter(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for round in 0..3 {
        for _ in 0..4 {
            let res = app
                .gql(
                    None,
                    LOGIN,
                    json!({ "input": { "email": admin.email, "password": "wrong password!" } }),
                )
                .await;
            assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "round {round}");
        }
        let res = app
            .gql(
                None,
                LOGIN,
                json!({ "input": { "email": admin.email, "password": "correct horse battery" } }),
            )
            .await;
        assert!(
            res.data()["login"]["accessToken"].is_string(),
            "round {round}"
        );
    }
}

crate::db_tests!(
    repeated_wrong_passwords_lock_the_account_for_a_while,
    a_successful_sign_in_resets_the_account_counter,
);
