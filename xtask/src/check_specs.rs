//! `cargo xtask check-specs`: the governance gate for this repository.
//!
//! The rules live in the `governance` library, generic over any repository
//! laid out like ours; this is the glue: it generates the OpenAPI document
//! from `charter-api` (the library only compares), picks the output format,
//! applies `--fix`, and turns the report into an exit status:
//!
//! - 0: no errors (warnings, such as a requirement no test cites yet, are
//!   printed but do not fail the run);
//! - 1: violations;
//! - 2: only findings that `--fix` repairs;
//! - 3: an input could not be read (a missing or malformed file, git failing).

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use governance::output::{self, Format};

use crate::openapi;

#[derive(Args)]
pub struct CheckSpecsArgs {
    /// Output format: human, json, sarif or github.
    #[arg(long, default_value = "human")]
    format: Format,
    /// Base revision for the amendment, history and breaking-change checks
    /// (default: the merge base with origin/main, when that ref exists).
    #[arg(long)]
    base: Option<String>,
    /// Regenerate what is derived (the OpenAPI document, CODEOWNERS, the
    /// endpoint table), then check.
    #[arg(long)]
    fix: bool,
    /// Print the requirement → task → test matrix.
    #[arg(long)]
    coverage: bool,
    /// Run the check this many times and print the mean time, instead of
    /// the report.
    #[arg(long, value_name = "N")]
    bench: Option<u32>,
}

impl Default for CheckSpecsArgs {
    /// What `cargo xtask test` runs: a human-readable report, default base.
    fn default() -> Self {
        CheckSpecsArgs { format: Format::Human, base: None, fix: false, coverage: false, bench: None }
    }
}

/// Runs the check; returns the exit status to use.
/// The exit status when the tool could not do its job: unreadable input,
/// a usage error, a failure to write.
pub const EXIT_UNREADABLE: i32 = 3;

pub fn run(root: &Path, args: CheckSpecsArgs) -> Result<i32> {
    if let Some(n) = args.bench {
        bench(root, n)?;
        return Ok(0);
    }
    if args.fix {
        let generated = openapi::render()?;
        let path = root.join(openapi::DOCUMENT_PATH);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            std::fs::write(&path, &generated)?;
            eprintln!("fixed {}", openapi::DOCUMENT_PATH);
        }
        match governance::fix::fix(root, &project()) {
            Ok(changed) => changed.iter().for_each(|c| eprintln!("fixed {c}")),
            Err(e) => {
                eprintln!("check-specs: {e}");
                return Ok(EXIT_UNREADABLE);
            }
        }
    }
    let report = match check(root, &args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("check-specs: {e}");
            return Ok(EXIT_UNREADABLE);
        }
    };
    let matrix = governance::rules::trace::render_coverage(&report.coverage);
    match args.format {
        Format::Json if args.coverage => {
            let mut value = output::json(&report);
            value["coverage"] = serde_json::to_value(&report.coverage)?;
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        format => {
            print!("{}", output::render(&report, format));
            if args.coverage && format == Format::Human {
                print!("{matrix}");
            } else if args.coverage {
                // SARIF and workflow commands must stay parseable on stdout.
                eprint!("{matrix}");
            }
        }
    }
    Ok(report.exit_code())
}

/// What this repository calls its own things, for the rules.
pub fn project() -> governance::Project {
    governance::Project {
        contract: crate::openapi::DOCUMENT_PATH.into(),
        owners_org: "charter".into(),
        version_source: "API_VERSION in charter-api".into(),
    }
}

fn check(root: &Path, args: &CheckSpecsArgs) -> Result<governance::Report, governance::Error> {
    let generated = openapi::render().map_err(|e| governance::Error::Parse {
        path: "charter-api".into(),
        message: format!("cannot generate the OpenAPI document: {e:#}"),
    })?;
    let options = governance::Options {
        base: args.base.clone(),
        generated_contract: Some(generated),
        today: None,
        // PostgreSQL is compared only when asked for, as the server does.
        database_url: std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres")),
        project: project(),
    };
    governance::check(root, &options)
}

/// `--bench N` (and the figure `cargo xtask bench` can print): the mean
/// wall time of N full checks, contract generation included, after one
/// warm-up run. Printed, never asserted.
pub fn bench(root: &Path, runs: u32) -> Result<()> {
    let args = CheckSpecsArgs::default();
    let runs = runs.max(1);
    check(root, &args)?;
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let start = Instant::now();
        check(root, &args)?;
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
