//! A KPI's ends — its latest and its first measurement — kept on its own row, from
//! which the database derives `attainment` (migration `m20261207_000010_kpi_ends`).
//!
//! Two ways to move them, each one `UPDATE … RETURNING` of the KPI's row:
//!
//! - [`extend`], after measurements were only added: each end moves to the newest
//!   (or oldest) added one if that comes after (or before) it. The comparison is made in
//!   SQL against the row as it is when the statement runs, so it is the last statement
//!   of a recording, its row lock held only until the commit: concurrent recordings of
//!   one KPI never wait on each other's round trips, and none loses the latest
//!   (PostgreSQL re-evaluates the `SET` on the newest version of a row it waited for).
//! - [`recompute`], after a measurement changed or went: both ends read again from the
//!   measurements (two index probes), once the KPI's row is locked and every write
//!   before is committed.

use chrono::{DateTime, Utc};
use entity::{kpi, kpi_measurement};
use sea_orm::{
    sea_query::{Expr, ExprTrait, SimpleExpr, UpdateStatement},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait,
};
use uuid::Uuid;

#[cfg(doc)]
use crate::domain::tenant::lock_in_org;
use crate::error::{ApiError, ApiResult};

/// A measurement as an end of its KPI: its place in the order (time, then id) and
/// its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct End {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub value: f64,
}

impl End {
    pub fn of(m: &kpi_measurement::Model) -> Self {
        Self {
            id: m.id,
            at: m.recorded_at,
            value: m.value,
        }
    }

    fn key(&self) -> (DateTime<Utc>, Uuid) {
        (self.at, self.id)
    }
}

/// The newest and the oldest of `added` (measurements of one KPI), or `None` for none.
pub(super) fn span(added: impl IntoIterator<Item = End>) -> Option<(End, End)> {
    added.into_iter().fold(None, |acc, e| match acc {
        None => Some((e, e)),
        Some((newest, oldest)) => Some((
            if e.key() > newest.key() { e } else { newest },
            if e.key() < oldest.key() { e } else { oldest },
        )),
    })
}

/// Whether `end` comes after (`later`) or before the end stored in `id`/`at`, or there
/// is none yet.
fn moves(id: kpi::Column, at: kpi::Column, end: &End, later: bool) -> SimpleExpr {
    let (beyond, tie) = if later {
        (Expr::col(at).lt(end.at), Expr::col(id).lt(end.id))
    } else {
        (Expr::col(at).gt(end.at), Expr::col(id).gt(end.id))
    };
    Expr::col(id)
        .is_null()
        .or(beyond)
        .or(Expr::col(at).eq(end.at).and(tie))
}

/// `column` set to `value` where `cond` holds, else left as it is.
fn pick(column: kpi::Column, cond: &SimpleExpr, value: impl Into<SimpleExpr>) -> SimpleExpr {
    Expr::case(cond.clone(), value.into())
        .finally(Expr::col(column))
        .into()
}

/// Moves the ends of the KPI `id` to take in measurements that were only added, whose
/// newest is `newest` and oldest `oldest` ([`span`]), and marks it changed at `at`.
/// `None` when the KPI is archived (or gone): the caller rolls back.
pub(super) async fn extend<C: ConnectionTrait>(
    db: &C,
    org: Uuid,
    id: Uuid,
    span: (End, End),
    at: DateTime<Utc>,
) -> ApiResult<Option<kpi::Model>> {
    let mut update = extend_query(org, id, span, at);
    update
        .and_where(Expr::col(kpi::Column::ArchivedAt).is_null())
        .returning_all();
    let stmt = db.get_database_backend().build(&update);
    Ok(kpi::Entity::find().from_raw_sql(stmt).one(db).await?)
}

/// The `UPDATE` of [`extend`], without its `RETURNING` nor the archive filter.
pub(super) fn extend_query(
    org: Uuid,
    id: Uuid,
    (newest, oldest): (End, End),
    at: DateTime<Utc>,
) -> UpdateStatement {
    use kpi::Column as K;
    let later = moves(K::LatestMeasurementId, K::LatestRecordedAt, &newest, true);
    let earlier = moves(K::FirstMeasurementId, K::FirstRecordedAt, &oldest, false);
    kpi::Entity::update_many()
        // Each right-hand side reads the row as it was before this statement.
        .col_expr(
            K::LatestMeasurementId,
            pick(K::LatestMeasurementId, &later, newest.id),
        )
        .col_expr(
            K::LatestRecordedAt,
            pick(K::LatestRecordedAt, &later, newest.at),
        )
        .col_expr(K::LatestValue, pick(K::LatestValue, &later, newest.value))
        .col_expr(
            K::FirstMeasurementId,
            pick(K::FirstMeasurementId, &earlier, oldest.id),
        )
        .col_expr(
            K::FirstRecordedAt,
            pick(K::FirstRecordedAt, &earlier, oldest.at),
        )
        .col_expr(K::FirstValue, pick(K::FirstValue, &earlier, oldest.value))
        .col_expr(K::UpdatedAt, Expr::value(at))
        .filter(K::OrganizationId.eq(org))
        .filter(K::Id.eq(id))
        .into_query()
}

/// One end of the KPI's measurements, as a correlated subquery on the KPI's row:
/// `column` of the latest (`DESC`) or first (`ASC`) one.
fn end_of(column: &str, dir: &str) -> SimpleExpr {
    Expr::cust(format!(
        r#"(SELECT "m"."{column}" FROM "kpi_measurement" AS "m" WHERE "m"."organization_id" = "kpi"."organization_id" AND "m"."kpi_id" = "kpi"."id" ORDER BY "m"."recorded_at" {dir}, "m"."id" {dir} LIMIT 1)"#
    ))
}

/// Reads both ends of the KPI `id` again from its measurements, and marks it changed
/// at `at`. The KPI must be locked first in this write ([`lock_in_org`]), after every
/// write before it committed: then this statement reads all of its measurements.
pub(super) async fn recompute<C: ConnectionTrait>(
    db: &C,
    org: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<kpi::Model> {
    use kpi::Column as K;
    let rows = kpi::Entity::update_many()
        .col_expr(K::LatestMeasurementId, end_of("id", "DESC"))
        .col_expr(K::LatestRecordedAt, end_of("recorded_at", "DESC"))
        .col_expr(K::LatestValue, end_of("value", "DESC"))
        .col_expr(K::FirstMeasurementId, end_of("id", "ASC"))
        .col_expr(K::FirstRecordedAt, end_of("recorded_at", "ASC"))
        .col_expr(K::FirstValue, end_of("value", "ASC"))
        .col_expr(K::UpdatedAt, Expr::value(at))
        .filter(K::OrganizationId.eq(org))
        .filter(K::Id.eq(id))
        .exec_with_returning(db)
        .await?;
    rows.into_iter().next().ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn end(secs: i64, id: u128) -> End {
        End {
            id: Uuid::from_u128(id),
            at: Utc.timestamp_opt(secs, 0).unwrap(),
            value: secs as f64,
        }
    }

    #[test]
    fn span_takes_the_newest_and_the_oldest_by_time_then_id() {
        assert_eq!(span([]), None);
        let (a, b, c, d) = (end(10, 1), end(30, 2), end(20, 3), end(30, 1));
        assert_eq!(span([a]), Some((a, a)));
        assert_eq!(span([a, b, c]), Some((b, a)));
        // Same time: the higher id is the later one.
        assert_eq!(span([d, b, c]), Some((b, c)));
        assert_eq!(span([c, d, b]), Some((b, c)));
    }
}
