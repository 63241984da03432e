//! Sign-in throttling (DESIGN §3): after too many failures for one account or from one
//! address within a window, further attempts are RATE_LIMITED until the window ends.
//! Counters live in the database, so every API node enforces the same limits.

use chrono::Duration;
use entity::login_throttle;
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

use crate::{
    db::now,
    error::{ApiError, ApiResult},
};

/// The window failures are counted in.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures allowed per account within a window.
pub const MAX_ACCOUNT_FAILURES: i32 = 5;
/// Failures allowed per client address within a window (several people may share one).
pub const MAX_ADDRESS_FAILURES: i32 = 50;

/// The counters one sign-in attempt is charged to.
pub struct Attempt {
    keys: Vec<(String, i32)>,
}

impl Attempt {
    /// An attempt for `email` from `address` (if known).
    pub fn new(email: &str, address: Option<&str>) -> Self {
        let mut keys = vec![(format!("account:{email}"), MAX_ACCOUNT_FAILURES)];
        if let Some(a) = address {
            keys.push((format!("address:{a}"), MAX_ADDRESS_FAILURES));
        }
        Self { keys }
    }
}

/// RATE_LIMITED when any counter of the attempt is full in the current window.
pub async fn check(db: &DatabaseConnection, attempt: &Attempt) -> ApiResult<()> {
    let cutoff = now() - Duration::minutes(WINDOW_MINUTES);
    let rows = login_throttle::Entity::find()
        .filter(login_throttle::Column::Key.is_in(attempt.keys.iter().map(|(k, _)| k.clone())))
        .filter(login_throttle::Column::WindowStartedAt.gt(cutoff))
        .all(db)
        .await?;
    let full = rows.iter().filter(|row| {
        attempt
            .keys
            .iter()
            .any(|(k, max)| *k == row.key && row.failures >= *max)
    });
    // The counter that frees up last decides when to try again.
    if let Some(until) = full
        .map(|row| row.window_started_at + Duration::minutes(WINDOW_MINUTES))
        .max()
    {
        tracing::warn!("sign-in throttled");
        let retry_after = std::cmp::max((until - now()).num_seconds(), 1) as u64;
        return Err(ApiError::RateLimited { retry_after });
    }
    Ok(())
}

/// Counts a failed attempt: one atomic upsert per counter, restarting an expired window.
pub async fn record_failure(db: &DatabaseConnection, attempt: &Attempt) -> ApiResult<()> {
    let now = now();
    let cutoff = now - Duration::minutes(WINDOW_MINUTES);
    for (key, _) in &attempt.keys {
        let expired = Expr::col((
            login_throttle::Entity,
            login_throttle::Column::WindowStartedAt,
        ))
        .lte(cutoff);
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            key: sea_orm::Set(key.clone()),
            failures: sea_orm::Set(1),
            window_started_at: sea_orm::Set(now),
        })
        .on_conflict(
            OnConflict::column(login_throttle::Column::Key)
                .value(
                    login_throttle::Column::Failures,
                    Expr::case(expired.clone(), 1).finally(
                        Expr::col((login_throttle::Entity, login_throttle::Column::Failures))
                            .add(1),
                    ),
                )
                .value(
                    login_throttle::Column::WindowStartedAt,
                    Expr::case(expired, now).finally(Expr::col((
                        login_throttle::Entity,
                        login_throttle::Column::WindowStartedAt,
                    ))),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Forgets an account's failures after it signs in.
pub async fn clear_account(db: &DatabaseConnection, email: &str) -> ApiResult<()> {
    login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::Key.eq(format!("account:{email}")))
        .exec(db)
        .await?;
    Ok(())
}
