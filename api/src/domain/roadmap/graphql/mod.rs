//! GraphQL types, queries, mutations and the live subscription of the roadmap area, one
//! file per aggregate: sessions (`alignments`), their `items`, their `sign_offs`, and the
//! `subscription`. The schema merges their mutations in that order.

mod alignments;
mod items;
mod sign_offs;
mod subscription;

use async_graphql::ID;
use uuid::Uuid;

use crate::{
    error::ApiResult,
    graphql::ids::{self, Kind},
};
pub use alignments::*;
pub use items::*;
pub use sign_offs::*;
pub use subscription::*;

fn alignment_id(id: &ID, field: &'static str) -> ApiResult<Uuid> {
    ids::decode(id, Kind::RoadmapAlignment, field)
}
