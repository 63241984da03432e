//! Loaders of the squads area: squads by id, squads per team, memberships per squad
//! and per user, and the disciplines of each squad.

use std::{collections::HashMap, marker::PhantomData, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::{enums::Discipline, squad, squad_membership, user};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveEnum, ConnectionTrait, DatabaseConnection, Iterable,
};
use uuid::Uuid;

use crate::{
    error::ApiError,
    graphql::loaders::{group_by_org, ChildRelation, InOrg, LoadError, Registry},
    pagination::{Order, SortValue},
};

/// `Team.squads`: the squads of a home team, by name.
pub struct TeamSquads;

impl ChildRelation for TeamSquads {
    type Entity = squad::Entity;
    fn parent_column() -> squad::Column {
        squad::Column::TeamId
    }
    fn parent_of(m: &squad::Model) -> Uuid {
        m.team_id
    }
    fn order() -> Order<Self::Entity> {
        super::squad_order(super::SquadSort::Name, false)
    }
}

fn membership_order() -> Order<squad_membership::Entity> {
    Order {
        column: squad_membership::Column::CreatedAt,
        id: squad_membership::Column::Id,
        descending: false,
        key: |m| SortValue::Time(m.created_at),
        id_of: |m| m.id,
    }
}

/// `Squad.members`: memberships of a squad, oldest first.
pub struct SquadMembers;

impl ChildRelation for SquadMembers {
    type Entity = squad_membership::Entity;
    fn parent_column() -> squad_membership::Column {
        squad_membership::Column::SquadId
    }
    fn parent_of(m: &squad_membership::Model) -> Uuid {
        m.squad_id
    }
    fn order() -> Order<Self::Entity> {
        membership_order()
    }
}

/// `User.squads`: memberships of a user, oldest first.
pub struct UserSquads;

impl ChildRelation for UserSquads {
    type Entity = squad_membership::Entity;
    fn parent_column() -> squad_membership::Column {
        squad_membership::Column::UserId
    }
    fn parent_of(m: &squad_membership::Model) -> Uuid {
        m.user_id
    }
    fn order() -> Order<Self::Entity> {
        membership_order()
    }
}

/// `Squad.disciplines`: the distinct disciplines of each squad's members.
pub struct SquadDisciplines(DatabaseConnection, PhantomData<()>);

impl Loader<InOrg> for SquadDisciplines {
    type Value = Vec<Discipline>;
    type Error = LoadError;

    async fn load(&self, keys: &[InOrg]) -> Result<HashMap<InOrg, Vec<Discipline>>, LoadError> {
        let mut out: HashMap<InOrg, Vec<Discipline>> = HashMap::new();
        let fail = |e: sea_orm::DbErr| Arc::new(ApiError::from(e));
        for (org, squads) in group_by_org(keys.iter().copied()) {
            let q = Query::select()
                .distinct()
                .column((squad_membership::Entity, squad_membership::Column::SquadId))
                .column((user::Entity, user::Column::Discipline))
                .from(squad_membership::Entity)
                .inner_join(
                    user::Entity,
                    Expr::col((user::Entity, user::Column::Id))
                        .equals((squad_membership::Entity, squad_membership::Column::UserId)),
                )
                .and_where(
                    Expr::col((
                        squad_membership::Entity,
                        squad_membership::Column::OrganizationId,
                    ))
                    .eq(org),
                )
                .and_where(
                    Expr::col((squad_membership::Entity, squad_membership::Column::SquadId))
                        .is_in(squads.iter().copied()),
                )
                .to_owned();
            for row in self.0.query_all(&q).await.map_err(fail)? {
                let squad: Uuid = row.try_get_by_index(0).map_err(fail)?;
                let d: String = row.try_get_by_index(1).map_err(fail)?;
                let d = Discipline::try_from_value(&d).map_err(fail)?;
                out.entry(InOrg { org, id: squad }).or_default().push(d);
            }
        }
        for v in out.values_mut() {
            // ENGINEERING, PRODUCT, DESIGN: the declaration order.
            v.sort_by_key(|d| Discipline::iter().position(|x| x == *d));
        }
        Ok(out)
    }
}

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    let db = r.db.clone();
    r.by_id::<squad::Entity>()
        .relation::<TeamSquads>()
        .relation::<SquadMembers>()
        .relation::<UserSquads>()
        .with(SquadDisciplines(db, PhantomData))
}
