//! `dependency`: one squad needs another's work by a date.

use sea_orm::entity::prelude::*;

use crate::enums::DependencyStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dependency")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The squad that needs the work.
    pub from_squad_id: Uuid,
    /// The squad that does it.
    pub to_squad_id: Uuid,
    pub initiative_id: Option<Uuid>,
    /// What is needed.
    pub description: String,
    pub needed_by: Date,
    pub status: DependencyStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
