//! GraphQL types, queries and mutations of the reviews area.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{architecture_review, review_comment, review_reviewer, team, user};

pub use super::loaders::{CommentReplies, ReviewComments, ReviewReviewers};
use super::{
    NewComment, NewReview, NewVerdict, ReviewChanges, ReviewFilter as ReviewFilterArgs, ReviewSort,
};
use crate::{
    domain::{
        decisions::graphql::{DecisionRecord, ReviewDecisionRecords},
        identity::graphql::User,
        teams::graphql::Team,
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, ArchitectureReviewStatus, OrderDirection, ReviewVerdict},
        ids::{self, Kind},
        loaders::{children, load_one},
        scalars::Date,
    },
};

/// A proposal discussed at the monthly architecture review.
pub struct ArchitectureReview(pub architecture_review::Model);

#[Object]
impl ArchitectureReview {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ArchitectureReview, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The proposal, in markdown.
    async fn proposal(&self) -> &str {
        &self.0.proposal
    }
    /// The system the proposal is about.
    async fn system(&self) -> &str {
        &self.0.system
    }
    async fn status(&self) -> ArchitectureReviewStatus {
        self.0.status.into()
    }
    /// Who wrote the proposal; only they change, submit or withdraw it.
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.author_id)
            .await
            .map(User)
    }
    /// The team the proposal comes from.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        match self.0.team_id {
            Some(id) => load_one::<team::Entity>(ctx, self.0.organization_id, id)
                .await
                .map(|t| Some(Team(t))),
            None => Ok(None),
        }
    }
    /// The day of the monthly meeting that discusses it (set when submitted).
    async fn meeting_date(&self) -> Option<Date> {
        self.0.meeting_date.map(Date)
    }
    /// When it was last submitted.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// When the verdicts decided it (APPROVED, CHANGES_REQUESTED or REJECTED); cleared
    /// when it is resubmitted.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// The assigned reviewers and their verdicts, in the order assigned.
    async fn reviewers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<ReviewReviewer>> {
        children::<ReviewReviewers, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            ReviewReviewer,
        )
        .await
    }
    /// Every comment, replies included, oldest first (`replyTo` gives the thread).
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<ReviewComment>> {
        children::<ReviewComments, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            ReviewComment,
        )
        .await
    }
    /// The decision records written from this review, by number.
    async fn decision_records(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<DecisionRecord>> {
        children::<ReviewDecisionRecords, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            DecisionRecord,
        )
        .await
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

/// A reviewer assigned to an architecture review, with their verdict.
pub struct ReviewReviewer(pub review_reviewer::Model);

#[Object]
impl ReviewReviewer {
    async fn reviewer(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.reviewer_id)
            .await
            .map(User)
    }
    /// PENDING until given; back to PENDING when the review is resubmitted.
    async fn verdict(&self) -> ReviewVerdict {
        self.0.verdict.into()
    }
    /// Why, given with the verdict (empty while PENDING).
    async fn comment(&self) -> &str {
        &self.0.comment
    }
    /// When the verdict was given.
    async fn verdict_at(&self) -> Option<DateTime<Utc>> {
        self.0.verdict_at
    }
    async fn review(&self, ctx: &Context<'_>) -> ApiResult<ArchitectureReview> {
        load_one::<architecture_review::Entity>(ctx, self.0.organization_id, self.0.review_id)
            .await
            .map(ArchitectureReview)
    }
    /// When the reviewer was assigned.
    async fn assigned_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A comment on an architecture review.
pub struct ReviewComment(pub review_comment::Model);

#[Object]
impl ReviewComment {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ReviewComment, self.0.id)
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.author_id)
            .await
            .map(User)
    }
    /// The comment this one answers.
    async fn reply_to(&self, ctx: &Context<'_>) -> ApiResult<Option<ReviewComment>> {
        match self.0.reply_to_id {
            Some(id) => load_one::<review_comment::Entity>(ctx, self.0.organization_id, id)
                .await
                .map(|c| Some(ReviewComment(c))),
            None => Ok(None),
        }
    }
    /// The answers to this comment, oldest first.
    async fn replies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<ReviewComment>> {
        children::<CommentReplies, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            ReviewComment,
        )
        .await
    }
    async fn review(&self, ctx: &Context<'_>) -> ApiResult<ArchitectureReview> {
        load_one::<architecture_review::Entity>(ctx, self.0.organization_id, self.0.review_id)
            .await
            .map(ArchitectureReview)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which architecture reviews to list.
#[derive(InputObject, Default)]
pub struct ArchitectureReviewFilter {
    pub status: Option<ArchitectureReviewStatus>,
    /// The system, case-insensitively.
    pub system: Option<String>,
    pub team_id: Option<ID>,
    pub author_id: Option<ID>,
    /// Only reviews whose meeting falls in this month, written "2026-12".
    pub month: Option<String>,
    /// Case-insensitive part of the title or the proposal.
    pub search: Option<String>,
    /// Only reviews changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<ArchitectureReviewFilter> for ReviewFilterArgs {
    type Error = ApiError;

    fn try_from(f: ArchitectureReviewFilter) -> ApiResult<Self> {
        Ok(Self {
            status: f.status.map(Into::into),
            system: f.system,
            team_id: ids::decode_opt(&f.team_id, Kind::Team, "teamId")?,
            author_id: ids::decode_opt(&f.author_id, Kind::User, "authorId")?,
            month: f.month,
            search: f.search,
            updated_since: f.updated_since,
        })
    }
}

graphql_enum! {
    /// Fields architecture reviews can be ordered by.
    #[derive(Default)]
    ArchitectureReviewOrderField => ReviewSort {
        #[default]
        CreatedAt,
        UpdatedAt,
        Title,
    }
}

/// The order of an architecture review list.
#[derive(InputObject, Default)]
pub struct ArchitectureReviewOrder {
    #[graphql(default)]
    pub field: ArchitectureReviewOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries of the reviews area.
#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// The organisation's architecture reviews.
    #[allow(clippy::too_many_arguments)]
    async fn architecture_reviews(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ArchitectureReviewFilter>,
        order_by: Option<ArchitectureReviewOrder>,
    ) -> ApiResult<Conn<ArchitectureReview>> {
        let actor = &ctx.actor().await?;
        let filter: ReviewFilterArgs = filter.unwrap_or_default().try_into()?;
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .reviews
            .list(
                actor,
                &filter,
                super::review_order(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            ArchitectureReview,
            TotalCount::of_list(filter, |s, actor, f| Box::pin(s.reviews.count(actor, f))),
        ))
    }

    /// The reviews to discuss at the meeting of `month` (written "2026-12"), oldest
    /// first: every review submitted for a meeting that month, unless withdrawn.
    async fn architecture_review_agenda(
        &self,
        ctx: &Context<'_>,
        month: String,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<ArchitectureReview>> {
        let page = ctx
            .services()
            .reviews
            .agenda(
                &ctx.actor().await?,
                &month,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            ArchitectureReview,
            TotalCount::of_list(month, |s, actor, f| {
                Box::pin(s.reviews.count_agenda(actor, f))
            }),
        ))
    }
}

#[derive(InputObject)]
pub struct OpenArchitectureReviewInput {
    pub title: String,
    /// Markdown.
    pub proposal: Option<String>,
    /// The system the proposal is about.
    pub system: String,
    /// The team the proposal comes from.
    pub team_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct OpenArchitectureReviewPayload {
    pub architecture_review: ArchitectureReview,
}

#[derive(InputObject)]
pub struct UpdateArchitectureReviewInput {
    pub id: ID,
    /// The version the change is based on; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub proposal: Option<String>,
    pub system: Option<String>,
    pub team_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct UpdateArchitectureReviewPayload {
    pub architecture_review: ArchitectureReview,
}

#[derive(InputObject)]
pub struct SubmitArchitectureReviewInput {
    pub id: ID,
    /// The day of the monthly meeting that discusses it.
    pub meeting_date: Date,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct SubmitArchitectureReviewPayload {
    pub architecture_review: ArchitectureReview,
}

#[derive(InputObject)]
pub struct AssignReviewersInput {
    pub review_id: ID,
    /// ENGINEERING users of the organisation, not the author (at most 20 in all).
    pub reviewer_ids: Vec<ID>,
}

#[derive(SimpleObject)]
pub struct AssignReviewersPayload {
    pub architecture_review: ArchitectureReview,
}

#[derive(InputObject)]
pub struct SubmitReviewVerdictInput {
    pub review_id: ID,
    /// APPROVE, REQUEST_CHANGES or REJECT.
    pub verdict: ReviewVerdict,
    /// Why; required with REQUEST_CHANGES and REJECT.
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct SubmitReviewVerdictPayload {
    /// The review, decided if this was the last verdict.
    pub architecture_review: ArchitectureReview,
    pub reviewer: ReviewReviewer,
}

#[derive(InputObject)]
pub struct AddReviewCommentInput {
    pub review_id: ID,
    pub body: String,
    /// The comment of the same review this one answers.
    pub reply_to_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct AddReviewCommentPayload {
    pub comment: ReviewComment,
    pub architecture_review: ArchitectureReview,
}

#[derive(InputObject)]
pub struct WithdrawArchitectureReviewInput {
    pub id: ID,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct WithdrawArchitectureReviewPayload {
    pub architecture_review: ArchitectureReview,
}

/// Mutations of the reviews area.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Opens an architecture review as a DRAFT (ENGINEERING members); the caller is
    /// its author.
    async fn open_architecture_review(
        &self,
        ctx: &Context<'_>,
        input: OpenArchitectureReviewInput,
    ) -> ApiResult<OpenArchitectureReviewPayload> {
        let team_id = ids::decode_opt(&input.team_id, Kind::Team, "teamId")?;
        let review = ctx
            .services()
            .reviews
            .open(
                &ctx.actor().await?,
                NewReview {
                    title: input.title,
                    proposal: input.proposal,
                    system: input.system,
                    team_id,
                },
            )
            .await?;
        Ok(OpenArchitectureReviewPayload {
            architecture_review: ArchitectureReview(review),
        })
    }

    /// Changes a review (its author, while DRAFT or CHANGES_REQUESTED).
    async fn update_architecture_review(
        &self,
        ctx: &Context<'_>,
        input: UpdateArchitectureReviewInput,
    ) -> ApiResult<UpdateArchitectureReviewPayload> {
        let id = ids::decode(&input.id, Kind::ArchitectureReview, "id")?;
        let team_id = ids::decode_opt(&input.team_id, Kind::Team, "teamId")?;
        let review = ctx
            .services()
            .reviews
            .update(
                &ctx.actor().await?,
                id,
                ReviewChanges {
                    expected_version: input.expected_version,
                    title: input.title,
                    proposal: input.proposal,
                    system: input.system,
                    team_id,
                },
            )
            .await?;
        Ok(UpdateArchitectureReviewPayload {
            architecture_review: ArchitectureReview(review),
        })
    }

    /// Submits a review for a meeting (its author): DRAFT or CHANGES_REQUESTED →
    /// IN_REVIEW. It needs a reviewer; resubmitting resets every verdict to PENDING.
    async fn submit_architecture_review(
        &self,
        ctx: &Context<'_>,
        input: SubmitArchitectureReviewInput,
    ) -> ApiResult<SubmitArchitectureReviewPayload> {
        let id = ids::decode(&input.id, Kind::ArchitectureReview, "id")?;
        let review = ctx
            .services()
            .reviews
            .submit(
                &ctx.actor().await?,
                id,
                input.meeting_date.0,
                input.expected_version,
            )
            .await?;
        Ok(SubmitArchitectureReviewPayload {
            architecture_review: ArchitectureReview(review),
        })
    }

    /// Assigns reviewers to a review (its author, an ENGINEERING LEAD, or ADMIN) while
    /// it is not decided. Reviewers already assigned keep their verdicts.
    async fn assign_reviewers(
        &self,
        ctx: &Context<'_>,
        input: AssignReviewersInput,
    ) -> ApiResult<AssignReviewersPayload> {
        let review_id = ids::decode(&input.review_id, Kind::ArchitectureReview, "reviewId")?;
        let reviewer_ids = input
            .reviewer_ids
            .iter()
            .map(|id| ids::decode(id, Kind::User, "reviewerIds"))
            .collect::<ApiResult<Vec<_>>>()?;
        let review = ctx
            .services()
            .reviews
            .assign_reviewers(&ctx.actor().await?, review_id, &reviewer_ids)
            .await?;
        Ok(AssignReviewersPayload {
            architecture_review: ArchitectureReview(review),
        })
    }

    /// Gives the caller's verdict (an assigned ENGINEERING reviewer, while IN_REVIEW).
    /// The last verdict decides the review: any REJECT → REJECTED, else any
    /// REQUEST_CHANGES → CHANGES_REQUESTED, else APPROVED.
    async fn submit_review_verdict(
        &self,
        ctx: &Context<'_>,
        input: SubmitReviewVerdictInput,
    ) -> ApiResult<SubmitReviewVerdictPayload> {
        let review_id = ids::decode(&input.review_id, Kind::ArchitectureReview, "reviewId")?;
        let (review, reviewer) = ctx
            .services()
            .reviews
            .give_verdict(
                &ctx.actor().await?,
                NewVerdict {
                    review_id,
                    verdict: input.verdict.into(),
                    comment: input.comment,
                },
            )
            .await?;
        Ok(SubmitReviewVerdictPayload {
            architecture_review: ArchitectureReview(review),
            reviewer: ReviewReviewer(reviewer),
        })
    }

    /// Comments on a review (any MEMBER or ADMIN), or answers a comment with
    /// `replyToId`.
    async fn add_review_comment(
        &self,
        ctx: &Context<'_>,
        input: AddReviewCommentInput,
    ) -> ApiResult<AddReviewCommentPayload> {
        let review_id = ids::decode(&input.review_id, Kind::ArchitectureReview, "reviewId")?;
        let reply_to_id = ids::decode_opt(&input.reply_to_id, Kind::ReviewComment, "replyToId")?;
        let (review, comment) = ctx
            .services()
            .reviews
            .add_comment(
                &ctx.actor().await?,
                NewComment {
                    review_id,
                    body: input.body,
                    reply_to_id,
                },
            )
            .await?;
        Ok(AddReviewCommentPayload {
            comment: ReviewComment(comment),
            architecture_review: ArchitectureReview(review),
        })
    }

    /// Withdraws a review (its author) that is not decided yet.
    async fn withdraw_architecture_review(
        &self,
        ctx: &Context<'_>,
        input: WithdrawArchitectureReviewInput,
    ) -> ApiResult<WithdrawArchitectureReviewPayload> {
        let id = ids::decode(&input.id, Kind::ArchitectureReview, "id")?;
        let review = ctx
            .services()
            .reviews
            .withdraw(&ctx.actor().await?, id, input.expected_version)
            .await?;
        Ok(WithdrawArchitectureReviewPayload {
            architecture_review: ArchitectureReview(review),
        })
    }
}
