//! GraphQL types, queries, mutations and the live subscription of the roadmap area.

use async_graphql::{
    Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, Subscription, ID,
};
use chrono::{DateTime, Utc};
use entity::{
    alignment_participant, alignment_signoff, initiative, outcome, roadmap_alignment, roadmap_item,
    squad, user,
};
use futures_util::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::{
    all_disciplines,
    loaders::{AlignmentItems, AlignmentParticipants, AlignmentSignOffs},
    AlignmentChanges, AlignmentFilter as AlignmentFilterArgs, Changed, ItemChanges, NewAlignment,
    NewItem, SquadCapacity as DomainCapacity,
};
use crate::{
    domain::{
        identity::graphql::User,
        planning::graphql::{Initiative, Outcome},
        squads::graphql::Squad,
    },
    error::{ApiError, ApiResult},
    events::Event,
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{AlignmentStatus, Commitment, Discipline},
        ids::{self, Kind},
        loaders::{children, load_children, load_one},
        scalars::Quarter,
    },
    pagination::PageArgs,
};

/// One quarterly roadmap alignment session.
pub struct RoadmapAlignment(pub roadmap_alignment::Model);

impl RoadmapAlignment {
    async fn signed(&self, ctx: &Context<'_>) -> ApiResult<Vec<alignment_signoff::Model>> {
        let (page, _) = load_children::<AlignmentSignOffs>(
            ctx,
            self.0.organization_id,
            self.0.id,
            PageArgs {
                first: Some(10),
                ..Default::default()
            },
        )
        .await?;
        Ok(page.items.into_iter().map(|(_, s)| s).collect())
    }
}

#[Object]
impl RoadmapAlignment {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::RoadmapAlignment, self.0.id)
    }
    async fn quarter(&self) -> ApiResult<Quarter> {
        self.0.quarter.parse().map(Quarter).map_err(|_| {
            ApiError::internal(anyhow::anyhow!(
                "stored quarter {:?} is invalid",
                self.0.quarter
            ))
        })
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.0.scheduled_at
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    /// DRAFT → IN_SESSION → ALIGNED (all three disciplines signed) → CLOSED.
    async fn status(&self) -> AlignmentStatus {
        self.0.status.into()
    }
    async fn facilitator(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.facilitator_id)
            .await
            .map(User)
    }
    /// Who takes part (the facilitator included), in the order they joined.
    async fn participants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<AlignmentParticipant>> {
        children::<AlignmentParticipants, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            AlignmentParticipant,
        )
        .await
    }
    /// The roadmap, by rank (1 first).
    async fn items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<RoadmapItem>> {
        children::<AlignmentItems, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            RoadmapItem,
        )
        .await
    }
    /// The sign-offs given so far (one per discipline at most), oldest first.
    async fn sign_offs(&self, ctx: &Context<'_>) -> ApiResult<Vec<AlignmentSignOff>> {
        Ok(self
            .signed(ctx)
            .await?
            .into_iter()
            .map(AlignmentSignOff)
            .collect())
    }
    /// The disciplines that have not signed off yet.
    async fn missing_disciplines(&self, ctx: &Context<'_>) -> ApiResult<Vec<Discipline>> {
        let signed = self.signed(ctx).await?;
        Ok(all_disciplines()
            .into_iter()
            .filter(|d| !signed.iter().any(|s| s.discipline == *d))
            .map(Into::into)
            .collect())
    }
    /// Per squad on the roadmap: its members' allocated time against its COMMITTED,
    /// STRETCH and DEFERRED items, so over-commitment shows.
    async fn capacity(&self, ctx: &Context<'_>) -> ApiResult<Vec<SquadCapacity>> {
        let c = ctx
            .services()
            .roadmap
            .capacity(ctx.actor().await?, &self.0)
            .await?;
        Ok(c.into_iter()
            .map(|c| SquadCapacity(c, self.0.organization_id))
            .collect())
    }
    /// The session written up in Markdown (items per squad by commitment, sign-offs
    /// with comments) for those who work asynchronously.
    async fn summary(&self, ctx: &Context<'_>) -> ApiResult<String> {
        ctx.services()
            .roadmap
            .summary(ctx.actor().await?, &self.0)
            .await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change of the details; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A person taking part in a session.
pub struct AlignmentParticipant(pub alignment_participant::Model);

#[Object]
impl AlignmentParticipant {
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.user_id)
            .await
            .map(User)
    }
    /// When they joined the session.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// An initiative on a session's ranked roadmap.
pub struct RoadmapItem(pub roadmap_item::Model);

#[Object]
impl RoadmapItem {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::RoadmapItem, self.0.id)
    }
    /// 1 is the top.
    async fn rank(&self) -> i32 {
        self.0.rank
    }
    async fn commitment(&self) -> Commitment {
        self.0.commitment.into()
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    async fn initiative(&self, ctx: &Context<'_>) -> ApiResult<Initiative> {
        load_one::<initiative::Entity>(ctx, self.0.organization_id, self.0.initiative_id)
            .await
            .map(Initiative)
    }
    /// The squad that will do it.
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// The outcome it serves.
    async fn outcome(&self, ctx: &Context<'_>) -> ApiResult<Option<Outcome>> {
        match self.0.outcome_id {
            Some(o) => Ok(Some(Outcome(
                load_one::<outcome::Entity>(ctx, self.0.organization_id, o).await?,
            ))),
            None => Ok(None),
        }
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One discipline's sign-off of a session.
pub struct AlignmentSignOff(pub alignment_signoff::Model);

#[Object]
impl AlignmentSignOff {
    async fn discipline(&self) -> Discipline {
        self.0.discipline.into()
    }
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.user_id)
            .await
            .map(User)
    }
    async fn signed_at(&self) -> DateTime<Utc> {
        self.0.signed_at
    }
    async fn comment(&self) -> &str {
        &self.0.comment
    }
}

/// A squad's time against what a session commits it to.
pub struct SquadCapacity(DomainCapacity, Uuid);

#[Object]
impl SquadCapacity {
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.1, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// The sum of the squad members' allocations (100 = one full-time person).
    async fn allocated_percent(&self) -> i32 {
        self.0.allocated_percent as i32
    }
    /// Full-time equivalents.
    async fn full_time_equivalents(&self) -> f64 {
        self.0.fte()
    }
    async fn committed_items(&self) -> i32 {
        self.0.committed as i32
    }
    async fn stretch_items(&self) -> i32 {
        self.0.stretch as i32
    }
    async fn deferred_items(&self) -> i32 {
        self.0.deferred as i32
    }
    /// More COMMITTED items than full-time people (one committed initiative per
    /// full-time person per quarter).
    async fn is_over_committed(&self) -> bool {
        self.0.is_over_committed()
    }
}

/// Which sessions to list.
#[derive(InputObject, Default)]
pub struct RoadmapAlignmentFilter {
    pub quarter: Option<Quarter>,
    pub status: Option<AlignmentStatus>,
    /// Only sessions changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl From<RoadmapAlignmentFilter> for AlignmentFilterArgs {
    fn from(f: RoadmapAlignmentFilter) -> Self {
        Self {
            quarter: f.quarter.map(|q| q.0),
            status: f.status.map(Into::into),
            updated_since: f.updated_since,
        }
    }
}

/// Queries of the roadmap area.
#[derive(Default)]
pub struct RoadmapQuery;

#[Object]
impl RoadmapQuery {
    /// Roadmap alignment sessions, newest quarter first.
    async fn roadmap_alignments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<RoadmapAlignmentFilter>,
    ) -> ApiResult<Conn<RoadmapAlignment>> {
        let filter: AlignmentFilterArgs = filter.unwrap_or_default().into();
        let page = ctx
            .services()
            .roadmap
            .list(
                ctx.actor().await?,
                &filter,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            RoadmapAlignment,
            TotalCount::of_list(filter, |s, actor, f| Box::pin(s.roadmap.count(actor, f))),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateRoadmapAlignmentInput {
    pub quarter: Quarter,
    pub title: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    /// Who takes part besides the facilitator (the caller).
    #[graphql(default)]
    pub participant_ids: Vec<ID>,
}

#[derive(SimpleObject)]
pub struct CreateRoadmapAlignmentPayload {
    pub roadmap_alignment: RoadmapAlignment,
}

/// A changed session.
#[derive(SimpleObject)]
pub struct RoadmapAlignmentPayload {
    pub roadmap_alignment: RoadmapAlignment,
}

/// A session after a change to its roadmap.
#[derive(SimpleObject)]
pub struct RoadmapChangePayload {
    pub roadmap_alignment: RoadmapAlignment,
    /// The changed item, when one item changed.
    pub item: Option<RoadmapItem>,
    /// True when the change cleared sign-offs already given (the session is back
    /// IN_SESSION and needs them again).
    pub sign_offs_cleared: bool,
}

impl RoadmapChangePayload {
    fn new(changed: Changed, item: Option<roadmap_item::Model>) -> Self {
        Self {
            roadmap_alignment: RoadmapAlignment(changed.alignment),
            item: item.map(RoadmapItem),
            sign_offs_cleared: changed.sign_offs_cleared,
        }
    }
}

#[derive(InputObject)]
pub struct UpdateRoadmapAlignmentInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub quarter: Option<Quarter>,
    pub title: Option<String>,
    /// null clears it.
    pub scheduled_at: MaybeUndefined<DateTime<Utc>>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct AlignmentParticipantInput {
    pub roadmap_alignment_id: ID,
    pub user_id: ID,
}

#[derive(InputObject)]
pub struct AlignmentIdInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct AddRoadmapItemInput {
    pub roadmap_alignment_id: ID,
    pub initiative_id: ID,
    /// Default: the initiative's squad.
    pub squad_id: Option<ID>,
    pub commitment: Commitment,
    pub outcome_id: Option<ID>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateRoadmapItemInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub squad_id: Option<ID>,
    pub commitment: Option<Commitment>,
    /// null unlinks the outcome.
    pub outcome_id: MaybeUndefined<ID>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct RemoveRoadmapItemInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct RankRoadmapItemsInput {
    pub roadmap_alignment_id: ID,
    /// Every item of the session, best first.
    pub item_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct SignOffRoadmapAlignmentInput {
    pub roadmap_alignment_id: ID,
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct SignOffRoadmapAlignmentPayload {
    pub roadmap_alignment: RoadmapAlignment,
    pub sign_off: AlignmentSignOff,
}

#[derive(InputObject)]
pub struct WithdrawSignOffInput {
    pub roadmap_alignment_id: ID,
    /// Default: the caller's discipline (the facilitator may name another).
    pub discipline: Option<Discipline>,
}

fn alignment_id(id: &ID, field: &'static str) -> ApiResult<Uuid> {
    ids::decode(id, Kind::RoadmapAlignment, field)
}

/// Mutations of the roadmap area.
#[derive(Default)]
pub struct RoadmapMutation;

#[Object]
impl RoadmapMutation {
    /// Creates a session (PRODUCT members, ADMIN); the caller facilitates it.
    async fn create_roadmap_alignment(
        &self,
        ctx: &Context<'_>,
        input: CreateRoadmapAlignmentInput,
    ) -> ApiResult<CreateRoadmapAlignmentPayload> {
        let participant_ids = input
            .participant_ids
            .iter()
            .map(|id| ids::decode(id, Kind::User, "participantIds"))
            .collect::<ApiResult<Vec<_>>>()?;
        let a = ctx
            .services()
            .roadmap
            .create(
                ctx.actor().await?,
                NewAlignment {
                    quarter: input.quarter.0,
                    title: input.title,
                    scheduled_at: input.scheduled_at,
                    notes: input.notes,
                    participant_ids,
                },
            )
            .await?;
        Ok(CreateRoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }

    /// Changes a session's details (its facilitator, ADMIN).
    async fn update_roadmap_alignment(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoadmapAlignmentInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.id, "id")?;
        let scheduled_at = match input.scheduled_at {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let a = ctx
            .services()
            .roadmap
            .update(
                ctx.actor().await?,
                id,
                AlignmentChanges {
                    expected_version: input.expected_version,
                    quarter: input.quarter.map(|q| q.0),
                    title: input.title,
                    scheduled_at,
                    notes: input.notes,
                },
            )
            .await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }

    /// Adds a participant (the facilitator, ADMIN).
    async fn add_alignment_participant(
        &self,
        ctx: &Context<'_>,
        input: AlignmentParticipantInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let a = ctx
            .services()
            .roadmap
            .add_participant(ctx.actor().await?, id, user_id)
            .await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }

    /// Removes a participant (the facilitator, ADMIN).
    async fn remove_alignment_participant(
        &self,
        ctx: &Context<'_>,
        input: AlignmentParticipantInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let a = ctx
            .services()
            .roadmap
            .remove_participant(ctx.actor().await?, id, user_id)
            .await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }

    /// DRAFT → IN_SESSION (the facilitator, ADMIN).
    async fn start_roadmap_alignment(
        &self,
        ctx: &Context<'_>,
        input: AlignmentIdInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.id, "id")?;
        let a = ctx.services().roadmap.start(ctx.actor().await?, id).await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }

    /// Closes a session for good: read-only from then on (the facilitator, ADMIN).
    async fn close_roadmap_alignment(
        &self,
        ctx: &Context<'_>,
        input: AlignmentIdInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.id, "id")?;
        let a = ctx.services().roadmap.close(ctx.actor().await?, id).await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }

    /// Puts an initiative on the roadmap, ranked last (the facilitator and participants,
    /// until the session is closed). Clears sign-offs already given.
    async fn add_roadmap_item(
        &self,
        ctx: &Context<'_>,
        input: AddRoadmapItemInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let (item, changed) = ctx
            .services()
            .roadmap
            .add_item(
                ctx.actor().await?,
                NewItem {
                    alignment_id: alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?,
                    initiative_id: ids::decode(
                        &input.initiative_id,
                        Kind::Initiative,
                        "initiativeId",
                    )?,
                    squad_id: ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?,
                    commitment: input.commitment.into(),
                    outcome_id: ids::decode_opt(&input.outcome_id, Kind::Outcome, "outcomeId")?,
                    notes: input.notes,
                },
            )
            .await?;
        Ok(RoadmapChangePayload::new(changed, Some(item)))
    }

    /// Changes an item. Clears sign-offs already given.
    async fn update_roadmap_item(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoadmapItemInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let id = ids::decode(&input.id, Kind::RoadmapItem, "id")?;
        let outcome_id = match input.outcome_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(ids::decode(&v, Kind::Outcome, "outcomeId")?)),
        };
        let (item, changed) = ctx
            .services()
            .roadmap
            .update_item(
                ctx.actor().await?,
                id,
                ItemChanges {
                    expected_version: input.expected_version,
                    squad_id: ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?,
                    commitment: input.commitment.map(Into::into),
                    outcome_id,
                    notes: input.notes,
                },
            )
            .await?;
        Ok(RoadmapChangePayload::new(changed, Some(item)))
    }

    /// Removes an item; the ones below move up. Clears sign-offs already given.
    async fn remove_roadmap_item(
        &self,
        ctx: &Context<'_>,
        input: RemoveRoadmapItemInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let id = ids::decode(&input.id, Kind::RoadmapItem, "id")?;
        let changed = ctx
            .services()
            .roadmap
            .remove_item(ctx.actor().await?, id)
            .await?;
        Ok(RoadmapChangePayload::new(changed, None))
    }

    /// Ranks every item of a session in the given order, in one transaction. Clears
    /// sign-offs already given.
    async fn rank_roadmap_items(
        &self,
        ctx: &Context<'_>,
        input: RankRoadmapItemsInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let item_ids = input
            .item_ids
            .iter()
            .map(|i| ids::decode(i, Kind::RoadmapItem, "itemIds"))
            .collect::<ApiResult<Vec<_>>>()?;
        let changed = ctx
            .services()
            .roadmap
            .rank_items(ctx.actor().await?, id, &item_ids)
            .await?;
        Ok(RoadmapChangePayload::new(changed, None))
    }

    /// Signs the session off for the caller's discipline (a participant of it, once).
    /// With ENGINEERING, PRODUCT and DESIGN signed, the session is ALIGNED.
    async fn sign_off_roadmap_alignment(
        &self,
        ctx: &Context<'_>,
        input: SignOffRoadmapAlignmentInput,
    ) -> ApiResult<SignOffRoadmapAlignmentPayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let (signoff, changed) = ctx
            .services()
            .roadmap
            .sign_off(ctx.actor().await?, id, input.comment)
            .await?;
        Ok(SignOffRoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(changed.alignment),
            sign_off: AlignmentSignOff(signoff),
        })
    }

    /// Withdraws a sign-off; an ALIGNED session returns to IN_SESSION.
    async fn withdraw_sign_off(
        &self,
        ctx: &Context<'_>,
        input: WithdrawSignOffInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let changed = ctx
            .services()
            .roadmap
            .withdraw_sign_off(ctx.actor().await?, id, input.discipline.map(Into::into))
            .await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(changed.alignment),
        })
    }
}

/// What changed in a session.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RoadmapAlignmentEventKind {
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

impl RoadmapAlignmentEventKind {
    fn parse(s: &str) -> Option<Self> {
        use RoadmapAlignmentEventKind::*;
        Some(match s {
            "UPDATED" => Updated,
            "PARTICIPANT_ADDED" => ParticipantAdded,
            "PARTICIPANT_REMOVED" => ParticipantRemoved,
            "STARTED" => Started,
            "ITEM_ADDED" => ItemAdded,
            "ITEM_UPDATED" => ItemUpdated,
            "ITEM_REMOVED" => ItemRemoved,
            "ITEMS_RANKED" => ItemsRanked,
            "SIGNED_OFF" => SignedOff,
            "SIGN_OFF_WITHDRAWN" => SignOffWithdrawn,
            "CLOSED" => Closed,
            _ => return None,
        })
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
            .get(ctx.actor().await?, self.0.topic)
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
        let actor = ctx.actor().await?;
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
