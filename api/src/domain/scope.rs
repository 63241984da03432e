//! The owner of planning objects: a team or a squad.

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A team or a squad that owns a KPI or an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Team(Uuid),
    Squad(Uuid),
}

impl Scope {
    /// Exactly one of a team and a squad; anything else is BAD_USER_INPUT on `field`.
    pub fn one_of(team: Option<Uuid>, squad: Option<Uuid>, field: &'static str) -> ApiResult<Self> {
        match (team, squad) {
            (Some(t), None) => Ok(Scope::Team(t)),
            (None, Some(s)) => Ok(Scope::Squad(s)),
            _ => Err(ApiError::bad_input(
                field,
                "give exactly one of teamId and squadId",
            )),
        }
    }

    /// The owner of a stored row from its `(team_id, squad_id)` columns: the squad when
    /// there is one. A CHECK constraint gives every such row an owner; a row without
    /// one is an INTERNAL error, not a panic.
    pub fn of_row(team: Option<Uuid>, squad: Option<Uuid>) -> ApiResult<Self> {
        match (team, squad) {
            (_, Some(s)) => Ok(Scope::Squad(s)),
            (Some(t), None) => Ok(Scope::Team(t)),
            (None, None) => Err(ApiError::internal(anyhow::anyhow!(
                "a row owned by a team or a squad has neither"
            ))),
        }
    }

    /// The `(team_id, squad_id)` columns of a row owned by this scope.
    pub fn columns(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Scope::Team(t) => (Some(t), None),
            Scope::Squad(s) => (None, Some(s)),
        }
    }
}
