//! Building and running the server: `Application::build` binds (port 0 in tests) and
//! returns before serving, so the caller knows the port.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::{dev::Server, http::header, web, App, HttpServer};
use rand::RngCore;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use crate::{
    auth::jwt::JwtKeys,
    config::Config,
    db::{self, StatementCounter},
    events::EventBus,
    http::{self, AppState},
    metrics::Metrics,
    schema,
    services::Services,
};

/// A built server, bound to its port, not yet serving.
pub struct Application {
    port: u16,
    server: Server,
    statements: StatementCounter,
    db: sea_orm::DatabaseConnection,
}

fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        cors.allow_any_origin()
    } else {
        origins
            .iter()
            .filter(|o| !o.is_empty())
            .fold(cors, |c, o| c.allowed_origin(o))
    }
}

/// Deletes change log entries past their retention, at start and then hourly. Every
/// server runs it; a second run deletes nothing more.
fn spawn_pruner(integrations: crate::domain::integrations::IntegrationService) {
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            match integrations.prune_changes().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, "change log pruned"),
                Err(e) => tracing::warn!(error = ?e, "pruning the change log"),
            }
        }
    });
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let (db, statements) = db::connect(&config.database_url, config.db_max_connections).await?;
        db::migrate(&db).await?;
        let secret = match &config.jwt_secret {
            Some(s) => s.expose_secret().as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "NORTHSTAR_JWT_SECRET is not set: using a random secret; every token dies with this process"
                );
                let mut bytes = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                bytes
            }
        };
        let events = EventBus::new(db.clone());
        events.listen(&config.database_url).await?;
        let services = Services::new(
            db.clone(),
            JwtKeys::new(&secret),
            events,
            crate::domain::integrations::IntegrationSettings {
                change_retention: config.change_retention(),
                token_rate_limit: config.token_rate_limit,
            },
        );
        services.identity.follow_revocations();
        spawn_pruner(services.integrations.clone());
        let schema = schema::build_schema(services.clone());
        let ws_schema = schema::build_ws_schema(services.clone());
        let listener = TcpListener::bind(config.listen)?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let origins = config.cors_origins.clone();
        let state = web::Data::new(AppState {
            schema,
            ws_schema,
            documents: Default::default(),
            services,
            config,
            metrics: Metrics::new(&statements),
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(cors(&origins))
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .configure(http::routes)
        })
        .listen(listener)?;
        if let Some(n) = workers {
            server = server.workers(n);
        }
        Ok(Self {
            port,
            server: server.run(),
            statements,
            db,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Counts the SQL statements the server runs (for tests and metrics).
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// The database connection pool (for tests that inspect what was stored).
    pub fn db(&self) -> sea_orm::DatabaseConnection {
        self.db.clone()
    }

    /// A handle that stops the server (tests stop theirs when they end).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (Ctrl-C or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
