//! Shared KPIs: definitions owned by people across disciplines, measurements (manual or
//! synced, idempotent by external reference), and what is derived from them:
//! attainment, trend and status.

pub mod graphql;
pub mod loaders;
mod recording;
mod service;
mod upserts;

pub use service::*;
pub use upserts::*;
