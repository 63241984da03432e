use std::collections::HashSet;

use chrono::NaiveDate;
use entity::{
    architecture_review,
    enums::{Discipline, OrgRole, ReviewStatus, ReviewVerdict},
    review_comment, review_reviewer, team, user,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
    ActiveEnum,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Select,
};
use tracing::instrument;
use uuid::Uuid;

use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        journal::{ChangeKind, Write},
        kind::Kind,
        tenant::{find_in_org, lock_in_org, TenantTable},
        text,
    },
    error::{ApiError, ApiResult},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// Most reviewers one review may have.
pub const MAX_REVIEWERS: usize = 20;

/// Architecture reviews: proposals, their reviewers and verdicts, comments, the agenda.
#[derive(Clone)]
pub struct ReviewService {
    db: DatabaseConnection,
}

/// A proposal to open as a DRAFT review.
#[derive(Debug, Clone, Default)]
pub struct NewReview {
    pub title: String,
    pub proposal: Option<String>,
    pub system: String,
    pub team_id: Option<Uuid>,
}

/// Changes to a review; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ReviewChanges {
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub proposal: Option<String>,
    pub system: Option<String>,
    pub team_id: Option<Uuid>,
}

/// A reviewer's verdict.
#[derive(Debug, Clone)]
pub struct NewVerdict {
    pub review_id: Uuid,
    pub verdict: ReviewVerdict,
    pub comment: Option<String>,
}

/// A comment on a review, possibly answering another.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub review_id: Uuid,
    pub body: String,
    pub reply_to_id: Option<Uuid>,
}

/// Which reviews to list.
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    pub status: Option<ReviewStatus>,
    /// The system, case-insensitively.
    pub system: Option<String>,
    pub team_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    /// Reviews whose meeting falls in this month ("2026-12").
    pub month: Option<String>,
    /// Case-insensitive part of the title or the proposal.
    pub search: Option<String>,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How reviews are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReviewSort {
    #[default]
    CreatedAt,
    UpdatedAt,
    Title,
}

/// The order of a review list.
pub fn review_order(sort: ReviewSort, descending: bool) -> Order<architecture_review::Entity> {
    use architecture_review::Column;
    let (column, key): (Column, fn(&architecture_review::Model) -> SortValue) = match sort {
        ReviewSort::CreatedAt => (Column::CreatedAt, |m| SortValue::Time(m.created_at)),
        ReviewSort::UpdatedAt => (Column::UpdatedAt, |m| SortValue::Time(m.updated_at)),
        ReviewSort::Title => (Column::Title, |m| SortValue::Text(m.title.clone())),
    };
    Order {
        column,
        id: Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

/// One calendar month: `start` is its first day, `end` the first day of the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A month written `YYYY-MM` ("2026-12"); anything else is BAD_USER_INPUT on `field`.
pub fn parse_month(value: &str, field: &'static str) -> ApiResult<Month> {
    let bad = || ApiError::bad_input(field, format!("{field} must be a month like 2026-12"));
    let (y, m) = value.trim().split_once('-').ok_or_else(bad)?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, 4) || !digits(m, 2) {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let end = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok(Month { start, end })
}

/// Whether a review may move from one status to another.
pub fn can_move(from: ReviewStatus, to: ReviewStatus) -> bool {
    use ReviewStatus::*;
    matches!(
        (from, to),
        (Draft | ChangesRequested, InReview)
            | (InReview, Approved | ChangesRequested | Rejected)
            | (Draft | InReview | ChangesRequested, Withdrawn)
    )
}

/// The outcome of the verdicts once every reviewer gave one: any REJECT rejects, else
/// any REQUEST_CHANGES asks for changes, else the review is approved. `None` while a
/// verdict is pending (or nobody reviews).
pub fn decide(verdicts: &[ReviewVerdict]) -> Option<ReviewStatus> {
    use ReviewVerdict::*;
    if verdicts.is_empty() || verdicts.contains(&Pending) {
        None
    } else if verdicts.contains(&Reject) {
        Some(ReviewStatus::Rejected)
    } else if verdicts.contains(&RequestChanges) {
        Some(ReviewStatus::ChangesRequested)
    } else {
        Some(ReviewStatus::Approved)
    }
}

/// A status as the API spells it ("IN_REVIEW").
fn status_name(s: ReviewStatus) -> String {
    s.to_value()
}

/// Takes the review's row for the rest of the transaction and reads it: PostgreSQL locks
/// the row; SQLite takes its write lock at once (a transaction that reads first and
/// writes later fails with SQLITE_BUSY instead of waiting). So the verdicts, reviewers
/// and status of one review change one transaction at a time.
async fn lock_review<C: ConnectionTrait>(
    db: &C,
    org: Uuid,
    id: Uuid,
) -> ApiResult<architecture_review::Model> {
    lock_in_org::<architecture_review::Entity, _>(db, org, id).await
}

impl ReviewService {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// A team of the organisation that may take new work.
    /// The team stays unarchived until the transaction `txn` commits.
    async fn open_team<C: ConnectionTrait>(
        &self,
        txn: &C,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<Uuid> {
        let team = lock_in_org::<team::Entity, _>(txn, actor.org_id(), id).await?;
        if team.archived_at.is_some() {
            return Err(ApiError::bad_input("teamId", "the team is archived"));
        }
        Ok(team.id)
    }

    /// Opens a review as a DRAFT (ENGINEERING members); the caller is its author.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn open(
        &self,
        actor: &Actor,
        input: NewReview,
    ) -> ApiResult<architecture_review::Model> {
        authz::check(actor, Action::OpenArchitectureReview)?;
        let title = text::required(&input.title, "title", text::NAME_MAX)?;
        let proposal = text::bounded(
            input.proposal.as_deref().unwrap_or(""),
            "proposal",
            text::DOCUMENT_MAX,
        )?;
        let system = text::required(&input.system, "system", text::NAME_MAX)?;
        let mut w = Write::begin(&self.db, actor).await?;
        let team_id = match input.team_id {
            Some(id) => Some(self.open_team(&w, actor, id).await?),
            None => None,
        };
        let now = now();
        let review = w
            .insert(architecture_review::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                title: Set(title),
                proposal: Set(proposal),
                system: Set(system),
                author_id: Set(actor.person()?),
                team_id: Set(team_id),
                status: Set(ReviewStatus::Draft),
                meeting_date: Set(None),
                submitted_at: Set(None),
                decided_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        w.commit(Kind::ArchitectureReview, review.id).await?;
        tracing::info!(review.id = %review.id, "architecture review opened");
        Ok(review)
    }

    /// Changes a review (its author, while DRAFT or CHANGES_REQUESTED).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), review.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: ReviewChanges,
    ) -> ApiResult<architecture_review::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let review = find_in_org::<architecture_review::Entity, _>(&w, actor.org_id(), id).await?;
        let facts = facts::review(&w, actor, &review).await?;
        authz::check(actor, Action::EditArchitectureReview { review: &facts })?;
        if !matches!(
            review.status,
            ReviewStatus::Draft | ReviewStatus::ChangesRequested
        ) {
            return Err(ApiError::bad_input(
                "id",
                format!(
                    "a review that is {} cannot be changed; only DRAFT and CHANGES_REQUESTED ones can",
                    status_name(review.status)
                ),
            ));
        }
        let mut changes = <architecture_review::ActiveModel as Default>::default();
        if let Some(t) = &input.title {
            changes.title = Set(text::required(t, "title", text::NAME_MAX)?);
        }
        if let Some(p) = &input.proposal {
            changes.proposal = Set(text::bounded(p, "proposal", text::DOCUMENT_MAX)?);
        }
        if let Some(s) = &input.system {
            changes.system = Set(text::required(s, "system", text::NAME_MAX)?);
        }
        if let Some(t) = input.team_id {
            changes.team_id = Set(Some(self.open_team(&w, actor, t).await?));
        }
        let review = w
            .save::<architecture_review::Entity>(&review, input.expected_version, changes)
            .await?;
        w.commit(Kind::ArchitectureReview, review.id).await?;
        Ok(review)
    }

    /// Submits a review for the meeting on `meeting_date` (its author): DRAFT or
    /// CHANGES_REQUESTED → IN_REVIEW. Resubmitting resets every verdict to PENDING.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), review.id = %id))]
    pub async fn submit(
        &self,
        actor: &Actor,
        id: Uuid,
        meeting_date: NaiveDate,
        expected_version: Option<i32>,
    ) -> ApiResult<architecture_review::Model> {
        let org = actor.org_id();
        let review = find_in_org::<architecture_review::Entity, _>(&self.db, org, id).await?;
        let facts = facts::review(&self.db, actor, &review).await?;
        authz::check(actor, Action::EditArchitectureReview { review: &facts })?;
        if !can_move(review.status, ReviewStatus::InReview) {
            return Err(ApiError::bad_input(
                "id",
                format!(
                    "a review that is {} cannot be submitted; only DRAFT and CHANGES_REQUESTED ones can",
                    status_name(review.status)
                ),
            ));
        }
        let reviewers = review_reviewer::Entity::find()
            .filter(review_reviewer::Column::OrganizationId.eq(org))
            .filter(review_reviewer::Column::ReviewId.eq(id))
            .count(&self.db)
            .await?;
        if reviewers == 0 {
            return Err(ApiError::bad_input(
                "id",
                "assign at least one reviewer before submitting",
            ));
        }
        let now = now();
        let mut w = Write::begin(&self.db, actor).await?;
        // The version check makes the status read above still hold: a concurrent change
        // (a withdrawal, another submission) is a CONFLICT.
        let review = w
            .save::<architecture_review::Entity>(
                &review,
                expected_version,
                architecture_review::ActiveModel {
                    status: Set(ReviewStatus::InReview),
                    meeting_date: Set(Some(meeting_date)),
                    submitted_at: Set(Some(now)),
                    decided_at: Set(None),
                    ..Default::default()
                },
            )
            .await?;
        // Issue 5: resubmitting after CHANGES_REQUESTED resets the verdicts; every
        // reviewer looks at the changed proposal again.
        use review_reviewer::Column;
        let reset = review_reviewer::Entity::update_many()
            .col_expr(Column::Verdict, Expr::value(ReviewVerdict::Pending))
            .col_expr(Column::Comment, Expr::value(""))
            .col_expr(
                Column::VerdictAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::OrganizationId.eq(org))
            .filter(Column::ReviewId.eq(id))
            .filter(Column::Verdict.ne(ReviewVerdict::Pending))
            .exec_with_returning(&w)
            .await?;
        for reset in &reset {
            w.record(ChangeKind::Updated, review_reviewer::Entity::subject(reset));
        }
        w.commit(Kind::ArchitectureReview, review.id).await?;
        tracing::info!(%meeting_date, "architecture review submitted");
        Ok(review)
    }

    /// Assigns reviewers (the author, an ENGINEERING LEAD, or ADMIN): active ENGINEERING
    /// users of the organisation who may write, never the author. Already assigned ones
    /// stay as they are, with their verdicts.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), review.id = %review_id))]
    pub async fn assign_reviewers(
        &self,
        actor: &Actor,
        review_id: Uuid,
        reviewer_ids: &[Uuid],
    ) -> ApiResult<architecture_review::Model> {
        let org = actor.org_id();
        let review =
            find_in_org::<architecture_review::Entity, _>(&self.db, org, review_id).await?;
        let facts = facts::review(&self.db, actor, &review).await?;
        let lead = facts::lead(&self.db, actor).await?;
        authz::check(
            actor,
            Action::AssignReviewers {
                review: &facts,
                lead: &lead,
            },
        )?;
        let closed = |status: ReviewStatus| {
            ApiError::bad_input(
                "reviewId",
                format!(
                    "the review is {}: its reviewers no longer change",
                    status_name(status)
                ),
            )
        };
        let assignable = |s| {
            matches!(
                s,
                ReviewStatus::Draft | ReviewStatus::InReview | ReviewStatus::ChangesRequested
            )
        };
        if !assignable(review.status) {
            return Err(closed(review.status));
        }
        let mut seen = HashSet::new();
        let ids: Vec<Uuid> = reviewer_ids
            .iter()
            .copied()
            .filter(|id| seen.insert(*id))
            .collect();
        if ids.is_empty() {
            return Err(ApiError::bad_input(
                "reviewerIds",
                "name at least one reviewer",
            ));
        }
        if ids.len() > MAX_REVIEWERS {
            return Err(ApiError::bad_input(
                "reviewerIds",
                format!("a review has at most {MAX_REVIEWERS} reviewers"),
            ));
        }
        let users = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(org))
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        if users.len() != ids.len() {
            return Err(ApiError::NotFound);
        }
        for u in &users {
            let refusal = if u.id == review.author_id {
                Some("the author cannot review their own proposal".to_owned())
            } else if u.discipline != Discipline::Engineering {
                Some(format!(
                    "{} is not an engineer: reviewers are ENGINEERING users",
                    u.display_name
                ))
            } else if u.deactivated_at.is_some() {
                Some(format!("{} is deactivated", u.display_name))
            } else if u.org_role == OrgRole::Viewer {
                Some(format!(
                    "{} is a VIEWER and cannot give a verdict",
                    u.display_name
                ))
            } else {
                None
            };
            if let Some(msg) = refusal {
                return Err(ApiError::bad_input("reviewerIds", msg));
            }
        }

        let mut w = Write::begin(&self.db, actor).await?;
        let review = lock_review(&w, org, review_id).await?;
        if !assignable(review.status) {
            return Err(closed(review.status));
        }
        let assigned: HashSet<Uuid> = review_reviewer::Entity::find()
            .select_only()
            .column(review_reviewer::Column::ReviewerId)
            .filter(review_reviewer::Column::OrganizationId.eq(org))
            .filter(review_reviewer::Column::ReviewId.eq(review_id))
            .into_tuple::<Uuid>()
            .all(&w)
            .await?
            .into_iter()
            .collect();
        let now = now();
        let new: Vec<review_reviewer::ActiveModel> = ids
            .iter()
            .filter(|id| !assigned.contains(id))
            .map(|reviewer| review_reviewer::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                review_id: Set(review_id),
                reviewer_id: Set(*reviewer),
                verdict: Set(ReviewVerdict::Pending),
                comment: Set(String::new()),
                verdict_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .collect();
        let added = new.len();
        w.insert_many(new).await?;
        w.commit(Kind::ArchitectureReview, review.id).await?;
        tracing::info!(reviewers.added = added, "reviewers assigned");
        Ok(review)
    }

    /// Records the caller's verdict (an assigned ENGINEERING reviewer, while IN_REVIEW).
    /// Once every reviewer gave one, the review is decided: any REJECT → REJECTED, else
    /// any REQUEST_CHANGES → CHANGES_REQUESTED, else APPROVED.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), review.id = %input.review_id))]
    pub async fn give_verdict(
        &self,
        actor: &Actor,
        input: NewVerdict,
    ) -> ApiResult<(architecture_review::Model, review_reviewer::Model)> {
        let org = actor.org_id();
        let review =
            find_in_org::<architecture_review::Entity, _>(&self.db, org, input.review_id).await?;
        let facts = facts::review(&self.db, actor, &review).await?;
        authz::check(actor, Action::GiveReviewVerdict { review: &facts })?;
        let comment = text::bounded(
            input.comment.as_deref().unwrap_or(""),
            "comment",
            text::TEXT_MAX,
        )?;
        match input.verdict {
            ReviewVerdict::Pending => {
                return Err(ApiError::bad_input(
                    "verdict",
                    "give APPROVE, REQUEST_CHANGES or REJECT",
                ))
            }
            ReviewVerdict::RequestChanges | ReviewVerdict::Reject if comment.is_empty() => {
                return Err(ApiError::bad_input(
                    "comment",
                    "say why: REQUEST_CHANGES and REJECT need a comment",
                ))
            }
            _ => {}
        }

        let mut w = Write::begin(&self.db, actor).await?;
        // Verdicts of one review are given one at a time, so the last one always sees
        // every other and decides the review.
        let review = lock_review(&w, org, review.id).await?;
        if review.status != ReviewStatus::InReview {
            return Err(ApiError::bad_input(
                "reviewId",
                format!(
                    "the review is {}: verdicts are given while it is IN_REVIEW",
                    status_name(review.status)
                ),
            ));
        }
        let assignment = review_reviewer::Entity::find()
            .filter(review_reviewer::Column::OrganizationId.eq(org))
            .filter(review_reviewer::Column::ReviewId.eq(review.id))
            .filter(review_reviewer::Column::ReviewerId.eq(actor.person()?))
            .one(&w)
            .await?
            .ok_or(ApiError::Forbidden)?;
        let now = now();
        let assignment = w
            .save::<review_reviewer::Entity>(
                &assignment,
                None,
                review_reviewer::ActiveModel {
                    verdict: Set(input.verdict),
                    comment: Set(comment),
                    verdict_at: Set(Some(now)),
                    ..Default::default()
                },
            )
            .await?;
        let verdicts: Vec<ReviewVerdict> = review_reviewer::Entity::find()
            .select_only()
            .column(review_reviewer::Column::Verdict)
            .filter(review_reviewer::Column::OrganizationId.eq(org))
            .filter(review_reviewer::Column::ReviewId.eq(review.id))
            .into_tuple()
            .all(&w)
            .await?;
        let review = match decide(&verdicts) {
            Some(outcome) => {
                let decided = w
                    .save::<architecture_review::Entity>(
                        &review,
                        None,
                        architecture_review::ActiveModel {
                            status: Set(outcome),
                            decided_at: Set(Some(now)),
                            ..Default::default()
                        },
                    )
                    .await?;
                tracing::info!(
                    review.status = %status_name(outcome),
                    "architecture review decided"
                );
                decided
            }
            None => review,
        };
        w.commit(Kind::ArchitectureReview, review.id).await?;
        Ok((review, assignment))
    }

    /// Adds a comment (any MEMBER or ADMIN), possibly a reply to another comment of the
    /// same review. A withdrawn review takes no more comments.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), review.id = %input.review_id))]
    pub async fn add_comment(
        &self,
        actor: &Actor,
        input: NewComment,
    ) -> ApiResult<(architecture_review::Model, review_comment::Model)> {
        let org = actor.org_id();
        authz::check(actor, Action::CommentOnReview)?;
        // The review is not withdrawn while the comment goes in.
        let mut w = Write::begin(&self.db, actor).await?;
        let review = lock_review(&w, org, input.review_id).await?;
        let body = text::required(&input.body, "body", text::TEXT_MAX)?;
        if review.status == ReviewStatus::Withdrawn {
            return Err(ApiError::bad_input(
                "reviewId",
                "the review was withdrawn and takes no more comments",
            ));
        }
        if let Some(parent) = input.reply_to_id {
            let parent = find_in_org::<review_comment::Entity, _>(&w, org, parent).await?;
            if parent.review_id != review.id {
                return Err(ApiError::bad_input(
                    "replyToId",
                    "replyToId is a comment on another review",
                ));
            }
        }
        let comment = w
            .insert(review_comment::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                review_id: Set(review.id),
                author_id: Set(actor.person()?),
                reply_to_id: Set(input.reply_to_id),
                body: Set(body),
                created_at: Set(now()),
            })
            .await?;
        w.commit(Kind::ReviewComment, comment.id).await?;
        Ok((review, comment))
    }

    /// Withdraws a review (its author), unless it is already decided.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), review.id = %id))]
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i32>,
    ) -> ApiResult<architecture_review::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let review = find_in_org::<architecture_review::Entity, _>(&w, actor.org_id(), id).await?;
        let facts = facts::review(&w, actor, &review).await?;
        authz::check(actor, Action::EditArchitectureReview { review: &facts })?;
        if !can_move(review.status, ReviewStatus::Withdrawn) {
            return Err(ApiError::bad_input(
                "id",
                format!(
                    "a review that is {} cannot be withdrawn",
                    status_name(review.status)
                ),
            ));
        }
        let review = w
            .save::<architecture_review::Entity>(
                &review,
                expected_version,
                architecture_review::ActiveModel {
                    status: Set(ReviewStatus::Withdrawn),
                    ..Default::default()
                },
            )
            .await?;
        tracing::info!("architecture review withdrawn");
        w.commit(Kind::ArchitectureReview, review.id).await?;
        Ok(review)
    }

    fn query(
        &self,
        actor: &Actor,
        filter: &ReviewFilter,
    ) -> ApiResult<Select<architecture_review::Entity>> {
        use architecture_review::Column;
        let mut q =
            architecture_review::Entity::find().filter(Column::OrganizationId.eq(actor.org_id()));
        if let Some(s) = filter.status {
            q = q.filter(Column::Status.eq(s));
        }
        if let Some(s) = filter.system.as_deref().filter(|s| !s.trim().is_empty()) {
            q = q.filter(
                Expr::expr(Func::lower(Expr::col(Column::System))).eq(s.trim().to_lowercase()),
            );
        }
        if let Some(t) = filter.team_id {
            q = q.filter(Column::TeamId.eq(t));
        }
        if let Some(a) = filter.author_id {
            q = q.filter(Column::AuthorId.eq(a));
        }
        if let Some(m) = &filter.month {
            let month = parse_month(m, "month")?;
            q = q
                .filter(Column::MeetingDate.gte(month.start))
                .filter(Column::MeetingDate.lt(month.end));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(Column::UpdatedAt.gte(since));
        }
        if let Some(s) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let like = |col: Column| {
                Expr::expr(Func::lower(Expr::col(col)))
                    .like(LikeExpr::new(text::contains_pattern(s)).escape('\\'))
            };
            q = q.filter(
                Condition::any()
                    .add(like(Column::Title))
                    .add(like(Column::Proposal)),
            );
        }
        Ok(q)
    }

    /// One page of the organisation's reviews.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &ReviewFilter,
        order: Order<architecture_review::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<architecture_review::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter)?, order, page).await
    }

    /// How many reviews match the filter.
    pub async fn count(&self, actor: &Actor, filter: &ReviewFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)?).await
    }

    fn agenda_query(
        &self,
        actor: &Actor,
        month: &str,
    ) -> ApiResult<Select<architecture_review::Entity>> {
        use architecture_review::Column;
        let month = parse_month(month, "month")?;
        // Every review submitted for that meeting, decided since or not; a withdrawn
        // one is off the agenda.
        Ok(architecture_review::Entity::find()
            .filter(Column::OrganizationId.eq(actor.org_id()))
            .filter(Column::MeetingDate.gte(month.start))
            .filter(Column::MeetingDate.lt(month.end))
            .filter(Column::Status.ne(ReviewStatus::Withdrawn)))
    }

    /// One page of the reviews to discuss at the meeting of `month` ("2026-12"),
    /// oldest first.
    pub async fn agenda(
        &self,
        actor: &Actor,
        month: &str,
        page: &PageArgs,
    ) -> ApiResult<Page<architecture_review::Model>> {
        let q = self.agenda_query(actor, month)?;
        pagination::paginate(
            &self.db,
            q,
            review_order(ReviewSort::CreatedAt, false),
            page,
        )
        .await
    }

    /// How many reviews the agenda of `month` has.
    pub async fn count_agenda(&self, actor: &Actor, month: &str) -> ApiResult<u64> {
        pagination::count(&self.db, self.agenda_query(actor, month)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewStatus::*;
    use ReviewVerdict::{Approve as A, Pending as P, Reject as X, RequestChanges as C};

    #[test]
    fn every_combination_of_verdicts_decides_as_the_issue_says() {
        for (verdicts, want) in [
            (&[][..], None),
            (&[P][..], None),
            (&[A, P][..], None),
            (&[X, P][..], None),
            (&[A][..], Some(Approved)),
            (&[A, A, A][..], Some(Approved)),
            (&[C][..], Some(ChangesRequested)),
            (&[A, C][..], Some(ChangesRequested)),
            (&[C, C][..], Some(ChangesRequested)),
            (&[X][..], Some(Rejected)),
            (&[A, X][..], Some(Rejected)),
            (&[C, X][..], Some(Rejected)),
            (&[A, C, X][..], Some(Rejected)),
        ] {
            assert_eq!(decide(verdicts), want, "{verdicts:?}");
        }
    }

    #[test]
    fn reviews_move_only_along_the_status_machine() {
        for (from, to, ok) in [
            (Draft, InReview, true),
            (ChangesRequested, InReview, true),
            (InReview, Approved, true),
            (InReview, ChangesRequested, true),
            (InReview, Rejected, true),
            (Draft, Withdrawn, true),
            (InReview, Withdrawn, true),
            (ChangesRequested, Withdrawn, true),
            (Draft, Approved, false),
            (InReview, InReview, false),
            (Approved, InReview, false),
            (Approved, Withdrawn, false),
            (Rejected, InReview, false),
            (Rejected, Withdrawn, false),
            (Withdrawn, InReview, false),
            (Withdrawn, Draft, false),
        ] {
            assert_eq!(can_move(from, to), ok, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn months_are_yyyy_mm_and_span_to_the_next_month() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            parse_month("2026-12", "month").unwrap(),
            Month {
                start: d(2026, 12, 1),
                end: d(2027, 1, 1)
            }
        );
        assert_eq!(
            parse_month(" 2026-02 ", "month").unwrap().end,
            d(2026, 3, 1)
        );
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "2026-1",
            "26-12",
            "2026/12",
            "2026-12-01",
            "December",
            "２０２６-12",
        ] {
            match parse_month(bad, "month") {
                Err(ApiError::BadUserInput { field, .. }) => assert_eq!(field, "month", "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
