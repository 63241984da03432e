//! The change feed: what changed in the organisation, in commit order, from an opaque
//! cursor (issue 13). Entries are written by every [`crate::domain::journal::Write`] in
//! the same transaction as the change.
//!
//! Order and completeness: entries are read in `(tx, seq)` order. On PostgreSQL `tx` is
//! the writing transaction's id and a read stops before the oldest write transaction
//! still running in this database ([`BOUND`]), so a transaction that commits after a
//! reader passed its neighbours is never skipped: it was not visible yet, and the cursor
//! had not moved past it. Transactions of other databases on the same server cannot
//! write this change log, so they hold nothing back. SQLite has one writer at a time, so
//! its sequence is its commit order.
//!
//! Retention: entries older than the retention window are deleted; a cursor issued
//! before the window is refused with BAD_USER_INPUT, telling the client to resync.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use entity::{change_log, change_log_pruned};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};

use super::service::IntegrationService;
use uuid::Uuid;

use crate::{
    auth::Actor,
    db::{begin_write, now, placeholders},
    error::{ApiError, ApiResult},
    pagination::MAX_PAGE_SIZE,
};

/// Entries per page when the client names no `first`.
pub const DEFAULT_CHANGES: u64 = 100;

/// Entries older than the retention window are deleted this much later, so that a
/// cursor issued just inside the window still finds every entry after it.
const PRUNE_GRACE: chrono::Duration = chrono::Duration::days(1);

/// PostgreSQL: the id below which every transaction that could write this change log
/// has ended. It is the oldest transaction id still running in this database (the
/// snapshot's in-progress ids, matched by their low 32 bits with the `backend_xid` of
/// this database's sessions), or, with none, the next id to be assigned. Read in a
/// statement of its own, before the entries: a transaction still running when the
/// snapshot was taken but ended before the sessions were read is not counted, and the
/// entries' later statement sees its commit.
const BOUND: &str = "WITH s AS (SELECT pg_current_snapshot() AS snap) \
     SELECT COALESCE( \
       (SELECT min(x::text::bigint) FROM s, pg_snapshot_xip(s.snap) AS x \
        WHERE x::text::bigint % 4294967296 IN ( \
          SELECT backend_xid::text::bigint FROM pg_stat_activity \
          WHERE datname = current_database() AND backend_xid IS NOT NULL)), \
       (SELECT pg_snapshot_xmax(s.snap)::text::bigint FROM s)) AS bound";

/// Where a reader is in the change log: after `(tx, seq)`, as of `issued`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    tx: i64,
    seq: i64,
    issued: DateTime<Utc>,
}

impl Position {
    fn encode(&self) -> String {
        // Serialising three plain fields cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(cursor: &str) -> ApiResult<Self> {
        URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .ok_or_else(|| ApiError::bad_input("since", "since is not a cursor of changes"))
    }
}

/// One page of the change feed.
#[derive(Debug, Clone)]
pub struct ChangePage {
    pub entries: Vec<change_log::Model>,
    /// Where to go on from: pass it as `since` next time (also when nothing changed).
    pub cursor: String,
    /// More entries are already there past this page.
    pub has_more: bool,
}

impl IntegrationService {
    /// What changed after `since` (from the oldest kept entry without one), at most
    /// `first` entries (1–100).
    pub async fn changes(
        &self,
        actor: &Actor,
        since: Option<&str>,
        first: Option<i32>,
    ) -> ApiResult<ChangePage> {
        let limit = match first {
            None => DEFAULT_CHANGES,
            Some(n) if (1..=MAX_PAGE_SIZE as i32).contains(&n) => n as u64,
            Some(_) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("first must be between 1 and {MAX_PAGE_SIZE}"),
                ))
            }
        };
        let now = now();
        let from = match since {
            Some(c) => {
                let p = Position::decode(c)?;
                let window = chrono::Duration::from_std(self.retention).unwrap_or(PRUNE_GRACE);
                if p.issued < now - window {
                    return Err(ApiError::bad_input(
                        "since",
                        format!(
                            "the cursor is older than the change log keeps ({} days): read \
                             every list again (updatedSince can help), then follow changes \
                             from a new cursor",
                            window.num_days()
                        ),
                    ));
                }
                let pruned = change_log_pruned::Entity::find_by_id(actor.org_id())
                    .one(&self.db)
                    .await?;
                if pruned.is_some_and(|w| (p.tx, p.seq) < (w.tx, w.seq)) {
                    return Err(ApiError::bad_input(
                        "since",
                        "changes after this cursor were deleted past the change log's \
                         retention: read every list again, then follow changes from a new \
                         cursor",
                    ));
                }
                (p.tx, p.seq)
            }
            None => (i64::MIN, i64::MIN),
        };
        let mut q = change_log::Entity::find()
            .filter(change_log::Column::OrganizationId.eq(actor.org_id()))
            .filter(
                Condition::any().add(change_log::Column::Tx.gt(from.0)).add(
                    Condition::all()
                        .add(change_log::Column::Tx.eq(from.0))
                        .add(change_log::Column::Seq.gt(from.1)),
                ),
            );
        if self.db.get_database_backend() == DbBackend::Postgres {
            // Only transactions that have ended: an older one still running may yet
            // commit entries that sort before the ones after it.
            let row = self
                .db
                .query_one_raw(Statement::from_string(DbBackend::Postgres, BOUND))
                .await?
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no transaction bound")))?;
            let bound: i64 = row.try_get("", "bound")?;
            q = q.filter(change_log::Column::Tx.lt(bound));
        }
        let mut entries = q
            .order_by_asc(change_log::Column::Tx)
            .order_by_asc(change_log::Column::Seq)
            .limit(limit + 1)
            .all(&self.db)
            .await?;
        let has_more = entries.len() as u64 > limit;
        entries.truncate(limit as usize);
        let last = entries.last().map_or(from, |e| (e.tx, e.seq));
        let cursor = Position {
            tx: last.0,
            seq: last.1,
            issued: now,
        }
        .encode();
        Ok(ChangePage {
            entries,
            cursor,
            has_more,
        })
    }

    /// Deletes the change log entries past the retention window (and its grace day).
    /// Every server runs it now and then; running it twice deletes nothing more.
    ///
    /// Each organisation's newest deleted position is kept (`change_log_pruned`): a
    /// cursor before it may have missed an entry, and is refused whatever it says of
    /// itself.
    pub async fn prune_changes(&self) -> ApiResult<u64> {
        let window = chrono::Duration::from_std(self.retention).unwrap_or(PRUNE_GRACE);
        let cutoff = now() - window - PRUNE_GRACE;
        let backend = self.db.get_database_backend();
        let txn = begin_write(&self.db).await?;
        let newest = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    "SELECT organization_id, tx, seq FROM ( \
                       SELECT organization_id, tx, seq, ROW_NUMBER() OVER ( \
                         PARTITION BY organization_id ORDER BY tx DESC, seq DESC) AS rn \
                       FROM change_log WHERE occurred_at < $1) newest WHERE rn = 1",
                ),
                [cutoff.into()],
            ))
            .await?;
        for row in newest {
            let org: Uuid = row.try_get("", "organization_id")?;
            let tx: i64 = row.try_get("", "tx")?;
            let seq: i64 = row.try_get("", "seq")?;
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    "INSERT INTO change_log_pruned (organization_id, tx, seq) VALUES ($1, $2, $3) \
                     ON CONFLICT (organization_id) DO UPDATE SET \
                     tx = CASE WHEN excluded.tx > change_log_pruned.tx OR (excluded.tx = change_log_pruned.tx \
                       AND excluded.seq > change_log_pruned.seq) THEN excluded.tx ELSE change_log_pruned.tx END, \
                     seq = CASE WHEN excluded.tx > change_log_pruned.tx OR (excluded.tx = change_log_pruned.tx \
                       AND excluded.seq > change_log_pruned.seq) THEN excluded.seq ELSE change_log_pruned.seq END",
                ),
                [org.into(), tx.into(), seq.into()],
            ))
            .await?;
        }
        let done = change_log::Entity::delete_many()
            .filter(change_log::Column::OccurredAt.lt(cutoff))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(done.rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_round_trips_and_garbage_is_bad_input() {
        let p = Position {
            tx: 7,
            seq: 42,
            issued: now(),
        };
        assert_eq!(Position::decode(&p.encode()).unwrap(), p);
        let err = Position::decode("not a cursor").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
