//! Seaography over the benchmark's `bench` schema (bench/postgraphile/schema.sql):
//! the GraphQL schema is generated from the SeaORM entities in `entities/`, served
//! with axum like seaography's own examples. No authentication, no limits.
//!
//! Environment:
//!   DATABASE_URL         postgres://... (required)
//!   SEAOGRAPHY_LISTEN    address to bind (default 127.0.0.1:5679)
//!   SEAOGRAPHY_POOL      database pool size (default 20, like the other servers)
//!   RUST_LOG             tracing filter (default warn)
//!
//! Serves `POST /graphql` (and `GET /readyz` for start-up checks).

mod entities;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Duration;

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{extract::State, routing::get, routing::post, Router};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use seaography::{
    async_graphql::dynamic::Schema, lazy_static::lazy_static, Builder, BuilderContext,
};

lazy_static! {
    static ref CONTEXT: BuilderContext = BuilderContext::default();
}

fn schema(db: DatabaseConnection) -> Schema {
    let builder = entities::register_entity_modules(Builder::new(&CONTEXT, db.clone()));
    builder
        .set_depth_limit(None)
        .set_complexity_limit(None)
        .schema_builder()
        .data(db)
        .finish()
        .expect("the generated GraphQL schema is valid")
}

async fn graphql(State(schema): State<Schema>, req: GraphQLRequest) -> GraphQLResponse {
    schema.execute(req.into_inner()).await.into()
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();

    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is not set");
    let listen = std::env::var("SEAOGRAPHY_LISTEN").unwrap_or_else(|_| "127.0.0.1:5679".into());
    let pool: u32 = std::env::var("SEAOGRAPHY_POOL")
        .ok()
        .map(|v| v.parse().expect("SEAOGRAPHY_POOL is not a number"))
        .unwrap_or(20);

    let mut options = ConnectOptions::new(url);
    options
        .max_connections(pool)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // As Northstar's pool (api/src/db.rs): sqlx would otherwise ping a pooled
        // connection on every acquire, a second round trip per statement.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .expect("cannot connect to DATABASE_URL");

    let app = Router::new()
        .route("/graphql", post(graphql))
        .route("/readyz", get(|| async { "ok" }))
        .with_state(schema(db));

    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {listen}: {e}"));
    eprintln!("seaography listening on http://{listen}/graphql");
    // SIGTERM ends the process at once, like the other servers of the benchmark.
    axum::serve(listener, app).await.expect("server error");
}
