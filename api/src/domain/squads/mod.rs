//! Squads: cross-functional units (engineering, product, design) around a customer
//! journey, with members who give them a share of their time.

pub mod graphql;
pub mod loaders;
mod service;

pub use service::*;
