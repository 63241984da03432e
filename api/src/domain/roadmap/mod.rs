//! Quarterly roadmap alignment: product, design and engineering rank the quarter's work
//! together, live, until all three disciplines sign off; a session is written up in
//! Markdown for those who were not there.

pub mod graphql;
pub mod loaders;
pub mod markdown;
mod service;

pub use service::*;
