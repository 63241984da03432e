//! The sync path that every upsert shares (issue 13): an item names its row by an
//! external reference, unique per organisation; a bulk of up to [`MAX_BULK`] items runs
//! in one transaction, all or nothing, and reports each bad item instead of writing.
//!
//! Idempotency: an item that matches its row changes nothing (same `version`, same
//! `updatedAt`); one that differs updates it and bumps `version`; a new reference
//! creates a row. Two writers that create the same new reference at once meet at the
//! unique index: the loser's transaction is retried, and then finds the winner's row.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
};

use sea_orm::{
    sea_query::{extension::postgres::PgFunc, Expr, ExprTrait, LockType},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr,
};
use uuid::Uuid;

use crate::{
    domain::{external_ref::ExternalRef, tenant::TenantTable, text},
    error::{ApiError, ApiResult},
};

/// The most items one bulk upsert takes.
pub const MAX_BULK: usize = 1000;

/// Attempts of one upsert before a lost race becomes CONFLICT.
const ATTEMPTS: usize = 3;

/// What an upsert did to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// The reference was new: the row was created.
    Created,
    /// The row differed: it was updated and its version bumped.
    Updated,
    /// The row already said so: nothing was written.
    Unchanged,
}

/// An item of a bulk that could not be written, by its position in the input.
#[derive(Debug, Clone)]
pub struct ItemError {
    pub index: usize,
    /// The input field at fault, where the error itself does not name one (a squad
    /// that is NOT_FOUND names no field; a BAD_USER_INPUT does).
    pub field: Option<&'static str>,
    pub error: ApiError,
}

impl ItemError {
    /// Item `index` is wrong as `error` says.
    pub fn new(index: usize, error: ApiError) -> Self {
        Self {
            index,
            field: None,
            error,
        }
    }

    /// Item `index` is wrong in `field`, as `error` says.
    pub fn at(index: usize, field: &'static str, error: ApiError) -> Self {
        Self {
            index,
            field: Some(field),
            error,
        }
    }
}

/// Each item's row and what was done to it, in input order; or, when any item was bad,
/// every bad item and nothing written.
pub type BulkResult<T> = Result<Vec<(T, Upserted)>, Vec<ItemError>>;

/// The key of a synced row: `(source, id)`, unique per organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalKey {
    pub source: String,
    pub id: String,
}

impl ExternalKey {
    /// The key trimmed and bounded, as [`ExternalRef::checked`] checks it.
    pub fn checked(&self) -> ApiResult<ExternalKey> {
        let r = ExternalRef {
            source: self.source.clone(),
            id: self.id.clone(),
            url: None,
        }
        .checked()?;
        Ok(ExternalKey {
            source: r.source,
            id: r.id,
        })
    }
}

/// The `url` of an upsert item: bounded like an external reference's.
pub fn checked_url(url: Option<&str>) -> ApiResult<Option<String>> {
    url.map(|u| text::bounded(u, "url", 2048)).transpose()
}

/// A bulk must hold 1 to [`MAX_BULK`] items.
pub fn check_size(items: usize) -> ApiResult<()> {
    if (1..=MAX_BULK).contains(&items) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            "items",
            format!("a bulk upsert takes 1 to {MAX_BULK} items; this one has {items}"),
        ))
    }
}

/// The items' keys, checked, with an error for every bad or repeated one.
pub fn checked_keys<'a>(
    keys: impl IntoIterator<Item = &'a ExternalKey>,
    errors: &mut Vec<ItemError>,
) -> Vec<Option<ExternalKey>> {
    let mut first_at: HashMap<ExternalKey, usize> = HashMap::new();
    keys.into_iter()
        .enumerate()
        .map(|(index, key)| match key.checked() {
            Ok(k) => match first_at.get(&k) {
                Some(first) => {
                    errors.push(ItemError::new(
                        index,
                        ApiError::bad_input(
                            "externalRef",
                            format!("the same externalRef is item {first} of this bulk"),
                        ),
                    ));
                    None
                }
                None => {
                    first_at.insert(k.clone(), index);
                    Some(k)
                }
            },
            Err(error) => {
                errors.push(ItemError::new(index, error));
                None
            }
        })
        .collect()
}

/// A synced row's `(external_source, external_id)`.
pub type KeyOf<E> = fn(&<E as EntityTrait>::Model) -> (&Option<String>, &Option<String>);

/// The rows of `keys` (their `(source, id)` columns), by key, locked until the write
/// `db` commits: in id order, so two bulks over the same rows wait for each other
/// instead of deadlocking. One statement, with one list of ids per source: an array
/// (`= ANY($n)`) on PostgreSQL, so that the statement is the same whatever the number of
/// ids and is planned once (a 1,000-value `IN` took 50 ms and more to plan there); an
/// `IN` on SQLite.
pub async fn existing_by_key<E, C>(
    db: &C,
    org: Uuid,
    columns: (E::Column, E::Column),
    keys: impl IntoIterator<Item = ExternalKey>,
    key_of: KeyOf<E>,
) -> ApiResult<HashMap<ExternalKey, E::Model>>
where
    E: TenantTable,
    C: ConnectionTrait,
{
    let mut by_source: HashMap<String, HashSet<String>> = HashMap::new();
    for k in keys {
        by_source.entry(k.source).or_default().insert(k.id);
    }
    if by_source.is_empty() {
        return Ok(HashMap::new());
    }
    let (source_col, id_col) = columns;
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let any = by_source
        .into_iter()
        .fold(Condition::any(), |any, (source, ids)| {
            let ids_match = if postgres {
                let ids: Vec<String> = ids.into_iter().collect();
                Expr::col(id_col).eq(PgFunc::any(Expr::val(ids)))
            } else {
                id_col.is_in(ids)
            };
            any.add(Condition::all().add(source_col.eq(source)).add(ids_match))
        });
    let rows = E::find()
        .filter(E::ORG.eq(org))
        .filter(any)
        .order_by_asc(E::ID)
        .lock(LockType::NoKeyUpdate)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let key = match key_of(&m) {
                (Some(source), Some(id)) => ExternalKey {
                    source: source.clone(),
                    id: id.clone(),
                },
                _ => return None,
            };
            Some((key, m))
        })
        .collect())
}

/// What an upsert does with an item's row: insert it, update it with what changed, or
/// leave it as it already is.
pub enum Plan<A, M> {
    Insert(A),
    Update(A),
    Same(M),
}

/// The value `check` gives an item, or `None` with its error kept as the item's.
pub fn item<T>(index: usize, errors: &mut Vec<ItemError>, check: ApiResult<T>) -> Option<T> {
    match check {
        Ok(v) => Some(v),
        Err(error) => {
            errors.push(ItemError::new(index, error));
            None
        }
    }
}

/// The answer of a bulk that had bad items: FORBIDDEN when the caller may write none of
/// them, else every bad item in input order.
pub fn refused(items: usize, mut errors: Vec<ItemError>) -> ApiResult<Vec<ItemError>> {
    if forbidden_throughout(items, &errors) {
        return Err(ApiError::Forbidden);
    }
    errors.sort_by_key(|e| e.index);
    Ok(errors)
}

/// The texts every synced item carries: a required title (one line, at most
/// [`text::NAME_MAX`]), an optional description and an optional `url`.
pub fn checked_texts(
    title: &str,
    description: Option<&str>,
    url: Option<&str>,
) -> ApiResult<(String, Option<String>, Option<String>)> {
    let title = text::required(title, "title", text::NAME_MAX)?;
    let description = description
        .map(|d| text::bounded(d, "description", text::TEXT_MAX))
        .transpose()?;
    Ok((title, description, checked_url(url)?))
}

/// A bulk's outcome as the single upsert of its one item: its row, or its error.
pub fn single<T>(result: BulkResult<T>) -> ApiResult<(T, Upserted)> {
    match result {
        Ok(mut rows) if rows.len() == 1 => Ok(rows.remove(0)),
        Ok(_) => Err(ApiError::internal(anyhow::anyhow!(
            "an upsert of one item did not answer with one row"
        ))),
        Err(mut errors) if !errors.is_empty() => Err(errors.remove(0).error),
        Err(_) => Err(ApiError::internal(anyhow::anyhow!(
            "an upsert failed without naming why"
        ))),
    }
}

/// When every item of a bulk is FORBIDDEN, the caller may not write any of them: the
/// whole request is FORBIDDEN (a token without the scope, a VIEWER).
pub fn forbidden_throughout(items: usize, errors: &[ItemError]) -> bool {
    errors.len() == items
        && errors
            .iter()
            .all(|e| matches!(e.error, ApiError::Forbidden))
}

/// Whether `e` is a unique violation: a concurrent writer inserted the same key first.
fn lost_race(e: &ApiError) -> bool {
    match e {
        ApiError::Internal(cause) => matches!(
            cause.downcast_ref::<DbErr>().and_then(DbErr::sql_err),
            Some(SqlErr::UniqueConstraintViolation(_))
        ),
        _ => false,
    }
}

/// Runs one attempt of an upsert, and again (up to 3 times) when it lost a race to
/// insert the same new external reference: the next attempt finds that row.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> ApiResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    for _ in 1..ATTEMPTS {
        match attempt().await {
            Err(e) if lost_race(&e) => {
                tracing::debug!("an upsert lost a race to insert a reference; trying again")
            }
            done => return done,
        }
    }
    attempt().await.map_err(|e| {
        if lost_race(&e) {
            ApiError::Conflict("the same objects were written at the same time; try again".into())
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(source: &str, id: &str) -> ExternalKey {
        ExternalKey {
            source: source.into(),
            id: id.into(),
        }
    }

    #[test]
    fn a_bulk_holds_one_to_a_thousand_items() {
        assert!(check_size(1).is_ok() && check_size(MAX_BULK).is_ok());
        for n in [0, MAX_BULK + 1] {
            let e = check_size(n).unwrap_err();
            assert_eq!(e.code(), "BAD_USER_INPUT", "{n} items");
        }
    }

    #[test]
    fn a_repeated_or_empty_key_is_an_error_of_its_own_item() {
        let mut errors = Vec::new();
        let keys = [key("jira", "A-1"), key("jira", " "), key("jira", "A-1 ")];
        let checked = checked_keys(&keys, &mut errors);
        assert_eq!(checked[0], Some(key("jira", "A-1")));
        assert_eq!(checked[1], None);
        assert_eq!(checked[2], None, "trimmed, it repeats item 0");
        let at: Vec<usize> = errors.iter().map(|e| e.index).collect();
        assert_eq!(at, [1, 2]);
    }
}
