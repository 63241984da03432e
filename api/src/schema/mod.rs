//! The schema at the top of the GraphQL layer: it assembles every area's queries,
//! mutations and subscriptions, the Relay `node` query over every area's types, and
//! every area's loaders. Nothing below imports it.

pub mod changes;
pub mod node;

use async_graphql::{Data, MergedObject, MergedSubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::{
    domain::{decisions, identity, integrations, kpis, planning, reviews, roadmap, squads, teams},
    graphql::{limits, loaders::Registry},
    services::Services,
};

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
    planning::graphql::OutcomeQuery,
    planning::graphql::InitiativeQuery,
    planning::graphql::DependencyQuery,
    roadmap::graphql::RoadmapQuery,
    changes::ChangeQuery,
    integrations::graphql::ApiTokenQuery,
    integrations::graphql::AuditQuery,
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
    kpis::graphql::KpiSyncMutation,
    planning::graphql::OutcomeMutation,
    planning::graphql::InitiativeMutation,
    planning::graphql::PlanningSyncMutation,
    planning::graphql::DependencyMutation,
    roadmap::graphql::RoadmapAlignmentMutation,
    roadmap::graphql::RoadmapItemMutation,
    roadmap::graphql::RoadmapSignOffMutation,
    integrations::graphql::ApiTokenMutation,
);

/// Every subscription of the API (GraphQL over WebSocket, graphql-transport-ws).
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(roadmap::graphql::RoadmapSubscription);

/// The schema type served at `/graphql`.
pub type NorthstarSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema without runtime data: `northstar schema` prints its SDL. The limits of a
/// query's shape and the rule for its text are applied before it runs, by the HTTP
/// handler or by the [`limits::Limits`] extension over WebSocket, so the schema sets
/// none of async-graphql's own (its nesting limit, at its default, is the same as
/// [`limits::MAX_NESTING`] and never reached first).
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
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

/// Every loader of every area, fresh for one request. `cache: false` for a long-lived
/// subscription: each event then reads current rows (batching still applies).
pub fn register_loaders(data: &mut Data, db: &DatabaseConnection, cache: bool) {
    let registry = Registry::new(data, db, cache);
    let registry = identity::loaders::register(registry);
    let registry = teams::loaders::register(registry);
    let registry = squads::loaders::register(registry);
    let registry = reviews::loaders::register(registry);
    let registry = decisions::loaders::register(registry);
    let registry = kpis::loaders::register(registry);
    let registry = planning::loaders::register(registry);
    let registry = roadmap::loaders::register(registry);
    integrations::loaders::register(registry);
}
