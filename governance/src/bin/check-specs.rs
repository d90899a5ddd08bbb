//! `check-specs`: the governance rules on any repository.
//!
//! ```text
//! check-specs [--root DIR] [--config FILE] [--format human|json|sarif|github] [--base REV] [--fix] [--coverage]
//! ```
//!
//! With no configuration it checks what holds for any Spec-Kit repository;
//! a `.specify/check-specs.toml` or `specs/check-specs.toml` turns on the
//! conventions a project has adopted (see the governance crate's RULES.md).
//! Exit status: 0 clean, 1 errors, 2 only errors `--fix` repairs, 3 the
//! tool could not do its job (including a wrong command line).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use governance::command::{self, EXIT_UNREADABLE};

/// Checks that a spec-driven repository's specs, tasks, contract and
/// history agree.
#[derive(Parser)]
#[command(name = "check-specs", version)]
struct Cli {
    /// The repository to check.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[command(flatten)]
    args: command::Args,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(EXIT_UNREADABLE as u8);
        }
    };
    ExitCode::from(command::run(&cli.root, &cli.args, None) as u8)
}
