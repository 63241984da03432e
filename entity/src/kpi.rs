//! `kpi`: a key performance indicator of a team or a squad, as written: its definition.
//! It is read through [`crate::kpi_view`], which adds what its measurements say (the
//! latest one and the attainment).

use sea_orm::entity::prelude::*;

use crate::enums::{KpiCategory, KpiDirection, KpiUnit};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kpi")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Set for a team's KPI (exactly one of `team_id` and `squad_id` is).
    pub team_id: Option<Uuid>,
    /// Set for a squad's KPI.
    pub squad_id: Option<Uuid>,
    pub name: String,
    /// Name and description folded to lower case, for case-insensitive search.
    pub search_key: String,
    pub description: String,
    pub unit: Option<KpiUnit>,
    pub direction: KpiDirection,
    pub category: KpiCategory,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
