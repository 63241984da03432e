//! The GraphQL schema: the merged queries and mutations of every area, the Relay
//! conventions (global ids, `node`, connections), limits and error codes.

pub mod connection;
pub mod documents;
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

use std::future::Future;

use crate::{
    auth::{jwt::Claims, Actor},
    domain::{
        decisions, identity, identity::IdentityService, kpis, planning, reviews, roadmap, squads,
        teams, Services,
    },
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
/// The alias limit and the codes of parse and validation errors are applied by the
/// HTTP handler, or by the [`limits::Limits`] extension over WebSocket.
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
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The schema served over HTTP: the handler applies the limits (`http::execute`).
pub fn build_schema(services: Services) -> NorthstarSchema {
    schema_builder().data(services).finish()
}

/// The schema served over WebSocket, where no handler sees the documents: the
/// [`limits::Limits`] extension applies the same limits.
pub fn build_ws_schema(services: Services) -> NorthstarSchema {
    schema_builder()
        .extension(limits::Limits)
        .data(services)
        .finish()
}

/// Who the request says it is.
///
/// The bearer token is checked when the request arrives (signature and expiry: no I/O).
/// The user's row is read the first time a resolver asks for the caller, once per
/// request, so a request that needs no authorization (`{ __typename }`, `login`) costs
/// no statement. Reading the row on every request that does need it keeps deactivation
/// immediate.
#[derive(Debug)]
pub struct Auth {
    claims: Option<Claims>,
    actor: tokio::sync::OnceCell<Option<Actor>>,
}

impl Auth {
    /// A request with a verified token's claims, or none (no token, or an invalid one).
    pub fn from_claims(claims: Option<Claims>) -> Self {
        Self {
            claims,
            actor: tokio::sync::OnceCell::new(),
        }
    }

    /// A caller already authenticated (a WebSocket connection's `connection_init`).
    pub fn authenticated(actor: Actor) -> Self {
        Self {
            claims: None,
            actor: tokio::sync::OnceCell::new_with(Some(Some(actor))),
        }
    }

    /// The caller, read on first use. An unknown, deactivated or revoked user is
    /// UNAUTHENTICATED; a database failure is INTERNAL and is not remembered.
    async fn actor(&self, identity: &IdentityService) -> ApiResult<&Actor> {
        let actor = self
            .actor
            .get_or_try_init(|| async {
                let Some(claims) = &self.claims else {
                    return Ok(None);
                };
                match identity.actor_for(claims).await {
                    Ok(actor) => Ok(Some(actor)),
                    Err(ApiError::Unauthenticated) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        actor.as_ref().ok_or(ApiError::Unauthenticated)
    }
}

/// The client's network address (the TCP peer; proxies are not trusted).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// Shortcuts from a resolver's context.
pub trait ContextExt {
    /// The services.
    fn services(&self) -> &Services;
    /// The authenticated caller, or UNAUTHENTICATED.
    fn actor(&self) -> impl Future<Output = ApiResult<&Actor>> + Send;
    /// This request's loader of kind `L`.
    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    async fn actor(&self) -> ApiResult<&Actor> {
        match self.data_opt::<Auth>() {
            Some(auth) => auth.actor(&self.services().identity).await,
            None => Err(ApiError::Unauthenticated),
        }
    }

    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    {
        self.data_unchecked::<DataLoader<L>>()
    }
}
