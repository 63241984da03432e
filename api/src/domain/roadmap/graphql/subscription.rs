//! The live subscription to a session's changes.

use async_graphql::{resolver_utils::EnumType, Context, Object, Subscription, ID};
use chrono::{DateTime, Utc};
use entity::user;
use futures_util::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::{alignment_id, RoadmapAlignment};
use crate::{
    domain::{identity::graphql::User, roadmap::ChangeKind},
    error::{ApiError, ApiResult},
    events::Event,
    graphql::{
        context::ContextExt,
        enums::graphql_enum,
        ids::{self, Kind},
        loaders::load_one,
    },
};

graphql_enum! {
    /// What changed in a session.
    RoadmapAlignmentEventKind => ChangeKind {
        Updated,
        ParticipantAdded,
        ParticipantRemoved,
        Started,
        ItemAdded,
        ItemUpdated,
        ItemRemoved,
        ItemsRanked,
        SignedOff,
        SignOffWithdrawn,
        Closed,
    }
}

impl RoadmapAlignmentEventKind {
    /// The kind an event names (`ChangeKind::as_str`).
    fn parse(s: &str) -> Option<Self> {
        Self::items()
            .iter()
            .map(|item| item.value)
            .find(|kind| ChangeKind::from(*kind).as_str() == s)
    }
}

/// One change to a session, as it happened.
pub struct RoadmapAlignmentEvent(Event, RoadmapAlignmentEventKind);

#[Object]
impl RoadmapAlignmentEvent {
    async fn kind(&self) -> RoadmapAlignmentEventKind {
        self.1
    }
    /// The session as it is now.
    async fn roadmap_alignment(&self, ctx: &Context<'_>) -> ApiResult<RoadmapAlignment> {
        ctx.services()
            .roadmap
            .get(&ctx.actor().await?, self.0.topic)
            .await
            .map(RoadmapAlignment)
    }
    /// Who made the change.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        match self.0.actor {
            Some(u) => Ok(Some(User(
                load_one::<user::Entity>(ctx, self.0.org, u).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The item the change was about (for item events).
    async fn item_id(&self) -> Option<ID> {
        use RoadmapAlignmentEventKind::*;
        matches!(self.1, ItemAdded | ItemUpdated | ItemRemoved)
            .then(|| self.0.subject.map(|s| ids::encode(Kind::RoadmapItem, s)))
            .flatten()
    }
    /// True when the change cleared sign-offs already given.
    async fn sign_offs_cleared(&self) -> bool {
        self.0.sign_offs_cleared
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// Subscriptions of the roadmap area.
#[derive(Default)]
pub struct RoadmapSubscription;

#[Subscription]
impl RoadmapSubscription {
    /// Every change to a session, live: items, ranks, sign-offs, status, participants.
    /// Authenticate in `connection_init` with `{"Authorization": "Bearer <token>"}`.
    async fn roadmap_alignment_changed(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = RoadmapAlignmentEvent>, ApiError> {
        let actor = &ctx.actor().await?;
        let alignment_id = alignment_id(&id, "id")?;
        // Subscribe first, then check: no event between the check and the subscription
        // is lost. Another organisation's session is NOT_FOUND, and nothing is sent.
        let events = ctx.services().events.subscribe();
        let a = ctx.services().roadmap.get(actor, alignment_id).await?;
        let (org, topic) = (a.organization_id, a.id);
        Ok(BroadcastStream::new(events).filter_map(move |e| async move {
            match e {
                Ok(e) if e.org == org && e.topic == topic => {
                    RoadmapAlignmentEventKind::parse(&e.kind).map(|k| RoadmapAlignmentEvent(e, k))
                }
                Ok(_) => None,
                Err(lagged) => {
                    tracing::warn!(error = %lagged, "a subscriber fell behind and skipped events");
                    None
                }
            }
        }))
    }
}
