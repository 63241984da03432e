//! Teams: long-lived groups of people with a technical-debt allocation.

pub mod graphql;
pub mod loaders;
mod service;

pub use service::*;
