//! The planning views of a team in GraphQL: its quarter plan and its weekly sync.

use async_graphql::{Context, Object};
use chrono::Utc;
use entity::team;

use super::{Dependency, Initiative, Outcome};
use crate::{
    domain::{
        kpis::graphql::Kpi,
        planning::{QuarterPlan as DomainQuarterPlan, WeeklySync as DomainWeeklySync},
    },
    error::ApiResult,
    graphql::{
        context::ContextExt,
        scalars::{Date, Quarter},
    },
};

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
        .quarter_plan(&ctx.actor().await?, team.id, quarter.0)
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
        .weekly_sync(&ctx.actor().await?, team.id, day)
        .await?;
    Ok(WeeklySync(sync))
}
