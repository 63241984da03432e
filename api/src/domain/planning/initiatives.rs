//! Initiatives: a squad's work, mapped to the outcomes it serves.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{enums::InitiativeStatus, initiative, outcome, outcome_initiative};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr, Query},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select, TryInsertResult,
};
use tracing::instrument;
use uuid::Uuid;

use super::service::PlanningService;
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        external_ref::ExternalRef,
        journal::{ChangeKind, Subject, Write},
        kind::Kind,
        scope::Scope,
        tenant::find_in_org,
        text,
    },
    error::{ApiError, ApiResult, DbResultExt},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// An initiative to create in a squad.
#[derive(Debug, Clone)]
pub struct NewInitiative {
    pub squad_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: Option<InitiativeStatus>,
    pub start_date: Option<NaiveDate>,
    pub target_date: Option<NaiveDate>,
    pub external: Option<ExternalRef>,
}

/// Changes to an initiative: `None` leaves a field; `Some(None)` clears a date.
#[derive(Debug, Clone, Default)]
pub struct InitiativeChanges {
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<InitiativeStatus>,
    pub start_date: Option<Option<NaiveDate>>,
    pub target_date: Option<Option<NaiveDate>>,
}

/// Which initiatives to list.
#[derive(Debug, Clone, Default)]
pub struct InitiativeFilter {
    pub squad_id: Option<Uuid>,
    pub status: Option<InitiativeStatus>,
    /// Only initiatives mapped to this outcome.
    pub outcome_id: Option<Uuid>,
    /// Only initiatives mapped to no outcome (true) or to some (false).
    pub unmapped: Option<bool>,
    pub text: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
}

/// Whether an initiative may move from one status to another.
pub fn can_move(from: InitiativeStatus, to: InitiativeStatus) -> bool {
    use InitiativeStatus::*;
    from == to
        || matches!(
            (from, to),
            (Proposed, Planned)
                | (Planned, InProgress)
                | (InProgress, Done)
                | (Proposed | Planned | InProgress, Dropped)
        )
}

/// How initiatives are ordered; the id breaks ties, so a page never skips a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InitiativeSort {
    #[default]
    CreatedAt,
    /// What a sync pages by with `updatedSince`.
    UpdatedAt,
    Title,
}

/// The order of an initiative list.
pub fn initiative_order_by(sort: InitiativeSort, descending: bool) -> Order<initiative::Entity> {
    let (column, key): (initiative::Column, fn(&initiative::Model) -> SortValue) = match sort {
        InitiativeSort::CreatedAt => (initiative::Column::CreatedAt, |m| {
            SortValue::Time(m.created_at)
        }),
        InitiativeSort::UpdatedAt => (initiative::Column::UpdatedAt, |m| {
            SortValue::Time(m.updated_at)
        }),
        InitiativeSort::Title => (initiative::Column::TitleKey, |m| {
            SortValue::Text(m.title_key.clone())
        }),
    };
    Order {
        column,
        id: initiative::Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

/// The default order of initiative lists: oldest first.
pub fn initiative_order() -> Order<initiative::Entity> {
    initiative_order_by(InitiativeSort::CreatedAt, false)
}

fn dates(start: Option<NaiveDate>, target: Option<NaiveDate>) -> ApiResult<()> {
    if let (Some(s), Some(t)) = (start, target) {
        if t < s {
            return Err(ApiError::bad_input(
                "targetDate",
                "targetDate is before startDate",
            ));
        }
    }
    Ok(())
}

impl PlanningService {
    async fn writable_initiative<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<initiative::Model> {
        let i = find_in_org::<initiative::Entity, _>(db, actor.org_id(), id).await?;
        let facts = facts::scope(db, actor, Scope::Squad(i.squad_id)).await?;
        authz::check(actor, Action::WriteInitiative { squad: &facts })?;
        Ok(i)
    }

    /// Creates an initiative in a squad (its members, a LEAD of it or of its home team,
    /// ADMIN). It starts as PROPOSED unless a status is given.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), squad.id = %input.squad_id))]
    pub async fn create_initiative(
        &self,
        actor: &Actor,
        input: NewInitiative,
    ) -> ApiResult<initiative::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let facts = facts::scope(&w, actor, Scope::Squad(input.squad_id)).await?;
        authz::check(actor, Action::WriteInitiative { squad: &facts })?;
        let title = text::required(&input.title, "title", text::NAME_MAX)?;
        let description = text::bounded(
            input.description.as_deref().unwrap_or(""),
            "description",
            text::TEXT_MAX,
        )?;
        dates(input.start_date, input.target_date)?;
        let ext = input
            .external
            .as_ref()
            .map(ExternalRef::checked)
            .transpose()?;
        let now = now();
        let done = w
            .insert(initiative::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                squad_id: Set(input.squad_id),
                title_key: Set(text::fold(&title)),
                title: Set(title),
                description: Set(description),
                status: Set(input.status.unwrap_or(InitiativeStatus::Proposed)),
                start_date: Set(input.start_date),
                target_date: Set(input.target_date),
                external_source: Set(ext.as_ref().map(|e| e.source.clone())),
                external_id: Set(ext.as_ref().map(|e| e.id.clone())),
                external_url: Set(ext.and_then(|e| e.url)),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await
            .on_unique(
                "initiative_org_external_key",
                "externalRef",
                "an initiative with this external reference already exists",
            )?;
        w.commit(Kind::Initiative, done.id).await?;
        Ok(done)
    }

    /// Changes an initiative. Status moves PROPOSED → PLANNED → IN_PROGRESS → DONE, or
    /// to DROPPED from any state before DONE; anything else is BAD_USER_INPUT.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), initiative.id = %id))]
    pub async fn update_initiative(
        &self,
        actor: &Actor,
        id: Uuid,
        input: InitiativeChanges,
    ) -> ApiResult<initiative::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let i = self.writable_initiative(&w, actor, id).await?;
        let mut changes = <initiative::ActiveModel as Default>::default();
        if let Some(t) = &input.title {
            let title = text::required(t, "title", text::NAME_MAX)?;
            changes.title_key = Set(text::fold(&title));
            changes.title = Set(title);
        }
        if let Some(d) = &input.description {
            changes.description = Set(text::bounded(d, "description", text::TEXT_MAX)?);
        }
        if let Some(status) = input.status {
            if !can_move(i.status, status) {
                return Err(ApiError::bad_input(
                    "status",
                    format!(
                        "an initiative cannot move from {} to {}",
                        sea_orm::ActiveEnum::to_value(&i.status),
                        sea_orm::ActiveEnum::to_value(&status)
                    ),
                ));
            }
            changes.status = Set(status);
        }
        let start = input.start_date.unwrap_or(i.start_date);
        let target = input.target_date.unwrap_or(i.target_date);
        dates(start, target)?;
        changes.start_date = Set(start);
        changes.target_date = Set(target);
        let done = w
            .save::<initiative::Entity>(&i, input.expected_version, changes)
            .await?;
        w.commit(Kind::Initiative, done.id).await?;
        Ok(done)
    }

    /// Maps an initiative to an outcome (idempotent).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), initiative.id = %initiative_id, outcome.id = %outcome_id))]
    pub async fn link(
        &self,
        actor: &Actor,
        initiative_id: Uuid,
        outcome_id: Uuid,
    ) -> ApiResult<(initiative::Model, outcome::Model)> {
        let mut w = Write::begin(&self.db, actor).await?;
        let i = self.writable_initiative(&w, actor, initiative_id).await?;
        let o = find_in_org::<outcome::Entity, _>(&w, actor.org_id(), outcome_id).await?;
        // One statement, so that parallel calls for the same link all succeed: the
        // unique index keeps one row and the others insert nothing.
        let link = outcome_initiative::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            outcome_id: Set(o.id),
            initiative_id: Set(i.id),
            created_at: Set(now()),
        };
        let inserted = outcome_initiative::Entity::insert(link)
            .on_conflict_do_nothing_on([
                outcome_initiative::Column::OrganizationId,
                outcome_initiative::Column::OutcomeId,
                outcome_initiative::Column::InitiativeId,
            ])
            .exec_without_returning(&w)
            .await?;
        if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            w.record(
                ChangeKind::Created,
                Subject::relation(
                    "InitiativeOutcome",
                    (Kind::Initiative, i.id),
                    (Kind::Outcome, o.id),
                ),
            );
        }
        w.commit(Kind::Initiative, i.id).await?;
        Ok((i, o))
    }

    /// Unmaps an initiative from an outcome; NOT_FOUND if it was not mapped.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), initiative.id = %initiative_id, outcome.id = %outcome_id))]
    pub async fn unlink(
        &self,
        actor: &Actor,
        initiative_id: Uuid,
        outcome_id: Uuid,
    ) -> ApiResult<(initiative::Model, outcome::Model)> {
        let mut w = Write::begin(&self.db, actor).await?;
        let i = self.writable_initiative(&w, actor, initiative_id).await?;
        let o = find_in_org::<outcome::Entity, _>(&w, actor.org_id(), outcome_id).await?;
        let gone = w
            .delete_found(
                outcome_initiative::Entity::find()
                    .filter(outcome_initiative::Column::OrganizationId.eq(actor.org_id()))
                    .filter(outcome_initiative::Column::OutcomeId.eq(o.id))
                    .filter(outcome_initiative::Column::InitiativeId.eq(i.id)),
            )
            .await?;
        if gone.is_none() {
            return Err(ApiError::NotFound);
        }
        w.commit(Kind::Initiative, i.id).await?;
        Ok((i, o))
    }

    fn initiatives_query(
        &self,
        actor: &Actor,
        filter: &InitiativeFilter,
    ) -> Select<initiative::Entity> {
        let org = actor.org_id();
        let mut q = initiative::Entity::find().filter(initiative::Column::OrganizationId.eq(org));
        if let Some(s) = filter.squad_id {
            q = q.filter(initiative::Column::SquadId.eq(s));
        }
        if let Some(st) = filter.status {
            q = q.filter(initiative::Column::Status.eq(st));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(initiative::Column::UpdatedAt.gte(since));
        }
        if let Some(s) = filter.text.as_deref().filter(|s| !s.trim().is_empty()) {
            q = q.filter(
                Expr::col(initiative::Column::TitleKey)
                    .like(LikeExpr::new(text::contains_pattern(s)).escape('\\')),
            );
        }
        let linked = |outcome: Option<Uuid>| {
            let mut sub = Query::select()
                .column(outcome_initiative::Column::InitiativeId)
                .from(outcome_initiative::Entity)
                .and_where(Expr::col(outcome_initiative::Column::OrganizationId).eq(org))
                .to_owned();
            if let Some(o) = outcome {
                sub.and_where(Expr::col(outcome_initiative::Column::OutcomeId).eq(o));
            }
            sub
        };
        if let Some(o) = filter.outcome_id {
            q = q.filter(initiative::Column::Id.in_subquery(linked(Some(o))));
        }
        match filter.unmapped {
            Some(true) => q = q.filter(initiative::Column::Id.not_in_subquery(linked(None))),
            Some(false) => q = q.filter(initiative::Column::Id.in_subquery(linked(None))),
            None => {}
        }
        q
    }

    /// One page of initiatives in `order`.
    pub async fn list_initiatives(
        &self,
        actor: &Actor,
        filter: &InitiativeFilter,
        order: Order<initiative::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<initiative::Model>> {
        pagination::paginate(&self.db, self.initiatives_query(actor, filter), order, page).await
    }

    /// How many initiatives match.
    pub async fn count_initiatives(
        &self,
        actor: &Actor,
        filter: &InitiativeFilter,
    ) -> ApiResult<u64> {
        pagination::count(&self.db, self.initiatives_query(actor, filter)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InitiativeStatus::*;

    #[test]
    fn initiatives_move_forward_or_drop() {
        for (from, to, ok) in [
            (Proposed, Planned, true),
            (Planned, InProgress, true),
            (InProgress, Done, true),
            (Proposed, Dropped, true),
            (InProgress, Dropped, true),
            (Proposed, InProgress, false),
            (Planned, Proposed, false),
            (Done, Dropped, false),
            (Dropped, Planned, false),
            (Done, InProgress, false),
        ] {
            assert_eq!(can_move(from, to), ok, "{from:?} -> {to:?}");
        }
    }
}
