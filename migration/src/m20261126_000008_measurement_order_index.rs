//! The measurement index covers the whole order a KPI's measurements are read in
//! (newest first, id as the tie-break), so the latest measurement of each KPI is the
//! first entry of an index scan, with no sort step (bench/RESULTS.md).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KpiMeasurement {
    Table,
    OrganizationId,
    KpiId,
    RecordedAt,
    Id,
}

const OLD: &str = "kpi_measurement_org_kpi_time_idx";
const NEW: &str = "kpi_measurement_org_kpi_time_id_idx";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(KpiMeasurement::Table)
                    .col(KpiMeasurement::OrganizationId)
                    .col(KpiMeasurement::KpiId)
                    .col(KpiMeasurement::RecordedAt)
                    .col(KpiMeasurement::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OLD)
                    .table(KpiMeasurement::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(KpiMeasurement::Table)
                    .col(KpiMeasurement::OrganizationId)
                    .col(KpiMeasurement::KpiId)
                    .col(KpiMeasurement::RecordedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(NEW)
                    .table(KpiMeasurement::Table)
                    .to_owned(),
            )
            .await
    }
}
