//! `squad`: a cross-functional unit around a customer journey.

use sea_orm::entity::prelude::*;

use crate::enums::SquadStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "squad")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The home team.
    pub team_id: Uuid,
    pub name: String,
    /// The name folded to lower case: searched, and unique per organisation.
    pub name_key: String,
    pub mission: String,
    pub customer_journey: String,
    pub status: SquadStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
