//! `kpi_measurement`: one value of a KPI at a point in time.

use sea_orm::entity::prelude::*;

use crate::enums::MeasurementSource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kpi_measurement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub kpi_id: Uuid,
    pub value: f64,
    pub recorded_at: DateTimeUtc,
    pub source: MeasurementSource,
    /// With `external_id`: the idempotency key of a synced measurement.
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub note: String,
    /// The user who recorded it (`None` for an integration token).
    pub recorded_by: Option<Uuid>,
    /// The API token that recorded it, if one did.
    pub recorded_by_token_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
