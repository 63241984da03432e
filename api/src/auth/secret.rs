//! Opaque random tokens (refresh, invite): shown once, stored as a SHA-256 hash.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token with a readable prefix (`nsr_` refresh, `nsi_` invite).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The hex SHA-256 of a token: what the database stores and looks up. A fast hash is
/// right here: the token has 256 random bits, so there is nothing to brute-force.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_prefixed() {
        let a = generate("nsr_");
        let b = generate("nsr_");
        assert!(a.starts_with("nsr_"));
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
    }
}
