//! What an API token may do: its scopes (issue 13). A token with no write scope only
//! reads; one without `read` only writes what its write scopes allow.

use std::fmt;

/// One scope of an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScope {
    /// Read anything in the organisation that every member reads.
    Read,
    /// Record, upsert and delete KPI measurements.
    KpisWrite,
    /// Create, upsert and change initiatives and outcomes, and map them to each other.
    InitiativesWrite,
    /// Write technical-debt items.
    DebtWrite,
    /// Write deployments and incidents.
    DeliveryWrite,
}

impl TokenScope {
    /// Every scope, in the order they are listed.
    pub const ALL: [TokenScope; 5] = [
        TokenScope::Read,
        TokenScope::KpisWrite,
        TokenScope::InitiativesWrite,
        TokenScope::DebtWrite,
        TokenScope::DeliveryWrite,
    ];

    /// The scope as written in the database and the docs, e.g. `kpis:write`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::KpisWrite => "kpis:write",
            TokenScope::InitiativesWrite => "initiatives:write",
            TokenScope::DebtWrite => "debt:write",
            TokenScope::DeliveryWrite => "delivery:write",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenScopes(u8);

impl TokenScopes {
    /// Whether the set holds `scope`.
    pub fn has(self, scope: TokenScope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// The scopes stored as `text` (space-separated); an unknown word is skipped, so a
    /// scope withdrawn from a later version grants nothing.
    pub fn parse(text: &str) -> Self {
        text.split_whitespace()
            .filter_map(|w| TokenScope::ALL.into_iter().find(|s| s.as_str() == w))
            .collect()
    }

    /// The scopes in their listed order.
    pub fn iter(self) -> impl Iterator<Item = TokenScope> {
        TokenScope::ALL.into_iter().filter(move |s| self.has(*s))
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<TokenScope> for TokenScopes {
    fn from_iter<I: IntoIterator<Item = TokenScope>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |bits, s| bits | s.bit()))
    }
}

impl fmt::Display for TokenScopes {
    /// Space-separated, in the listed order: what the database stores.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.iter().map(TokenScope::as_str).collect();
        f.write_str(&words.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_their_stored_text_in_listed_order() {
        let s: TokenScopes = [TokenScope::DeliveryWrite, TokenScope::Read]
            .into_iter()
            .collect();
        assert_eq!(s.to_string(), "read delivery:write");
        assert_eq!(TokenScopes::parse(&s.to_string()), s);
        assert!(s.has(TokenScope::Read) && !s.has(TokenScope::KpisWrite));
        assert_eq!(
            TokenScopes::parse("kpis:write admin:all"),
            [TokenScope::KpisWrite].into_iter().collect()
        );
        assert!(TokenScopes::parse("").is_empty());
    }
}
