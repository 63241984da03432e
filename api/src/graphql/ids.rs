//! Opaque global ids (Relay): base64url of `Type:uuid`.

use async_graphql::{MaybeUndefined, ID};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub use crate::domain::kind::Kind;

/// The global id of a row.
pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// The kind and row id inside a global id, if it is one.
pub fn decode_any(id: &str) -> Option<(Kind, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((Kind::parse(kind)?, Uuid::parse_str(uuid).ok()?))
}

/// The row id inside a global id that must be of `kind`; anything else is
/// BAD_USER_INPUT on `field`.
pub fn decode(id: &ID, kind: Kind, field: &'static str) -> ApiResult<Uuid> {
    match decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!("{field} is not the id of a {}", kind.name()),
        )),
        None => Err(ApiError::bad_input(
            field,
            format!("{field} is not a valid id"),
        )),
    }
}

/// The row id inside an optional global id that must be of `kind` ([`decode`]); no id
/// is `None`.
pub fn decode_opt(id: &Option<ID>, kind: Kind, field: &'static str) -> ApiResult<Option<Uuid>> {
    id.as_ref().map(|id| decode(id, kind, field)).transpose()
}

/// The row id inside a nullable global id of an update ([`decode`]): `None` when the
/// field was left out, `Some(None)` when it was null (clear the link).
pub fn decode_maybe(
    id: MaybeUndefined<ID>,
    kind: Kind,
    field: &'static str,
) -> ApiResult<Option<Option<Uuid>>> {
    Ok(id
        .map_value(|id| decode(&id, kind, field))
        .transpose()?
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_kind() {
        let u = Uuid::now_v7();
        let id = encode(Kind::Team, u);
        assert_eq!(decode(&id, Kind::Team, "teamId").unwrap(), u);
        assert!(decode(&id, Kind::Squad, "squadId").is_err());
        assert!(decode(&ID("garbage".into()), Kind::Team, "teamId").is_err());
        assert!(!id.contains(&u.to_string()), "ids are opaque");
    }
}
