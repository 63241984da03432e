//! Outcomes: a measurable result for one quarter, owned by a team or a squad.

use chrono::{DateTime, Utc};
use entity::{enums::OutcomeStatus, kpi, outcome};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use tracing::instrument;
use uuid::Uuid;

use super::service::PlanningService;
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        calendar::Quarter, journal::Write, kind::Kind, scope::Scope, tenant::find_in_org, text,
    },
    error::ApiResult,
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// An outcome to set for a quarter.
#[derive(Debug, Clone)]
pub struct NewOutcome {
    pub scope: Scope,
    pub quarter: Quarter,
    pub title: String,
    pub description: Option<String>,
    pub kpi_id: Option<Uuid>,
    pub status: Option<OutcomeStatus>,
}

/// Changes to an outcome: `None` leaves a field; `Some(None)` clears the KPI.
#[derive(Debug, Clone, Default)]
pub struct OutcomeChanges {
    pub expected_version: Option<i32>,
    pub quarter: Option<Quarter>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kpi_id: Option<Option<Uuid>>,
}

/// Which outcomes to list.
#[derive(Debug, Clone, Default)]
pub struct OutcomeFilter {
    pub quarter: Option<Quarter>,
    pub team_id: Option<Uuid>,
    pub squad_id: Option<Uuid>,
    pub status: Option<OutcomeStatus>,
    pub updated_since: Option<DateTime<Utc>>,
}

/// How outcomes are ordered; the id breaks ties, so a page never skips a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutcomeSort {
    #[default]
    Quarter,
    CreatedAt,
    /// What a sync pages by with `updatedSince`.
    UpdatedAt,
}

/// The order of an outcome list.
pub fn outcome_order_by(sort: OutcomeSort, descending: bool) -> Order<outcome::Entity> {
    let (column, key): (outcome::Column, fn(&outcome::Model) -> SortValue) = match sort {
        OutcomeSort::Quarter => (outcome::Column::Quarter, |m| {
            SortValue::Text(m.quarter.clone())
        }),
        OutcomeSort::CreatedAt => (outcome::Column::CreatedAt, |m| {
            SortValue::Time(m.created_at)
        }),
        OutcomeSort::UpdatedAt => (outcome::Column::UpdatedAt, |m| {
            SortValue::Time(m.updated_at)
        }),
    };
    Order {
        column,
        id: outcome::Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

/// The default order of outcome lists: newest quarter first.
pub fn outcome_order() -> Order<outcome::Entity> {
    outcome_order_by(OutcomeSort::Quarter, true)
}

impl PlanningService {
    async fn kpi_in_org<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Option<Uuid>,
    ) -> ApiResult<()> {
        if let Some(id) = id {
            find_in_org::<kpi::Entity, _>(db, actor.org_id(), id).await?;
        }
        Ok(())
    }

    /// Sets an outcome for a quarter (ADMIN, or a LEAD of the owning team or squad).
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create_outcome(
        &self,
        actor: &Actor,
        input: NewOutcome,
    ) -> ApiResult<outcome::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let facts = facts::scope(&w, actor, input.scope).await?;
        authz::check(actor, Action::PlanOutcome { scope: &facts })?;
        let title = text::required(&input.title, "title", text::NAME_MAX)?;
        let description = text::bounded(
            input.description.as_deref().unwrap_or(""),
            "description",
            text::TEXT_MAX,
        )?;
        self.kpi_in_org(&w, actor, input.kpi_id).await?;
        let (team_id, squad_id) = input.scope.columns();
        let now = now();
        let done = w
            .insert(outcome::ActiveModel {
                external_source: Set(None),
                external_id: Set(None),
                external_url: Set(None),
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                team_id: Set(team_id),
                squad_id: Set(squad_id),
                quarter: Set(input.quarter.to_string()),
                title: Set(title),
                description: Set(description),
                kpi_id: Set(input.kpi_id),
                status: Set(input.status.unwrap_or(OutcomeStatus::OnTrack)),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        w.commit(Kind::Outcome, done.id).await?;
        Ok(done)
    }

    async fn plannable<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<outcome::Model> {
        let o = find_in_org::<outcome::Entity, _>(db, actor.org_id(), id).await?;
        let facts = facts::scope(db, actor, Scope::of_row(o.team_id, o.squad_id)?).await?;
        authz::check(actor, Action::PlanOutcome { scope: &facts })?;
        Ok(o)
    }

    /// Changes an outcome (ADMIN, or a LEAD of its team or squad).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), outcome.id = %id))]
    pub async fn update_outcome(
        &self,
        actor: &Actor,
        id: Uuid,
        input: OutcomeChanges,
    ) -> ApiResult<outcome::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let o = self.plannable(&w, actor, id).await?;
        let mut changes = <outcome::ActiveModel as Default>::default();
        if let Some(t) = &input.title {
            changes.title = Set(text::required(t, "title", text::NAME_MAX)?);
        }
        if let Some(d) = &input.description {
            changes.description = Set(text::bounded(d, "description", text::TEXT_MAX)?);
        }
        if let Some(q) = input.quarter {
            changes.quarter = Set(q.to_string());
        }
        if let Some(k) = input.kpi_id {
            self.kpi_in_org(&w, actor, k).await?;
            changes.kpi_id = Set(k);
        }
        let done = w
            .save::<outcome::Entity>(&o, input.expected_version, changes)
            .await?;
        w.commit(Kind::Outcome, done.id).await?;
        Ok(done)
    }

    /// Sets how an outcome is going, or how it ended.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), outcome.id = %id))]
    pub async fn set_outcome_status(
        &self,
        actor: &Actor,
        id: Uuid,
        status: OutcomeStatus,
        expected_version: Option<i32>,
    ) -> ApiResult<outcome::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let o = self.plannable(&w, actor, id).await?;
        let done = w
            .save::<outcome::Entity>(
                &o,
                expected_version,
                outcome::ActiveModel {
                    status: Set(status),
                    ..Default::default()
                },
            )
            .await?;
        w.commit(Kind::Outcome, done.id).await?;
        Ok(done)
    }

    fn outcomes_query(&self, actor: &Actor, filter: &OutcomeFilter) -> Select<outcome::Entity> {
        let mut q =
            outcome::Entity::find().filter(outcome::Column::OrganizationId.eq(actor.org_id()));
        if let Some(quarter) = filter.quarter {
            q = q.filter(outcome::Column::Quarter.eq(quarter.to_string()));
        }
        if let Some(t) = filter.team_id {
            q = q.filter(outcome::Column::TeamId.eq(t));
        }
        if let Some(s) = filter.squad_id {
            q = q.filter(outcome::Column::SquadId.eq(s));
        }
        if let Some(st) = filter.status {
            q = q.filter(outcome::Column::Status.eq(st));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(outcome::Column::UpdatedAt.gte(since));
        }
        q
    }

    /// One page of outcomes in `order`.
    pub async fn list_outcomes(
        &self,
        actor: &Actor,
        filter: &OutcomeFilter,
        order: Order<outcome::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<outcome::Model>> {
        pagination::paginate(&self.db, self.outcomes_query(actor, filter), order, page).await
    }

    /// How many outcomes match.
    pub async fn count_outcomes(&self, actor: &Actor, filter: &OutcomeFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.outcomes_query(actor, filter)).await
    }
}
