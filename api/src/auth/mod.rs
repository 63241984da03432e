//! Who is calling: passwords, access tokens (JWT), API tokens, opaque tokens, and the
//! `Actor` that every service method takes first.

mod actor;
pub mod callers;
pub mod jwt;
pub mod password;
pub mod scopes;
pub mod secret;

pub use actor::{Actor, Origin, Principal};
pub use scopes::{TokenScope, TokenScopes};
