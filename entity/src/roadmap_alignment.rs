//! `roadmap_alignment`: one quarterly roadmap alignment session.

use sea_orm::entity::prelude::*;

use crate::enums::AlignmentStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roadmap_alignment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// "2026-Q4".
    pub quarter: String,
    pub title: String,
    pub scheduled_at: Option<DateTimeUtc>,
    pub facilitator_id: Uuid,
    pub status: AlignmentStatus,
    pub notes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
