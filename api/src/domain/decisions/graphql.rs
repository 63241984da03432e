//! GraphQL types, queries and mutations of the decisions area.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{architecture_review, decision_record, user};

use super::loaders::SupersededRecords;
pub use super::loaders::{DecisionSupersedes, ReviewDecisionRecords};
use super::{
    markdown, DecisionRecordChanges, DecisionRecordFilter as DecisionRecordFilterArgs,
    DecisionRecordSort, NewDecisionRecord,
};
use crate::{
    domain::{identity::graphql::User, reviews::graphql::ArchitectureReview},
    error::ApiResult,
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, DecisionRecordStatus, OrderDirection},
        ids::{self, Kind},
        loaders::{children, load_one, InOrg},
    },
};

/// An architecture decision record (ADR): what was decided, why, and what follows.
pub struct DecisionRecord(pub decision_record::Model);

impl DecisionRecord {
    async fn load_superseded_by(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<decision_record::Model>> {
        match self.0.superseded_by_id {
            Some(id) => load_one::<decision_record::Entity>(ctx, self.0.organization_id, id)
                .await
                .map(Some),
            None => Ok(None),
        }
    }
}

#[Object]
impl DecisionRecord {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::DecisionRecord, self.0.id)
    }
    /// 1, 2, 3, … in the organisation, in the order written, without gaps.
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn status(&self) -> DecisionRecordStatus {
        self.0.status.into()
    }
    /// The system the decision is about (empty if none).
    async fn system(&self) -> &str {
        &self.0.system
    }
    /// Why a decision was needed (markdown).
    async fn context(&self) -> &str {
        &self.0.context
    }
    /// What was decided (markdown).
    async fn decision(&self) -> &str {
        &self.0.decision
    }
    /// What follows from it, good and bad (markdown).
    async fn consequences(&self) -> &str {
        &self.0.consequences
    }
    /// The architecture review it was written from.
    async fn review(&self, ctx: &Context<'_>) -> ApiResult<Option<ArchitectureReview>> {
        match self.0.review_id {
            Some(id) => load_one::<architecture_review::Entity>(ctx, self.0.organization_id, id)
                .await
                .map(|r| Some(ArchitectureReview(r))),
            None => Ok(None),
        }
    }
    /// Who wrote it.
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.author_id)
            .await
            .map(User)
    }
    /// The record that replaced this one (when SUPERSEDED).
    async fn superseded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<DecisionRecord>> {
        Ok(self.load_superseded_by(ctx).await?.map(DecisionRecord))
    }
    /// The records this one replaced, by number.
    async fn supersedes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<DecisionRecord>> {
        children::<DecisionSupersedes, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            DecisionRecord,
        )
        .await
    }
    /// The record in the usual ADR layout: `# number. title`, date, status with the
    /// records it supersedes (or is superseded by), context, decision, consequences.
    async fn markdown(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let supersedes = ctx
            .loader::<SupersededRecords, InOrg>()
            .load_one(InOrg {
                org: self.0.organization_id,
                id: self.0.id,
            })
            .await?
            .unwrap_or_default();
        let superseded_by = self.load_superseded_by(ctx).await?;
        Ok(markdown::render(
            &self.0,
            &supersedes,
            superseded_by.as_ref(),
        ))
    }
    /// When it was accepted.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Which decision records to list.
#[derive(InputObject, Default)]
pub struct DecisionRecordFilter {
    pub status: Option<DecisionRecordStatus>,
    /// The system, case-insensitively.
    pub system: Option<String>,
    /// Case-insensitive part of the title, context, decision or consequences.
    pub search: Option<String>,
    /// Only records changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl From<DecisionRecordFilter> for DecisionRecordFilterArgs {
    fn from(f: DecisionRecordFilter) -> Self {
        Self {
            status: f.status.map(Into::into),
            system: f.system,
            search: f.search,
            updated_since: f.updated_since,
        }
    }
}

graphql_enum! {
    /// Fields decision records can be ordered by.
    #[derive(Default)]
    DecisionRecordOrderField => DecisionRecordSort {
        #[default]
        Number,
        Title,
        UpdatedAt,
    }
}

/// The order of a decision record list.
#[derive(InputObject, Default)]
pub struct DecisionRecordOrder {
    #[graphql(default)]
    pub field: DecisionRecordOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries of the decisions area.
#[derive(Default)]
pub struct DecisionQuery;

#[Object]
impl DecisionQuery {
    /// The organisation's decision records (by number unless ordered otherwise).
    #[allow(clippy::too_many_arguments)]
    async fn decision_records(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DecisionRecordFilter>,
        order_by: Option<DecisionRecordOrder>,
    ) -> ApiResult<Conn<DecisionRecord>> {
        let actor = &ctx.actor().await?;
        let filter: DecisionRecordFilterArgs = filter.unwrap_or_default().into();
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .decisions
            .list(
                actor,
                &filter,
                super::decision_record_order(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            DecisionRecord,
            TotalCount::of_list(filter, |s, actor, f| Box::pin(s.decisions.count(actor, f))),
        ))
    }

    /// The decision record with this number. NOT_FOUND if the organisation has none.
    async fn decision_record(&self, ctx: &Context<'_>, number: i32) -> ApiResult<DecisionRecord> {
        ctx.services()
            .decisions
            .get_by_number(&ctx.actor().await?, number)
            .await
            .map(DecisionRecord)
    }
}

#[derive(InputObject)]
pub struct CreateDecisionRecordInput {
    /// Required unless `fromReviewId` gives it.
    pub title: Option<String>,
    /// Default: the proposal of the `fromReviewId` review.
    pub context: Option<String>,
    pub decision: String,
    pub consequences: Option<String>,
    /// Default: the system of the `fromReviewId` review.
    pub system: Option<String>,
    /// An APPROVED architecture review to write the record from.
    pub from_review_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct CreateDecisionRecordPayload {
    pub decision_record: DecisionRecord,
}

#[derive(InputObject)]
pub struct UpdateDecisionRecordInput {
    pub id: ID,
    /// The version the change is based on; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub context: Option<String>,
    pub decision: Option<String>,
    pub consequences: Option<String>,
    pub system: Option<String>,
}

#[derive(SimpleObject)]
pub struct UpdateDecisionRecordPayload {
    pub decision_record: DecisionRecord,
}

#[derive(InputObject)]
pub struct AcceptDecisionRecordInput {
    pub id: ID,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct AcceptDecisionRecordPayload {
    pub decision_record: DecisionRecord,
}

#[derive(InputObject)]
pub struct DeprecateDecisionRecordInput {
    pub id: ID,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct DeprecateDecisionRecordPayload {
    pub decision_record: DecisionRecord,
}

#[derive(InputObject)]
pub struct SupersedeDecisionRecordInput {
    /// The ACCEPTED record that is replaced.
    pub id: ID,
    /// The ACCEPTED record that replaces it.
    pub superseded_by_id: ID,
    /// The version of the replaced record the change is based on.
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct SupersedeDecisionRecordPayload {
    /// The replaced record, now SUPERSEDED.
    pub decision_record: DecisionRecord,
    /// The record that replaces it.
    pub superseded_by: DecisionRecord,
}

/// Mutations of the decisions area.
#[derive(Default)]
pub struct DecisionMutation;

#[Object]
impl DecisionMutation {
    /// Writes a PROPOSED decision record with the organisation's next number
    /// (ENGINEERING members, ADMIN). `fromReviewId` prefills title, context and system
    /// from an APPROVED review.
    async fn create_decision_record(
        &self,
        ctx: &Context<'_>,
        input: CreateDecisionRecordInput,
    ) -> ApiResult<CreateDecisionRecordPayload> {
        let from_review_id = ids::decode_opt(
            &input.from_review_id,
            Kind::ArchitectureReview,
            "fromReviewId",
        )?;
        let record = ctx
            .services()
            .decisions
            .create(
                &ctx.actor().await?,
                NewDecisionRecord {
                    title: input.title,
                    context: input.context,
                    decision: input.decision,
                    consequences: input.consequences,
                    system: input.system,
                    from_review_id,
                },
            )
            .await?;
        Ok(CreateDecisionRecordPayload {
            decision_record: DecisionRecord(record),
        })
    }

    /// Changes a decision record while it is PROPOSED (ENGINEERING members, ADMIN).
    async fn update_decision_record(
        &self,
        ctx: &Context<'_>,
        input: UpdateDecisionRecordInput,
    ) -> ApiResult<UpdateDecisionRecordPayload> {
        let id = ids::decode(&input.id, Kind::DecisionRecord, "id")?;
        let record = ctx
            .services()
            .decisions
            .update(
                &ctx.actor().await?,
                id,
                DecisionRecordChanges {
                    expected_version: input.expected_version,
                    title: input.title,
                    context: input.context,
                    decision: input.decision,
                    consequences: input.consequences,
                    system: input.system,
                },
            )
            .await?;
        Ok(UpdateDecisionRecordPayload {
            decision_record: DecisionRecord(record),
        })
    }

    /// Accepts a PROPOSED decision record (ENGINEERING LEADs, ADMIN).
    async fn accept_decision_record(
        &self,
        ctx: &Context<'_>,
        input: AcceptDecisionRecordInput,
    ) -> ApiResult<AcceptDecisionRecordPayload> {
        let id = ids::decode(&input.id, Kind::DecisionRecord, "id")?;
        let record = ctx
            .services()
            .decisions
            .accept(&ctx.actor().await?, id, input.expected_version)
            .await?;
        Ok(AcceptDecisionRecordPayload {
            decision_record: DecisionRecord(record),
        })
    }

    /// Deprecates an ACCEPTED decision record (ENGINEERING LEADs, ADMIN).
    async fn deprecate_decision_record(
        &self,
        ctx: &Context<'_>,
        input: DeprecateDecisionRecordInput,
    ) -> ApiResult<DeprecateDecisionRecordPayload> {
        let id = ids::decode(&input.id, Kind::DecisionRecord, "id")?;
        let record = ctx
            .services()
            .decisions
            .deprecate(&ctx.actor().await?, id, input.expected_version)
            .await?;
        Ok(DeprecateDecisionRecordPayload {
            decision_record: DecisionRecord(record),
        })
    }

    /// Marks an ACCEPTED decision record as SUPERSEDED by another ACCEPTED one
    /// (ENGINEERING LEADs, ADMIN): `supersededBy` of the old one and `supersedes` of
    /// the new one then link them both ways.
    async fn supersede_decision_record(
        &self,
        ctx: &Context<'_>,
        input: SupersedeDecisionRecordInput,
    ) -> ApiResult<SupersedeDecisionRecordPayload> {
        let id = ids::decode(&input.id, Kind::DecisionRecord, "id")?;
        let superseded_by_id = ids::decode(
            &input.superseded_by_id,
            Kind::DecisionRecord,
            "supersededById",
        )?;
        let (old, new) = ctx
            .services()
            .decisions
            .supersede(
                &ctx.actor().await?,
                id,
                superseded_by_id,
                input.expected_version,
            )
            .await?;
        Ok(SupersedeDecisionRecordPayload {
            decision_record: DecisionRecord(old),
            superseded_by: DecisionRecord(new),
        })
    }
}
