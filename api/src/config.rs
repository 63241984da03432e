//! Server configuration: flags or environment variables (DESIGN §6).

use std::{net::SocketAddr, time::Duration};

use secrecy::SecretString;

/// Pool size of `northstar serve` unless told otherwise (`--db-max-connections`).
pub const DEFAULT_DB_MAX_CONNECTIONS: u32 = 20;
/// Largest request body unless told otherwise (`--body-limit`): 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Requests per minute per API token unless told otherwise (`--token-rate-limit`).
pub const DEFAULT_TOKEN_RATE_LIMIT: u64 = 600;
/// Days the change log keeps unless told otherwise (`--change-retention-days`).
pub const DEFAULT_CHANGE_RETENTION_DAYS: u32 = 30;

/// How `northstar serve` runs. Tests build it directly, never through the environment.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "NORTHSTAR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://path?mode=rwc` (created on first run) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://northstar.db?mode=rwc"
    )]
    pub database_url: String,

    /// Secret that signs access tokens (HS256). Without it a random one is generated at
    /// start, and every token dies with the process.
    #[arg(long, env = "NORTHSTAR_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,

    /// Browser origins allowed by CORS, comma-separated (`*` for any). Empty: no CORS.
    #[arg(long, env = "NORTHSTAR_CORS_ORIGINS", value_delimiter = ',', num_args = 0..)]
    pub cors_origins: Vec<String>,

    /// Largest request body accepted, in bytes. The default holds a 1,000-item bulk
    /// upsert with long titles and descriptions.
    #[arg(long, env = "NORTHSTAR_BODY_LIMIT", default_value_t = DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,

    /// Time a request may take before it is cut off, in seconds.
    #[arg(long, env = "NORTHSTAR_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "NORTHSTAR_WORKERS")]
    pub workers: Option<usize>,

    /// Largest number of pooled database connections. A statement holds its connection
    /// until its worker gets back to read the rows, which under load is later than the
    /// database answers; with 10, a 2-core server waited for connections with its CPU
    /// 15% idle (bench/RESULTS.md).
    #[arg(long, env = "NORTHSTAR_DB_MAX_CONNECTIONS", default_value_t = DEFAULT_DB_MAX_CONNECTIONS)]
    pub db_max_connections: u32,

    /// Requests an API token may make per minute, shared by every server on the
    /// database. Over it, RATE_LIMITED with `retryAfter`. The default leaves room for a
    /// 1,000-item bulk upsert every second with its reads.
    #[arg(long, env = "NORTHSTAR_TOKEN_RATE_LIMIT", default_value_t = DEFAULT_TOKEN_RATE_LIMIT)]
    pub token_rate_limit: u64,

    /// Days the change log keeps an entry (`changes(since:)`); an older cursor is
    /// refused and the client resyncs.
    #[arg(long, env = "NORTHSTAR_CHANGE_RETENTION_DAYS", default_value_t = DEFAULT_CHANGE_RETENTION_DAYS)]
    pub change_retention_days: u32,
}

impl Config {
    /// The defaults of `northstar serve` for the given database.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            database_url: database_url.into(),
            jwt_secret: None,
            cors_origins: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout_secs: 30,
            workers: None,
            db_max_connections: DEFAULT_DB_MAX_CONNECTIONS,
            token_rate_limit: DEFAULT_TOKEN_RATE_LIMIT,
            change_retention_days: DEFAULT_CHANGE_RETENTION_DAYS,
        }
    }

    /// How long the change log keeps an entry.
    pub fn change_retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.change_retention_days) * 24 * 3600)
    }

    /// The request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}
