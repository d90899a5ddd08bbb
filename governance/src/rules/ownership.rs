//! `GOV-OWN-*`: who may change what.
//!
//! The agents and the paths they own are declared once, in the
//! `| Agent | Trailer | Owns |` table of the agents document (`[ownership] agents`) (an `Owns` entry
//! ending in `/` owns everything below it, any other one exactly that file).
//!
//! - `GOV-OWN-001` a commit touching the specs folder lacks `Agent: specs`, or also
//!   touches paths outside it.
//! - `GOV-OWN-002` a commit has no `Agent:` trailer, or names an unknown agent.
//! - `GOV-OWN-003` a commit touches a path its agent does not own.
//! - `GOV-OWN-004` `CODEOWNERS` is missing or differs from the one generated
//!   from the table (`--fix` rewrites it).
//! - `GOV-OWN-005` the agents document (`[ownership] agents`) has no usable agents table.
//!
//! History up to and including a baseline commit is exempt: the commit named
//! in `<specs>/governance-baseline` (or `[ownership] baseline`), or in a `**Baseline**:` line of
//! the agents document (`[ownership] agents`).

use crate::config::Ownership;
use crate::markdown::Doc;
use crate::{Error, Finding, Repository, git};

/// One row of the agents table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub name: String,
    pub owns: Vec<String>,
}

impl Agent {
    pub fn owns_path(&self, path: &str) -> bool {
        self.owns.iter().any(|o| if o.ends_with('/') { path.starts_with(o.as_str()) } else { path == o })
    }
}

/// The agents table of the agents document (`[ownership] agents`), or `None` when there is none.
pub fn agents(doc: &Doc) -> Option<Vec<Agent>> {
    let table = doc.table(None, &["Agent", "Trailer", "Owns"])?;
    Some(
        table
            .rows
            .iter()
            .map(|r| Agent {
                name: r.text(0).to_string(),
                owns: r.cells.get(2).map(|c| c.code.clone()).unwrap_or_default(),
            })
            .filter(|a| !a.name.is_empty())
            .collect(),
    )
}

/// `CODEOWNERS` generated from the agents table: one line per owned path,
/// owned by the team `@<org>/<agent>`.
pub fn codeowners(agents: &[Agent], org: &str, table: &str) -> String {
    let mut out = format!(
        "# Generated from {table} by `check-specs --fix`; do not edit by hand.\n\
         # Each agent of the ownership table is the team @"
    );
    out.push_str(org);
    out.push_str("/<agent>.\n\n");
    for agent in agents {
        for path in &agent.owns {
            out.push_str(&format!("/{path} @{org}/{}\n", agent.name));
        }
    }
    out
}

/// The baseline file: the configured one, else `<specs>/governance-baseline`.
pub fn baseline_file(repo: &Repository, ownership: &Ownership) -> String {
    ownership.baseline.clone().unwrap_or_else(|| format!("{}/governance-baseline", repo.specs))
}

/// The baseline commit, if one is recorded.
pub fn baseline(repo: &Repository, ownership: &Ownership, agents_doc: Option<&Doc>) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(repo.root.join(baseline_file(repo, ownership))) {
        let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
        return Some(line.split_whitespace().next()?.to_string());
    }
    agents_doc.and_then(|d| d.field("Baseline")).map(|(v, _)| v.trim_matches('`').to_string())
}

pub fn check(
    repo: &Repository,
    ownership: &Ownership,
    base: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Vec<Finding>, Error> {
    let root = repo.root;
    let table = ownership.agents.as_str();
    let mut findings = Vec::new();
    if !repo.is_file(table) {
        findings.push(
            Finding::error("GOV-OWN-005", table, format!("there is no agents table ({table} is missing)"))
                .help(format!("declare the agents in {table}: a `| Agent | Trailer | Owns |` table")),
        );
        return Ok(findings);
    }
    let doc = Doc::load(root, table)?;
    let Some(agents) = agents(&doc) else {
        findings.push(
            Finding::at("GOV-OWN-005", &doc, 0, format!("{table} has no `| Agent | Trailer | Owns |` table"))
                .help("add the table: one row per agent with the paths it owns as inline code"),
        );
        return Ok(findings);
    };
    findings.extend(check_codeowners(repo, ownership, &agents)?);
    if !git::is_repo(root) {
        return Ok(findings);
    }
    let mut range: Vec<String> = vec![match base {
        Some(b) => format!("{b}..HEAD"),
        None => "HEAD".to_string(),
    }];
    if let Some(b) = baseline(repo, ownership, Some(&doc)) {
        match git::git(root, &["rev-parse", "--verify", &format!("{b}^{{commit}}")]) {
            Ok(id) => range.push(format!("^{}", id.trim())),
            Err(_) => findings.push(
                Finding::error(
                    "GOV-OWN-005",
                    baseline_file(repo, ownership),
                    format!("baseline commit `{b}` does not exist"),
                )
                .help("record an existing commit id as the baseline"),
            ),
        }
    }
    if git::git(root, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_err() {
        notes.push("no commits yet: commit ownership not checked".into());
        return Ok(findings);
    }
    let range: Vec<&str> = range.iter().map(String::as_str).collect();
    // Merge commits (and empty ones) touch nothing of their own.
    for commit in git::commits(root, &range)?.into_iter().filter(|c| !c.paths.is_empty()) {
        findings.extend(check_commit(&agents, &commit, &repo.specs, table));
    }
    Ok(findings)
}

/// Findings for one commit.
/// Findings for one commit; `specs` is the specs folder, which only the
/// agent named `specs` may touch, and `table` the agents table.
pub fn check_commit(agents: &[Agent], commit: &git::Commit, specs: &str, table: &str) -> Vec<Finding> {
    let specs = format!("{specs}/");
    let short = &commit.id[..commit.id.len().min(10)];
    let what = format!("commit {short} (\"{}\")", commit.subject);
    let mut findings = Vec::new();
    let first = |pred: &dyn Fn(&str) -> bool| commit.paths.iter().find(|p| pred(p)).cloned();
    let touches_specs = first(&|p| p.starts_with(&specs));
    let is_specs = commit.agents.iter().any(|a| a == "specs");
    if let Some(spec_path) = &touches_specs {
        if !is_specs {
            findings.push(
                Finding::error("GOV-OWN-001", spec_path, format!("{what} touches {specs} without the trailer `Agent: specs`"))
                    .help(format!("only the Specs Agent edits {specs}: move this change into a commit with `Agent: specs` and nothing outside {specs}")),
            );
        } else if let Some(outside) = first(&|p| !p.starts_with(&specs)) {
            findings.push(
                Finding::error("GOV-OWN-001", &outside, format!("{what} is a Specs Agent commit but touches `{outside}` outside {specs}"))
                    .help(format!("split the commit: {specs} changes with `Agent: specs`, the rest with its owning agent's trailer")),
            );
        }
        return findings;
    }
    let file = commit.paths.first().cloned().unwrap_or_default();
    if commit.agents.is_empty() {
        findings.push(Finding::error("GOV-OWN-002", file, format!("{what} has no `Agent:` trailer")).help(
            format!(
                "end the commit message with `Agent: <name>` naming the agent that owns the paths ({table})"
            ),
        ));
        return findings;
    }
    let known: Vec<&Agent> =
        commit.agents.iter().filter_map(|n| agents.iter().find(|a| &a.name == n)).collect();
    if known.len() != commit.agents.len() {
        let unknown: Vec<&str> = commit
            .agents
            .iter()
            .filter(|n| !agents.iter().any(|a| &a.name == *n))
            .map(String::as_str)
            .collect();
        findings.push(
            Finding::error(
                "GOV-OWN-002",
                file,
                format!("{what} names unknown agent(s): {}", unknown.join(", ")),
            )
            .help(format!(
                "use one of the agents of {table}: {}",
                agents.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
            )),
        );
        return findings;
    }
    for path in &commit.paths {
        if !known.iter().any(|a| a.owns_path(path)) {
            let owner = agents.iter().find(|a| a.owns_path(path)).map(|a| a.name.as_str());
            findings.push(
                Finding::error(
                    "GOV-OWN-003",
                    path,
                    format!(
                        "{what} by agent `{}` touches `{path}`, which it does not own",
                        commit.agents.join(", ")
                    ),
                )
                .help(match owner {
                    Some(o) => format!("commit this path separately with `Agent: {o}`"),
                    None => format!("declare an owner for this path in {table} (Specs Agent)"),
                }),
            );
        }
    }
    findings
}

fn check_codeowners(
    repo: &Repository,
    ownership: &Ownership,
    agents: &[Agent],
) -> Result<Vec<Finding>, Error> {
    let (file, table) = (ownership.codeowners.as_str(), ownership.agents.as_str());
    let expected = codeowners(agents, &ownership.owners_org, table);
    if !repo.is_file(file) {
        return Ok(vec![
            Finding::error("GOV-OWN-004", file, format!("{file} is missing"))
                .help(format!("run `check-specs --fix` to generate it from {table}"))
                .fixable(),
        ]);
    }
    let actual = crate::read(repo.root, file)?;
    if actual == expected {
        return Ok(Vec::new());
    }
    let line = actual
        .lines()
        .zip(expected.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(actual.lines().count().min(expected.lines().count()))
        + 1;
    Ok(vec![
        Finding::at_line(
            "GOV-OWN-004",
            file,
            &actual,
            line,
            format!("{file} differs from the agents table in {table}"),
        )
        .help(format!(
            "run `check-specs --fix` to regenerate it; expected here: `{}`",
            crate::markdown::line_of(&expected, line)
        ))
        .fixable(),
    ])
}
