//! Outcomes and work: quarterly outcomes measured by KPIs, initiatives mapped to them,
//! cross-squad dependencies, and the views that put them together (a team's quarter
//! plan, its weekly sync).

mod dependencies;
pub mod graphql;
mod initiatives;
pub mod loaders;
mod outcomes;
mod quarter_plan;
mod service;
mod upserts;
mod weekly_sync;

pub use dependencies::*;
pub use initiatives::*;
pub use outcomes::*;
pub use quarter_plan::*;
pub use service::*;
pub use upserts::*;
pub use weekly_sync::*;
