//! Charter's server as a process of its own, for the replica tests: the
//! same `api_server::run` as `charter-server`, built with this package so
//! that its tests can start it (Cargo names a binary's path only to its
//! own package's tests).

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api_server::run(&api_server::config::Config::parse()).await
}
