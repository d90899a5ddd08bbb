//! `GOV-PRIORITY-*`: rule priority, constitution → plan → tasks → specs →
//! agent/local guidance.
//!
//! - `GOV-PRIORITY-001` a document under `specs/` (other than the
//!   constitution and generated contracts) has no `**Governed by**:` line
//!   (or `governed_by:` key in YAML front matter).
//! - `GOV-PRIORITY-002` the `**Governed by**:` link does not resolve.
//! - `GOV-PRIORITY-003` the governing document does not outrank the governed one.
//! - `GOV-PRIORITY-004` a plan's `**Constitution**: vX.Y.Z` is missing or
//!   cites another MAJOR than the constitution's current version (stale).
//! - `GOV-PRIORITY-005` a plan's Constitution Check does not name a principle
//!   (or names one the constitution lacks).
//! - `GOV-PRIORITY-006` a principle marked `violated` has no Complexity
//!   Tracking row with a justification.
//! - `GOV-PRIORITY-007` agent/local guidance (`AGENTS.md`, `CLAUDE.md`,
//!   `.specify/memory/*.md`) restates a constitution rule differently.

use std::path::Path;

use crate::markdown::{Doc, link_target};
use crate::{Error, Finding, Repository};

/// A document's rank: lower outranks higher.
pub fn rank(repo: &Repository, rel: &str) -> u8 {
    if rel == repo.constitution {
        0
    } else if rel.ends_with("/plan.md") {
        1
    } else if rel.ends_with("/tasks.md") {
        2
    } else if rel.starts_with(&format!("{}/", repo.specs)) {
        3
    } else {
        4
    }
}

pub fn rank_name(rank: u8) -> &'static str {
    ["constitution", "plan", "tasks", "specs", "agent/local guidance"][rank.min(4) as usize]
}

/// A principle of the constitution: `### P-n: Title` and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principle {
    pub id: String,
    pub title: String,
    pub offset: usize,
    /// The lines under the heading, up to the next heading.
    pub body: Vec<String>,
}

impl Principle {
    /// The normative lines: those with MUST, SHOULD or MAY.
    pub fn rules(&self) -> Vec<String> {
        self.body
            .iter()
            .filter(|l| ["MUST", "SHOULD", "MAY"].iter().any(|k| l.contains(k)))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }
}

/// A principle heading's id and title: `P-3: Title` or
/// `III. Title` (Spec-Kit's template: Roman numerals).
fn principle_heading(rest: &str) -> Option<(String, String)> {
    if let Some((id, title)) = rest.split_once(':')
        && id.starts_with("P-")
        && id[2..].bytes().all(|b| b.is_ascii_digit())
    {
        return Some((id.trim().to_string(), title.trim().to_string()));
    }
    let (id, title) = rest.split_once(". ")?;
    (!id.is_empty() && id.bytes().all(|b| matches!(b, b'I' | b'V' | b'X' | b'L')))
        .then(|| (id.to_string(), title.trim().to_string()))
}

/// The principles of a constitution's text.
pub fn principles(doc: &Doc) -> Vec<Principle> {
    let mut out: Vec<Principle> = Vec::new();
    let mut current: Option<Principle> = None;
    for (_, offset, line) in doc.lines() {
        if line.starts_with('#') {
            if let Some(p) = current.take() {
                out.push(p);
            }
            if let Some(rest) = line.strip_prefix("### ")
                && let Some((id, title)) = principle_heading(rest.trim())
            {
                current = Some(Principle { id, title, offset, body: Vec::new() });
            }
        } else if let Some(p) = current.as_mut()
            && !line.trim().is_empty()
        {
            p.body.push(line.to_string());
        }
    }
    out.extend(current);
    out
}

/// `MAJOR.MINOR.PATCH` from `v1.2.3` or `1.2.3`.
pub fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.trim().trim_start_matches('v');
    let mut it = s.split('.').map(|p| p.trim().parse::<u64>());
    match (it.next(), it.next(), it.next()) {
        (Some(Ok(a)), Some(Ok(b)), Some(Ok(c))) => Some((a, b, c)),
        _ => None,
    }
}

pub fn check(repo: &Repository) -> Result<Vec<Finding>, Error> {
    let (root, config) = (repo.root, repo.config);
    let mut findings = Vec::new();
    if config.documents.governed_by {
        let contracts = format!("{}/contracts/", repo.specs);
        for rel in repo.spec_docs() {
            if rel == repo.constitution || rel.starts_with(&contracts) {
                continue;
            }
            let doc = Doc::load(root, &rel)?;
            findings.extend(governed_by(repo, &doc));
        }
    }
    let constitution =
        if repo.is_file(&repo.constitution) { Some(Doc::load(root, &repo.constitution)?) } else { None };
    if let Some(constitution) = &constitution {
        if config.plan.constitution_version || config.plan.principle_table {
            for feature in repo.features() {
                let rel = repo.feature_file(&feature, "plan.md");
                if repo.is_file(&rel) {
                    let plan_doc = Doc::load(root, &rel)?;
                    if config.plan.constitution_version {
                        findings.extend(constitution_version(constitution, &plan_doc));
                    }
                    if config.plan.principle_table {
                        findings.extend(principle_table(constitution, &plan_doc));
                    }
                }
            }
        }
        for rel in guidance_files(repo) {
            findings.extend(guidance(repo, constitution, &Doc::load(root, &rel)?));
        }
    }
    Ok(findings)
}

/// The `**Governed by**:` line of a document.
pub fn governed_by(repo: &Repository, doc: &Doc) -> Vec<Finding> {
    let root = repo.root;
    let Some((value, offset)) =
        doc.field("Governed by").or_else(|| front_matter(doc, &["governed_by", "governed-by"]))
    else {
        return vec![
            Finding::at("GOV-PRIORITY-001", doc, 0, "document does not declare what governs it").help(
                "add a line `**Governed by**: [name](path)` under the title, linking the document one rank above",
            ),
        ];
    };
    let bare = !value.starts_with('[') && !value.is_empty() && !value.contains(' ');
    let Some(target) = link_target(&value).or(bare.then_some(value.as_str())) else {
        return vec![
            Finding::at("GOV-PRIORITY-002", doc, offset, "`**Governed by**:` is not a Markdown link")
                .help("write it as `**Governed by**: [name](relative/path.md)`"),
        ];
    };
    let dir = Path::new(&doc.path).parent().unwrap_or(Path::new(""));
    let joined = normalize(&dir.join(target.split('#').next().unwrap_or(target)));
    if !root.join(&joined).is_file() {
        return vec![
            Finding::at(
                "GOV-PRIORITY-002",
                doc,
                offset,
                format!("governing document `{target}` does not exist"),
            )
            .help("fix the link so that it points at an existing document, relative to this file"),
        ];
    }
    let (own, governor) = (rank(repo, &doc.path), rank(repo, &joined));
    if governor >= own {
        return vec![
            Finding::at(
                "GOV-PRIORITY-003",
                doc,
                offset,
                format!(
                    "governed by `{joined}` ({}), which does not outrank this document ({})",
                    rank_name(governor),
                    rank_name(own)
                ),
            )
            .help(
                "link a document of higher rank: constitution → plan → tasks → specs → agent/local guidance",
            ),
        ];
    }
    Vec::new()
}

/// A key of the document's YAML front matter (`---` … `---` at the very
/// top), with the offset of its value; quotes are stripped.
pub fn front_matter(doc: &Doc, keys: &[&str]) -> Option<(String, usize)> {
    let mut lines = doc.lines();
    if lines.next()?.2.trim() != "---" {
        return None;
    }
    for (_, offset, line) in lines {
        if line.trim() == "---" {
            return None;
        }
        if let Some((key, value)) = line.split_once(':')
            && keys.contains(&key.trim())
        {
            let trimmed = value.trim();
            let start = offset + key.len() + 1 + (value.len() - value.trim_start().len());
            return Some((trimmed.trim_matches(|c| c == '"' || c == '\'').to_string(), start));
        }
    }
    None
}

/// Resolves `.` and `..` without touching the file system.
pub fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

/// The plan's `**Constitution**: vX.Y.Z` against the constitution's version.
pub fn constitution_version(constitution: &Doc, plan: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    let current = constitution.field("Version").and_then(|(v, _)| parse_version(&v));
    match (plan.field("Constitution"), current) {
        (None, _) => findings.push(
            Finding::at("GOV-PRIORITY-004", plan, 0, "the plan does not say which constitution version it follows")
                .help("add `**Constitution**: vX.Y.Z` with the constitution's current version"),
        ),
        (Some((cited, offset)), Some(current)) => match parse_version(&cited) {
            Some(v) if v.0 == current.0 => {}
            Some(v) => findings.push(
                Finding::at(
                    "GOV-PRIORITY-004",
                    plan,
                    offset,
                    format!(
                        "the plan cites constitution v{}.{}.{}, but the constitution is v{}.{}.{}: the plan is stale",
                        v.0, v.1, v.2, current.0, current.1, current.2
                    ),
                )
                .help(format!(
                    "review the plan against the constitution, update its Constitution Check and cite v{}.{}.{}",
                    current.0, current.1, current.2
                )),
            ),
            None => findings.push(
                Finding::at("GOV-PRIORITY-004", plan, offset, format!("`{cited}` is not a version"))
                    .help("write `**Constitution**: vMAJOR.MINOR.PATCH`"),
            ),
        },
        (Some(_), None) => {}
    }
    findings
}

/// The plan's `| Principle | Status |` table against the constitution's
/// principles, and Complexity Tracking for each one violated.
pub fn principle_table(constitution: &Doc, plan: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    let ids: Vec<String> = principles(constitution).into_iter().map(|p| p.id).collect();
    let Some(table) = plan.table(Some("Constitution Check"), &["Principle", "Status"]) else {
        if plan.heading("Constitution Check").is_some() {
            let offset = plan.heading("Constitution Check").map(|h| h.offset).unwrap_or(0);
            findings.push(
                Finding::at(
                    "GOV-PRIORITY-005",
                    plan,
                    offset,
                    "the Constitution Check has no `| Principle | Status |` table",
                )
                .help("add a table with one row per principle id and its status (pass, violated)"),
            );
        }
        return findings;
    };
    for id in &ids {
        if !table.rows.iter().any(|r| r.text(0) == id) {
            findings.push(
                Finding::at(
                    "GOV-PRIORITY-005",
                    plan,
                    table.offset,
                    format!("the Constitution Check does not name {id}"),
                )
                .help(format!("add a row `| {id} | pass | how the plan complies |`")),
            );
        }
    }
    let tracking = plan.table(Some("Complexity Tracking"), &[]);
    for row in &table.rows {
        let id = row.text(0);
        if !ids.iter().any(|i| i == id) {
            findings.push(
                Finding::at(
                    "GOV-PRIORITY-005",
                    plan,
                    row.offset,
                    format!("the constitution has no principle `{id}`"),
                )
                .help("name principles by the ids of the constitution's `### P-n:` or `### I.` headings"),
            );
        }
        if row.text(1).eq_ignore_ascii_case("violated") {
            let justified = tracking.is_some_and(|t| {
                t.rows.iter().any(|r| {
                    r.cells.iter().any(|c| mentions(&c.text, id))
                        && r.cells.iter().skip(1).any(|c| !c.text.trim().is_empty())
                })
            });
            if !justified {
                findings.push(
                    Finding::at(
                        "GOV-PRIORITY-006",
                        plan,
                        row.offset,
                        format!("{id} is marked violated without a justification in Complexity Tracking"),
                    )
                    .help(format!(
                        "add a Complexity Tracking row naming {id}, why it is needed and what was rejected"
                    )),
                );
            }
        }
    }
    findings
}

/// Whether `text` mentions the principle id `id` as a whole word.
fn mentions(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(i, _)| !text[i + id.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Agent/local guidance files at the root (the constitution, which
/// Spec-Kit keeps among them in `.specify/memory/`, excluded).
pub fn guidance_files(repo: &Repository) -> Vec<String> {
    let root = repo.root;
    let mut out: Vec<String> =
        ["AGENTS.md", "CLAUDE.md"].iter().filter(|f| root.join(f).is_file()).map(|f| f.to_string()).collect();
    let mut memory = Vec::new();
    crate::repository::walk(
        root,
        &root.join(".specify/memory"),
        &mut |p| p.extension().is_some_and(|e| e == "md"),
        &mut memory,
    );
    memory.retain(|m| *m != repo.constitution);
    memory.sort();
    out.extend(memory);
    out
}

const RANK_WORDS: &[&str] = &["constitution", "plan", "tasks", "specs", "guidance"];

/// The rank words in the order a "priority" line lists them.
fn priority_order(line: &str) -> Vec<&'static str> {
    let lower = line.to_lowercase();
    let mut found: Vec<(usize, &'static str)> =
        RANK_WORDS.iter().filter_map(|w| lower.find(w).map(|i| (i, *w))).collect();
    found.sort();
    found.into_iter().map(|(_, w)| w).collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3 && !matches!(*w, "MUST" | "SHOULD" | "NOT" | "with" | "that" | "this"))
        .map(|w| w.to_lowercase())
        .collect()
}

/// The normative clauses of a line: each modal (MUST, MUST NOT, SHOULD,
/// SHOULD NOT) with the words from the previous modal to the next one.
fn clauses(line: &str) -> Vec<(bool, Vec<String>)> {
    let mut modals: Vec<(usize, usize, bool)> = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let hit = ["MUST NOT", "SHOULD NOT", "MUST", "SHOULD"].iter().find(|k| rest.starts_with(**k));
        if let Some(k) = hit {
            modals.push((i, i + k.len(), !k.ends_with("NOT")));
            i += k.len();
        } else {
            i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
        }
    }
    (0..modals.len())
        .map(|n| {
            let from = if n == 0 { 0 } else { modals[n - 1].1 };
            let to = modals.get(n + 1).map(|m| m.0).unwrap_or(line.len());
            (modals[n].2, words(&line[from..to]))
        })
        .collect()
}

/// Guidance lines that contradict the constitution: a principle id with the
/// opposite MUST / MUST NOT of that principle's closest rule, an unknown
/// principle id, or a rule priority order other than the constitution's.
pub fn guidance(repo: &Repository, constitution: &Doc, doc: &Doc) -> Vec<Finding> {
    let home = &repo.constitution;
    let mut findings = Vec::new();
    let principles = principles(constitution);
    let official = constitution
        .heading("Rule priority")
        .and_then(|h| {
            constitution.lines().skip_while(|(_, o, _)| *o <= h.offset).find(|(_, _, l)| l.contains('→'))
        })
        .map(|(_, _, l)| priority_order(l));
    for (_, offset, line) in doc.lines() {
        if let Some(official) = &official
            && (line.contains('→') || line.contains(" > "))
        {
            let order = priority_order(line);
            if order.len() >= 3 {
                let filtered: Vec<_> = official.iter().filter(|w| order.contains(w)).copied().collect();
                if filtered != order {
                    findings.push(
                        Finding::at(
                            "GOV-PRIORITY-007",
                            doc,
                            offset,
                            format!(
                                "restates the rule priority as {} but the constitution says {}",
                                order.join(" → "),
                                official.join(" → ")
                            ),
                        )
                        .help(format!("link to {home} instead of restating its rule priority")),
                    );
                }
            }
        }
        let stated = clauses(line);
        if stated.is_empty() {
            continue;
        }
        for (i, _) in line.match_indices("P-") {
            let id: String =
                "P-".chars().chain(line[i + 2..].chars().take_while(|c| c.is_ascii_digit())).collect();
            if id.len() == 2 {
                continue;
            }
            let Some(principle) = principles.iter().find(|p| p.id == id) else {
                findings.push(
                    Finding::at(
                        "GOV-PRIORITY-007",
                        doc,
                        offset + i,
                        format!("cites {id}, which the constitution does not have"),
                    )
                    .help(format!("cite principles by the ids in {home}")),
                );
                continue;
            };
            let rules: Vec<(String, bool, Vec<String>)> = principle
                .rules()
                .into_iter()
                .flat_map(|r| clauses(&r).into_iter().map(move |(p, w)| (r.clone(), p, w)))
                .collect();
            for (polarity, mine) in &stated {
                let closest = rules
                    .iter()
                    .map(|(r, p, w)| (w.iter().filter(|x| mine.contains(x)).count(), r, *p))
                    .max_by_key(|(n, _, _)| *n);
                if let Some((n, rule, p)) = closest
                    && n >= 2
                    && p != *polarity
                {
                    findings.push(
                        Finding::at(
                            "GOV-PRIORITY-007",
                            doc,
                            offset + i,
                            format!(
                                "restates {id} differently from the constitution, which says: {}",
                                rule.trim_start_matches("- ")
                            ),
                        )
                        .help(format!("remove the restatement and link to {id} in {home}")),
                    );
                    break;
                }
            }
        }
    }
    findings
}
