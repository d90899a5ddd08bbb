//! Charter's API server.
//!
//! A request travels: Dropshot (socket, routing, extractors from
//! `charter-api`) → [`http`] (a thin endpoint: authorize, translate) →
//! [`accounts`] or [`tasks`] (rules and validation, the domain) → [`store`]
//! (one SQL statement, sqlx over SQLite or PostgreSQL) → back up as a wire
//! type, or as an [`error::Error`] that [`http`] maps to a status in one
//! place.
//!
//! [`config::Config`] is read once at start-up; [`start`] opens the
//! database, migrates it, loads the signing secret and starts serving.
//! Servers keep no state between requests beyond the database, so any
//! number of them can run behind a load balancer (with a shared
//! `BETTER_AUTH_SECRET`).

pub mod accounts;
pub mod auth;
pub mod config;
pub mod error;
pub mod http;
pub mod store;
pub mod tasks;
pub mod web;

use dropshot::{ConfigDropshot, HttpServer, ServerBuilder};
use slog::{Drain, info, warn};

use crate::accounts::Accounts;
use crate::auth::{AccessTokens, Passwords, SecretSource};
use crate::config::{Config, LogLevel};
use crate::http::{AppState, CharterServer};
use crate::store::{Backend, Store};
use crate::tasks::Tasks;

pub use crate::config::Secret;

/// A running server.
pub type Server = HttpServer<AppState>;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Setup(String),
    #[error("cannot start the HTTP server: {0}")]
    Http(String),
}

/// The logger the server writes to: stderr, at the configured level.
///
/// Dropshot's `ConfigLogging` filters by level *behind* its asynchronous
/// channel, so every record below the level (a line per request at `info`)
/// is still built, sent to the logging thread and woken for, only to be
/// dropped there. Here the level is checked first, on the caller's thread.
pub fn logger(config: &Config) -> Result<slog::Logger, StartError> {
    let level = match config.log {
        LogLevel::Trace => slog::Level::Trace,
        LogLevel::Debug => slog::Level::Debug,
        LogLevel::Info => slog::Level::Info,
        LogLevel::Warn => slog::Level::Warning,
        LogLevel::Error => slog::Level::Error,
    };
    let decorator = slog_term::TermDecorator::new().build();
    let terminal = slog_term::FullFormat::new(decorator).build().fuse();
    let drain = slog_async::Async::new(terminal).chan_size(1024).build().fuse();
    Ok(slog::Logger::root(slog::LevelFilter::new(drain, level).fuse(), slog::o!()))
}

/// Opens the database, migrates it, and starts serving.
pub async fn start(config: &Config, log: slog::Logger) -> Result<Server, StartError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|source| StartError::DataDir { path: config.data_dir.display().to_string(), source })?;
    let store =
        Store::open(config.database_url.as_deref(), &config.data_dir, config.db_max_connections).await?;
    match store.backend() {
        Backend::Sqlite => info!(log, "database: SQLite"; "data_dir" => %config.data_dir.display()),
        Backend::Postgres => info!(log, "database: PostgreSQL"),
    }

    let (secret, source) = auth::load_secret(config.secret.as_ref(), &config.data_dir)
        .map_err(|e| StartError::Setup(e.to_string()))?;
    match &source {
        SecretSource::Environment => info!(log, "signing access tokens with BETTER_AUTH_SECRET"),
        SecretSource::Existing(path) => {
            info!(log, "signing access tokens with the secret kept in {}", path.display())
        }
        SecretSource::Generated(path) => warn!(
            log,
            "BETTER_AUTH_SECRET is not set: generated a signing secret and stored it in {} (owner-only). \
             Set BETTER_AUTH_SECRET to share one secret between servers.",
            path.display()
        ),
    }

    let openapi = charter_api::openapi_document().map_err(|e| StartError::Setup(e.to_string()))?;
    let state = AppState {
        accounts: Accounts {
            store: store.clone(),
            passwords: Passwords::new().map_err(|e| StartError::Setup(e.to_string()))?,
            tokens: AccessTokens::new(&secret, config.access_token_ttl),
        },
        tasks: Tasks { store },
        openapi,
        web: web::WebAssets { dir: config.web_dir.clone() },
    };

    let mut api = charter_api::charter_api_mod::api_description::<CharterServer>()
        .map_err(|e| StartError::Setup(format!("invalid API description: {e}")))?;
    // The web app's pages and assets: unpublished, so not in the contract.
    web::register(&mut api)
        .map_err(|e| StartError::Setup(format!("cannot add the web app's routes: {e}")))?;
    if !config.web_dir.join("index.html").is_file() {
        warn!(
            log,
            "the web app is not built ({} has no index.html): run `cargo xtask web`",
            config.web_dir.display()
        );
    }
    let dropshot_config = ConfigDropshot {
        bind_address: config.bind,
        default_request_body_max_bytes: charter_api::MAX_REQUEST_BODY_BYTES,
        ..Default::default()
    };
    let server = ServerBuilder::new(api, state, log.clone())
        .config(dropshot_config)
        .start()
        .map_err(|e| StartError::Http(e.to_string()))?;
    info!(log, "listening on http://{}", server.local_addr());
    Ok(server)
}
