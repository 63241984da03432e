//! Outcomes and work: quarterly outcomes measured by KPIs, initiatives mapped to them,
//! cross-squad dependencies, and the views that put them together (a team's quarter
//! plan, its weekly sync).

pub mod graphql;
pub mod loaders;
mod service;

pub use service::*;
