//! A new measurement recorded in a single statement on PostgreSQL: the insert, the
//! KPI's ends and the journal as one data-modifying `WITH`, which commits on its own.
//!
//! ```sql
//! WITH ns_inserted AS (INSERT INTO kpi_measurement … ON CONFLICT (organization_id,
//!                        external_source, external_id) DO NOTHING RETURNING id),
//!      ns_ends     AS (UPDATE kpi SET <the ends, moved> … WHERE … AND EXISTS
//!                        (SELECT 1 FROM ns_inserted) RETURNING *),
//!      ns_logged   AS (INSERT INTO change_log … WHERE EXISTS (SELECT 1 FROM ns_inserted)),
//!      ns_audited  AS (INSERT INTO audit_event … WHERE EXISTS (SELECT 1 FROM ns_inserted))
//! SELECT * FROM ns_ends
//! ```
//!
//! One round trip and no transaction around it: the KPI's row is locked only while
//! that statement runs, so concurrent recordings of one KPI queue for microseconds,
//! not for round trips. A known external reference inserts nothing, and then nothing
//! else happens either: the caller handles it in a transaction of its own.
//!
//! The checks before it (the KPI's standing, not archived) read the KPI in the
//! statement before: a recording checked before an archive commits lands before it, as
//! if it had committed first.

use entity::{kpi, kpi_measurement};
use sea_orm::{
    sea_query::{
        Alias, Asterisk, CommonTableExpression, Expr, InsertStatement, OnConflict, Query,
        SimpleExpr, WithClause,
    },
    DatabaseConnection, DbBackend, EntityTrait, QueryTrait, TryIntoModel,
};

use super::ends::{self, End};
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
) -> ApiResult<Option<(kpi_measurement::Model, kpi::Model)>> {
    let m = row.clone().try_into_model()?;
    let mut journal = Journal::new(actor);
    journal.record(ChangeKind::Created, kpi_measurement::Entity::subject(&m));
    journal.record(ChangeKind::Updated, kpi::Entity::subject(k));
    let inserted = || -> SimpleExpr {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(Alias::new("ns_inserted"))
                .to_owned(),
        )
    };
    let insert = insert_once(row)
        .returning_col(kpi_measurement::Column::Id)
        .to_owned();
    let end = End::of(&m);
    let moved = ends::extend_query(k.organization_id, k.id, (end, end), journal.at())
        .and_where(inserted())
        .returning_all()
        .to_owned();
    let [logged, audited] = journal.postgres_ctes([(Kind::KpiMeasurement, m.id)], inserted())?;
    let cte = |name: &str, mut q: CommonTableExpression| q.table_name(Alias::new(name)).to_owned();
    let stmt = WithClause::new()
        .cte(cte(
            "ns_inserted",
            CommonTableExpression::new().query(insert).to_owned(),
        ))
        .cte(cte(
            "ns_ends",
            CommonTableExpression::new().query(moved).to_owned(),
        ))
        .cte(logged)
        .cte(audited)
        .to_owned()
        .query(
            Query::select()
                .column(Asterisk)
                .from(Alias::new("ns_ends"))
                .to_owned(),
        );
    let done = kpi::Entity::find()
        .from_raw_sql(DbBackend::Postgres.build(&stmt))
        .one(db)
        .await?;
    Ok(done.map(|k| (m, k)))
}
