//! The planning service: one struct for outcomes, initiatives, dependencies and the
//! views, whose methods live beside what they serve (`outcomes`, `initiatives`,
//! `dependencies`, `quarter_plan`, `weekly_sync`); here, what they share.

use entity::squad;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{auth::Actor, error::ApiResult};

/// Outcomes, initiatives, dependencies and the planning views.
#[derive(Clone)]
pub struct PlanningService {
    pub(super) db: DatabaseConnection,
}

impl PlanningService {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The ids of a team's squads.
    pub(super) async fn squads_of(&self, actor: &Actor, team_id: Uuid) -> ApiResult<Vec<Uuid>> {
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
    pub(super) fn owned_by(
        team_id: Uuid,
        squads: &[Uuid],
        team_col: impl ColumnTrait,
        squad_col: impl ColumnTrait,
    ) -> Condition {
        Condition::any()
            .add(team_col.eq(team_id))
            .add(squad_col.is_in(squads.iter().copied()))
    }
}
