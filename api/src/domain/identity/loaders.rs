//! Loaders of the identity area.

use entity::user;

use crate::graphql::loaders::Registry;

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    r.by_id::<user::Entity>()
}
