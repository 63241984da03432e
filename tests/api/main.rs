//! End-to-end tests over real HTTP, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

#[path = "../common/mod.rs"]
mod common;

mod atomicity;
mod decisions;
mod errors;
mod http;
mod identity;
mod integrations;
mod kpi_statements;
mod kpis;
mod planning;
mod reviews;
mod roadmap;
mod schema;
mod smoke;
mod squads;
mod statements;
mod sync;
mod teams;
mod text_rule;
mod throttle;
mod two_nodes;
mod websocket;
