//! Operational metrics, served at `GET /metrics` in the Prometheus text format.
//!
//! - `northstar_graphql_requests_total`: GraphQL requests over HTTP that were executed
//!   or rejected (subscriptions are not counted).
//! - `northstar_graphql_errors_total{code}`: errors returned, by `extensions.code`.
//! - `northstar_graphql_request_duration_seconds`: time from a parsed body to a
//!   serialised answer.
//! - `northstar_db_statements_total`: SQL statements run, every pool connection alike;
//!   with the request counter it gives statements per request.

use std::time::Duration;

use prometheus_client::{
    encoding::{prometheus_text, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

use crate::db::StatementCounter;

/// The content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: String,
}

/// The server's metrics; cheap to clone (every metric is shared).
#[derive(Clone)]
pub struct Metrics {
    registry: std::sync::Arc<Registry>,
    requests: Counter,
    errors: Family<ErrorLabels, Counter>,
    duration: Histogram,
}

impl Metrics {
    /// Registers every metric, the statement counter of the pool included.
    pub fn new(statements: &StatementCounter) -> Self {
        let mut registry = Registry::with_prefix("northstar");
        let requests = Counter::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        // 1 ms to ~16 s.
        let duration = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "graphql_requests",
            "GraphQL requests over HTTP",
            requests.clone(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors returned, by extensions.code",
            errors.clone(),
        );
        registry.register(
            "graphql_request_duration_seconds",
            "Time to execute a GraphQL request and serialise its answer",
            duration.clone(),
        );
        registry.register("db_statements", "SQL statements run", statements.0.clone());
        Self {
            registry: std::sync::Arc::new(registry),
            requests,
            errors,
            duration,
        }
    }

    /// Records one request: how long it took and the codes of its errors.
    pub fn observe<'a>(&self, elapsed: Duration, error_codes: impl Iterator<Item = &'a str>) {
        self.requests.inc();
        self.duration.observe(elapsed.as_secs_f64());
        for code in error_codes {
            self.errors
                .get_or_create(&ErrorLabels {
                    code: code.to_owned(),
                })
                .inc();
        }
    }

    /// Every metric, in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_text::encode(&mut out, &self.registry);
        out
    }
}
