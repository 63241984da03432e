//! GraphQL types, queries and mutations of the planning area, one file per aggregate:
//! outcomes, initiatives, dependencies, and the views of a team (its quarter plan and
//! weekly sync). The schema merges their roots in that order.

mod dependencies;
mod initiatives;
mod outcomes;
mod upserts;
mod views;

use async_graphql::Context;
use entity::outcome_initiative;
use uuid::Uuid;

pub use super::loaders::{
    SquadInitiatives, SquadNeededBy, SquadNeeds, SquadOutcomes, TeamOutcomes,
};
use crate::{
    error::ApiResult,
    graphql::{
        connection::{connection, Conn, TotalCount},
        context::ContextExt,
        loaders::{ById, InOrg},
    },
    pagination::Page,
};
pub use dependencies::*;
pub use initiatives::*;
pub use outcomes::*;
pub use upserts::*;
pub use views::*;

/// Builds a connection over link rows, loading what each link points at in one batch.
async fn linked<E, T>(
    ctx: &Context<'_>,
    org: Uuid,
    page: Page<outcome_initiative::Model>,
    target: fn(&outcome_initiative::Model) -> Uuid,
    wrap: fn(E::Model) -> T,
    total: TotalCount,
) -> ApiResult<Conn<T>>
where
    E: crate::domain::tenant::TenantTable,
    E::Model: Clone + Send + Sync,
    T: async_graphql::OutputType,
{
    let keys: Vec<InOrg> = page
        .items
        .iter()
        .map(|(_, l)| InOrg { org, id: target(l) })
        .collect();
    let mut found = ctx.loader::<ById<E>, InOrg>().load_many(keys).await?;
    let page = Page {
        items: page
            .items
            .into_iter()
            .filter_map(|(c, l)| {
                found
                    .remove(&InOrg {
                        org,
                        id: target(&l),
                    })
                    .map(|m| (c, m))
            })
            .collect(),
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
    };
    Ok(connection(page, wrap, total))
}
