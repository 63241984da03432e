//! Loaders of the teams area: teams by id, and memberships per team and per user.

use entity::{team, team_membership};
use uuid::Uuid;

use crate::{
    graphql::loaders::{ChildRelation, Registry},
    pagination::{Order, SortValue},
};

fn membership_order() -> Order<team_membership::Entity> {
    Order {
        column: team_membership::Column::CreatedAt,
        id: team_membership::Column::Id,
        descending: false,
        key: |m| SortValue::Time(m.created_at),
        id_of: |m| m.id,
    }
}

/// `Team.members`: memberships of a team, oldest first.
pub struct TeamMembers;

impl ChildRelation for TeamMembers {
    type Entity = team_membership::Entity;
    fn parent_column() -> team_membership::Column {
        team_membership::Column::TeamId
    }
    fn parent_of(m: &team_membership::Model) -> Uuid {
        m.team_id
    }
    fn order() -> Order<Self::Entity> {
        membership_order()
    }
}

/// `User.teams`: memberships of a user, oldest first.
pub struct UserTeams;

impl ChildRelation for UserTeams {
    type Entity = team_membership::Entity;
    fn parent_column() -> team_membership::Column {
        team_membership::Column::UserId
    }
    fn parent_of(m: &team_membership::Model) -> Uuid {
        m.user_id
    }
    fn order() -> Order<Self::Entity> {
        membership_order()
    }
}

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    r.by_id::<team::Entity>()
        .relation::<TeamMembers>()
        .relation::<UserTeams>()
}
