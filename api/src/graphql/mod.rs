//! The GraphQL schema: the merged queries and mutations of every area, the Relay
//! conventions (global ids, `node`, connections), limits and error codes.

pub mod connection;
pub mod enums;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod scalars;

use async_graphql::{
    dataloader::{DataLoader, Loader},
    Context, MergedObject, MergedSubscription, Schema, SchemaBuilder,
};

use crate::{
    auth::Actor,
    domain::{decisions, identity, kpis, planning, reviews, roadmap, squads, teams, Services},
    error::{ApiError, ApiResult},
};

/// Deepest query accepted.
pub const MAX_DEPTH: usize = 12;
/// Highest complexity (roughly: fields resolved, with lists weighted by page size).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Most aliases in one query.
pub const MAX_ALIASES: usize = 30;

/// Every query of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    identity::graphql::IdentityQuery,
    node::NodeQuery,
    teams::graphql::TeamQuery,
    squads::graphql::SquadQuery,
    reviews::graphql::ReviewQuery,
    decisions::graphql::DecisionQuery,
    kpis::graphql::KpiQuery,
    planning::graphql::PlanningQuery,
    roadmap::graphql::RoadmapQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    identity::graphql::IdentityMutation,
    teams::graphql::TeamMutation,
    squads::graphql::SquadMutation,
    reviews::graphql::ReviewMutation,
    decisions::graphql::DecisionMutation,
    kpis::graphql::KpiMutation,
    planning::graphql::PlanningMutation,
    roadmap::graphql::RoadmapMutation,
);

/// Every subscription of the API (GraphQL over WebSocket, graphql-transport-ws).
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(roadmap::graphql::RoadmapSubscription);

/// The schema type served at `/graphql`.
pub type NorthstarSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema with its limits, without runtime data: `northstar schema` prints its SDL.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(20)
    .extension(limits::Limits)
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The schema served by a running server.
pub fn build_schema(services: Services) -> NorthstarSchema {
    schema_builder().data(services).finish()
}

/// Who the request says it is: `None` without a (valid) token.
#[derive(Debug, Clone)]
pub struct Auth(pub Option<Actor>);

/// The client's network address (the TCP peer; proxies are not trusted).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// Shortcuts from a resolver's context.
pub trait ContextExt {
    /// The services.
    fn services(&self) -> &Services;
    /// The authenticated caller, or UNAUTHENTICATED.
    fn actor(&self) -> ApiResult<&Actor>;
    /// This request's loader of kind `L`.
    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    fn actor(&self) -> ApiResult<&Actor> {
        match self.data_opt::<Auth>() {
            Some(Auth(Some(actor))) => Ok(actor),
            _ => Err(ApiError::Unauthenticated),
        }
    }

    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    {
        self.data_unchecked::<DataLoader<L>>()
    }
}
