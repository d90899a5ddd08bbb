//! `cargo xtask serve`: the product, from a fresh clone, with no set-up.

use std::path::Path;

use anyhow::Result;
use clap::Args;

use crate::{cargo, run_command};

#[derive(Args)]
pub struct ServeArgs {
    /// Build in debug mode (faster to compile, slower to run).
    #[arg(long)]
    debug: bool,
    /// Arguments passed to the server, e.g. `-- --bind 0.0.0.0:8000`.
    #[arg(last = true)]
    server_args: Vec<String>,
}

pub fn run(root: &Path, args: ServeArgs) -> Result<()> {
    let mut command = cargo();
    command.args(["run", "--package", "api-server", "--bin", "charter-server"]);
    if !args.debug {
        command.arg("--release");
    }
    command.arg("--").args(&args.server_args);
    run_command(root, &mut command)
}
