//! Roadmap alignment sessions in GraphQL: the `RoadmapAlignment` type and its
//! participants, the `roadmapAlignments` list, and the mutations of a session's details,
//! participants and status.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{alignment_participant, alignment_signoff, roadmap_alignment, user};

use super::{alignment_id, AlignmentSignOff, RoadmapItem, SquadCapacity};
use crate::domain::roadmap::{
    all_disciplines,
    loaders::{AlignmentItems, AlignmentParticipants, AlignmentSignOffs},
    AlignmentChanges, AlignmentFilter as AlignmentFilterArgs, NewAlignment,
};
use crate::{
    domain::identity::graphql::User,
    error::ApiResult,
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{AlignmentStatus, Discipline},
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
        Quarter::stored(&self.0.quarter)
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
            .capacity(&ctx.actor().await?, &self.0)
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
            .summary(&ctx.actor().await?, &self.0)
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
                &ctx.actor().await?,
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

/// Mutations of roadmap alignment sessions: details, participants, status.
#[derive(Default)]
pub struct RoadmapAlignmentMutation;

#[Object]
impl RoadmapAlignmentMutation {
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
                &ctx.actor().await?,
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
        let a = ctx
            .services()
            .roadmap
            .update(
                &ctx.actor().await?,
                id,
                AlignmentChanges {
                    expected_version: input.expected_version,
                    quarter: input.quarter.map(|q| q.0),
                    title: input.title,
                    scheduled_at: input.scheduled_at.into(),
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
            .add_participant(&ctx.actor().await?, id, user_id)
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
            .remove_participant(&ctx.actor().await?, id, user_id)
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
        let a = ctx
            .services()
            .roadmap
            .start(&ctx.actor().await?, id)
            .await?;
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
        let a = ctx
            .services()
            .roadmap
            .close(&ctx.actor().await?, id)
            .await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(a),
        })
    }
}
