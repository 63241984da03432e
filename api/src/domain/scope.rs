//! The owner of planning objects: a team or a squad, and the caller's standing in it.

use entity::{enums::MemberRole, squad, squad_membership, team, team_membership};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Actor,
    authz::ScopeFacts,
    domain::find_in_org,
    error::{ApiError, ApiResult},
};

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

    /// The `(team_id, squad_id)` columns of a row owned by this scope.
    pub fn columns(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Scope::Team(t) => (Some(t), None),
            Scope::Squad(s) => (None, Some(s)),
        }
    }
}

async fn team_role<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    team: Uuid,
) -> ApiResult<Option<MemberRole>> {
    Ok(team_membership::Entity::find()
        .filter(team_membership::Column::OrganizationId.eq(actor.org_id()))
        .filter(team_membership::Column::TeamId.eq(team))
        .filter(team_membership::Column::UserId.eq(actor.user_id()))
        .one(db)
        .await?
        .map(|m| m.role))
}

/// Checks that the scope exists in the caller's organisation (NOT_FOUND otherwise)
/// and gathers the caller's standing in it.
pub async fn scope_facts<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    scope: Scope,
) -> ApiResult<ScopeFacts> {
    match scope {
        Scope::Team(id) => {
            find_in_org::<team::Entity, _>(db, actor.org_id(), id).await?;
            let role = team_role(db, actor, id).await?;
            Ok(ScopeFacts {
                actor_leads: role == Some(MemberRole::Lead),
                actor_is_member: role.is_some(),
            })
        }
        Scope::Squad(id) => {
            let squad = find_in_org::<squad::Entity, _>(db, actor.org_id(), id).await?;
            let role = squad_membership::Entity::find()
                .filter(squad_membership::Column::OrganizationId.eq(actor.org_id()))
                .filter(squad_membership::Column::SquadId.eq(id))
                .filter(squad_membership::Column::UserId.eq(actor.user_id()))
                .one(db)
                .await?
                .map(|m| m.role);
            let home = team_role(db, actor, squad.team_id).await?;
            Ok(ScopeFacts {
                actor_leads: role == Some(MemberRole::Lead) || home == Some(MemberRole::Lead),
                actor_is_member: role.is_some(),
            })
        }
    }
}
