//! The `check-specs` command line, shared by the `check-specs` binary and a
//! repository's own glue (such as an `xtask check-specs` job): the same
//! options, output and exit statuses wherever it runs.
//!
//! - 0: no errors (warnings are printed but do not fail the run);
//! - 1: errors;
//! - 2: only errors that `--fix` repairs;
//! - 3: the tool could not do its job: an unreadable or malformed input or
//!   configuration, a contract command that failed, a file `--fix` could
//!   not write.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::output::{self, Format};
use crate::{Config, Error, Options, Report, Repository, fix};

/// The exit status when the tool could not do its job.
pub const EXIT_UNREADABLE: i32 = 3;

/// The options every `check-specs` run takes.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The configuration file, relative to the root (default:
    /// .specify/check-specs.toml, else specs/check-specs.toml; without one,
    /// only the rules that hold for any Spec-Kit repository run).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format: human, json, sarif (SARIF 2.1.0) or github (workflow
    /// commands, shown as annotations).
    #[arg(long, default_value = "human")]
    pub format: Format,
    /// Base revision for the amendment, history and breaking-change checks
    /// (default: the merge base with origin/main, when that ref exists).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Regenerate what is derived (the contract, CODEOWNERS, the endpoint
    /// table), then check.
    #[arg(long)]
    pub fix: bool,
    /// Print the requirement → task → test matrix.
    #[arg(long)]
    pub coverage: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args { config: None, format: Format::Human, base: None, fix: false, coverage: false }
    }
}

/// Produces the generated contract in process, for callers that can; the
/// configuration's `[contract] generate` command is run otherwise.
pub type Generate<'a> = &'a dyn Fn() -> Result<String, String>;

/// Runs the contract generation command of the configuration, from `root`,
/// without a shell; its standard output is the document.
pub fn run_generate(root: &Path, command: &[String]) -> Result<String, Error> {
    let shown = command.join(" ");
    let (program, args) = command.split_first().ok_or_else(|| Error::Parse {
        path: "[contract] generate".into(),
        message: "the command is empty".into(),
    })?;
    let output = Command::new(program).args(args).current_dir(root).output().map_err(|e| Error::Parse {
        path: "[contract] generate".into(),
        message: format!("cannot run `{shown}`: {e}"),
    })?;
    if !output.status.success() {
        return Err(Error::Parse {
            path: "[contract] generate".into(),
            message: format!(
                "`{shown}` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    String::from_utf8(output.stdout).map_err(|e| Error::Parse {
        path: "[contract] generate".into(),
        message: format!("`{shown}` wrote something other than UTF-8: {e}"),
    })
}

/// The generated contract, when the configuration has a contract: from
/// `generate`, else from its command; `None` without either.
fn generated_contract(
    root: &Path,
    config: &Config,
    generate: Option<Generate>,
) -> Result<Option<String>, Error> {
    let Some(contract) = &config.contract else { return Ok(None) };
    match (generate, &contract.generate) {
        (Some(generate), _) => generate().map(Some).map_err(|message| Error::Parse {
            path: contract.path.clone(),
            message: format!("cannot generate it: {message}"),
        }),
        (None, Some(command)) => run_generate(root, command).map(Some),
        (None, None) => Ok(None),
    }
}

/// Loads the configuration, generates the contract and checks; no output.
pub fn check(root: &Path, args: &Args, generate: Option<Generate>) -> Result<Report, Error> {
    let config = Config::load(root, args.config.as_deref())?;
    let generated = generated_contract(root, &config, generate)?;
    let options = Options {
        base: args.base.clone(),
        generated_contract: generated,
        today: None,
        // PostgreSQL is compared only when a PostgreSQL URL is given.
        database_url: std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres")),
        config,
    };
    crate::check(root, &options)
}

/// `--fix`: writes the generated contract and what is derived from it.
fn apply_fix(root: &Path, args: &Args, generate: Option<Generate>) -> Result<Vec<String>, Error> {
    let config = Config::load(root, args.config.as_deref())?;
    let repo = Repository::new(root, &config);
    let mut changed = Vec::new();
    if let (Some(contract), Some(generated)) =
        (&config.contract, generated_contract(root, &config, generate)?)
        && std::fs::read_to_string(root.join(&contract.path)).ok().as_deref() != Some(generated.as_str())
    {
        fix::write(&repo, &contract.path, &generated)?;
        changed.push(contract.path.clone());
    }
    changed.extend(fix::fix(&repo)?);
    Ok(changed)
}

/// Runs the whole command: `--fix`, the check, the report on stdout (the
/// coverage matrix on stderr when stdout must stay machine-readable);
/// returns the exit status.
pub fn run(root: &Path, args: &Args, generate: Option<Generate>) -> i32 {
    if args.fix {
        match apply_fix(root, args, generate) {
            Ok(changed) => changed.iter().for_each(|c| eprintln!("fixed {c}")),
            Err(e) => {
                eprintln!("check-specs: {e}");
                return EXIT_UNREADABLE;
            }
        }
    }
    let report = match check(root, args, generate) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("check-specs: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let matrix = crate::rules::trace::render_coverage(&report.coverage);
    match args.format {
        Format::Json if args.coverage => {
            let mut value = output::json(&report);
            value["coverage"] = serde_json::to_value(&report.coverage).unwrap_or_default();
            println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
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
    report.exit_code()
}
