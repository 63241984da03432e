//! The integrations service: one struct for API tokens, the change feed and the audit
//! log, whose methods live beside what they serve (`tokens`, `changes`, `audit`).

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::events::EventBus;

/// API tokens, the change feed and the audit log.
#[derive(Clone)]
pub struct IntegrationService {
    pub(super) db: DatabaseConnection,
    pub(super) events: EventBus,
    /// How long the change log keeps an entry (`--change-retention-days`).
    pub(super) retention: Duration,
}

impl IntegrationService {
    pub(crate) fn new(db: DatabaseConnection, events: EventBus, retention: Duration) -> Self {
        Self {
            db,
            events,
            retention,
        }
    }
}
