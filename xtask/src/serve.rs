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
    // The API works without the web app: a failed web build is reported,
    // and the server's home page then says how to build it.
    match crate::web::build(root, &crate::web::WebArgs::default()) {
        Ok(bundle) => crate::web::print_sizes(&bundle),
        Err(error) => eprintln!("warning: the web app was not built ({error:#}); serving the API only"),
    }
    let mut command = cargo();
    command.args(["run", "--package", "api-server", "--bin", "charter-server"]);
    if !args.debug {
        command.arg("--release");
    }
    command.arg("--").args(&args.server_args);
    run_command(root, &mut command)
}
