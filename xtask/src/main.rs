//! `cargo xtask <job>`: Charter's project automation, in Rust.
//!
//! One subcommand per job, in the manner of rust-analyzer's xtask:
//!
//! - `serve`: build the web bundle, then run the server on SQLite with no
//!   set-up.
//! - `web`: build the web app into `web/dist`.
//! - `test`: every test there is: formatting, lints, the contract check,
//!   the workspace's tests on SQLite and PostgreSQL, the client's wasm build.
//! - `openapi generate|check`: write or verify `specs/contracts/charter.json`.
//! - `bench api|web`: the API's throughput, latency and memory; the web
//!   app's size and time to a rendered list; printed against their budgets.
//! - `check-specs`: the governance gate (priority, ownership, drift,
//!   traceability); see `governance/RULES.md`.
//! - `fuzz`, `coverage`: schemathesis against the served contract; line
//!   coverage per backend crate.
//!
//! `serve` and `web` need little, so the xtask `cargo xtask` builds has
//! only what they need; every other job runs xtask again with its `full`
//! feature (the contract, governance, the client, HTTP), so that running
//! the product compiles none of that.

#[cfg(feature = "full")]
mod bench;
#[cfg(feature = "full")]
mod bench_web;
#[cfg(feature = "full")]
mod check_specs;
#[cfg(feature = "full")]
mod coverage;
#[cfg(feature = "full")]
mod fuzz;
#[cfg(feature = "full")]
mod openapi;
mod serve;
#[cfg(feature = "full")]
mod server_process;
#[cfg(feature = "full")]
mod test;
mod web;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Charter's project automation")]
struct Cli {
    #[command(subcommand)]
    job: Job,
}

#[derive(Subcommand)]
enum Job {
    /// Build the web app and start the server (SQLite in ./data by default).
    Serve(serve::ServeArgs),
    /// Build the web app into web/dist (wasm, hashed assets, .gz/.br).
    Web(web::WebArgs),
    /// Run every test: what CI runs.
    #[cfg(feature = "full")]
    Test(test::TestArgs),
    /// Generate or check the OpenAPI document under specs/contracts/.
    #[cfg(feature = "full")]
    Openapi {
        #[command(subcommand)]
        action: openapi::Action,
    },
    /// Check specs/, the contract, the schema and the history against the
    /// governance rules (exit 0 clean, 1 violations, 2 fixable only, 3
    /// unreadable input).
    #[cfg(feature = "full")]
    CheckSpecs(check_specs::CheckSpecsArgs),
    /// Measure speed and memory and print the figures against their
    /// targets (never asserted).
    #[cfg(feature = "full")]
    Bench(bench::BenchArgs),
    /// Fuzz the served contract with schemathesis (positive mode): any
    /// allowed request the server refuses or fails fails the run.
    #[cfg(feature = "full")]
    Fuzz,
    /// Line coverage of the backend crates under the whole suite, printed
    /// per crate (cargo-llvm-cov, installed when missing).
    #[cfg(feature = "full")]
    Coverage,
}

fn main() -> Result<()> {
    #[cfg(not(feature = "full"))]
    if !matches!(std::env::args().nth(1).as_deref(), Some("serve" | "web")) {
        // Every other job (and the full help) needs the full xtask.
        let status = cargo()
            .args(["run", "--quiet", "--package", "xtask", "--features", "full", "--"])
            .args(std::env::args_os().skip(1))
            .status()
            .context("running the full xtask")?;
        std::process::exit(status.code().unwrap_or(1));
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // check-specs gives exit 2 its own meaning (only fixable
            // findings): a mistyped flag there must not look like that.
            #[cfg(feature = "full")]
            let code = match error.exit_code() {
                0 => 0,
                _ if std::env::args().nth(1).as_deref() == Some("check-specs") => {
                    check_specs::EXIT_UNREADABLE
                }
                code => code,
            };
            #[cfg(not(feature = "full"))]
            let code = error.exit_code();
            std::process::exit(code);
        }
    };
    let root = workspace_root();
    match cli.job {
        Job::Serve(args) => serve::run(&root, args),
        Job::Web(args) => web::run(&root, args),
        #[cfg(feature = "full")]
        Job::Test(args) => test::run(&root, args),
        #[cfg(feature = "full")]
        Job::Openapi { action } => openapi::run(&root, action),
        #[cfg(feature = "full")]
        Job::Bench(args) => bench::run(&root, args),
        #[cfg(feature = "full")]
        Job::Fuzz => fuzz::run(&root),
        #[cfg(feature = "full")]
        Job::Coverage => coverage::run(&root),
        #[cfg(feature = "full")]
        Job::CheckSpecs(args) => {
            // Any failure of the tool itself is exit 3, never 1 (violations).
            let code = check_specs::run(&root, args).unwrap_or_else(|error| {
                eprintln!("check-specs: {error:#}");
                check_specs::EXIT_UNREADABLE
            });
            std::process::exit(code)
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    // `cargo run` sets it for the binary it runs: that names this checkout
    // even when the binary was built from another one sharing the target
    // directory (as CI's clone does). The compile-time value is the fallback.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let manifest_dir = manifest_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().expect("xtask sits inside the workspace").to_path_buf()
}

/// Runs a command in the workspace root, echoing it first; fails when it
/// fails.
fn run_command(root: &Path, command: &mut Command) -> Result<()> {
    eprintln!("$ {}", display_command(command));
    let status = command
        .current_dir(root)
        .status()
        .with_context(|| format!("could not start `{}`", display_command(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display_command(command));
    }
    Ok(())
}

fn display_command(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo`, as the one running us.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}
