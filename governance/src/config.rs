//! The configuration: where a repository keeps its governed files and which
//! of the opt-in rule families it has adopted.
//!
//! Without a configuration file, only what holds for any Spec-Kit repository
//! is checked (its layout, sections, placeholders, clarifications, task ids,
//! user-story markers, phantom completions, constitution amendments, agent
//! guidance and waivers). A project that follows stricter conventions turns
//! them on in `.specify/check-specs.toml` or `specs/check-specs.toml`:
//!
//! ```toml
//! [documents]
//! governed_by = true            # GOV-PRIORITY-001…003
//!
//! [plan]
//! constitution_version = true   # GOV-PRIORITY-004
//! principle_table = true        # GOV-PRIORITY-005, 006
//!
//! [trace]
//! requirements = true           # GOV-TRACE-001, 003, and strictly increasing ids
//! tests = true                  # GOV-TRACE-002
//! done_tasks_tested = true      # GOV-TRACE-008
//!
//! [ownership]                   # GOV-OWN-*
//! agents = "specs/agents.md"
//! owners_org = "acme"
//!
//! [contract]                    # GOV-CONTRACT-*
//! path = "specs/contracts/openapi.json"
//! endpoints = "specs/api/rest-endpoints.md"
//! version_source = "the VERSION constant of the API crate"
//! generate = ["cargo", "run", "-p", "xtask", "--", "openapi", "print"]
//!
//! [schema]                      # GOV-SCHEMA-*
//! document = "specs/database/schema.md"
//! sqlite = "migrations/sqlite"
//! postgres = "migrations/postgres"
//! ```
//!
//! Unknown keys are errors: a misspelt family must not silently switch a
//! rule off.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// Where a configuration file is looked for, in order, when none is named.
pub const LOCATIONS: &[&str] = &[".specify/check-specs.toml", "specs/check-specs.toml"];

/// Where Spec-Kit keeps the constitution.
pub const MEMORY_CONSTITUTION: &str = ".specify/memory/constitution.md";

/// A repository's configuration (all families off by default).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The folder holding feature folders (`NNN-name/`) and spec documents
    /// (default: `specs/`, or `.specify/specs/` when only it has features).
    #[serde(default)]
    pub specs: Option<String>,
    /// The constitution (default: the first of [`CONSTITUTIONS`] that exists).
    #[serde(default)]
    pub constitution: Option<String>,
    /// The waiver file (default: `<specs>/waivers.toml`).
    #[serde(default)]
    pub waivers: Option<String>,
    #[serde(default)]
    pub documents: Documents,
    #[serde(default)]
    pub plan: Plan,
    #[serde(default)]
    pub trace: Trace,
    #[serde(default)]
    pub ownership: Option<Ownership>,
    #[serde(default)]
    pub contract: Option<Contract>,
    #[serde(default)]
    pub schema: Option<Schema>,
    #[serde(default)]
    pub mcp: Option<Mcp>,
    /// The file this configuration was read from (`None`: defaults).
    #[serde(skip)]
    pub source: Option<String>,
}

/// Every document declares what governs it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documents {
    /// `**Governed by**:` lines, their links and ranks (`GOV-PRIORITY-001…003`).
    #[serde(default)]
    pub governed_by: bool,
}

/// What a plan must say about the constitution.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// `**Constitution**: vX.Y.Z` with the current MAJOR (`GOV-PRIORITY-004`).
    #[serde(default)]
    pub constitution_version: bool,
    /// A `| Principle | Status |` table naming every principle, and a
    /// Complexity Tracking row for each one violated (`GOV-PRIORITY-005`, `006`).
    #[serde(default)]
    pub principle_table: bool,
}

/// Requirement traceability beyond Spec-Kit's user-story markers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// Tasks cite the spec's `FR-`/`SC-` ids, every requirement is cited
    /// (`GOV-TRACE-001`, `003`) and task ids strictly increase (`GOV-TRACE-004`).
    #[serde(default)]
    pub requirements: bool,
    /// Every requirement is cited by a test (`GOV-TRACE-002`, a warning).
    #[serde(default)]
    pub tests: bool,
    /// Every done task has a test citing one of its requirements (`GOV-TRACE-008`).
    #[serde(default)]
    pub done_tasks_tested: bool,
}

/// Agent ownership from commit trailers (`GOV-OWN-*`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ownership {
    /// The document with the `| Agent | Trailer | Owns |` table.
    pub agents: String,
    /// The organisation whose teams `CODEOWNERS` names (`@org/agent`).
    pub owners_org: String,
    /// The file naming the last commit exempt from the history rules
    /// (default: `<specs>/governance-baseline`).
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default = "default_codeowners")]
    pub codeowners: String,
}

fn default_codeowners() -> String {
    "CODEOWNERS".into()
}

/// A generated OpenAPI contract (`GOV-CONTRACT-*`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The checked-in document.
    pub path: String,
    /// The document holding the endpoint table between its markers.
    #[serde(default)]
    pub endpoints: Option<String>,
    /// Where the API's version is set, for the help of a breaking change.
    #[serde(default = "default_version_source")]
    pub version_source: String,
    /// A command (program and arguments, run without a shell from the root)
    /// whose standard output is the generated document.
    #[serde(default)]
    pub generate: Option<Vec<String>>,
}

fn default_version_source() -> String {
    "the code the contract is generated from".into()
}

/// MCP tools checked against the contract (`GOV-MCP-*`); needs
/// `[contract]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mcp {
    /// The checked-in tool list: `{"tools": [{"name", "operation",
    /// "description", "input_schema"}]}`.
    pub tools: String,
    /// Operations whose path starts with one of these need a tool (or a
    /// waiver naming the operation as its `item`).
    #[serde(default)]
    pub required: Vec<String>,
    /// Parameters the server fills from elsewhere (the caller's token), so
    /// no tool takes them: `user_id`.
    #[serde(default)]
    pub implicit: Vec<String>,
}

/// A schema document compared with migrations (`GOV-SCHEMA-*`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub document: String,
    /// SQLite migrations, applied in memory.
    #[serde(default)]
    pub sqlite: Option<String>,
    /// PostgreSQL migrations, applied to a scratch database when a server is given.
    #[serde(default)]
    pub postgres: Option<String>,
}

impl Config {
    /// Reads `path` (relative to `root` unless absolute), or the first of
    /// [`LOCATIONS`] that exists; the defaults when there is none.
    pub fn load(root: &Path, path: Option<&Path>) -> Result<Config, Error> {
        let found: Option<PathBuf> = match path {
            Some(p) => Some(root.join(p)),
            None => LOCATIONS.iter().map(|l| root.join(l)).find(|p| p.is_file()),
        };
        let Some(file) = found else { return Ok(Config::default()) };
        let text =
            std::fs::read_to_string(&file).map_err(|source| Error::Read { path: file.clone(), source })?;
        let shown = crate::rel_path(root, &file);
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| Error::Parse { path: shown.clone(), message: e.message().to_string() })?;
        config.source = Some(shown);
        Ok(config)
    }

    /// The constitution's path: the configured one, else Spec-Kit's
    /// `.specify/memory/constitution.md` or `<specs>/constitution.md`,
    /// whichever exists (Spec-Kit's when neither does).
    pub fn constitution(&self, root: &Path, specs: &str) -> String {
        if let Some(c) = &self.constitution {
            return c.clone();
        }
        let candidates = [MEMORY_CONSTITUTION.to_string(), format!("{specs}/constitution.md")];
        candidates.iter().find(|c| root.join(c).is_file()).unwrap_or(&candidates[0]).clone()
    }
}
