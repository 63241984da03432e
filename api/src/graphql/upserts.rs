//! What every upsert shares on the wire (issue 13): the external key an item is found
//! by, what the upsert did, and the errors of a bulk's bad items.

use async_graphql::{Enum, InputObject, SimpleObject};

use crate::{
    domain::sync::{ExternalKey, ItemError, Upserted},
    error::ApiError,
};

/// Where a synced object lives in the tool it comes from: the key of its upsert,
/// unique per organisation.
#[derive(InputObject, Clone)]
pub struct ExternalKeyInput {
    /// The tool, e.g. "jira", "linear", "datadog" (1–64 characters).
    pub source: String,
    /// The object's id in that tool (1–256 characters).
    pub id: String,
}

impl From<ExternalKeyInput> for ExternalKey {
    fn from(k: ExternalKeyInput) -> Self {
        Self {
            source: k.source,
            id: k.id,
        }
    }
}

/// What an upsert did to its object.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UpsertResult {
    /// The reference was new: the object was created.
    Created,
    /// The object differed: it was updated, and its `version` bumped.
    Updated,
    /// The object already said so: nothing was written (same `version`, same
    /// `updatedAt`).
    Unchanged,
}

impl From<Upserted> for UpsertResult {
    fn from(u: Upserted) -> Self {
        match u {
            Upserted::Created => UpsertResult::Created,
            Upserted::Updated => UpsertResult::Updated,
            Upserted::Unchanged => UpsertResult::Unchanged,
        }
    }
}

/// An item of a bulk upsert that could not be written. When a bulk has any, it wrote
/// nothing at all.
#[derive(SimpleObject, Debug, Clone)]
pub struct BulkItemError {
    /// The item's position in `items`, from 0.
    pub index: i32,
    /// The item's field at fault (e.g. "title", "squadId", "externalRef"), if one is.
    pub field: Option<String>,
    /// The error code, as in `extensions.code`: BAD_USER_INPUT, NOT_FOUND, FORBIDDEN,
    /// CONFLICT.
    pub code: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl BulkItemError {
    /// Item `index` is wrong as `error` says.
    pub fn new(index: usize, field: Option<&str>, error: &ApiError) -> Self {
        let field = match error {
            ApiError::BadUserInput { field, .. } => Some(field.to_string()),
            _ => field.map(str::to_owned),
        };
        Self {
            index: index as i32,
            field,
            code: error.code().to_owned(),
            message: error.message(),
        }
    }
}

impl From<ItemError> for BulkItemError {
    fn from(e: ItemError) -> Self {
        Self::new(e.index, e.field, &e.error)
    }
}

/// Items decoded from the wire, or the errors of the items that did not decode (a bad
/// id): `decode` turns each item into what the service takes.
pub fn decode_items<I, T>(
    items: Vec<I>,
    decode: impl Fn(I) -> Result<T, ApiError>,
) -> Result<Vec<T>, Vec<BulkItemError>> {
    let mut decoded = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match decode(item) {
            Ok(d) => decoded.push(d),
            Err(e) => errors.push(BulkItemError::new(index, None, &e)),
        }
    }
    if errors.is_empty() {
        Ok(decoded)
    } else {
        Err(errors)
    }
}
