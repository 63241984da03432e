//! Authorization: DESIGN §2 in one place. [`policy::check`] decides (a pure `match`),
//! from the facts that [`facts`] gathers about the caller's standing towards an object.
//! Reads need no decision: any caller of the organisation may read what it shares, and
//! every read is confined to the caller's organisation by the tenant filter.

pub mod facts;
#[cfg(test)]
mod matrix;
mod policy;

pub use policy::{check, Action};
