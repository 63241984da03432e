//! Northstar: the GraphQL backend of an engineering-leadership planning platform.
//!
//! A request travels: actix handler (`http`) → async-graphql schema (`schema`, built
//! from every area's GraphQL module and the kit in `graphql`: limits, the caller,
//! loaders, connections) → resolver (thin) → domain service (`domain`: policy check
//! through `authz`, rules, transaction) → sea-orm (`entity`).
//!
//! Imports run one way, top to bottom: `startup`/`http` → `schema` → each area's
//! GraphQL module (`domain::<area>::graphql`, which may name other areas' GraphQL types:
//! the type graph) → the kit (`graphql`) → `services` → each area's service → `authz`
//! → the shared domain helpers (`domain::{tenant, text, scope, …}`) → `entity`.

pub mod auth;
pub mod authz;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod pagination;
pub mod rate_limit;
pub mod schema;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod ws;

pub use config::Config;
pub use startup::Application;
