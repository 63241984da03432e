//! Live events for subscriptions. One node: an in-process broadcast. PostgreSQL: every
//! event goes through `NOTIFY`, and each node `LISTEN`s and rebroadcasts to its own
//! subscribers, so any number of API nodes on one database behave as one (DESIGN §5).

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

/// The PostgreSQL channel events travel on.
pub const CHANNEL: &str = "northstar_events";

/// What changed, for whom: subscribers filter on `org` and `topic`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub org: Uuid,
    /// The object whose subscribers hear of it (e.g. a roadmap alignment).
    pub topic: Uuid,
    /// What happened, e.g. "ITEM_ADDED".
    pub kind: String,
    /// Who did it.
    pub actor: Option<Uuid>,
    /// The object the change was about within the topic (e.g. the item), if any.
    pub subject: Option<Uuid>,
    /// Whether the change cleared the sign-offs of a roadmap alignment.
    #[serde(default)]
    pub sign_offs_cleared: bool,
    pub at: DateTime<Utc>,
}

/// Publishes events and hands out subscriptions to them.
#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Event>,
    db: DatabaseConnection,
}

impl EventBus {
    /// A bus over `db`. On PostgreSQL call [`EventBus::listen`] before serving.
    pub fn new(db: DatabaseConnection) -> Self {
        let (local, _) = broadcast::channel(1024);
        Self { local, db }
    }

    fn postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// Every event from now on (slow subscribers skip what they missed).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// Publishes an event after the change it describes is committed. A failure to
    /// publish is logged: the change itself stands.
    pub async fn publish(&self, event: Event) {
        if !self.postgres() {
            let _ = self.local.send(event);
            return;
        }
        let payload = match serde_json::to_string(&event) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "serialising an event");
                return;
            }
        };
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(e) = self.db.execute_raw(stmt).await {
            tracing::error!(error = %e, "publishing an event");
        }
    }

    /// PostgreSQL: listens on [`CHANNEL`] (connected when this returns) and rebroadcasts
    /// every notification to this node's subscribers; reconnects after a failure.
    pub async fn listen(&self, database_url: &str) -> anyhow::Result<()> {
        use sea_orm::sqlx::postgres::PgListener;
        if !self.postgres() {
            return Ok(());
        }
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen(CHANNEL).await?;
        let local = self.local.clone();
        let url: Arc<str> = database_url.into();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => match serde_json::from_str::<Event>(n.payload()) {
                        Ok(event) => {
                            let _ = local.send(event);
                        }
                        Err(e) => tracing::warn!(error = %e, "an unreadable event"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        match PgListener::connect(&url).await {
                            Ok(mut l) => {
                                if l.listen(CHANNEL).await.is_ok() {
                                    listener = l;
                                }
                            }
                            Err(e) => tracing::warn!(error = %e, "event listener cannot reconnect"),
                        }
                    }
                }
            }
        });
        Ok(())
    }
}
