//! Spec governance: deterministic checks that keep a spec-driven repository's
//! documents, contract, schema and history in agreement.
//!
//! A repository governed this way keeps its rules in `specs/`: a
//! constitution (`specs/constitution.md`) with numbered principles
//! (`### P-1: …`), feature folders (`specs/001-name/` with `spec.md`,
//! `plan.md` and `tasks.md`), an agents table (`specs/agents.md`), an
//! endpoint table (`specs/api/rest-endpoints.md`), a schema document
//! (`specs/database/schema.md`) and a generated OpenAPI contract
//! (`specs/contracts/*.json`). Documents rank constitution → plan → tasks →
//! specs → agent/local guidance; each declares what governs it.
//!
//! [`check`] runs every rule family over such a repository and returns a
//! [`Report`] of [`Finding`]s, each with a stable rule code, a severity, a
//! `file:line:column` position, the offending source line and a help text:
//!
//! - [`rules::structure`] (`GOV-STRUCT-*`): required files, sections, no
//!   template placeholders, clarification markers within the limit.
//! - [`rules::priority`] (`GOV-PRIORITY-*`): `**Governed by**:` links and
//!   ranks, the plan's constitution version and Constitution Check, and
//!   agent guidance that contradicts the constitution.
//! - [`rules::amendment`] (`GOV-AMEND-*`): against a base revision, a changed
//!   constitution bumps its version by the level the change implies.
//! - [`rules::ownership`] (`GOV-OWN-*`): every commit since the base carries
//!   the `Agent:` trailer of the agent owning what it touches, and
//!   `CODEOWNERS` is the one generated from the agents table.
//! - [`rules::contract`] (`GOV-CONTRACT-*`): the generated contract equals the
//!   checked-in one, the endpoint table agrees with it both ways, and
//!   breaking changes bump `info.version`'s MAJOR.
//! - [`rules::schema`] (`GOV-SCHEMA-*`): the schema document agrees with the
//!   SQLite migrations, applied to an in-memory database, and, given a
//!   PostgreSQL server, with the PostgreSQL migrations applied to a scratch
//!   database.
//! - [`rules::trace`] (`GOV-TRACE-*`): requirements → tasks → tests.
//! - [`waivers`] (`GOV-WAIVER-*`): accepted findings with a reason and an
//!   expiry date, in `specs/waivers.toml`.
//!
//! The library knows nothing about how a contract is generated: the caller
//! (a repository's own glue, such as an `xtask`) passes the generated document in
//! [`Options::generated_contract`]. [`output`] renders a report as rustc-style
//! text, JSON, SARIF 2.1.0 or GitHub workflow commands; [`fix`] regenerates
//! the derived files (`CODEOWNERS`, the endpoint table).
//!
//! Severity and exit status: errors fail a run; warnings (such as a
//! requirement no test cites yet) are reported but do not; see
//! [`Report::exit_code`].

pub mod fix;
pub mod git;
pub mod markdown;
pub mod output;
pub mod rules;
pub mod waivers;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Why the tool could not read its input (exit status 3).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
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
    /// A PostgreSQL server (`postgres://…`) on which to apply
    /// `migrations/postgres/` in a scratch database and compare the result
    /// with the schema document, as for SQLite. `None`: SQLite only.
    pub database_url: Option<String>,
    /// What the repository calls its own things.
    pub project: Project,
}

/// What a repository names for itself, which the rules cannot guess: the
/// caller (a repository's own `check-specs` glue) passes it in, so the
/// rules know nothing of any one repository.
#[derive(Clone, Debug)]
pub struct Project {
    /// The checked-in OpenAPI contract, relative to the root.
    pub contract: String,
    /// The organisation whose teams `CODEOWNERS` names (`@org/agent`).
    pub owners_org: String,
    /// Where the API's version is set, for the help of a breaking change
    /// (e.g. "the VERSION constant of the API crate").
    pub version_source: String,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            contract: "specs/contracts/openapi.json".into(),
            owners_org: "project".into(),
            version_source: "the code the contract is generated from".into(),
        }
    }
}

/// Where the governed files live, relative to the root.
pub mod paths {
    pub const SPECS: &str = "specs";
    pub const CONSTITUTION: &str = "specs/constitution.md";
    pub const AGENTS: &str = "specs/agents.md";
    pub const ENDPOINTS: &str = "specs/api/rest-endpoints.md";
    pub const SCHEMA: &str = "specs/database/schema.md";
    pub const MIGRATIONS_SQLITE: &str = "migrations/sqlite";
    pub const MIGRATIONS_POSTGRES: &str = "migrations/postgres";
    pub const WAIVERS: &str = "specs/waivers.toml";
    pub const BASELINE: &str = "specs/governance-baseline";
    pub const CODEOWNERS: &str = "CODEOWNERS";
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

/// Runs every rule over the repository at `root`.
pub fn check(root: &Path, options: &Options) -> Result<Report, Error> {
    let mut report = Report::default();
    let base = git::resolve_base(root, options.base.as_deref(), &mut report.notes)?;
    let mut findings = Vec::new();
    findings.extend(rules::structure::check(root)?);
    findings.extend(rules::priority::check(root)?);
    if let Some(base) = &base {
        findings.extend(rules::amendment::check(root, base)?);
    }
    findings.extend(rules::ownership::check(root, &options.project, base.as_deref(), &mut report.notes)?);
    findings.extend(rules::contract::check(
        root,
        &options.project,
        options.generated_contract.as_deref(),
        base.as_deref(),
    )?);
    findings.extend(rules::schema::check(root)?);
    match &options.database_url {
        Some(url) => findings.extend(rules::schema::check_postgres(root, url)?),
        None => report.notes.push("no DATABASE_URL: the schema document is compared with SQLite only".into()),
    }
    let (trace, coverage) = rules::trace::check(root)?;
    findings.extend(trace);
    report.coverage = coverage;
    let today = options.today.clone().unwrap_or_else(waivers::today);
    report.findings = waivers::apply(root, &today, findings)?;
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
