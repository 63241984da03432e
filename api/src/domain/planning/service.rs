use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{
    dependency,
    enums::{DependencyStatus, InitiativeStatus, OutcomeStatus},
    initiative, kpi, outcome, outcome_initiative, squad,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Select,
};
use tracing::instrument;
use uuid::Uuid;

use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        calendar::Quarter,
        external_ref::ExternalRef,
        measures,
        scope::Scope,
        tenant::{find_in_org, save_versioned},
        text,
    },
    error::{ApiError, ApiResult, DbResultExt},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// Outcomes, initiatives, dependencies and the planning views.
#[derive(Clone)]
pub struct PlanningService {
    db: DatabaseConnection,
}

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

/// A dependency to declare: squad `from` needs squad `to`'s work by a date.
#[derive(Debug, Clone)]
pub struct NewDependency {
    pub from_squad_id: Uuid,
    pub to_squad_id: Uuid,
    pub initiative_id: Option<Uuid>,
    pub description: String,
    pub needed_by: NaiveDate,
}

/// Changes to a dependency.
#[derive(Debug, Clone, Default)]
pub struct DependencyChanges {
    pub expected_version: Option<i32>,
    pub status: Option<DependencyStatus>,
    pub description: Option<String>,
    pub needed_by: Option<NaiveDate>,
}

/// Which dependencies to list.
#[derive(Debug, Clone, Default)]
pub struct DependencyFilter {
    /// Dependencies this squad needs or is needed for.
    pub squad_id: Option<Uuid>,
    pub status: Option<DependencyStatus>,
    /// Due on or before this date.
    pub due_by: Option<NaiveDate>,
}

/// A team's plan for a quarter (the checklist: "define 3 measurable outcomes for your
/// team this quarter and map work to those outcomes").
#[derive(Debug, Clone)]
pub struct QuarterPlan {
    pub quarter: Quarter,
    /// Outcomes of the team and of its squads for the quarter.
    pub outcomes: Vec<outcome::Model>,
    /// Active initiatives (PLANNED, IN_PROGRESS) of the team's squads mapped to none of
    /// those outcomes.
    pub unmapped_initiatives: Vec<initiative::Model>,
    /// Outcomes measured by a KPI that has a target.
    pub measurable_outcome_count: usize,
}

impl QuarterPlan {
    /// At least this many measurable outcomes meet the checklist.
    pub const MIN_MEASURABLE_OUTCOMES: usize = 3;

    /// ≥ 3 measurable outcomes and every active initiative mapped.
    pub fn meets_outcome_checklist(&self) -> bool {
        self.measurable_outcome_count >= Self::MIN_MEASURABLE_OUTCOMES
            && self.unmapped_initiatives.is_empty()
    }
}

/// What a team's short weekly engineering sync needs, in one place.
#[derive(Debug, Clone)]
pub struct WeeklySync {
    /// The Monday of the week.
    pub week_start: NaiveDate,
    /// The day the sync looks ahead from: today in the current week, the Monday of
    /// any other week.
    pub as_of: NaiveDate,
    /// Open dependencies of the team's squads due within 14 days of `as_of` (or
    /// overdue), and every AT_RISK one.
    pub dependencies: Vec<dependency::Model>,
    /// The outcomes of `as_of`'s quarter of the team and its squads that are AT_RISK
    /// or OFF_TRACK.
    pub outcomes_at_risk: Vec<outcome::Model>,
    /// KPIs of the team and its squads whose values worsened over the 30 days up to the
    /// week's end.
    pub worsening_kpis: Vec<kpi::Model>,
}

/// How far ahead the weekly sync looks for dependencies.
pub const SYNC_HORIZON_DAYS: i64 = 14;
/// The window the weekly sync judges KPI trends over.
pub const SYNC_TREND_DAYS: i64 = 30;

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

/// The order of outcome lists: newest quarter first.
pub fn outcome_order() -> Order<outcome::Entity> {
    Order {
        column: outcome::Column::Quarter,
        id: outcome::Column::Id,
        descending: true,
        key: |m| SortValue::Text(m.quarter.clone()),
        id_of: |m| m.id,
    }
}

/// The order of initiative lists: oldest first.
pub fn initiative_order() -> Order<initiative::Entity> {
    Order {
        column: initiative::Column::CreatedAt,
        id: initiative::Column::Id,
        descending: false,
        key: |m| SortValue::Time(m.created_at),
        id_of: |m| m.id,
    }
}

/// The order of dependency lists: soonest due first.
pub fn dependency_order() -> Order<dependency::Entity> {
    Order {
        column: dependency::Column::NeededBy,
        id: dependency::Column::Id,
        descending: false,
        key: |m| SortValue::Date(m.needed_by),
        id_of: |m| m.id,
    }
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
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn kpi_in_org(&self, actor: &Actor, id: Option<Uuid>) -> ApiResult<()> {
        if let Some(id) = id {
            find_in_org::<kpi::Entity, _>(&self.db, actor.org_id(), id).await?;
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
        let facts = facts::scope(&self.db, actor, input.scope).await?;
        authz::check(actor, Action::PlanOutcome { scope: &facts })?;
        let title = text::required(&input.title, "title", text::NAME_MAX)?;
        let description = text::bounded(
            input.description.as_deref().unwrap_or(""),
            "description",
            text::TEXT_MAX,
        )?;
        self.kpi_in_org(actor, input.kpi_id).await?;
        let (team_id, squad_id) = input.scope.columns();
        let now = now();
        Ok(outcome::ActiveModel {
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
        }
        .insert(&self.db)
        .await?)
    }

    async fn plannable(&self, actor: &Actor, id: Uuid) -> ApiResult<outcome::Model> {
        let o = find_in_org::<outcome::Entity, _>(&self.db, actor.org_id(), id).await?;
        let facts = facts::scope(&self.db, actor, Scope::of_row(o.team_id, o.squad_id)?).await?;
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
        let o = self.plannable(actor, id).await?;
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
            self.kpi_in_org(actor, k).await?;
            changes.kpi_id = Set(k);
        }
        save_versioned::<outcome::Entity, _>(&self.db, &o, input.expected_version, changes).await
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
        let o = self.plannable(actor, id).await?;
        save_versioned::<outcome::Entity, _>(
            &self.db,
            &o,
            expected_version,
            outcome::ActiveModel {
                status: Set(status),
                ..Default::default()
            },
        )
        .await
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

    /// One page of outcomes, newest quarter first.
    pub async fn list_outcomes(
        &self,
        actor: &Actor,
        filter: &OutcomeFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<outcome::Model>> {
        pagination::paginate(
            &self.db,
            self.outcomes_query(actor, filter),
            outcome_order(),
            page,
        )
        .await
    }

    /// How many outcomes match.
    pub async fn count_outcomes(&self, actor: &Actor, filter: &OutcomeFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.outcomes_query(actor, filter)).await
    }

    async fn writable_initiative(&self, actor: &Actor, id: Uuid) -> ApiResult<initiative::Model> {
        let i = find_in_org::<initiative::Entity, _>(&self.db, actor.org_id(), id).await?;
        let facts = facts::scope(&self.db, actor, Scope::Squad(i.squad_id)).await?;
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
        let facts = facts::scope(&self.db, actor, Scope::Squad(input.squad_id)).await?;
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
        initiative::ActiveModel {
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
        }
        .insert(&self.db)
        .await
        .on_unique(
            "initiative_org_external_key",
            "externalRef",
            "an initiative with this external reference already exists",
        )
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
        let i = self.writable_initiative(actor, id).await?;
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
        save_versioned::<initiative::Entity, _>(&self.db, &i, input.expected_version, changes).await
    }

    /// Maps an initiative to an outcome (idempotent).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), initiative.id = %initiative_id, outcome.id = %outcome_id))]
    pub async fn link(
        &self,
        actor: &Actor,
        initiative_id: Uuid,
        outcome_id: Uuid,
    ) -> ApiResult<(initiative::Model, outcome::Model)> {
        let i = self.writable_initiative(actor, initiative_id).await?;
        let o = find_in_org::<outcome::Entity, _>(&self.db, actor.org_id(), outcome_id).await?;
        // One statement, so that parallel calls for the same link all succeed: the
        // unique index keeps one row and the others insert nothing.
        outcome_initiative::Entity::insert(outcome_initiative::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            outcome_id: Set(o.id),
            initiative_id: Set(i.id),
            created_at: Set(now()),
        })
        .on_conflict_do_nothing_on([
            outcome_initiative::Column::OrganizationId,
            outcome_initiative::Column::OutcomeId,
            outcome_initiative::Column::InitiativeId,
        ])
        .exec(&self.db)
        .await?;
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
        let i = self.writable_initiative(actor, initiative_id).await?;
        let o = find_in_org::<outcome::Entity, _>(&self.db, actor.org_id(), outcome_id).await?;
        let done = outcome_initiative::Entity::delete_many()
            .filter(outcome_initiative::Column::OrganizationId.eq(actor.org_id()))
            .filter(outcome_initiative::Column::OutcomeId.eq(o.id))
            .filter(outcome_initiative::Column::InitiativeId.eq(i.id))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(ApiError::NotFound);
        }
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

    /// One page of initiatives, oldest first.
    pub async fn list_initiatives(
        &self,
        actor: &Actor,
        filter: &InitiativeFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<initiative::Model>> {
        pagination::paginate(
            &self.db,
            self.initiatives_query(actor, filter),
            initiative_order(),
            page,
        )
        .await
    }

    /// How many initiatives match.
    pub async fn count_initiatives(
        &self,
        actor: &Actor,
        filter: &InitiativeFilter,
    ) -> ApiResult<u64> {
        pagination::count(&self.db, self.initiatives_query(actor, filter)).await
    }

    /// Declares that one squad needs another's work by a date (members or LEADs of the
    /// needing squad, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create_dependency(
        &self,
        actor: &Actor,
        input: NewDependency,
    ) -> ApiResult<dependency::Model> {
        let from = facts::scope(&self.db, actor, Scope::Squad(input.from_squad_id)).await?;
        find_in_org::<squad::Entity, _>(&self.db, actor.org_id(), input.to_squad_id).await?;
        authz::check(actor, Action::CreateDependency { from: &from })?;
        if input.from_squad_id == input.to_squad_id {
            return Err(ApiError::bad_input(
                "toSquadId",
                "a squad cannot depend on itself",
            ));
        }
        if let Some(i) = input.initiative_id {
            find_in_org::<initiative::Entity, _>(&self.db, actor.org_id(), i).await?;
        }
        let description = text::required(&input.description, "description", text::TEXT_MAX)?;
        let now = now();
        Ok(dependency::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            from_squad_id: Set(input.from_squad_id),
            to_squad_id: Set(input.to_squad_id),
            initiative_id: Set(input.initiative_id),
            description: Set(description),
            needed_by: Set(input.needed_by),
            status: Set(DependencyStatus::Open),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&self.db)
        .await?)
    }

    /// Changes a dependency (members or LEADs of either squad, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), dependency.id = %id))]
    pub async fn update_dependency(
        &self,
        actor: &Actor,
        id: Uuid,
        input: DependencyChanges,
    ) -> ApiResult<dependency::Model> {
        let d = find_in_org::<dependency::Entity, _>(&self.db, actor.org_id(), id).await?;
        let from = facts::scope(&self.db, actor, Scope::Squad(d.from_squad_id)).await?;
        let to = facts::scope(&self.db, actor, Scope::Squad(d.to_squad_id)).await?;
        authz::check(
            actor,
            Action::UpdateDependency {
                from: &from,
                to: &to,
            },
        )?;
        let mut changes = <dependency::ActiveModel as Default>::default();
        if let Some(s) = input.status {
            changes.status = Set(s);
        }
        if let Some(desc) = &input.description {
            changes.description = Set(text::required(desc, "description", text::TEXT_MAX)?);
        }
        if let Some(n) = input.needed_by {
            changes.needed_by = Set(n);
        }
        save_versioned::<dependency::Entity, _>(&self.db, &d, input.expected_version, changes).await
    }

    fn dependencies_query(
        &self,
        actor: &Actor,
        filter: &DependencyFilter,
    ) -> Select<dependency::Entity> {
        let mut q = dependency::Entity::find()
            .filter(dependency::Column::OrganizationId.eq(actor.org_id()));
        if let Some(s) = filter.squad_id {
            q = q.filter(
                Condition::any()
                    .add(dependency::Column::FromSquadId.eq(s))
                    .add(dependency::Column::ToSquadId.eq(s)),
            );
        }
        if let Some(st) = filter.status {
            q = q.filter(dependency::Column::Status.eq(st));
        }
        if let Some(d) = filter.due_by {
            q = q.filter(dependency::Column::NeededBy.lte(d));
        }
        q
    }

    /// One page of dependencies, soonest due first.
    pub async fn list_dependencies(
        &self,
        actor: &Actor,
        filter: &DependencyFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<dependency::Model>> {
        pagination::paginate(
            &self.db,
            self.dependencies_query(actor, filter),
            dependency_order(),
            page,
        )
        .await
    }

    /// How many dependencies match.
    pub async fn count_dependencies(
        &self,
        actor: &Actor,
        filter: &DependencyFilter,
    ) -> ApiResult<u64> {
        pagination::count(&self.db, self.dependencies_query(actor, filter)).await
    }

    /// The ids of a team's squads.
    async fn squads_of(&self, actor: &Actor, team_id: Uuid) -> ApiResult<Vec<Uuid>> {
        Ok(squad::Entity::find()
            .filter(squad::Column::OrganizationId.eq(actor.org_id()))
            .filter(squad::Column::TeamId.eq(team_id))
            .filter(squad::Column::Status.ne(entity::enums::SquadStatus::Archived))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect())
    }

    /// Rows owned by the team or by one of its squads.
    fn owned_by(
        team_id: Uuid,
        squads: &[Uuid],
        team_col: impl ColumnTrait,
        squad_col: impl ColumnTrait,
    ) -> Condition {
        Condition::any()
            .add(team_col.eq(team_id))
            .add(squad_col.is_in(squads.iter().copied()))
    }

    /// A team's plan for a quarter: its and its squads' outcomes, and the active work
    /// mapped to none of them.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %team_id))]
    pub async fn quarter_plan(
        &self,
        actor: &Actor,
        team_id: Uuid,
        quarter: Quarter,
    ) -> ApiResult<QuarterPlan> {
        let org = actor.org_id();
        let squads = self.squads_of(actor, team_id).await?;
        let outcomes = outcome::Entity::find()
            .filter(outcome::Column::OrganizationId.eq(org))
            .filter(outcome::Column::Quarter.eq(quarter.to_string()))
            .filter(Self::owned_by(
                team_id,
                &squads,
                outcome::Column::TeamId,
                outcome::Column::SquadId,
            ))
            .order_by_asc(outcome::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let kpi_ids: Vec<Uuid> = outcomes.iter().filter_map(|o| o.kpi_id).collect();
        let with_target: HashSet<Uuid> = kpi::Entity::find()
            .filter(kpi::Column::OrganizationId.eq(org))
            .filter(kpi::Column::Id.is_in(kpi_ids))
            .filter(kpi::Column::Target.is_not_null())
            .all(&self.db)
            .await?
            .into_iter()
            .map(|k| k.id)
            .collect();
        let measurable_outcome_count = outcomes
            .iter()
            .filter(|o| o.kpi_id.is_some_and(|k| with_target.contains(&k)))
            .count();
        let mapped = Query::select()
            .column(outcome_initiative::Column::InitiativeId)
            .from(outcome_initiative::Entity)
            .and_where(Expr::col(outcome_initiative::Column::OrganizationId).eq(org))
            .and_where(
                Expr::col(outcome_initiative::Column::OutcomeId)
                    .is_in(outcomes.iter().map(|o| o.id)),
            )
            .to_owned();
        let unmapped_initiatives = initiative::Entity::find()
            .filter(initiative::Column::OrganizationId.eq(org))
            .filter(initiative::Column::SquadId.is_in(squads.iter().copied()))
            .filter(
                initiative::Column::Status
                    .is_in([InitiativeStatus::Planned, InitiativeStatus::InProgress]),
            )
            .filter(initiative::Column::Id.not_in_subquery(mapped))
            .order_by_asc(initiative::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(QuarterPlan {
            quarter,
            outcomes,
            unmapped_initiatives,
            measurable_outcome_count,
        })
    }

    /// What a team's weekly sync for the week containing `day` needs: dependencies due
    /// soon or at risk, outcomes at risk, and KPIs that got worse.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %team_id))]
    pub async fn weekly_sync(
        &self,
        actor: &Actor,
        team_id: Uuid,
        day: NaiveDate,
    ) -> ApiResult<WeeklySync> {
        let org = actor.org_id();
        let squads = self.squads_of(actor, team_id).await?;
        // Weeks start on Monday. "Due within 14 days" counts from the day the sync is
        // held: a Friday sync of this week must see what is due the Thursday after
        // next, not only what is due within 14 days of a Monday already past.
        let week_start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let today = now().date_naive();
        let as_of = if (week_start..week_start + Duration::days(7)).contains(&today) {
            today
        } else {
            week_start
        };
        let horizon = as_of + Duration::days(SYNC_HORIZON_DAYS);
        let dependencies = dependency::Entity::find()
            .filter(dependency::Column::OrganizationId.eq(org))
            .filter(
                Condition::any()
                    .add(dependency::Column::FromSquadId.is_in(squads.iter().copied()))
                    .add(dependency::Column::ToSquadId.is_in(squads.iter().copied())),
            )
            .filter(
                Condition::any()
                    .add(dependency::Column::Status.eq(DependencyStatus::AtRisk))
                    .add(
                        Condition::all()
                            .add(dependency::Column::Status.eq(DependencyStatus::Open))
                            .add(dependency::Column::NeededBy.lte(horizon)),
                    ),
            )
            .order_by_asc(dependency::Column::NeededBy)
            .order_by_asc(dependency::Column::Id)
            .all(&self.db)
            .await?;
        let quarter = Quarter::containing(as_of);
        let outcomes_at_risk = outcome::Entity::find()
            .filter(outcome::Column::OrganizationId.eq(org))
            .filter(outcome::Column::Quarter.eq(quarter.to_string()))
            .filter(Self::owned_by(
                team_id,
                &squads,
                outcome::Column::TeamId,
                outcome::Column::SquadId,
            ))
            .filter(outcome::Column::Status.is_in([OutcomeStatus::AtRisk, OutcomeStatus::OffTrack]))
            .order_by_asc(outcome::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let team_kpis = kpi::Entity::find()
            .filter(kpi::Column::OrganizationId.eq(org))
            .filter(kpi::Column::ArchivedAt.is_null())
            .filter(Self::owned_by(
                team_id,
                &squads,
                kpi::Column::TeamId,
                kpi::Column::SquadId,
            ))
            .order_by_asc(kpi::Column::Name)
            .all(&self.db)
            .await?;
        let week_end = (week_start + Duration::days(7))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        let until = std::cmp::min(week_end, now());
        let since = until - Duration::days(SYNC_TREND_DAYS);
        let ids: Vec<Uuid> = team_kpis.iter().map(|k| k.id).collect();
        let ends = measures::trend_ends(&self.db, org, &ids, since, until).await?;
        let worsening_kpis = team_kpis
            .into_iter()
            .filter(|k| {
                ends.get(&k.id).is_some_and(|e| {
                    e.count >= 2
                        && measures::trend(k.direction, e.first, e.last)
                            == measures::TrendDirection::Worsening
                })
            })
            .collect();
        Ok(WeeklySync {
            week_start,
            as_of,
            dependencies,
            outcomes_at_risk,
            worsening_kpis,
        })
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
