//! Live events for subscriptions, and revocations that end them. One node: an
//! in-process broadcast. PostgreSQL: every event and revocation goes through `NOTIFY`,
//! and each node `LISTEN`s and rebroadcasts to its own subscribers, so any number of API
//! nodes on one database behave as one (DESIGN §5).

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

/// The PostgreSQL channel events travel on.
pub const CHANNEL: &str = "northstar_events";
/// The PostgreSQL channel revocations travel on.
pub const REVOCATIONS: &str = "northstar_revocations";

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

/// A caller whose access a revocation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrincipalId {
    /// A user: deactivated, or every token of theirs revoked (token version bumped).
    User(Uuid),
    /// An API token: revoked.
    Token(Uuid),
}

/// A principal lost access, or some of its credentials did. Whatever it holds open
/// (a WebSocket connection) checks its credential against the database again at once,
/// and ends when the credential no longer holds.
///
/// The revocation is a prompt, the database the truth: so one message serves a
/// deactivation (every credential fails), a bumped token version (only tokens issued
/// before the bump fail), and a revoked API token (a principal of its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub org: Uuid,
    pub principal: PrincipalId,
    pub at: DateTime<Utc>,
}

impl Revocation {
    /// A revocation of the user `id` of `org`, now.
    pub fn user(org: Uuid, id: Uuid) -> Self {
        Self {
            org,
            principal: PrincipalId::User(id),
            at: Utc::now(),
        }
    }

    /// A revocation of the API token `id` of `org`, now.
    pub fn token(org: Uuid, id: Uuid) -> Self {
        Self {
            org,
            principal: PrincipalId::Token(id),
            at: Utc::now(),
        }
    }
}

/// What a holder of open access hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationNotice {
    /// A principal's access was revoked.
    Revoked(Revocation),
    /// Revocations may have been lost (the PostgreSQL listener lost its connection):
    /// every holder checks its credential again.
    Missed,
}

/// Publishes events and revocations, and hands out subscriptions to them.
#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Event>,
    revocations: broadcast::Sender<RevocationNotice>,
    db: DatabaseConnection,
}

impl EventBus {
    /// A bus over `db`. On PostgreSQL call [`EventBus::listen`] before serving.
    pub fn new(db: DatabaseConnection) -> Self {
        let (local, _) = broadcast::channel(1024);
        let (revocations, _) = broadcast::channel(1024);
        Self {
            local,
            revocations,
            db,
        }
    }

    fn postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// Every event from now on (slow subscribers skip what they missed).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// Every revocation from now on. A receiver that falls behind must treat the gap
    /// as [`RevocationNotice::Missed`].
    pub fn revocations(&self) -> broadcast::Receiver<RevocationNotice> {
        self.revocations.subscribe()
    }

    /// Publishes an event after the change it describes is committed. A failure to
    /// publish is logged: the change itself stands.
    pub async fn publish(&self, event: Event) {
        if !self.postgres() {
            let _ = self.local.send(event);
            return;
        }
        self.notify(CHANNEL, &event).await;
    }

    /// Publishes a revocation after the change it describes is committed, so that a
    /// holder checking its credential on hearing of it sees the change. A failure to
    /// publish is logged: the change itself stands, and every request reads it.
    pub async fn revoke(&self, revocation: Revocation) {
        if !self.postgres() {
            let _ = self.revocations.send(RevocationNotice::Revoked(revocation));
            return;
        }
        self.notify(REVOCATIONS, &revocation).await;
    }

    async fn notify(&self, channel: &str, message: &impl Serialize) {
        let payload = match serde_json::to_string(message) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, channel, "serialising a notification");
                return;
            }
        };
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [channel.into(), payload.into()],
        );
        if let Err(e) = self.db.execute_raw(stmt).await {
            tracing::error!(error = %e, channel, "publishing a notification");
        }
    }

    /// Hands a notification from PostgreSQL to this node's subscribers.
    fn rebroadcast(&self, channel: &str, payload: &str) {
        match channel {
            CHANNEL => match serde_json::from_str::<Event>(payload) {
                Ok(event) => {
                    let _ = self.local.send(event);
                }
                Err(e) => tracing::warn!(error = %e, "an unreadable event"),
            },
            REVOCATIONS => match serde_json::from_str::<Revocation>(payload) {
                Ok(revocation) => {
                    let _ = self.revocations.send(RevocationNotice::Revoked(revocation));
                }
                Err(e) => tracing::warn!(error = %e, "an unreadable revocation"),
            },
            _ => {}
        }
    }

    /// PostgreSQL: listens on [`CHANNEL`] and [`REVOCATIONS`] (connected when this
    /// returns) and rebroadcasts every notification to this node's subscribers;
    /// reconnects after a failure. Notifications sent while the connection was down are
    /// lost: events are skipped, and revocations are announced as
    /// [`RevocationNotice::Missed`] once the listener is back.
    pub async fn listen(&self, database_url: &str) -> anyhow::Result<()> {
        use sea_orm::sqlx::postgres::PgListener;
        if !self.postgres() {
            return Ok(());
        }
        let channels = [CHANNEL, REVOCATIONS];
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen_all(channels).await?;
        let bus = self.clone();
        let url: Arc<str> = database_url.into();
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => bus.rebroadcast(n.channel(), n.payload()),
                    // The connection dropped and the listener has already reconnected.
                    Ok(None) => {
                        tracing::warn!("event listener reconnected; notifications may be lost");
                        let _ = bus.revocations.send(RevocationNotice::Missed);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                        loop {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            let reconnected = async {
                                let mut l = PgListener::connect(&url).await?;
                                l.listen_all(channels).await?;
                                Ok::<_, sea_orm::sqlx::Error>(l)
                            };
                            match reconnected.await {
                                Ok(l) => {
                                    listener = l;
                                    break;
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "event listener cannot reconnect")
                                }
                            }
                        }
                        let _ = bus.revocations.send(RevocationNotice::Missed);
                    }
                }
            }
        });
        Ok(())
    }
}
