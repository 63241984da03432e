//! Identity: organisations, users, sign-up, sign-in, tokens and invites.

pub mod graphql;
pub mod loaders;
mod service;
pub mod throttle;

pub use service::*;
