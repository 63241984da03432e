//! A new measurement recorded in a single statement on PostgreSQL: the insert and the
//! journal as one data-modifying `WITH`, which commits on its own.
//!
//! ```sql
//! WITH ns_inserted AS (INSERT INTO kpi_measurement … ON CONFLICT (organization_id,
//!                        external_source, external_id) DO NOTHING RETURNING *),
//!      ns_logged   AS (INSERT INTO change_log … WHERE EXISTS (SELECT 1 FROM ns_inserted)),
//!      ns_audited  AS (INSERT INTO audit_event … WHERE EXISTS (SELECT 1 FROM ns_inserted))
//! SELECT * FROM ns_inserted
//! ```
//!
//! It writes no row but new ones: the KPI's latest value and attainment are derived
//! when it is read (`kpi_view`), so concurrent recordings of one KPI share the WAL
//! flushes of their commits instead of queueing on the KPI's row. A known external
//! reference inserts nothing, and then nothing else happens either: the caller handles
//! it in a transaction of its own.
//!
//! The checks before it (the KPI's standing, not archived) read the KPI in the
//! statement before: a recording checked before an archive commits lands before it, as
//! if it had committed first.

use entity::{kpi, kpi_measurement};
use sea_orm::{
    sea_query::{
        Alias, Asterisk, CommonTableExpression, Expr, InsertStatement, OnConflict, Query,
        WithClause,
    },
    DatabaseConnection, DbBackend, EntityTrait, QueryTrait, TryIntoModel,
};

use crate::{
    auth::Actor,
    domain::{
        journal::{ChangeKind, Journal},
        kind::Kind,
        tenant::TenantTable,
    },
    error::ApiResult,
};

/// The insert of `row` that skips a known external reference (the unique index on the
/// organisation and the reference; NULLs are distinct, so a measurement without one
/// always inserts). On PostgreSQL it waits for a parallel insert of the same reference
/// to commit, and then skips it.
pub(super) fn insert_once(row: kpi_measurement::ActiveModel) -> InsertStatement {
    kpi_measurement::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                kpi_measurement::Column::OrganizationId,
                kpi_measurement::Column::ExternalSource,
                kpi_measurement::Column::ExternalId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .into_query()
}

/// Records `row` (fully set) on `k` in one statement; `None` when its external reference
/// is already known (nothing was written).
pub(super) async fn record_new(
    db: &DatabaseConnection,
    actor: &Actor,
    k: &kpi::Model,
    row: kpi_measurement::ActiveModel,
) -> ApiResult<Option<kpi_measurement::Model>> {
    let m = row.clone().try_into_model()?;
    let mut journal = Journal::new(actor);
    journal.record(ChangeKind::Created, kpi_measurement::Entity::subject(&m));
    // Its latest value and attainment moved.
    journal.record(ChangeKind::Updated, kpi::Entity::subject(k));
    let inserted = Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(Alias::new("ns_inserted"))
            .to_owned(),
    );
    let insert = insert_once(row).returning_all().to_owned();
    let [logged, audited] = journal.postgres_ctes([(Kind::KpiMeasurement, m.id)], inserted)?;
    let stmt = WithClause::new()
        .cte(
            CommonTableExpression::new()
                .query(insert)
                .table_name(Alias::new("ns_inserted"))
                .to_owned(),
        )
        .cte(logged)
        .cte(audited)
        .to_owned()
        .query(
            Query::select()
                .column(Asterisk)
                .from(Alias::new("ns_inserted"))
                .to_owned(),
        );
    Ok(kpi_measurement::Entity::find()
        .from_raw_sql(DbBackend::Postgres.build(&stmt))
        .one(db)
        .await?)
}
