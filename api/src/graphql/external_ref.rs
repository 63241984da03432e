//! External references on the wire: what a synced object says about where it comes
//! from, and what an integration sends to name it.

use async_graphql::{InputObject, SimpleObject};

use crate::domain::external_ref::ExternalRef;

/// Where a synced object comes from.
#[derive(SimpleObject)]
pub struct ExternalReference {
    /// The tool, e.g. "jira", "linear", "datadog".
    pub source: String,
    /// The object's id in that tool.
    pub id: String,
    pub url: Option<String>,
}

impl ExternalReference {
    /// The reference stored in a row's `external_source`, `external_id` and
    /// `external_url` columns, if it has one.
    pub fn of_row(
        source: &Option<String>,
        id: &Option<String>,
        url: &Option<String>,
    ) -> Option<Self> {
        match (source, id) {
            (Some(source), Some(id)) => Some(ExternalReference {
                source: source.clone(),
                id: id.clone(),
                url: url.clone(),
            }),
            _ => None,
        }
    }
}

/// Where a synced object comes from: `(source, id)` is unique per organisation, so
/// sending the same reference again updates or leaves the same row.
#[derive(InputObject)]
pub struct ExternalRefInput {
    pub source: String,
    pub id: String,
    pub url: Option<String>,
}

impl From<ExternalRefInput> for ExternalRef {
    fn from(e: ExternalRefInput) -> Self {
        Self {
            source: e.source,
            id: e.id,
            url: e.url,
        }
    }
}
