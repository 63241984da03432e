//! Keyset (cursor) pagination for every list, top-level and nested (DESIGN §3: Relay
//! connections, page size capped at 100). Services use it; it knows nothing of GraphQL.
//!
//! A cursor is the sort key and the id of the row it points at, so a page never skips
//! or repeats rows when rows are added meanwhile. Nested pages (the squads of each of
//! 50 teams) are one statement that cuts per parent in SQL: on PostgreSQL a `LATERAL`
//! join runs one index-ordered `LIMIT` per parent (a KPI with 10,000 measurements
//! costs its first page, not its history); on SQLite, which has no `LATERAL`, each
//! parent's page is a correlated `LIMIT` that an index serves as well.

use std::collections::HashMap;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Order as SqlOrder, Query, ValueTuple},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Page size when the client names none.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// What the client asked for: `first`/`after` forwards, `last`/`before` backwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// One page of rows, each with its cursor.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

impl<T> Page<T> {
    /// A page with nothing on it.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            has_previous_page: false,
            has_next_page: false,
        }
    }

    /// The same page with its rows turned into something else.
    pub fn map<U>(self, f: impl Fn(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(c, t)| (c, f(t))).collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
        }
    }
}

/// The value of a sort column, as kept in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
    Float(f64),
    /// A calendar date: compared as a date, which PostgreSQL does not do with text.
    Date(NaiveDate),
}

impl From<SortValue> for Value {
    fn from(v: SortValue) -> Self {
        match v {
            SortValue::Text(s) => s.into(),
            SortValue::Time(t) => t.into(),
            SortValue::Int(i) => i.into(),
            SortValue::Float(f) => f.into(),
            SortValue::Date(d) => d.into(),
        }
    }
}

/// How a list is ordered: one column, then the id to break ties.
pub struct Order<E: EntityTrait> {
    pub column: E::Column,
    pub id: E::Column,
    pub descending: bool,
    /// Reads the sort value of a row, for its cursor.
    pub key: fn(&E::Model) -> SortValue,
    /// Reads the id of a row.
    pub id_of: fn(&E::Model) -> Uuid,
}

impl<E: EntityTrait> Clone for Order<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E: EntityTrait> Copy for Order<E> {}

/// What a cursor holds: the sort column it was made for, that column's value and the
/// row's id.
#[derive(Serialize, Deserialize)]
pub struct CursorData {
    c: String,
    k: SortValue,
    i: Uuid,
}

/// [`CursorData`] borrowed, to encode.
#[derive(Serialize)]
struct CursorRef<'a> {
    c: &'a str,
    k: &'a SortValue,
    i: Uuid,
}

/// Where a row is in the order of its list. It is encoded (into the opaque string
/// clients see) only when a client asks for the cursor: most queries select `nodes`
/// and no cursor at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    column: &'static str,
    key: SortValue,
    id: Uuid,
}

impl Cursor {
    /// The opaque string a client sends back as `after` or `before`.
    pub fn encode(&self) -> String {
        encode_cursor(self.column, &self.key, self.id)
    }
}

/// The opaque cursor of the row `i` whose sort column `c` holds `k`.
pub fn encode_cursor(c: &str, k: &SortValue, i: Uuid) -> String {
    let json = serde_json::to_vec(&CursorRef { c, k, i }).expect("cursor serialises");
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor(s: &str, field: &'static str) -> ApiResult<CursorData> {
    URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| ApiError::bad_input(field, "invalid cursor"))
}

/// The checked form of [`PageArgs`].
struct Window {
    limit: u64,
    backward: bool,
    after: Option<(CursorData, &'static str)>,
    before: Option<(CursorData, &'static str)>,
}

impl PageArgs {
    fn window(&self) -> ApiResult<Window> {
        fn size(v: Option<i32>, field: &'static str) -> ApiResult<Option<u64>> {
            match v {
                Some(n) if n < 0 || n as u64 > MAX_PAGE_SIZE => Err(ApiError::bad_input(
                    field,
                    format!("{field} must be between 0 and {MAX_PAGE_SIZE}"),
                )),
                v => Ok(v.map(|n| n as u64)),
            }
        }
        let first = size(self.first, "first")?;
        let last = size(self.last, "last")?;
        if first.is_some() && last.is_some() {
            return Err(ApiError::bad_input("last", "give first or last, not both"));
        }
        Ok(Window {
            limit: first.or(last).unwrap_or(DEFAULT_PAGE_SIZE),
            backward: last.is_some(),
            after: self
                .after
                .as_deref()
                .map(|c| decode_cursor(c, "after").map(|d| (d, "after")))
                .transpose()?,
            before: self
                .before
                .as_deref()
                .map(|c| decode_cursor(c, "before").map(|d| (d, "before")))
                .transpose()?,
        })
    }
}

impl<E: EntityTrait> Order<E> {
    /// Rows strictly after (`later`) or before the cursor, in this order.
    fn beyond(&self, c: &CursorData, later: bool) -> Condition {
        let v: Value = c.k.clone().into();
        let up = later != self.descending;
        let (past, past_id) = if up {
            (self.column.gt(v.clone()), self.id.gt(c.i))
        } else {
            (self.column.lt(v.clone()), self.id.lt(c.i))
        };
        Condition::any()
            .add(past)
            .add(Condition::all().add(self.column.eq(v)).add(past_id))
    }

    fn sql_order(&self, backward: bool) -> SqlOrder {
        if self.descending != backward {
            SqlOrder::Desc
        } else {
            SqlOrder::Asc
        }
    }

    fn cursor(&self, m: &E::Model) -> Cursor {
        Cursor {
            column: self.column.as_str(),
            key: (self.key)(m),
            id: (self.id_of)(m),
        }
    }

    /// Rows between the window's cursors. A cursor made for another order (another
    /// sort column) points nowhere in this one: BAD_USER_INPUT.
    fn restrict(&self, mut select: Select<E>, w: &Window) -> ApiResult<Select<E>> {
        for (cursor, later) in [(&w.after, true), (&w.before, false)] {
            if let Some((c, field)) = cursor {
                if c.c != self.column.as_str() {
                    return Err(ApiError::bad_input(
                        *field,
                        format!("{field} is a cursor of a list in another order"),
                    ));
                }
                select = select.filter(self.beyond(c, later));
            }
        }
        Ok(select)
    }

    fn page_of(&self, mut rows: Vec<E::Model>, w: &Window) -> Page<E::Model> {
        let more = rows.len() as u64 > w.limit;
        rows.truncate(w.limit as usize);
        if w.backward {
            rows.reverse();
        }
        Page {
            items: rows.into_iter().map(|m| (self.cursor(&m), m)).collect(),
            has_previous_page: if w.backward { more } else { w.after.is_some() },
            has_next_page: if w.backward { w.before.is_some() } else { more },
        }
    }
}

/// One page of `select` in `order`.
pub async fn paginate<E, C>(
    db: &C,
    select: Select<E>,
    order: Order<E>,
    args: &PageArgs,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let w = args.window()?;
    if w.limit == 0 {
        return Ok(Page::empty());
    }
    let dir = order.sql_order(w.backward);
    let rows = order
        .restrict(select, &w)?
        .order_by(order.column, dir.clone())
        .order_by(order.id, dir)
        .limit(w.limit + 1)
        .all(db)
        .await?;
    Ok(order.page_of(rows, &w))
}

/// How many rows `select` has in all.
pub async fn count<E, C>(db: &C, select: Select<E>) -> ApiResult<u64>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    Ok(select.count(db).await?)
}

/// One page per parent, in a single statement: rows of `select` whose `parent` column is
/// one of `parents`, each parent's page cut in SQL by an index-ordered `LIMIT`.
pub async fn paginate_grouped<E, C>(
    db: &C,
    select: Select<E>,
    parent: E::Column,
    parent_of: fn(&E::Model) -> Uuid,
    parents: &[Uuid],
    order: Order<E>,
    args: &PageArgs,
) -> ApiResult<HashMap<Uuid, Page<E::Model>>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let w = args.window()?;
    let mut pages: HashMap<Uuid, Page<E::Model>> =
        parents.iter().map(|p| (*p, Page::empty())).collect();
    if w.limit == 0 || parents.is_empty() {
        return Ok(pages);
    }
    // One row past the page tells whether there is a next (or previous) one.
    let rows = grouped_rows(db, select, parent, parents, &order, &w, w.limit + 1).await?;
    let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(parent_of(&row)).or_default().push(row);
    }
    for (p, rows) in grouped {
        pages.insert(p, order.page_of(rows, &w));
    }
    Ok(pages)
}

/// Up to `per_parent` rows of each parent within the window, grouped by parent and in
/// the window's order within each.
async fn grouped_rows<E, C>(
    db: &C,
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    order: &Order<E>,
    w: &Window,
    per_parent: u64,
) -> ApiResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let stmt = if backend == DbBackend::Postgres {
        lateral(backend, select, parent, parents, order, w, per_parent)?
    } else {
        limited_in(backend, select, parent, parents, order, w, per_parent)?
    };
    Ok(E::find().from_raw_sql(stmt).all(db).await?)
}

/// The rows of each parent's page through a `LATERAL` join (PostgreSQL): one
/// index-ordered `LIMIT` per parent,
/// `SELECT "ns_c".* FROM (VALUES ($1), …) AS "ns_p" JOIN LATERAL (SELECT … WHERE parent =
/// "ns_p"."column1" ORDER BY … LIMIT n) AS "ns_c" ON TRUE`.
fn lateral<E: EntityTrait>(
    backend: DbBackend,
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    order: &Order<E>,
    w: &Window,
    per_parent: u64,
) -> ApiResult<sea_orm::Statement> {
    let sql_order = order.sql_order(w.backward);
    let p = Alias::new("ns_p");
    let inner = order
        .restrict(
            select.filter(Expr::col(parent).equals((p.clone(), Alias::new("column1")))),
            w,
        )?
        .order_by(order.column, sql_order.clone())
        .order_by(order.id, sql_order.clone())
        .limit(per_parent)
        .into_query();
    let c = Alias::new("ns_c");
    let outer = Query::select()
        .column((c.clone(), Asterisk))
        .from_values(
            parents.iter().map(|id| ValueTuple::One(Value::from(*id))),
            p,
        )
        .join_lateral(JoinType::InnerJoin, inner, c.clone(), Expr::cust("TRUE"))
        .order_by((c.clone(), Alias::new(parent.as_str())), SqlOrder::Asc)
        .order_by(
            (c.clone(), Alias::new(order.column.as_str())),
            sql_order.clone(),
        )
        .order_by((c, Alias::new(order.id.as_str())), sql_order)
        .to_owned();
    Ok(backend.build(&outer))
}

/// The rows of each parent's page on SQLite, which has no `LATERAL`: each parent's
/// ids are an index-ordered `LIMIT` in a correlated `IN`, which drives a look-up by
/// primary key, so a parent with 100,000 children costs its first page,
/// `SELECT "ns_c".* FROM (VALUES (?), …) AS "ns_p" JOIN t AS "ns_c" ON "ns_c"."id" IN
/// (SELECT "id" FROM t WHERE parent = "ns_p"."column1" … ORDER BY … LIMIT n) ORDER BY …`.
fn limited_in<E: EntityTrait>(
    backend: DbBackend,
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    order: &Order<E>,
    w: &Window,
    per_parent: u64,
) -> ApiResult<sea_orm::Statement> {
    let sql_order = order.sql_order(w.backward);
    let p = Alias::new("ns_p");
    let ids = order
        .restrict(
            select.filter(Expr::col(parent).equals((p.clone(), Alias::new("column1")))),
            w,
        )?
        .select_only()
        .column(order.id)
        .order_by(order.column, sql_order.clone())
        .order_by(order.id, sql_order.clone())
        .limit(per_parent)
        .into_query();
    let c = Alias::new("ns_c");
    // A parent named twice would bring its rows twice.
    let mut distinct = parents.to_vec();
    distinct.sort();
    distinct.dedup();
    let outer = Query::select()
        .column((c.clone(), Asterisk))
        .from_values(
            distinct.iter().map(|id| ValueTuple::One(Value::from(*id))),
            p,
        )
        .join_as(
            JoinType::InnerJoin,
            E::default(),
            c.clone(),
            Expr::col((c.clone(), Alias::new(order.id.as_str()))).in_subquery(ids),
        )
        .order_by((c.clone(), Alias::new(parent.as_str())), SqlOrder::Asc)
        .order_by(
            (c.clone(), Alias::new(order.column.as_str())),
            sql_order.clone(),
        )
        .order_by((c, Alias::new(order.id.as_str())), sql_order)
        .to_owned();
    Ok(backend.build(&outer))
}

/// How many rows of `select` each parent has, in a single statement.
pub async fn count_grouped<E, C>(
    db: &C,
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
) -> ApiResult<HashMap<Uuid, u64>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows: Vec<(Uuid, i64)> = select
        .filter(parent.is_in(parents.iter().copied()))
        .select_only()
        .column(parent)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(parent)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<Uuid, u64> = parents.iter().map(|p| (*p, 0)).collect();
    counts.extend(rows.into_iter().map(|(p, n)| (p, n as u64)));
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_outside_0_to_100_are_refused_with_the_field() {
        for (args, field) in [
            (
                PageArgs {
                    first: Some(101),
                    ..Default::default()
                },
                "first",
            ),
            (
                PageArgs {
                    first: Some(-1),
                    ..Default::default()
                },
                "first",
            ),
            (
                PageArgs {
                    last: Some(500),
                    ..Default::default()
                },
                "last",
            ),
        ] {
            match args.window() {
                Err(ApiError::BadUserInput { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{args:?}: {:?}", other.err()),
            }
        }
        assert_eq!(
            PageArgs::default().window().unwrap().limit,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(
            PageArgs {
                first: Some(100),
                ..Default::default()
            }
            .window()
            .unwrap()
            .limit,
            100
        );
    }

    #[test]
    fn a_cursor_round_trips_and_garbage_is_bad_input() {
        let id = Uuid::now_v7();
        let c = encode_cursor("name", &SortValue::Text("Payments".into()), id);
        let d = decode_cursor(&c, "after").unwrap();
        assert_eq!(
            (d.c.as_str(), d.k, d.i),
            ("name", SortValue::Text("Payments".into()), id)
        );
        assert!(matches!(
            decode_cursor("not a cursor", "after"),
            Err(ApiError::BadUserInput { field, .. }) if field == "after"
        ));
    }
}
