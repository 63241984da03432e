//! The `northstar` command: `serve` (default), `migrate`, `schema`.

use api::{Application, Config};
use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Northstar: the GraphQL backend of an engineering-leadership planning platform.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (the default).
    Serve(Config),
    /// Apply pending migrations and exit.
    Migrate {
        /// Database URL: `sqlite://path?mode=rwc` or `postgres://…`.
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://northstar.db?mode=rwc"
        )]
        database_url: String,
    },
    /// Print the GraphQL schema (SDL) that `schema.graphql` must equal.
    Schema,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Schema) => {
            print!("{}", api::schema::sdl());
            Ok(())
        }
        Some(Command::Migrate { database_url }) => {
            api::telemetry::init("info");
            let (db, _) = api::db::connect(&database_url, 1).await?;
            api::db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Some(Command::Serve(config)) => serve(config).await,
        None => serve(cli.serve).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    api::telemetry::init("info,sqlx=warn,sea_orm=warn");
    let listen = config.listen;
    let app = Application::build(config).await?;
    tracing::info!(
        "Northstar listening on http://{}:{} (GraphiQL at /graphql)",
        listen.ip(),
        app.port()
    );
    app.run_until_stopped().await?;
    Ok(())
}
