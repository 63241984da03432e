//! GraphQL types, queries and mutations of the planning area: outcomes, initiatives,
//! dependencies, and a team's quarter plan and weekly sync.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{dependency, initiative, kpi, outcome, outcome_initiative, squad, team};
use uuid::Uuid;

pub use super::loaders::{
    SquadInitiatives, SquadNeededBy, SquadNeeds, SquadOutcomes, TeamOutcomes,
};
use super::{
    loaders::{InitiativeLinks, OutcomeLinks},
    DependencyChanges, DependencyFilter as DependencyFilterArgs, InitiativeChanges,
    InitiativeFilter as InitiativeFilterArgs, NewDependency, NewInitiative, NewOutcome,
    OutcomeChanges, OutcomeFilter as OutcomeFilterArgs, QuarterPlan as DomainQuarterPlan,
    WeeklySync as DomainWeeklySync,
};
use crate::{
    domain::{kpis::graphql::Kpi, scope::Scope, squads::graphql::Squad, teams::graphql::Team},
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{DependencyStatus, InitiativeStatus, OutcomeStatus},
        external_ref::{ExternalRefInput, ExternalReference},
        ids::{self, Kind},
        loaders::{load_children, load_one, ById, InOrg},
        scalars::{Date, Quarter},
    },
    pagination::Page,
};

/// A measurable result for one quarter, owned by a team or a squad.
pub struct Outcome(pub outcome::Model);

impl Outcome {
    async fn load_kpi(&self, ctx: &Context<'_>) -> ApiResult<Option<kpi::Model>> {
        match self.0.kpi_id {
            Some(k) => Ok(Some(
                load_one::<kpi::Entity>(ctx, self.0.organization_id, k).await?,
            )),
            None => Ok(None),
        }
    }
}

/// Builds a connection over link rows, loading what each link points at in one batch.
async fn linked<E, T>(
    ctx: &Context<'_>,
    org: Uuid,
    page: Page<outcome_initiative::Model>,
    target: fn(&outcome_initiative::Model) -> Uuid,
    wrap: fn(E::Model) -> T,
    total: TotalCount,
) -> ApiResult<Conn<T>>
where
    E: crate::domain::tenant::TenantTable,
    E::Model: Clone + Send + Sync,
    T: async_graphql::OutputType,
{
    let keys: Vec<InOrg> = page
        .items
        .iter()
        .map(|(_, l)| InOrg { org, id: target(l) })
        .collect();
    let mut found = ctx.loader::<ById<E>, InOrg>().load_many(keys).await?;
    let page = Page {
        items: page
            .items
            .into_iter()
            .filter_map(|(c, l)| {
                found
                    .remove(&InOrg {
                        org,
                        id: target(&l),
                    })
                    .map(|m| (c, m))
            })
            .collect(),
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
    };
    Ok(connection(page, wrap, total))
}

#[Object]
impl Outcome {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Outcome, self.0.id)
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
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> OutcomeStatus {
        self.0.status.into()
    }
    /// The owning team (null when a squad owns it).
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        match self.0.team_id {
            Some(t) => Ok(Some(Team(
                load_one::<team::Entity>(ctx, self.0.organization_id, t).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The owning squad (null when a team owns it).
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Option<Squad>> {
        match self.0.squad_id {
            Some(s) => Ok(Some(Squad(
                load_one::<squad::Entity>(ctx, self.0.organization_id, s).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The KPI that measures it.
    async fn kpi(&self, ctx: &Context<'_>) -> ApiResult<Option<Kpi>> {
        Ok(self.load_kpi(ctx).await?.map(Kpi))
    }
    /// True when it has a KPI with a target.
    async fn is_measurable(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self
            .load_kpi(ctx)
            .await?
            .is_some_and(|k| k.target.is_some()))
    }
    /// 0–1, its KPI's attainment; null when it is not measurable or not measured yet.
    async fn progress(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        Ok(self.load_kpi(ctx).await?.and_then(|k| k.attainment))
    }
    /// The initiatives mapped to it.
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Initiative>> {
        let org = self.0.organization_id;
        let (page, total) = load_children::<OutcomeLinks>(
            ctx,
            org,
            self.0.id,
            page_args(first, after, last, before),
        )
        .await?;
        linked::<initiative::Entity, _>(ctx, org, page, |l| l.initiative_id, Initiative, total)
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

/// Work by a squad, mapped to the outcomes it serves.
pub struct Initiative(pub initiative::Model);

#[Object]
impl Initiative {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Initiative, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> InitiativeStatus {
        self.0.status.into()
    }
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }
    async fn target_date(&self) -> Option<Date> {
        self.0.target_date.map(Date)
    }
    async fn external_ref(&self) -> Option<ExternalReference> {
        ExternalReference::of_row(
            &self.0.external_source,
            &self.0.external_id,
            &self.0.external_url,
        )
    }
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// The outcomes it is mapped to.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Outcome>> {
        let org = self.0.organization_id;
        let (page, total) = load_children::<InitiativeLinks>(
            ctx,
            org,
            self.0.id,
            page_args(first, after, last, before),
        )
        .await?;
        linked::<outcome::Entity, _>(ctx, org, page, |l| l.outcome_id, Outcome, total).await
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

/// One squad needs another's work by a date.
pub struct Dependency(pub dependency::Model);

#[Object]
impl Dependency {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Dependency, self.0.id)
    }
    /// The squad that needs the work.
    async fn from_squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.from_squad_id)
            .await
            .map(Squad)
    }
    /// The squad that does it.
    async fn to_squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.to_squad_id)
            .await
            .map(Squad)
    }
    async fn initiative(&self, ctx: &Context<'_>) -> ApiResult<Option<Initiative>> {
        match self.0.initiative_id {
            Some(i) => Ok(Some(Initiative(
                load_one::<initiative::Entity>(ctx, self.0.organization_id, i).await?,
            ))),
            None => Ok(None),
        }
    }
    /// What is needed.
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn needed_by(&self) -> Date {
        Date(self.0.needed_by)
    }
    async fn status(&self) -> DependencyStatus {
        self.0.status.into()
    }
    /// Still open or at risk after its date.
    async fn is_overdue(&self) -> bool {
        use entity::enums::DependencyStatus as S;
        matches!(self.0.status, S::Open | S::AtRisk) && self.0.needed_by < Utc::now().date_naive()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A team's plan for a quarter: "define 3 measurable outcomes for your team this
/// quarter and map work to those outcomes".
pub struct QuarterPlan(pub DomainQuarterPlan);

#[Object]
impl QuarterPlan {
    async fn quarter(&self) -> Quarter {
        Quarter(self.0.quarter)
    }
    /// The quarter's outcomes of the team and of its squads.
    async fn outcomes(&self) -> Vec<Outcome> {
        self.0.outcomes.iter().cloned().map(Outcome).collect()
    }
    /// Active initiatives (PLANNED, IN_PROGRESS) of the team's squads mapped to none of
    /// the quarter's outcomes.
    async fn unmapped_initiatives(&self) -> Vec<Initiative> {
        self.0
            .unmapped_initiatives
            .iter()
            .cloned()
            .map(Initiative)
            .collect()
    }
    /// Outcomes measured by a KPI with a target.
    async fn measurable_outcome_count(&self) -> i32 {
        self.0.measurable_outcome_count as i32
    }
    /// At least 3 measurable outcomes, and every active initiative mapped to one.
    async fn meets_outcome_checklist(&self) -> bool {
        self.0.meets_outcome_checklist()
    }
}

/// Everything a team's short weekly engineering sync needs.
pub struct WeeklySync(pub DomainWeeklySync);

#[Object]
impl WeeklySync {
    /// The Monday of the week.
    async fn week_start(&self) -> Date {
        Date(self.0.week_start)
    }
    /// The day the sync looks ahead from: today in the current week, the Monday of
    /// any other week.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// Open dependencies of the team's squads (either side) due within 14 days of
    /// `asOf` or overdue, and every AT_RISK one; soonest first.
    async fn dependencies(&self) -> Vec<Dependency> {
        self.0
            .dependencies
            .iter()
            .cloned()
            .map(Dependency)
            .collect()
    }
    /// The outcomes of `asOf`'s quarter of the team and its squads that are AT_RISK or
    /// OFF_TRACK.
    async fn outcomes_at_risk(&self) -> Vec<Outcome> {
        self.0
            .outcomes_at_risk
            .iter()
            .cloned()
            .map(Outcome)
            .collect()
    }
    /// KPIs of the team and its squads that worsened over the 30 days up to the week's end.
    async fn worsening_kpis(&self) -> Vec<Kpi> {
        self.0.worsening_kpis.iter().cloned().map(Kpi).collect()
    }
}

/// `Team.quarterPlan`.
pub async fn quarter_plan(
    ctx: &Context<'_>,
    team: &team::Model,
    quarter: Quarter,
) -> ApiResult<QuarterPlan> {
    let plan = ctx
        .services()
        .planning
        .quarter_plan(ctx.actor().await?, team.id, quarter.0)
        .await?;
    Ok(QuarterPlan(plan))
}

/// `Team.weeklySync`.
pub async fn weekly_sync(
    ctx: &Context<'_>,
    team: &team::Model,
    week: Option<Date>,
) -> ApiResult<WeeklySync> {
    let day = week.map(|d| d.0).unwrap_or_else(|| Utc::now().date_naive());
    let sync = ctx
        .services()
        .planning
        .weekly_sync(ctx.actor().await?, team.id, day)
        .await?;
    Ok(WeeklySync(sync))
}

/// Which outcomes to list.
#[derive(InputObject, Default)]
pub struct OutcomeFilter {
    pub quarter: Option<Quarter>,
    /// Outcomes owned by this team (not its squads).
    pub team_id: Option<ID>,
    pub squad_id: Option<ID>,
    pub status: Option<OutcomeStatus>,
    /// Only outcomes changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<OutcomeFilter> for OutcomeFilterArgs {
    type Error = ApiError;

    fn try_from(f: OutcomeFilter) -> ApiResult<Self> {
        Ok(Self {
            quarter: f.quarter.map(|q| q.0),
            team_id: ids::decode_opt(&f.team_id, Kind::Team, "teamId")?,
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            status: f.status.map(Into::into),
            updated_since: f.updated_since,
        })
    }
}

/// Which initiatives to list.
#[derive(InputObject, Default)]
pub struct InitiativeFilter {
    pub squad_id: Option<ID>,
    pub status: Option<InitiativeStatus>,
    /// Only initiatives mapped to this outcome.
    pub outcome_id: Option<ID>,
    /// Only initiatives mapped to no outcome (true) or to at least one (false).
    pub unmapped: Option<bool>,
    /// Part of the title.
    pub text: Option<String>,
    /// Only initiatives changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<InitiativeFilter> for InitiativeFilterArgs {
    type Error = ApiError;

    fn try_from(f: InitiativeFilter) -> ApiResult<Self> {
        Ok(Self {
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            status: f.status.map(Into::into),
            outcome_id: ids::decode_opt(&f.outcome_id, Kind::Outcome, "outcomeId")?,
            unmapped: f.unmapped,
            text: f.text,
            updated_since: f.updated_since,
        })
    }
}

/// Which dependencies to list.
#[derive(InputObject, Default)]
pub struct DependencyFilter {
    /// Dependencies this squad needs, or is needed for.
    pub squad_id: Option<ID>,
    pub status: Option<DependencyStatus>,
    /// Due on or before this date.
    pub due_by: Option<Date>,
}

impl TryFrom<DependencyFilter> for DependencyFilterArgs {
    type Error = ApiError;

    fn try_from(f: DependencyFilter) -> ApiResult<Self> {
        Ok(Self {
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            status: f.status.map(Into::into),
            due_by: f.due_by.map(|d| d.0),
        })
    }
}

/// Queries of the planning area.
#[derive(Default)]
pub struct PlanningQuery;

#[Object]
impl PlanningQuery {
    /// Quarterly outcomes, newest quarter first.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OutcomeFilter>,
    ) -> ApiResult<Conn<Outcome>> {
        let filter: OutcomeFilterArgs = filter.unwrap_or_default().try_into()?;
        let page = ctx
            .services()
            .planning
            .list_outcomes(
                ctx.actor().await?,
                &filter,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Outcome,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.planning.count_outcomes(actor, f))
            }),
        ))
    }

    /// Initiatives, oldest first.
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<InitiativeFilter>,
    ) -> ApiResult<Conn<Initiative>> {
        let filter: InitiativeFilterArgs = filter.unwrap_or_default().try_into()?;
        let page = ctx
            .services()
            .planning
            .list_initiatives(
                ctx.actor().await?,
                &filter,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Initiative,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.planning.count_initiatives(actor, f))
            }),
        ))
    }

    /// Cross-squad dependencies, soonest due first.
    async fn dependencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DependencyFilter>,
    ) -> ApiResult<Conn<Dependency>> {
        let filter: DependencyFilterArgs = filter.unwrap_or_default().try_into()?;
        let page = ctx
            .services()
            .planning
            .list_dependencies(
                ctx.actor().await?,
                &filter,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Dependency,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.planning.count_dependencies(actor, f))
            }),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateOutcomeInput {
    /// The owning team; give exactly one of teamId and squadId.
    pub team_id: Option<ID>,
    /// The owning squad; give exactly one of teamId and squadId.
    pub squad_id: Option<ID>,
    pub quarter: Quarter,
    pub title: String,
    pub description: Option<String>,
    /// The KPI that measures it; with a target, the outcome is measurable.
    pub kpi_id: Option<ID>,
    /// Default ON_TRACK.
    pub status: Option<OutcomeStatus>,
}

#[derive(SimpleObject)]
pub struct OutcomePayload {
    pub outcome: Outcome,
}

#[derive(InputObject)]
pub struct UpdateOutcomeInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub quarter: Option<Quarter>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// null unlinks the KPI.
    pub kpi_id: MaybeUndefined<ID>,
}

#[derive(InputObject)]
pub struct SetOutcomeStatusInput {
    pub id: ID,
    pub status: OutcomeStatus,
    pub expected_version: Option<i32>,
}

#[derive(InputObject)]
pub struct CreateInitiativeInput {
    pub squad_id: ID,
    pub title: String,
    pub description: Option<String>,
    /// Default PROPOSED.
    pub status: Option<InitiativeStatus>,
    pub start_date: Option<Date>,
    pub target_date: Option<Date>,
    /// Where it is tracked (Jira, Linear…); unique per organisation.
    pub external_ref: Option<ExternalRefInput>,
}

#[derive(SimpleObject)]
pub struct InitiativePayload {
    pub initiative: Initiative,
}

#[derive(InputObject)]
pub struct UpdateInitiativeInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// PROPOSED → PLANNED → IN_PROGRESS → DONE, or DROPPED before DONE.
    pub status: Option<InitiativeStatus>,
    /// null clears it.
    pub start_date: MaybeUndefined<Date>,
    /// null clears it.
    pub target_date: MaybeUndefined<Date>,
}

#[derive(InputObject)]
pub struct InitiativeOutcomeInput {
    pub initiative_id: ID,
    pub outcome_id: ID,
}

#[derive(SimpleObject)]
pub struct InitiativeOutcomePayload {
    pub initiative: Initiative,
    pub outcome: Outcome,
}

#[derive(InputObject)]
pub struct CreateDependencyInput {
    /// The squad that needs the work.
    pub from_squad_id: ID,
    /// The squad that does it.
    pub to_squad_id: ID,
    pub initiative_id: Option<ID>,
    /// What is needed.
    pub description: String,
    pub needed_by: Date,
}

#[derive(SimpleObject)]
pub struct DependencyPayload {
    pub dependency: Dependency,
}

#[derive(InputObject)]
pub struct UpdateDependencyInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub status: Option<DependencyStatus>,
    pub description: Option<String>,
    pub needed_by: Option<Date>,
}

fn maybe<T, U>(
    v: MaybeUndefined<T>,
    f: impl FnOnce(T) -> ApiResult<U>,
) -> ApiResult<Option<Option<U>>> {
    Ok(match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v)?)),
    })
}

/// Mutations of the planning area.
#[derive(Default)]
pub struct PlanningMutation;

#[Object]
impl PlanningMutation {
    /// Sets an outcome for a quarter (ADMIN, or a LEAD of the owning team or squad).
    async fn create_outcome(
        &self,
        ctx: &Context<'_>,
        input: CreateOutcomeInput,
    ) -> ApiResult<OutcomePayload> {
        let team = ids::decode_opt(&input.team_id, Kind::Team, "teamId")?;
        let squad = ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?;
        let o = ctx
            .services()
            .planning
            .create_outcome(
                ctx.actor().await?,
                NewOutcome {
                    scope: Scope::one_of(team, squad, "teamId")?,
                    quarter: input.quarter.0,
                    title: input.title,
                    description: input.description,
                    kpi_id: ids::decode_opt(&input.kpi_id, Kind::Kpi, "kpiId")?,
                    status: input.status.map(Into::into),
                },
            )
            .await?;
        Ok(OutcomePayload {
            outcome: Outcome(o),
        })
    }

    /// Changes an outcome (ADMIN, or a LEAD of its team or squad).
    async fn update_outcome(
        &self,
        ctx: &Context<'_>,
        input: UpdateOutcomeInput,
    ) -> ApiResult<OutcomePayload> {
        let id = ids::decode(&input.id, Kind::Outcome, "id")?;
        let o = ctx
            .services()
            .planning
            .update_outcome(
                ctx.actor().await?,
                id,
                OutcomeChanges {
                    expected_version: input.expected_version,
                    quarter: input.quarter.map(|q| q.0),
                    title: input.title,
                    description: input.description,
                    kpi_id: maybe(input.kpi_id, |k| ids::decode(&k, Kind::Kpi, "kpiId"))?,
                },
            )
            .await?;
        Ok(OutcomePayload {
            outcome: Outcome(o),
        })
    }

    /// Sets how an outcome is going, or how it ended (ADMIN, or a LEAD of its owner).
    async fn set_outcome_status(
        &self,
        ctx: &Context<'_>,
        input: SetOutcomeStatusInput,
    ) -> ApiResult<OutcomePayload> {
        let id = ids::decode(&input.id, Kind::Outcome, "id")?;
        let o = ctx
            .services()
            .planning
            .set_outcome_status(
                ctx.actor().await?,
                id,
                input.status.into(),
                input.expected_version,
            )
            .await?;
        Ok(OutcomePayload {
            outcome: Outcome(o),
        })
    }

    /// Creates an initiative in a squad (its members and LEADs, the home team's LEADs,
    /// ADMIN).
    async fn create_initiative(
        &self,
        ctx: &Context<'_>,
        input: CreateInitiativeInput,
    ) -> ApiResult<InitiativePayload> {
        let squad_id = ids::decode(&input.squad_id, Kind::Squad, "squadId")?;
        let i = ctx
            .services()
            .planning
            .create_initiative(
                ctx.actor().await?,
                NewInitiative {
                    squad_id,
                    title: input.title,
                    description: input.description,
                    status: input.status.map(Into::into),
                    start_date: input.start_date.map(|d| d.0),
                    target_date: input.target_date.map(|d| d.0),
                    external: input.external_ref.map(Into::into),
                },
            )
            .await?;
        Ok(InitiativePayload {
            initiative: Initiative(i),
        })
    }

    /// Changes an initiative; illegal status moves are BAD_USER_INPUT.
    async fn update_initiative(
        &self,
        ctx: &Context<'_>,
        input: UpdateInitiativeInput,
    ) -> ApiResult<InitiativePayload> {
        let id = ids::decode(&input.id, Kind::Initiative, "id")?;
        let i = ctx
            .services()
            .planning
            .update_initiative(
                ctx.actor().await?,
                id,
                InitiativeChanges {
                    expected_version: input.expected_version,
                    title: input.title,
                    description: input.description,
                    status: input.status.map(Into::into),
                    start_date: maybe(input.start_date, |d| Ok(d.0))?,
                    target_date: maybe(input.target_date, |d| Ok(d.0))?,
                },
            )
            .await?;
        Ok(InitiativePayload {
            initiative: Initiative(i),
        })
    }

    /// Maps an initiative to an outcome (idempotent).
    async fn link_initiative_to_outcome(
        &self,
        ctx: &Context<'_>,
        input: InitiativeOutcomeInput,
    ) -> ApiResult<InitiativeOutcomePayload> {
        let initiative_id = ids::decode(&input.initiative_id, Kind::Initiative, "initiativeId")?;
        let outcome_id = ids::decode(&input.outcome_id, Kind::Outcome, "outcomeId")?;
        let (i, o) = ctx
            .services()
            .planning
            .link(ctx.actor().await?, initiative_id, outcome_id)
            .await?;
        Ok(InitiativeOutcomePayload {
            initiative: Initiative(i),
            outcome: Outcome(o),
        })
    }

    /// Unmaps an initiative from an outcome.
    async fn unlink_initiative_from_outcome(
        &self,
        ctx: &Context<'_>,
        input: InitiativeOutcomeInput,
    ) -> ApiResult<InitiativeOutcomePayload> {
        let initiative_id = ids::decode(&input.initiative_id, Kind::Initiative, "initiativeId")?;
        let outcome_id = ids::decode(&input.outcome_id, Kind::Outcome, "outcomeId")?;
        let (i, o) = ctx
            .services()
            .planning
            .unlink(ctx.actor().await?, initiative_id, outcome_id)
            .await?;
        Ok(InitiativeOutcomePayload {
            initiative: Initiative(i),
            outcome: Outcome(o),
        })
    }

    /// Declares that a squad needs another's work by a date (the needing squad's members
    /// and LEADs, ADMIN).
    async fn create_dependency(
        &self,
        ctx: &Context<'_>,
        input: CreateDependencyInput,
    ) -> ApiResult<DependencyPayload> {
        let d = ctx
            .services()
            .planning
            .create_dependency(
                ctx.actor().await?,
                NewDependency {
                    from_squad_id: ids::decode(&input.from_squad_id, Kind::Squad, "fromSquadId")?,
                    to_squad_id: ids::decode(&input.to_squad_id, Kind::Squad, "toSquadId")?,
                    initiative_id: ids::decode_opt(
                        &input.initiative_id,
                        Kind::Initiative,
                        "initiativeId",
                    )?,
                    description: input.description,
                    needed_by: input.needed_by.0,
                },
            )
            .await?;
        Ok(DependencyPayload {
            dependency: Dependency(d),
        })
    }

    /// Changes a dependency: status OPEN | AT_RISK | DONE | CANCELLED, date, description
    /// (members and LEADs of either squad, ADMIN).
    async fn update_dependency(
        &self,
        ctx: &Context<'_>,
        input: UpdateDependencyInput,
    ) -> ApiResult<DependencyPayload> {
        let id = ids::decode(&input.id, Kind::Dependency, "id")?;
        let d = ctx
            .services()
            .planning
            .update_dependency(
                ctx.actor().await?,
                id,
                DependencyChanges {
                    expected_version: input.expected_version,
                    status: input.status.map(Into::into),
                    description: input.description,
                    needed_by: input.needed_by.map(|d| d.0),
                },
            )
            .await?;
        Ok(DependencyPayload {
            dependency: Dependency(d),
        })
    }
}
