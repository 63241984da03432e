//! `initiative`: work by a squad, mapped to the outcomes it serves.

use sea_orm::entity::prelude::*;

use crate::enums::InitiativeStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub squad_id: Uuid,
    pub title: String,
    /// The title folded to lower case, for case-insensitive search.
    pub title_key: String,
    pub description: String,
    pub status: InitiativeStatus,
    pub start_date: Option<Date>,
    pub target_date: Option<Date>,
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
