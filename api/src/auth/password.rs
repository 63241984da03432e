//! argon2id password hashing (PHC strings with a per-hash salt).

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

use crate::error::{ApiError, ApiResult};

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest password accepted (hashing cost grows with it).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Checks the length rules and hashes the password on a blocking thread.
pub async fn hash(password: &str, field: &'static str) -> ApiResult<String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(ApiError::bad_input(
            field,
            format!("password must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(ApiError::bad_input(
            field,
            format!("password must be at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing password: {e}")))
    })
    .await
    .map_err(ApiError::internal)?
}

/// A valid hash of a password nobody has: verifying against it costs the same time as
/// a real check, so an unknown email cannot be told from a wrong password by timing.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jzi0w1mG2c7bQm0yT8b7ExOXPWkR3n7T3k8xD6c2m1U";

/// True when `password` matches `phc` (or, with `None`, after a dummy check).
pub async fn verify(password: &str, phc: Option<&str>) -> bool {
    let password = password.to_owned();
    let real = phc.is_some();
    let phc = phc.unwrap_or(DUMMY_HASH).to_owned();
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && real
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery", "password").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&h)).await);
        assert!(!verify("wrong horse battery", Some(&h)).await);
        assert!(!verify("correct horse battery", None).await);
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ_by_salt() {
        let a = hash("correct horse battery", "password").await.unwrap();
        let b = hash("correct horse battery", "password").await.unwrap();
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn short_passwords_are_refused() {
        let err = hash("short", "password").await.unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn the_dummy_hash_parses() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
