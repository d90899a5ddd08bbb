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
//! database, migrates it, loads the signing secret and starts serving,
//! with [`connections`] accepting and serving the sockets in place of
//! Dropshot's own loop (see `vendor/dropshot/PATCH.md`).
//! Servers keep no state between requests beyond the database, so any
//! number of them can run behind a load balancer (with a shared
//! `BETTER_AUTH_SECRET`).

pub mod accounts;
pub mod auth;
pub mod batch;
pub mod changes;
pub mod config;
pub mod connections;
pub mod context;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod jwks;
pub mod store;
pub mod tasks;
pub mod throttle;
pub mod web;

use std::time::Duration;

use dropshot::{ConfigDropshot, HttpServer, ServerBuilder};
use slog::{Drain, info, warn};

use crate::accounts::Accounts;
use crate::auth::{AccessTokens, Passwords, SecretSource};
use crate::config::{Config, LogLevel};
use crate::connections::ConnectionLimits;
use crate::context::AppState;
use crate::http::CharterServer;
use crate::store::{Backend, Store};
use crate::tasks::Tasks;
use crate::throttle::{Limit, Throttle};

pub use crate::config::Secret;

/// A running server: the HTTP side, and the upkeep of its database.
pub struct Server {
    http: HttpServer<AppState>,
    housekeeping: tokio::task::JoinHandle<()>,
    /// Reminders claimed, and (PostgreSQL) change notices relayed.
    events: [tokio::task::JoinHandle<()>; 2],
    store: Store,
}

impl Server {
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.http.local_addr()
    }

    /// Stops accepting, finishes the requests in flight, then folds
    /// SQLite's write-ahead log into the database and closes it.
    pub async fn close(self) -> Result<(), String> {
        let closed = self.http.close().await;
        self.housekeeping.abort();
        for task in &self.events {
            task.abort();
        }
        let stored = self.store.close().await.map_err(|e| e.to_string());
        closed.and(stored)
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database")]
    Store(#[from] store::StoreError),
    #[error("cannot load the signing secret")]
    Secret(#[from] auth::SecretError),
    #[error("CHARTER_CLIENT_IP_HEADER is not a header name")]
    ClientIpHeader(#[source] ::http::header::InvalidHeaderName),
    #[error("cannot describe the API")]
    OpenApi(#[from] charter_api::DocumentError),
    #[error("cannot prepare password hashing")]
    Passwords(#[source] error::Error),
    #[error("the API description is invalid: {0}")]
    ApiDescription(String),
    #[error("cannot start the HTTP server")]
    Http(#[from] dropshot::BuildError),
    #[error("the identity provider settings are not valid: {0}")]
    Provider(String),
}

/// The identity provider's settings from the configuration, when a JWKS
/// URL is set: issuers and audiences default to the URL's origin (what
/// Better Auth puts in both when it serves its own key set).
fn provider_keys(config: &Config) -> Result<Option<jwks::ProviderKeys>, StartError> {
    let Some(jwks_url) = &config.jwks_url else { return Ok(None) };
    let url =
        reqwest::Url::parse(jwks_url).map_err(|e| StartError::Provider(format!("CHARTER_JWKS_URL: {e}")))?;
    let origin = url.origin().ascii_serialization();
    let or_origin = |values: &[String]| {
        if values.is_empty() { vec![origin.clone()] } else { values.to_vec() }
    };
    let algorithms = if config.jwt_algorithms.is_empty() {
        jwks::DEFAULT_ALGORITHMS.to_vec()
    } else {
        config
            .jwt_algorithms
            .iter()
            .map(|name| {
                name.trim()
                    .parse::<jsonwebtoken::Algorithm>()
                    .ok()
                    .filter(|alg| *alg != jsonwebtoken::Algorithm::HS256)
                    .ok_or_else(|| {
                        StartError::Provider(format!("CHARTER_JWT_ALGORITHMS: {name:?} is not an algorithm"))
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let settings = jwks::ProviderSettings {
        jwks_url: jwks_url.clone(),
        issuers: or_origin(&config.jwt_issuer),
        audiences: or_origin(&config.jwt_audience),
        algorithms,
    };
    jwks::ProviderKeys::new(settings).map(Some).map_err(|e| StartError::Provider(e.to_string()))
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

    let (secret, source) = auth::load_secret(config.secret.as_ref(), &config.data_dir)?;
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

    let client_ip_header = config
        .client_ip_header
        .as_deref()
        .map(::http::HeaderName::try_from)
        .transpose()
        .map_err(StartError::ClientIpHeader)?;
    let openapi = charter_api::openapi_document()?;
    let per_account = Limit {
        max: config.sign_in_account_limit,
        window: Duration::from_secs(config.sign_in_account_window.into()),
    };
    let per_address = Limit {
        max: config.auth_address_limit,
        window: Duration::from_secs(config.auth_address_window.into()),
    };
    let state = AppState {
        accounts: Accounts {
            store: store.clone(),
            passwords: Passwords::new().map_err(StartError::Passwords)?,
            tokens: AccessTokens::new(&secret, config.access_token_ttl),
            throttle: Throttle { store: store.clone(), per_account, per_address, client_ip_header },
            refresh_grace: Duration::from_secs(config.refresh_grace.into()),
            provider: provider_keys(config)?,
            provisioned: std::sync::Mutex::default(),
        },
        tasks: Tasks { store: store.clone() },
        openapi,
        web_dir: config.web_dir.clone(),
    };

    let api = charter_api::charter_api_mod::api_description::<CharterServer>()
        .map_err(|e| StartError::ApiDescription(e.to_string()))?;
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
    let limits = ConnectionLimits {
        header_timeout: config.header_timeout,
        max_connections: match config.max_connections {
            Some(max) => usize::try_from(max).unwrap_or(usize::MAX),
            None => connections::default_max_connections(config.db_max_connections),
        },
    };
    let connection_log = log.clone();
    let http = ServerBuilder::new(api, state, log.clone())
        .config(dropshot_config)
        .serve_connections(move |listener, handlers, close| {
            connections::serve(listener, handlers, close, limits, connection_log)
        })
        .start()?;
    info!(log, "listening on http://{}", http.local_addr();
          "max_connections" => limits.max_connections,
          "header_timeout_ms" => limits.header_timeout.as_millis());
    let windows = per_account.window.max(per_address.window);
    let retention = Duration::from_secs(config.change_retention.into());
    let housekeeping = tokio::spawn(housekeeping(
        store.clone(),
        Upkeep { wal_idle: config.wal_checkpoint_idle, windows, retention },
        log.clone(),
    ));
    let events = [
        tokio::spawn(events::deliver_reminders(store.clone(), log.clone())),
        tokio::spawn(events::relay(store.clone(), log.clone())),
    ];
    Ok(Server { http, housekeeping, events, store })
}

/// When housekeeping acts.
struct Upkeep {
    /// Writes stopped this long: checkpoint SQLite's WAL.
    wal_idle: Duration,
    /// The longest throttling window.
    windows: Duration,
    /// How long tombstones and reminder events are kept.
    retention: Duration,
}

/// Runs a server with `config` until Ctrl-C or SIGTERM, then finishes the
/// requests in flight and closes the database: what `charter-server` does.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    use anyhow::Context;
    let log = logger(config)?;
    let server = start(config, log.clone()).await.context("Charter could not start")?;
    shutdown_signal().await;
    info!(log, "shutting down: finishing requests in flight");
    server.close().await.map_err(anyhow::Error::msg).context("shutting down")?;
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM (what service managers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// What the server tidies while it runs: SQLite's write-ahead log once
/// writes have stopped for `wal_idle` (so it shrinks back to nothing after
/// a burst), throttling counters whose windows (at most `windows` long)
/// have ended, idempotency keys older than a day, and tombstones and
/// reminder events older than the retention (looked at every minute, or
/// more often when the retention is shorter).
async fn housekeeping(store: Store, upkeep: Upkeep, log: slog::Logger) {
    let Upkeep { wal_idle, windows, retention } = upkeep;
    let forget_every = (retention / 2).clamp(Duration::from_millis(500), Duration::from_secs(60));
    let mut tick =
        tokio::time::interval((wal_idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(5)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_forget = tokio::time::Instant::now();
    loop {
        tick.tick().await;
        if store.wal_is_idle(wal_idle)
            && let Err(e) = store.checkpoint_wal().await
        {
            warn!(log, "checkpointing the write-ahead log failed: {e}");
        }
        if last_forget.elapsed() >= forget_every {
            last_forget = tokio::time::Instant::now();
            let before = chrono::Utc::now() - windows;
            if let Err(e) = store.rate_limits_expire(before.timestamp_millis()).await {
                warn!(log, "deleting ended throttling windows failed: {e}");
            }
            let kept_since = chrono::Utc::now() - idempotency::KEY_LIFETIME;
            if let Err(e) = store.idempotency_keys_expire(kept_since.timestamp_millis()).await {
                warn!(log, "deleting expired idempotency keys failed: {e}");
            }
            let changes_kept_since = chrono::Utc::now() - retention;
            if let Err(e) = store.prune_changes(changes_kept_since.timestamp_millis()).await {
                warn!(log, "forgetting old tombstones and reminder events failed: {e}");
            }
        }
    }
}
