//! Who is calling: passwords, access tokens (JWT), opaque tokens, and the `Actor`
//! that every service method takes first.

mod actor;
pub mod jwt;
pub mod password;
pub mod secret;

pub use actor::{Actor, Principal};
