//! Database connection and migrations, for SQLite and PostgreSQL alike.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Counts every SQL statement the server runs. Served as a metric, and read by the
/// tests that prove a nested query costs a fixed number of statements.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(pub(crate) prometheus_client::metrics::counter::Counter);

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

/// Connects to the database named by `url`, creating a SQLite file if needed.
pub async fn connect(
    url: &str,
    max_connections: u32,
) -> Result<(DatabaseConnection, StatementCounter), DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings a pooled connection on every acquire by default: a second round
        // trip per statement, which halved throughput in the benchmark. Only a
        // connection idle long enough to have been dropped by the server is tested.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time: wait for the lock instead of failing with SQLITE_BUSY;
        // WAL lets readers go on while a write is under way.
        options.map_sqlx_sqlite_opts(|o| {
            o.busy_timeout(Duration::from_secs(10))
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .create_if_missing(true)
        });
    }
    let mut db = Database::connect(options).await?;
    let counter = StatementCounter::default();
    let c = counter.0.clone();
    db.set_metric_callback(move |info| {
        c.inc();
        tracing::trace!(target: "northstar::sql", elapsed = ?info.elapsed, failed = info.failed, sql = %info.statement.sql);
    });
    Ok((db, counter))
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes waits for other
/// writers (busy timeout) instead of failing with "database is locked" when another
/// connection committed in between. PostgreSQL ignores the mode; there, invariants
/// that span rows take row locks (`domain::tenant::lock_in_org`).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// `sql` with PostgreSQL's `$1, $2, …` written as SQLite's `?` (the parameters are in
/// order).
pub fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend == DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The current time, cut to microseconds: what PostgreSQL stores, so a value read back
/// equals the one written (cursors and `updatedSince` compare them).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
