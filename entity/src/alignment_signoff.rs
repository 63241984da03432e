//! `alignment_signoff`: one discipline's sign-off of a roadmap alignment session.

use sea_orm::entity::prelude::*;

use crate::enums::Discipline;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alignment_signoff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub alignment_id: Uuid,
    pub discipline: Discipline,
    pub user_id: Uuid,
    pub signed_at: DateTimeUtc,
    pub comment: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
