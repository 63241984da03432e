//! A KPI's latest measurement and its attainment, derived when the KPI is read instead
//! of kept on its row.
//!
//! `m20261207_000010_kpi_ends` kept both ends of a KPI's measurements on its row, so
//! every new measurement updated that row. PostgreSQL holds a row lock until the
//! commit has reached the disk, so the recordings of one KPI committed one after the
//! other and could not share a WAL flush: about 570 a second on one KPI, against about
//! 4,000 inserts that touch no shared row. Now a measurement is only its own row, and
//! the view `kpi_view` adds to each KPI
//!
//! - `latest_measurement_id`, `latest_value`: the latest measurement (by `recorded_at`,
//!   then id), one backward probe of `kpi_measurement_org_kpi_time_id_idx`;
//! - `attainment`, 0–1 from the baseline (or, without one, the first measurement: a
//!   second probe, only for a KPI without a baseline) to the target at the latest
//!   measurement, honouring the direction; null without a target, a baseline or a
//!   measurement. A value at or beyond the target is 1; a baseline already at or
//!   beyond it leaves no distance to cover (0);
//! - `attainment_sort`: the same, or -1 where it is unknown (it sorts last ascending);
//! - `updated_at`: the last change of the KPI's definition or of any of its measurements
//!   (a probe of the new index `kpi_measurement_org_kpi_updated_idx`; deleting a
//!   measurement marks the KPI's row itself), so `kpis(filter: {updatedSince})` and the
//!   `UPDATED_AT` order see a KPI whose latest value moved.
//!
//! The cost of reading a KPI stays three index probes however long its history. On
//! PostgreSQL the probes are `LATERAL` subqueries; SQLite has no `LATERAL`, so each is
//! a join on the primary key of the measurement a correlated `LIMIT 1` names.
//!
//! The view names `kpi`'s columns one by one: a migration that adds a column to `kpi`
//! creates the view again.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Kpi {
    Table,
    Attainment,
    AttainmentSort,
}

/// `attainment` over the latest value `v` and the value `b` it counts from.
fn attainment(v: &str, b: &str) -> String {
    let hib = "kpi.direction = 'HIGHER_IS_BETTER'";
    let t = "kpi.target";
    let ratio = format!("(({v} - {b}) / ({t} - {b}))");
    format!(
        "(CASE \
           WHEN {t} IS NULL OR {v} IS NULL OR {b} IS NULL THEN NULL \
           WHEN ({hib} AND {v} >= {t}) OR (NOT {hib} AND {v} <= {t}) THEN 1.0 \
           WHEN ({hib} AND {b} >= {t}) OR (NOT {hib} AND {b} <= {t}) THEN 0.0 \
           WHEN {ratio} < 0.0 THEN 0.0 \
           WHEN {ratio} > 1.0 THEN 1.0 \
           ELSE {ratio} \
         END)"
    )
}

/// The KPI's measurements in `dir` (`DESC`: latest first), as a `LIMIT 1` query whose
/// select list is `columns`, where `when` holds (tested before the index is).
fn end(columns: &str, dir: &str, when: &str) -> String {
    format!(
        "SELECT {columns} FROM kpi_measurement m \
         WHERE {when} AND m.organization_id = kpi.organization_id AND m.kpi_id = kpi.id \
         ORDER BY m.recorded_at {dir}, m.id {dir} LIMIT 1"
    )
}

/// The first measurement is read only for a KPI without a baseline.
const NO_BASELINE: &str = "kpi.baseline IS NULL";

/// The columns of `kpi` the view passes on as they are.
const KPI_COLUMNS: [&str; 15] = [
    "id",
    "organization_id",
    "team_id",
    "squad_id",
    "name",
    "search_key",
    "description",
    "unit",
    "direction",
    "category",
    "baseline",
    "target",
    "archived_at",
    "created_at",
    "version",
];

/// The newest `updated_at` of the KPI's measurements, one probe of the index.
const LAST_MEASURED: &str = "SELECT m.updated_at FROM kpi_measurement m \
     WHERE m.organization_id = kpi.organization_id AND m.kpi_id = kpi.id \
     ORDER BY m.updated_at DESC LIMIT 1";

fn view(backend: DbBackend) -> String {
    let a = attainment("l.value", "COALESCE(kpi.baseline, f.value)");
    let (real, joins, updated) = match backend {
        DbBackend::Postgres => (
            "double precision",
            format!(
                "LEFT JOIN LATERAL ({}) AS l ON TRUE \
                 LEFT JOIN LATERAL ({}) AS f ON TRUE",
                end("m.id, m.value", "DESC", "TRUE"),
                end("m.value", "ASC", NO_BASELINE),
            ),
            // GREATEST ignores a NULL.
            format!("GREATEST(kpi.updated_at, ({LAST_MEASURED}))"),
        ),
        _ => (
            "REAL",
            format!(
                "LEFT JOIN kpi_measurement AS l ON l.id = ({}) \
                 LEFT JOIN kpi_measurement AS f ON f.id = ({})",
                end("m.id", "DESC", "1"),
                end("m.id", "ASC", NO_BASELINE),
            ),
            // Both in the one text form sea-orm writes, which sorts as time does.
            format!("MAX(kpi.updated_at, COALESCE(({LAST_MEASURED}), kpi.updated_at))"),
        ),
    };
    let columns = KPI_COLUMNS.map(|c| format!("kpi.{c}")).join(", ");
    format!(
        "CREATE VIEW kpi_view AS \
         SELECT {columns}, \
           {updated} AS updated_at, \
           l.id AS latest_measurement_id, \
           l.value AS latest_value, \
           CAST({a} AS {real}) AS attainment, \
           CAST(COALESCE({a}, -1.0) AS {real}) AS attainment_sort \
         FROM kpi {joins}"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drops = [
            "attainment_sort",
            "attainment",
            "latest_measurement_id",
            "latest_recorded_at",
            "latest_value",
            "first_measurement_id",
            "first_recorded_at",
            "first_value",
        ]
        .map(|c| format!("ALTER TABLE kpi DROP COLUMN {c};"))
        .join(" ");
        // One batch, on one connection: SQLite connections of a pool that did not run
        // the `DROP`s may still see the old columns.
        db.execute_unprepared(&format!(
            "{drops} {}; \
             CREATE INDEX kpi_measurement_org_kpi_updated_idx \
               ON kpi_measurement (organization_id, kpi_id, updated_at);",
            view(manager.get_database_backend())
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "DROP VIEW kpi_view; DROP INDEX kpi_measurement_org_kpi_updated_idx;",
        )
        .await?;
        // Back to the columns `m20261207_000010_kpi_ends` starts from, then that
        // migration again: the ends, backfilled, and the generated attainment.
        for col in [Kpi::Attainment, Kpi::AttainmentSort] {
            let mut col = match col {
                Kpi::AttainmentSort => double(col).default(-1.0).to_owned(),
                col => double_null(col),
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(Kpi::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        super::m20261207_000010_kpi_ends::Migration
            .up(manager)
            .await
    }
}
