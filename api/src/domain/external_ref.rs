//! External references: where a synced row comes from in another tool (Jira, Linear,
//! a CI system…). `(source, id)` is unique per organisation, the key of idempotency.

use crate::{domain::text, error::ApiResult};

/// Where a synced row comes from: unique per organisation, the key of idempotency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalRef {
    pub source: String,
    pub id: String,
    pub url: Option<String>,
}

impl ExternalRef {
    /// The reference trimmed and bounded; BAD_USER_INPUT on `externalRef.*` otherwise.
    pub fn checked(&self) -> ApiResult<ExternalRef> {
        let ext = self;
        Ok(ExternalRef {
            source: text::required(&ext.source, "externalRef.source", 64)?,
            id: text::required(&ext.id, "externalRef.id", 256)?,
            url: ext
                .url
                .as_deref()
                .map(|u| text::bounded(u, "externalRef.url", 2048))
                .transpose()?,
        })
    }
}
