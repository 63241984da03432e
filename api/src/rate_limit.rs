//! Request budgets per caller and per minute, counted in the database so that every
//! server on one database spends from the same budget (issue 13: API tokens; DESIGN
//! §5). One statement per request: an upsert that starts a new window or adds to the
//! current one and returns what was spent.

use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::{db::placeholders, error::ApiResult};

/// Length of a budget's window, in seconds.
pub const WINDOW_SECS: i64 = 60;

/// What is left of a caller's budget after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests allowed per window (`X-RateLimit-Limit`).
    pub limit: u64,
    /// Requests left in this window (`X-RateLimit-Remaining`).
    pub remaining: u64,
    /// When the window ends, in seconds since the Unix epoch (`X-RateLimit-Reset`).
    pub reset_at: i64,
    /// Whether this request fits in the budget.
    pub allowed: bool,
    /// Whether this request opened the window (the first of the minute).
    pub first_in_window: bool,
}

impl Budget {
    /// Seconds until the window ends (`Retry-After`, `extensions.retryAfter`).
    pub fn retry_after(&self) -> u64 {
        (self.reset_at - epoch_secs()).max(1) as u64
    }
}

/// Spends from budgets kept in the `rate_limit` table.
#[derive(Clone)]
pub struct RateLimiter {
    db: DatabaseConnection,
}

fn epoch_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl RateLimiter {
    /// A limiter over the `rate_limit` table of `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Spends one request from `key`'s budget of `limit` per window. Requests over the
    /// budget are counted too (and refused by the caller), so a client that keeps
    /// sending does not get through early.
    pub async fn spend(&self, key: &str, limit: u64) -> ApiResult<Budget> {
        let window = epoch_secs() / WINDOW_SECS * WINDOW_SECS;
        let backend = self.db.get_database_backend();
        // The right-hand sides read the row as it was, on both databases.
        let sql = placeholders(
            backend,
            "INSERT INTO rate_limit (key, window_start, used) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             used = CASE WHEN rate_limit.window_start = excluded.window_start \
             THEN rate_limit.used + 1 ELSE 1 END, \
             window_start = excluded.window_start \
             RETURNING used",
        );
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [key.into(), window.into()],
            ))
            .await?;
        let used: i64 = match row {
            Some(r) => r.try_get("", "used")?,
            None => 1,
        };
        let used = used.max(1) as u64;
        Ok(Budget {
            limit,
            remaining: limit.saturating_sub(used),
            reset_at: window + WINDOW_SECS,
            allowed: used <= limit,
            first_in_window: used == 1,
        })
    }
}
