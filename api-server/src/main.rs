//! `charter-server`: run Charter's API until Ctrl-C or SIGTERM.

use anyhow::{Context, Result};
use clap::Parser;
use slog::info;

use api_server::config::Config;

/// mimalloc rather than glibc's malloc, for Rust and (its `override`
/// feature) for the C code linked in, SQLite included: sqlx allocates on a
/// SQLite worker thread what a runtime thread frees, and a list answer
/// builds ~15 KB of JSON twice (the page from the database, the response),
/// where glibc spent a sixth of the server's time (arena locks,
/// `malloc_consolidate`) before lists were read as one row. Only the server
/// binary sets it; the library leaves the choice to whoever embeds it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    let config = Config::parse();
    let log = api_server::logger(&config)?;
    let server = api_server::start(&config, log.clone()).await.context("Charter could not start")?;
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
