//! Assertions on a response's error, naming the response when they fail.

use super::Gql;

/// Asserts a BAD_USER_INPUT error about `field`.
#[track_caller]
pub fn assert_bad_input(res: &Gql, field: &str) {
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some(field), "{}", res.body);
}

/// Asserts an error with `code`.
#[track_caller]
pub fn assert_code(res: &Gql, code: &str) {
    assert_eq!(res.error_code(), Some(code), "{}", res.body);
}
