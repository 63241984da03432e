//! `roadmap_item`: an initiative placed on a session's ranked roadmap.

use sea_orm::entity::prelude::*;

use crate::enums::Commitment;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roadmap_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub alignment_id: Uuid,
    pub initiative_id: Uuid,
    /// The squad that will do it (by default the initiative's).
    pub squad_id: Uuid,
    /// 1 is the top; unique and contiguous per session.
    pub rank: i32,
    pub commitment: Commitment,
    /// The outcome it serves, if named.
    pub outcome_id: Option<Uuid>,
    pub notes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
