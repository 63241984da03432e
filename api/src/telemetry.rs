//! Logging: `RUST_LOG` filters; one line per event, with the request span's fields.

use tracing_subscriber::{fmt, EnvFilter};

/// Starts logging to stderr. Call once, at the edge (the binary or a test harness).
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
