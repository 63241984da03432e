//! SeaORM entities for the tables of `bench/postgraphile/schema.sql` (schema `bench`),
//! written by hand in the shape `sea-orm-cli generate entity --seaography` gives:
//! a `Model`, its `Relation`s and a `RelatedEntity` enum, whose variants seaography
//! turns into the relation fields (`squads`, `kpis`, `kpiMeasurements`, ...).
//!
//! Columns with a database default (`id`, `created_at`, `recorded_at`, ...) carry a
//! `default_expr`, so the insert inputs seaography generates leave them optional
//! and PostgreSQL fills them in.

pub mod kpi_measurements;
pub mod kpis;
pub mod organizations;
pub mod squads;
pub mod teams;
pub mod users;

seaography::register_entity_modules!([
    organizations,
    users,
    teams,
    squads,
    kpis,
    kpi_measurements,
]);
