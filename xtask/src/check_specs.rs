//! `cargo xtask check-specs`: the governance gate for this repository.
//!
//! The rules, the command line, the output and the exit statuses are the
//! governance crate's (`governance::command`, also built as the
//! `check-specs` binary); this glue adds what only this repository has: the
//! OpenAPI document generated in process from `charter-api` (the
//! configuration's `[contract] generate` command does the same through
//! `cargo xtask openapi print`, more slowly), and `--bench`.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use governance::command;

use crate::openapi;

pub use governance::command::EXIT_UNREADABLE;

#[derive(Args, Default)]
pub struct CheckSpecsArgs {
    #[command(flatten)]
    common: command::Args,
    /// Run the check this many times and print the mean time, instead of
    /// the report.
    #[arg(long, value_name = "N")]
    bench: Option<u32>,
}

/// The contract, generated in process.
fn generate() -> Result<String, String> {
    openapi::render().map_err(|e| format!("{e:#}"))
}

/// Runs the check; returns the exit status to use.
pub fn run(root: &Path, args: CheckSpecsArgs) -> Result<i32> {
    if let Some(n) = args.bench {
        bench(root, n)?;
        return Ok(0);
    }
    Ok(command::run(root, &args.common, Some(&generate)))
}

/// `--bench N` (and the figure `cargo xtask bench` can print): the mean
/// wall time of N full checks, contract generation included, after one
/// warm-up run. Printed, never asserted.
pub fn bench(root: &Path, runs: u32) -> Result<()> {
    let args = command::Args::default();
    let runs = runs.max(1);
    command::check(root, &args, Some(&generate))?;
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let start = Instant::now();
        command::check(root, &args, Some(&generate))?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / f64::from(runs);
    println!(
        "check-specs: {runs} runs, mean {mean:.1} ms, min {:.1} ms, max {:.1} ms (target: under 1000 ms)",
        times[0],
        times[times.len() - 1]
    );
    Ok(())
}
