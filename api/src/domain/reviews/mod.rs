//! Monthly architecture reviews: a proposal, its assigned reviewers and their
//! verdicts, threaded comments, and the agenda of each month's meeting.

pub mod graphql;
pub mod loaders;
mod service;

pub use service::*;
