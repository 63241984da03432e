//! Loaders of the integrations area.

use entity::api_token;

use crate::graphql::loaders::Registry;

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    r.by_id::<api_token::Entity>()
}
