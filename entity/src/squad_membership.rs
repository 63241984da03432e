//! `squad_membership`: a user in a squad, with the share of their time it gets.

use sea_orm::entity::prelude::*;

use crate::enums::MemberRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "squad_membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub squad_id: Uuid,
    pub user_id: Uuid,
    pub role: MemberRole,
    /// 1–100; a user's allocations across squads add up to at most 100.
    pub allocation_percent: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
