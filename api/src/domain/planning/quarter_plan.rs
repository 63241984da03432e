//! A team's plan for a quarter: its and its squads' outcomes, and the active work mapped
//! to none of them.

use std::collections::HashSet;

use entity::{enums::InitiativeStatus, initiative, kpi, outcome, outcome_initiative};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use tracing::instrument;
use uuid::Uuid;

use super::service::PlanningService;
use crate::{auth::Actor, domain::calendar::Quarter, error::ApiResult};

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

impl PlanningService {
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
}
