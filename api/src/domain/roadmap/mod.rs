//! Quarterly roadmap alignment: product, design and engineering rank the quarter's work
//! together, live, until all three disciplines sign off; a session is written up in
//! Markdown for those who were not there.

mod alignments;
pub mod graphql;
mod items;
pub mod loaders;
pub mod markdown;
mod service;
mod sign_offs;

pub use alignments::*;
pub use items::*;
pub use service::*;
