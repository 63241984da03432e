//! Database migrations, one per change, applied in order on start (`northstar serve`)
//! or on demand (`northstar migrate`). A migration is never edited after it lands.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_identity;
mod m20261125_000002_create_teams_and_squads;
mod m20261125_000003_create_login_throttle;
mod m20261125_000004_create_kpis_and_outcomes;
mod m20261125_000005_create_roadmap_alignment;
mod m20261125_000006_create_architecture_reviews;
mod m20261125_000007_create_decision_records;
mod m20261126_000008_measurement_order_index;
mod m20261206_000009_create_integrations;
mod m20261207_000010_kpi_ends;
mod m20261208_000011_kpi_view;

/// All migrations of the schema, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_identity::Migration),
            Box::new(m20261125_000002_create_teams_and_squads::Migration),
            Box::new(m20261125_000003_create_login_throttle::Migration),
            Box::new(m20261125_000004_create_kpis_and_outcomes::Migration),
            Box::new(m20261125_000005_create_roadmap_alignment::Migration),
            Box::new(m20261125_000006_create_architecture_reviews::Migration),
            Box::new(m20261125_000007_create_decision_records::Migration),
            Box::new(m20261126_000008_measurement_order_index::Migration),
            Box::new(m20261206_000009_create_integrations::Migration),
            Box::new(m20261207_000010_kpi_ends::Migration),
            Box::new(m20261208_000011_kpi_view::Migration),
        ]
    }
}

/// Columns every mutable row carries: DESIGN §1.
pub(crate) fn audit_columns(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    use sea_orm_migration::schema::*;
    table
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")))
        .col(integer(Alias::new("version")).default(1))
}
