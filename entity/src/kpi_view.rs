//! `kpi_view`: a KPI as it is read — its row in `kpi` with what its measurements say,
//! derived by the database when the row is read (migration `m20261208_000011_kpi_view`):
//! the latest measurement, and the attainment. Nothing here is ever written: a new
//! measurement changes no row but its own, so writers of one KPI never queue on it.

use sea_orm::entity::prelude::*;

use crate::enums::{KpiCategory, KpiDirection, KpiUnit};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kpi_view")]
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
    /// The last change of the definition or of any of its measurements.
    pub updated_at: DateTimeUtc,
    pub version: i32,
    /// The latest measurement (by `recorded_at`, then id): its id and value.
    pub latest_measurement_id: Option<Uuid>,
    pub latest_value: Option<f64>,
    /// 0–1 from the baseline (or the first measurement) to the target at the latest
    /// measurement; see the migration for the rule.
    pub attainment: Option<f64>,
    /// `attainment`, or -1 where it is unknown (sorts last ascending).
    pub attainment_sort: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
