//! The integrations service: one struct for API tokens, the change feed and the audit
//! log, whose methods live beside what they serve (`tokens`, `changes`, `audit`).

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::{events::EventBus, rate_limit::RateLimiter};

/// API tokens, the change feed and the audit log.
#[derive(Clone)]
pub struct IntegrationService {
    pub(super) db: DatabaseConnection,
    pub(super) events: EventBus,
    /// How long the change log keeps an entry (`--change-retention-days`).
    pub(super) retention: Duration,
    /// Where tokens' budgets are counted.
    pub(super) limiter: RateLimiter,
    /// Requests per minute per token (`--token-rate-limit`).
    pub(super) token_rate_limit: u64,
}

/// How the integrations service is set up.
#[derive(Debug, Clone, Copy)]
pub struct IntegrationSettings {
    /// How long the change log keeps an entry.
    pub change_retention: Duration,
    /// Requests per minute per API token.
    pub token_rate_limit: u64,
}

impl IntegrationService {
    pub(crate) fn new(
        db: DatabaseConnection,
        events: EventBus,
        settings: IntegrationSettings,
    ) -> Self {
        Self {
            limiter: RateLimiter::new(db.clone()),
            db,
            events,
            retention: settings.change_retention,
            token_rate_limit: settings.token_rate_limit,
        }
    }
}
