//! Northstar: the GraphQL backend of an engineering-leadership planning platform.
//!
//! A request travels: actix handler (`http`) → async-graphql schema (`graphql`: limits,
//! auth context, loaders) → resolver (thin) → domain service (`domain`: policy check
//! through `authz`, rules, transaction) → sea-orm (`entity`).

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
pub mod startup;
pub mod telemetry;
pub mod ws;

pub use config::Config;
pub use startup::Application;
