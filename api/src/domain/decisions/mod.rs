//! Decision records (ADRs): numbered per organisation, written from approved
//! architecture reviews or on their own, accepted, deprecated or superseded, and
//! rendered as markdown in the usual ADR layout.

pub mod graphql;
pub mod loaders;
pub mod markdown;
mod service;

pub use service::*;
