//! A KPI carries its two ends: its latest measurement and its first one (id, time and
//! value of each). Recording a measurement then moves the ends with one row-local
//! `UPDATE` (no read of the history, no lock held across round trips), a KPI's latest
//! value costs the same however long its history, and `attainment` becomes a column
//! the database derives from the row itself — so it can never disagree with the ends,
//! the baseline, the target or the direction.
//!
//! `attainment`, 0–1 from the baseline (or, without one, the first measurement) to the
//! target at the latest measurement, honouring the direction; null without a target,
//! a baseline or a measurement. A value at or beyond the target is 1; a baseline
//! already at or beyond it leaves no distance to cover (0). `attainment_sort` is the
//! same, or -1 where it is unknown (it sorts last ascending).
//!
//! Generated columns: STORED on PostgreSQL (its only kind), VIRTUAL on SQLite (the only
//! kind `ALTER TABLE … ADD COLUMN` may add there).

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Kpi {
    Table,
    LatestMeasurementId,
    LatestRecordedAt,
    LatestValue,
    FirstMeasurementId,
    FirstRecordedAt,
    FirstValue,
}

/// The baseline attainment is measured from.
const BASE: &str = "COALESCE(baseline, first_value)";

/// `attainment` as an SQL expression over the KPI's own row (both databases).
fn attainment() -> String {
    let hib = "direction = 'HIGHER_IS_BETTER'";
    let v = "latest_value";
    let b = BASE;
    let ratio = format!("(({v} - {b}) / (target - {b}))");
    format!(
        "(CASE \
           WHEN target IS NULL OR {v} IS NULL OR {b} IS NULL THEN NULL \
           WHEN ({hib} AND {v} >= target) OR (NOT {hib} AND {v} <= target) THEN 1.0 \
           WHEN ({hib} AND {b} >= target) OR (NOT {hib} AND {b} <= target) THEN 0.0 \
           WHEN {ratio} < 0.0 THEN 0.0 \
           WHEN {ratio} > 1.0 THEN 1.0 \
           ELSE {ratio} \
         END)"
    )
}

/// The end of each KPI's measurements in `dir` (`DESC`: the latest, `ASC`: the first).
fn end(column: &str, dir: &str) -> String {
    format!(
        "(SELECT m.{column} FROM kpi_measurement m \
          WHERE m.organization_id = kpi.organization_id AND m.kpi_id = kpi.id \
          ORDER BY m.recorded_at {dir}, m.id {dir} LIMIT 1)"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        // SQLite adds one column per ALTER TABLE.
        for col in [
            uuid_null(Kpi::LatestMeasurementId),
            timestamp_with_time_zone_null(Kpi::LatestRecordedAt),
            double_null(Kpi::LatestValue),
            uuid_null(Kpi::FirstMeasurementId),
            timestamp_with_time_zone_null(Kpi::FirstRecordedAt),
            double_null(Kpi::FirstValue),
        ] {
            let mut col = col;
            manager
                .alter_table(
                    Table::alter()
                        .table(Kpi::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        db.execute_unprepared(&format!(
            "UPDATE kpi SET \
               latest_measurement_id = {}, latest_recorded_at = {}, latest_value = {}, \
               first_measurement_id = {}, first_recorded_at = {}, first_value = {}",
            end("id", "DESC"),
            end("recorded_at", "DESC"),
            end("value", "DESC"),
            end("id", "ASC"),
            end("recorded_at", "ASC"),
            end("value", "ASC"),
        ))
        .await?;
        let (kind, real) = match backend {
            DbBackend::Postgres => ("STORED", "double precision"),
            // No declared type on SQLite: a REAL column gives back an integral value
            // (1.0, -1.0) as an INTEGER from a VIRTUAL column; the expression is cast.
            _ => ("VIRTUAL", ""),
        };
        let cast = match backend {
            DbBackend::Postgres => "double precision",
            _ => "REAL",
        };
        let a = attainment();
        // One batch, on one connection: SQLite connections of a pool that did not run
        // the `DROP` may still see the old columns.
        db.execute_unprepared(&format!(
            "ALTER TABLE kpi DROP COLUMN attainment; \
             ALTER TABLE kpi DROP COLUMN attainment_sort; \
             ALTER TABLE kpi ADD COLUMN attainment {real} \
               GENERATED ALWAYS AS (CAST({a} AS {cast})) {kind}; \
             ALTER TABLE kpi ADD COLUMN attainment_sort {real} NOT NULL \
               GENERATED ALWAYS AS (CAST(COALESCE({a}, -1.0) AS {cast})) {kind}"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let real = match manager.get_database_backend() {
            DbBackend::Postgres => "double precision",
            _ => "REAL",
        };
        let a = attainment();
        let ends = [
            "latest_measurement_id",
            "latest_recorded_at",
            "latest_value",
            "first_measurement_id",
            "first_recorded_at",
            "first_value",
        ]
        .map(|c| format!("ALTER TABLE kpi DROP COLUMN {c};"))
        .join(" ");
        // One batch, on one connection, as in `up`.
        db.execute_unprepared(&format!(
            "ALTER TABLE kpi DROP COLUMN attainment; \
             ALTER TABLE kpi DROP COLUMN attainment_sort; \
             ALTER TABLE kpi ADD COLUMN attainment {real} NULL; \
             ALTER TABLE kpi ADD COLUMN attainment_sort {real} NOT NULL DEFAULT -1.0; \
             UPDATE kpi SET attainment = {a}, attainment_sort = COALESCE({a}, -1.0); \
             {ends}"
        ))
        .await?;
        Ok(())
    }
}
