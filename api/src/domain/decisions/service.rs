use entity::{
    architecture_review, decision_record, decision_record_counter,
    enums::{DecisionStatus, ReviewStatus},
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
    ActiveEnum,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Select,
};
use tracing::instrument;
use uuid::Uuid;

use crate::{
    auth::Actor,
    authz::{self, facts, facts::LeadFacts, Action},
    db::now,
    domain::{journal::Write, kind::Kind, tenant::find_in_org, text},
    error::{ApiError, ApiResult},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// Decision records (ADRs): numbered per organisation, PROPOSED → ACCEPTED →
/// DEPRECATED or SUPERSEDED.
#[derive(Clone)]
pub struct DecisionService {
    db: DatabaseConnection,
}

/// A decision record to write. With `from_review_id`, the title, context and system
/// default to the APPROVED review's title, proposal and system.
#[derive(Debug, Clone, Default)]
pub struct NewDecisionRecord {
    pub title: Option<String>,
    pub context: Option<String>,
    pub decision: String,
    pub consequences: Option<String>,
    pub system: Option<String>,
    pub from_review_id: Option<Uuid>,
}

/// Changes to a PROPOSED decision record; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct DecisionRecordChanges {
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub context: Option<String>,
    pub decision: Option<String>,
    pub consequences: Option<String>,
    pub system: Option<String>,
}

/// Which decision records to list.
#[derive(Debug, Clone, Default)]
pub struct DecisionRecordFilter {
    pub status: Option<DecisionStatus>,
    /// The system, case-insensitively.
    pub system: Option<String>,
    /// Case-insensitive part of the title, context, decision or consequences.
    pub search: Option<String>,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How decision records are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DecisionRecordSort {
    #[default]
    Number,
    Title,
    UpdatedAt,
}

/// The order of a decision record list.
pub fn decision_record_order(
    sort: DecisionRecordSort,
    descending: bool,
) -> Order<decision_record::Entity> {
    use decision_record::Column;
    let (column, key): (Column, fn(&decision_record::Model) -> SortValue) = match sort {
        DecisionRecordSort::Number => (Column::Number, |m| SortValue::Int(m.number.into())),
        DecisionRecordSort::Title => (Column::Title, |m| SortValue::Text(m.title.clone())),
        DecisionRecordSort::UpdatedAt => (Column::UpdatedAt, |m| SortValue::Time(m.updated_at)),
    };
    Order {
        column,
        id: Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

/// A status as the API spells it ("ACCEPTED").
fn status_name(s: DecisionStatus) -> String {
    s.to_value()
}

/// The number the next decision record of `org` takes, within the transaction `txn`
/// that inserts it. The counter row is written first: PostgreSQL locks it until
/// commit, SQLite takes its write lock at once, so concurrent creations take turns and
/// each sees the number the previous one committed: no duplicates. A failed creation
/// rolls its increment back with it: no gaps.
async fn next_number<C: ConnectionTrait>(txn: &C, org: Uuid) -> ApiResult<i32> {
    use decision_record_counter::Column;
    let now = now();
    decision_record_counter::Entity::insert(decision_record_counter::ActiveModel {
        organization_id: Set(org),
        last_number: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .on_conflict_do_nothing_on([Column::OrganizationId])
    .exec_without_returning(txn)
    .await?;
    decision_record_counter::Entity::update_many()
        .col_expr(Column::LastNumber, Expr::col(Column::LastNumber).add(1))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::OrganizationId.eq(org))
        .exec(txn)
        .await?;
    let number: Option<i32> = decision_record_counter::Entity::find()
        .select_only()
        .column(Column::LastNumber)
        .filter(Column::OrganizationId.eq(org))
        .into_tuple()
        .one(txn)
        .await?;
    number.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no decision record counter")))
}

impl DecisionService {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Writes a PROPOSED decision record with the organisation's next number
    /// (ENGINEERING members, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create(
        &self,
        actor: &Actor,
        input: NewDecisionRecord,
    ) -> ApiResult<decision_record::Model> {
        let org = actor.org_id();
        authz::check(actor, Action::WriteDecisionRecord)?;
        let review = match input.from_review_id {
            Some(id) => {
                let review =
                    find_in_org::<architecture_review::Entity, _>(&self.db, org, id).await?;
                if review.status != ReviewStatus::Approved {
                    return Err(ApiError::bad_input(
                        "fromReviewId",
                        format!(
                            "only an APPROVED review becomes a decision record; this one is {}",
                            review.status.to_value()
                        ),
                    ));
                }
                Some(review)
            }
            None => None,
        };
        let prefill = |given: Option<String>, from: fn(&architecture_review::Model) -> &str| {
            given
                .or_else(|| review.as_ref().map(|r| from(r).to_owned()))
                .unwrap_or_default()
        };
        let title = text::required(&prefill(input.title, |r| &r.title), "title", text::NAME_MAX)?;
        let context = text::bounded(
            &prefill(input.context, |r| &r.proposal),
            "context",
            text::DOCUMENT_MAX,
        )?;
        let system = text::bounded(
            &prefill(input.system, |r| &r.system),
            "system",
            text::NAME_MAX,
        )?;
        let decision = text::required(&input.decision, "decision", text::DOCUMENT_MAX)?;
        let consequences = text::bounded(
            input.consequences.as_deref().unwrap_or(""),
            "consequences",
            text::DOCUMENT_MAX,
        )?;

        let mut w = Write::begin(&self.db, actor).await?;
        let number = next_number(&w, org).await?;
        let now = now();
        let record = w
            .insert(decision_record::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                number: Set(number),
                title: Set(title),
                status: Set(DecisionStatus::Proposed),
                system: Set(system),
                context: Set(context),
                decision: Set(decision),
                consequences: Set(consequences),
                review_id: Set(review.map(|r| r.id)),
                author_id: Set(actor.person()?),
                superseded_by_id: Set(None),
                accepted_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        w.commit(Kind::DecisionRecord, record.id).await?;
        tracing::info!(record.id = %record.id, record.number = number, "decision record written");
        Ok(record)
    }

    /// Changes a decision record while it is PROPOSED (ENGINEERING members, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), record.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: DecisionRecordChanges,
    ) -> ApiResult<decision_record::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let record = find_in_org::<decision_record::Entity, _>(&w, actor.org_id(), id).await?;
        authz::check(actor, Action::WriteDecisionRecord)?;
        if record.status != DecisionStatus::Proposed {
            return Err(ApiError::bad_input(
                "id",
                format!(
                    "a decision record that is {} cannot be changed; write a new one that supersedes it",
                    status_name(record.status)
                ),
            ));
        }
        let mut changes = <decision_record::ActiveModel as Default>::default();
        if let Some(t) = &input.title {
            changes.title = Set(text::required(t, "title", text::NAME_MAX)?);
        }
        if let Some(c) = &input.context {
            changes.context = Set(text::bounded(c, "context", text::DOCUMENT_MAX)?);
        }
        if let Some(d) = &input.decision {
            changes.decision = Set(text::required(d, "decision", text::DOCUMENT_MAX)?);
        }
        if let Some(c) = &input.consequences {
            changes.consequences = Set(text::bounded(c, "consequences", text::DOCUMENT_MAX)?);
        }
        if let Some(s) = &input.system {
            changes.system = Set(text::bounded(s, "system", text::NAME_MAX)?);
        }
        let done = w
            .save::<decision_record::Entity>(&record, input.expected_version, changes)
            .await?;
        w.commit(Kind::DecisionRecord, done.id).await?;
        Ok(done)
    }

    /// Moves a record from `from` to `to`, when the policy allows `action`.
    async fn transition(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i32>,
        action: fn(&LeadFacts) -> Action<'_>,
        (from, to): (DecisionStatus, DecisionStatus),
        changes: decision_record::ActiveModel,
    ) -> ApiResult<decision_record::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let record = find_in_org::<decision_record::Entity, _>(&w, actor.org_id(), id).await?;
        let lead = facts::lead(&w, actor).await?;
        authz::check(actor, action(&lead))?;
        if record.status != from {
            return Err(ApiError::bad_input(
                "id",
                format!(
                    "only a {} decision record can become {}; this one is {}",
                    status_name(from),
                    status_name(to),
                    status_name(record.status)
                ),
            ));
        }
        let record = w
            .save::<decision_record::Entity>(
                &record,
                expected_version,
                decision_record::ActiveModel {
                    status: Set(to),
                    ..changes
                },
            )
            .await?;
        tracing::info!(record.status = %status_name(to), "decision record moved");
        w.commit(Kind::DecisionRecord, record.id).await?;
        Ok(record)
    }

    /// Accepts a PROPOSED record (ENGINEERING LEADs, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), record.id = %id))]
    pub async fn accept(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i32>,
    ) -> ApiResult<decision_record::Model> {
        self.transition(
            actor,
            id,
            expected_version,
            |lead| Action::AcceptDecisionRecord { lead },
            (DecisionStatus::Proposed, DecisionStatus::Accepted),
            decision_record::ActiveModel {
                accepted_at: Set(Some(now())),
                ..Default::default()
            },
        )
        .await
    }

    /// Deprecates an ACCEPTED record (ENGINEERING LEADs, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), record.id = %id))]
    pub async fn deprecate(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i32>,
    ) -> ApiResult<decision_record::Model> {
        self.transition(
            actor,
            id,
            expected_version,
            |lead| Action::DeprecateDecisionRecord { lead },
            (DecisionStatus::Accepted, DecisionStatus::Deprecated),
            Default::default(),
        )
        .await
    }

    /// Marks the ACCEPTED record `id` as SUPERSEDED by the ACCEPTED record
    /// `superseded_by_id` (ENGINEERING LEADs, ADMIN). Returns both: the old one points
    /// at its replacement, the replacement lists it among those it supersedes.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), record.id = %id, superseded_by.id = %superseded_by_id))]
    pub async fn supersede(
        &self,
        actor: &Actor,
        id: Uuid,
        superseded_by_id: Uuid,
        expected_version: Option<i32>,
    ) -> ApiResult<(decision_record::Model, decision_record::Model)> {
        let org = actor.org_id();
        let old = find_in_org::<decision_record::Entity, _>(&self.db, org, id).await?;
        let new =
            find_in_org::<decision_record::Entity, _>(&self.db, org, superseded_by_id).await?;
        let lead = facts::lead(&self.db, actor).await?;
        authz::check(actor, Action::SupersedeDecisionRecord { lead: &lead })?;
        if old.id == new.id {
            return Err(ApiError::bad_input(
                "supersededById",
                "a decision record cannot supersede itself",
            ));
        }
        if old.status != DecisionStatus::Accepted {
            return Err(ApiError::bad_input(
                "id",
                format!(
                    "only an ACCEPTED decision record can be superseded; this one is {}",
                    status_name(old.status)
                ),
            ));
        }
        let not_accepted = |status: DecisionStatus| {
            ApiError::bad_input(
                "supersededById",
                format!(
                    "the replacing decision record must be ACCEPTED; it is {}",
                    status_name(status)
                ),
            )
        };
        if new.status != DecisionStatus::Accepted {
            return Err(not_accepted(new.status));
        }

        let mut w = Write::begin(&self.db, actor).await?;
        // Hold the replacement (and, on SQLite, the write lock) while the old record
        // changes, so the replacement is still ACCEPTED when this commits.
        use decision_record::Column;
        let held = decision_record::Entity::update_many()
            .col_expr(Column::Version, Expr::col(Column::Version))
            .filter(Column::OrganizationId.eq(org))
            .filter(Column::Id.eq(new.id))
            .filter(Column::Status.eq(DecisionStatus::Accepted))
            .exec(&w)
            .await?;
        if held.rows_affected == 0 {
            let now = find_in_org::<decision_record::Entity, _>(&w, org, new.id).await?;
            return Err(not_accepted(now.status));
        }
        let old = w
            .save::<decision_record::Entity>(
                &old,
                expected_version,
                decision_record::ActiveModel {
                    status: Set(DecisionStatus::Superseded),
                    superseded_by_id: Set(Some(new.id)),
                    ..Default::default()
                },
            )
            .await?;
        let new = find_in_org::<decision_record::Entity, _>(&w, org, new.id).await?;
        w.commit(Kind::DecisionRecord, old.id).await?;
        tracing::info!("decision record superseded");
        Ok((old, new))
    }

    /// The record with `number` in the caller's organisation.
    pub async fn get_by_number(
        &self,
        actor: &Actor,
        number: i32,
    ) -> ApiResult<decision_record::Model> {
        decision_record::Entity::find()
            .filter(decision_record::Column::OrganizationId.eq(actor.org_id()))
            .filter(decision_record::Column::Number.eq(number))
            .one(&self.db)
            .await?
            .ok_or(ApiError::NotFound)
    }

    fn query(
        &self,
        actor: &Actor,
        filter: &DecisionRecordFilter,
    ) -> Select<decision_record::Entity> {
        use decision_record::Column;
        let mut q =
            decision_record::Entity::find().filter(Column::OrganizationId.eq(actor.org_id()));
        if let Some(s) = filter.status {
            q = q.filter(Column::Status.eq(s));
        }
        if let Some(s) = filter.system.as_deref().filter(|s| !s.trim().is_empty()) {
            q = q.filter(
                Expr::expr(Func::lower(Expr::col(Column::System))).eq(s.trim().to_lowercase()),
            );
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
                    .add(like(Column::Context))
                    .add(like(Column::Decision))
                    .add(like(Column::Consequences)),
            );
        }
        q
    }

    /// One page of the organisation's decision records.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &DecisionRecordFilter,
        order: Order<decision_record::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<decision_record::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter), order, page).await
    }

    /// How many decision records match the filter.
    pub async fn count(&self, actor: &Actor, filter: &DecisionRecordFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)).await
    }
}
