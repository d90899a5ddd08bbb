//! Spec governance: deterministic checks that keep a spec-driven
//! repository's documents, tasks, contract, schema and history in agreement.
//! The `check-specs` binary runs them on any repository; a repository's own
//! automation may run them through [`command`] as well.
//!
//! Out of the box the checks know GitHub Spec-Kit's layout and conventions
//! ([`speckit`]): the constitution in `.specify/memory/` (or the specs
//! folder) with `### I. …` or `### P-1: …` principles; feature folders
//! `specs/NNN-name/` with `spec.md`, then `plan.md`, then `tasks.md`;
//! sections under English, suffixed, numbered, Chinese or Japanese headings;
//! task lines `- [x] T012 [P] [US1] … in path`; Spec-Kit's placeholders and
//! clarification markers. A [`Repository`] is that layout, resolved once.
//!
//! Conventions stricter than Spec-Kit's are opt-in, named in a
//! `check-specs.toml` ([`Config`]): governed-by lines, plan citations of the
//! constitution, principle tables, agent ownership from commit trailers, a
//! generated OpenAPI contract with its endpoint table, a schema document
//! against migrations, and requirement citations by tasks and tests.
//!
//! [`check`] runs every family the configuration turns on and returns a
//! [`Report`] of [`Finding`]s, each with a stable rule code, a severity, a
//! `file:line:column` position, the offending source line and a help text:
//!
//! - [`rules::structure`] (`GOV-STRUCT-*`): required files and sections,
//!   no template placeholders, clarification markers within the limit.
//! - [`rules::priority`] (`GOV-PRIORITY-*`): agent guidance that contradicts
//!   the constitution; opt-in, `**Governed by**:` links and ranks, the plan's
//!   constitution version and Constitution Check table.
//! - [`rules::amendment`] (`GOV-AMEND-*`): against a base revision, a changed
//!   constitution bumps its version by the level the change implies.
//! - [`rules::trace`] (`GOV-TRACE-*`): task ids, user-story markers, done
//!   tasks whose files never existed (phantom completions, told apart from
//!   files a later commit moved); opt-in, requirements → tasks → tests.
//! - [`rules::ownership`] (`GOV-OWN-*`, opt-in): every commit since the base
//!   carries the `Agent:` trailer of the agent owning what it touches, and
//!   `CODEOWNERS` is the one generated from the agents table.
//! - [`rules::contract`] (`GOV-CONTRACT-*`, opt-in): the generated contract
//!   equals the checked-in one, the endpoint table agrees with it both ways,
//!   and breaking changes bump `info.version`'s MAJOR.
//! - [`rules::mcp`] (`GOV-MCP-*`, opt-in): the checked-in MCP tools each
//!   call an operation of the contract with exactly its inputs, and the
//!   operations that need a tool have one.
//! - [`rules::schema`] (`GOV-SCHEMA-*`, opt-in): the schema document agrees
//!   with the SQLite migrations, applied to an in-memory database, and, given
//!   a PostgreSQL server, with the PostgreSQL migrations.
//! - [`waivers`] (`GOV-WAIVER-*`): accepted findings with a reason and an
//!   expiry date, in `<specs>/waivers.toml`.
//!
//! The library itself knows nothing about how a contract is generated: the
//! caller passes the generated document in [`Options::generated_contract`]
//! ([`command`] runs the configuration's command, or takes it in process
//! from a repository's own glue). [`output`] renders a report as
//! rustc-style text, JSON, SARIF 2.1.0 or GitHub workflow commands; [`fix`]
//! regenerates the derived files (`CODEOWNERS`, the endpoint table).
//!
//! Severity and exit status: errors fail a run; warnings (such as a file a
//! later refactor moved) are reported but do not; see [`Report::exit_code`].

pub mod command;
pub mod config;
pub mod fix;
pub mod git;
pub mod markdown;
pub mod output;
pub mod repository;
pub mod rules;
pub mod speckit;
pub mod waivers;

pub use config::Config;
pub use repository::Repository;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Why the tool could not read its input (exit status 3).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot parse {path}: {message}")]
    Parse { path: String, message: String },
    #[error("git {args}: {message}")]
    Git { args: String, message: String },
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One violation of one rule, at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, such as `GOV-PRIORITY-001`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Path relative to the repository root, `/`-separated.
    pub file: String,
    /// 1-based; 0 when the finding concerns the file as a whole.
    pub line: usize,
    /// 1-based, in characters; 0 with `line` 0.
    pub column: usize,
    pub message: String,
    /// The source line the finding points at (empty when there is none).
    pub snippet: String,
    /// How to fix it.
    pub help: String,
    /// Whether `--fix` repairs it.
    pub fixable: bool,
    /// What the finding is about when a file holds many such things (an
    /// operation id): a waiver naming it covers this finding alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

impl Finding {
    /// An error at the start of `file`, with no position.
    pub fn error(rule: &'static str, file: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: Severity::Error,
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            snippet: String::new(),
            help: String::new(),
            fixable: false,
            item: None,
        }
    }

    /// An error pointing at byte `offset` of `doc`.
    pub fn at(rule: &'static str, doc: &markdown::Doc, offset: usize, message: impl Into<String>) -> Finding {
        let (line, column) = doc.position(offset);
        Finding {
            line,
            column,
            snippet: doc.line(line).to_string(),
            ..Finding::error(rule, doc.path.clone(), message)
        }
    }

    /// An error at 1-based `line` of a text file, column 1.
    pub fn at_line(
        rule: &'static str,
        file: &str,
        text: &str,
        line: usize,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            line,
            column: 1,
            snippet: markdown::line_of(text, line).to_string(),
            ..Finding::error(rule, file, message)
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = help.into();
        self
    }

    pub fn warning(mut self) -> Finding {
        self.severity = Severity::Warning;
        self
    }

    pub fn fixable(mut self) -> Finding {
        self.fixable = true;
        self
    }

    pub fn about(mut self, item: impl Into<String>) -> Finding {
        self.item = Some(item.into());
        self
    }
}

/// What to check and against what.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The base revision for amendment, history and breaking-change checks.
    /// `None`: the merge base with `origin/main` when that ref exists.
    pub base: Option<String>,
    /// The OpenAPI document generated from the code, as it would be written
    /// to disk; compared with the checked-in contract when given.
    pub generated_contract: Option<String>,
    /// Today's date, `YYYY-MM-DD`, for waiver expiry (`None`: the system date).
    pub today: Option<String>,
    /// A PostgreSQL server (`postgres://…`) on which to apply the
    /// configured PostgreSQL migrations in a scratch database and compare
    /// the result with the schema document, as for SQLite. `None`: SQLite only.
    pub database_url: Option<String>,
    /// The repository's configuration ([`Config::load`]); the default runs
    /// only what holds for any Spec-Kit repository.
    pub config: Config,
}

/// The result of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Checks skipped and why (for example, no base revision).
    pub notes: Vec<String>,
    /// Requirement → tasks → tests, per feature.
    #[serde(skip)]
    pub coverage: Vec<rules::trace::Coverage>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }

    /// 0 when there is no error (warnings do not fail a run), 2 when every
    /// error is one `--fix` repairs, 1 otherwise. (3, unreadable input, is
    /// the caller's answer to an [`Error`].)
    pub fn exit_code(&self) -> i32 {
        let mut errors = self.findings.iter().filter(|f| f.severity == Severity::Error).peekable();
        if errors.peek().is_none() {
            0
        } else if errors.all(|f| f.fixable) {
            2
        } else {
            1
        }
    }
}

/// Runs every rule the configuration turns on over the repository at `root`.
pub fn check(root: &Path, options: &Options) -> Result<Report, Error> {
    let repo = Repository::new(root, &options.config);
    let config = &options.config;
    let mut report = Report::default();
    let base = git::resolve_base(root, options.base.as_deref(), &mut report.notes)?;
    let mut findings = Vec::new();
    findings.extend(rules::structure::check(&repo)?);
    findings.extend(rules::priority::check(&repo)?);
    if let Some(base) = &base {
        findings.extend(rules::amendment::check(&repo, base)?);
    }
    if let Some(ownership) = &config.ownership {
        findings.extend(rules::ownership::check(&repo, ownership, base.as_deref(), &mut report.notes)?);
    }
    if let Some(contract) = &config.contract {
        findings.extend(rules::contract::check(
            &repo,
            contract,
            options.generated_contract.as_deref(),
            base.as_deref(),
        )?);
    }
    if let (Some(mcp), Some(contract)) = (&config.mcp, &config.contract) {
        findings.extend(rules::mcp::check(&repo, mcp, contract)?);
    }
    if let Some(schema) = &config.schema {
        findings.extend(rules::schema::check(&repo, schema)?);
        match (&options.database_url, &schema.postgres) {
            (Some(url), Some(_)) => findings.extend(rules::schema::check_postgres(&repo, schema, url)?),
            (None, Some(_)) => {
                report.notes.push("no DATABASE_URL: the schema document is compared with SQLite only".into())
            }
            (_, None) => {}
        }
    }
    let (trace, coverage) = rules::trace::check(&repo)?;
    findings.extend(trace);
    report.coverage = coverage;
    let today = options.today.clone().unwrap_or_else(waivers::today);
    report.findings = waivers::apply(root, &repo.waivers(), &today, findings)?;
    report.findings.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.column, a.rule).cmp(&(b.severity, &b.file, b.line, b.column, b.rule))
    });
    Ok(report)
}

/// Reads `root/rel` to a string.
pub(crate) fn read(root: &Path, rel: &str) -> Result<String, Error> {
    let path = root.join(rel);
    std::fs::read_to_string(&path).map_err(|source| Error::Read { path, source })
}

/// `root/rel` with `\` turned into `/`, relative to `root`.
pub(crate) fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}
