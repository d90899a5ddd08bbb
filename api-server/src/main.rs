//! `charter-server`: run Charter's API until Ctrl-C or SIGTERM.

use clap::Parser;

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
async fn main() -> anyhow::Result<()> {
    api_server::run(&Config::parse()).await
}
