//! Integrations (issue 13): API tokens with scopes for the planning tools that sync
//! with Northstar, the change feed they read changes from, and the audit log of every
//! mutation. Upserts by external reference live with the objects they write
//! (`planning`, `kpis`).

mod audit;
mod changes;
pub mod graphql;
pub mod loaders;
mod service;
mod tokens;

pub use audit::*;
pub use changes::*;
pub use service::*;
pub use tokens::*;
