//! `outcome`: a measurable result for one quarter, owned by a team or a squad.

use sea_orm::entity::prelude::*;

use crate::enums::OutcomeStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outcome")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub team_id: Option<Uuid>,
    pub squad_id: Option<Uuid>,
    /// "2026-Q4".
    pub quarter: String,
    pub title: String,
    pub description: String,
    /// The KPI that measures it; with a target, the outcome is measurable.
    pub kpi_id: Option<Uuid>,
    pub status: OutcomeStatus,
    /// With `external_id`: where a synced outcome comes from, the key of its upsert.
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
