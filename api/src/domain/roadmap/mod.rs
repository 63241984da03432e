//! Quarterly roadmap alignment: product, design and engineering rank the quarter's work
//! together, live, until all three disciplines sign off.

pub mod graphql;
pub mod loaders;
mod service;

pub use service::*;
