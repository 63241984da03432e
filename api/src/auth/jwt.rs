//! Short-lived access tokens: JWT, HS256.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an access token lives.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The organisation id.
    pub org: Uuid,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issue time, seconds since the epoch.
    pub iat: i64,
    /// The user's token version when issued: bumping it revokes the token.
    pub tv: i32,
}

/// Signs and checks access tokens with one secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// A signed token for the user, and its lifetime in seconds.
    pub fn issue(
        &self,
        user: Uuid,
        org: Uuid,
        token_version: i32,
    ) -> anyhow::Result<(String, i64)> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user,
            org,
            iat: now,
            exp: now + ACCESS_TOKEN_TTL_SECS,
            tv: token_version,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, ACCESS_TOKEN_TTL_SECS))
    }

    /// The claims of a valid, unexpired token signed with these keys.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let (user, org) = (Uuid::now_v7(), Uuid::now_v7());
        let (token, ttl) = keys.issue(user, org, 3).unwrap();
        assert_eq!(ttl, 900);
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub, claims.org, claims.tv), (user, org, 3));
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn a_token_signed_with_another_secret_or_tampered_is_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let other = JwtKeys::new(b"another secret another secret!!!");
        let (token, _) = other.issue(Uuid::now_v7(), Uuid::now_v7(), 0).unwrap();
        assert!(keys.verify(&token).is_none());
        let (mut token, _) = keys.issue(Uuid::now_v7(), Uuid::now_v7(), 0).unwrap();
        token.push('x');
        assert!(keys.verify(&token).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let claims = Claims {
            sub: Uuid::now_v7(),
            org: Uuid::now_v7(),
            iat: 1,
            exp: Utc::now().timestamp() - 60,
            tv: 0,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        assert!(keys.verify(&token).is_none());
    }
}
