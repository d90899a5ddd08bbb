//! `GOV-TRACE-*`: requirements → tasks → tests.
//!
//! Requirements are the `- **FR-001**:` / `- **SC-001**:` lines of a
//! feature's `spec.md`; tasks are the `- [x] T001 text [FR-001, SC-002] path`
//! lines of its `tasks.md`; a test cites a requirement with a
//! `// spec: 001-task-service#FR-003` comment, or with the id in a test
//! function's name (`fn fr_003_…`), in any `.rs` file under `tests/`,
//! `*/tests/` or `*/src/`.
//!
//! - `GOV-TRACE-001` (error) a requirement no task cites.
//! - `GOV-TRACE-002` (warning) a requirement no test cites.
//! - `GOV-TRACE-003` a task cites an id its feature's spec does not define.
//! - `GOV-TRACE-004` a task id is duplicated or out of order.
//! - `GOV-TRACE-005` a task marked done names a path that does not exist.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::markdown::Doc;
use crate::{Error, Finding};

/// A parsed task line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub done: bool,
    pub id: String,
    pub number: u32,
    pub refs: Vec<String>,
    pub path: Option<String>,
}

/// Parses `- [x] T001 text [FR-001, SC-002] path`.
pub fn parse_task(line: &str) -> Option<Task> {
    let rest = line.trim_start().strip_prefix("- [")?;
    let done = match rest.chars().next()? {
        'x' | 'X' => true,
        ' ' => false,
        _ => return None,
    };
    let rest = rest[1..].strip_prefix("] ")?.trim_start();
    let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let number: u32 = id.strip_prefix('T')?.parse().ok()?;
    let rest = &rest[id.len()..];
    let (refs, path) = match rest.rfind('[') {
        Some(open) if rest[open..].contains(']') => {
            let close = open + rest[open..].find(']')?;
            let inner = &rest[open + 1..close];
            let refs: Vec<String> =
                inner.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            if refs.iter().all(|r| is_requirement_id(r)) {
                let path = rest[close + 1..].trim();
                (refs, (!path.is_empty()).then(|| path.trim_matches('`').to_string()))
            } else {
                (Vec::new(), None)
            }
        }
        _ => (Vec::new(), None),
    };
    Some(Task { done, id, number, refs, path })
}

/// `FR-001`, `SC-12`: two or more capitals, a dash, digits.
pub fn is_requirement_id(s: &str) -> bool {
    let Some((prefix, digits)) = s.split_once('-') else { return false };
    prefix.len() >= 2
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Requirement ids defined by a spec, with their offsets.
pub fn requirements(doc: &Doc) -> Vec<(String, usize)> {
    doc.lines()
        .filter_map(|(_, offset, line)| {
            let rest = line.trim_start().strip_prefix("- **")?;
            let id = &rest[..rest.find("**")?];
            ((id.starts_with("FR-") || id.starts_with("SC-")) && is_requirement_id(id))
                .then(|| (id.to_string(), offset + line.find(id).unwrap_or(0)))
        })
        .collect()
}

/// One requirement's row of the coverage matrix.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub requirement: String,
    pub tasks: Vec<String>,
    /// `file:line` of each citing test.
    pub tests: Vec<String>,
}

/// The coverage matrix of one feature.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub feature: String,
    pub rows: Vec<CoverageRow>,
}

/// Test citations: `(feature, or None when unscoped; id)` → `file:line` list.
pub type Citations = BTreeMap<(Option<String>, String), Vec<String>>;

/// Where tests cite requirements.
pub fn test_citations(root: &Path) -> Result<Citations, Error> {
    let mut files = Vec::new();
    let rs = &mut |p: &Path| p.extension().is_some_and(|e| e == "rs");
    super::walk(root, &root.join("tests"), rs, &mut files);
    if let Ok(entries) = std::fs::read_dir(root) {
        let mut dirs: Vec<_> =
            entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for dir in dirs {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with('.') || name == "target" || name == "tests" {
                continue;
            }
            super::walk(root, &dir.join("tests"), rs, &mut files);
            super::walk(root, &dir.join("src"), rs, &mut files);
        }
    }
    let mut out = Citations::new();
    for file in files {
        let text = crate::read(root, &file)?;
        for (n, line) in text.lines().enumerate() {
            let at = format!("{file}:{}", n + 1);
            // Only a comment of its own counts: an example inside a doc
            // comment or a string is not a citation.
            if let Some(rest) = line.trim_start().strip_prefix("// spec:") {
                for cite in rest.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
                    let (feature, id) = match cite.split_once('#') {
                        Some((f, id)) => (Some(f.to_string()), id),
                        None => (None, cite),
                    };
                    if is_requirement_id(id) {
                        out.entry((feature, id.to_string())).or_default().push(at.clone());
                    }
                }
            }
            let trimmed = line.trim_start();
            let after_fn = trimmed.strip_prefix("async fn ").or_else(|| trimmed.strip_prefix("fn "));
            if let Some(rest) = after_fn {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let parts: Vec<&str> = name.split('_').collect();
                for w in parts.windows(2) {
                    let id = format!("{}-{}", w[0].to_uppercase(), w[1]);
                    if matches!(w[0], "fr" | "sc") && is_requirement_id(&id) {
                        out.entry((None, id)).or_default().push(at.clone());
                    }
                }
            }
        }
    }
    Ok(out)
}

pub fn check(root: &Path) -> Result<(Vec<Finding>, Vec<Coverage>), Error> {
    let mut findings = Vec::new();
    let mut coverage = Vec::new();
    let features = super::feature_dirs(root)?;
    if features.is_empty() {
        return Ok((findings, coverage));
    }
    let citations = test_citations(root)?;
    for feature in features {
        let (spec_rel, tasks_rel) = (format!("specs/{feature}/spec.md"), format!("specs/{feature}/tasks.md"));
        if !root.join(&spec_rel).is_file() || !root.join(&tasks_rel).is_file() {
            continue;
        }
        let spec = Doc::load(root, &spec_rel)?;
        let tasks_doc = Doc::load(root, &tasks_rel)?;
        let reqs = requirements(&spec);
        let mut tasks = Vec::new();
        let mut last: Option<u32> = None;
        let mut seen = Vec::new();
        for (_, offset, line) in tasks_doc.lines() {
            let Some(task) = parse_task(line) else { continue };
            if seen.contains(&task.number) {
                findings.push(
                    Finding::at(
                        "GOV-TRACE-004",
                        &tasks_doc,
                        offset,
                        format!("task id {} is used twice", task.id),
                    )
                    .help("give every task its own id, increasing through the file"),
                );
            } else if last.is_some_and(|l| task.number < l) {
                findings.push(
                    Finding::at(
                        "GOV-TRACE-004",
                        &tasks_doc,
                        offset,
                        format!("task id {} is out of order (after T{:03})", task.id, last.unwrap_or(0)),
                    )
                    .help("renumber the tasks so that ids increase through the file"),
                );
            }
            seen.push(task.number);
            last = Some(last.map_or(task.number, |l| l.max(task.number)));
            for r in &task.refs {
                if !reqs.iter().any(|(id, _)| id == r) {
                    let col = line.find(r.as_str()).unwrap_or(0);
                    findings.push(
                        Finding::at(
                            "GOV-TRACE-003",
                            &tasks_doc,
                            offset + col,
                            format!("task {} cites {r}, which {spec_rel} does not define", task.id),
                        )
                        .help("cite an existing requirement id, or add the requirement to the spec first"),
                    );
                }
            }
            if task.done
                && let Some(path) = &task.path
                && !root.join(path).exists()
            {
                let col = line.rfind(path.as_str()).unwrap_or(0);
                findings.push(
                    Finding::at(
                        "GOV-TRACE-005",
                        &tasks_doc,
                        offset + col,
                        format!("task {} is marked done but `{path}` does not exist", task.id),
                    )
                    .help("create the file, fix the path, or uncheck the task (`- [ ]`)"),
                );
            }
            tasks.push(task);
        }
        let mut rows = Vec::new();
        for (id, offset) in &reqs {
            let citing: Vec<String> =
                tasks.iter().filter(|t| t.refs.contains(id)).map(|t| t.id.clone()).collect();
            let mut tests: Vec<String> =
                citations.get(&(Some(feature.clone()), id.clone())).cloned().unwrap_or_default();
            tests.extend(citations.get(&(None, id.clone())).cloned().unwrap_or_default());
            if citing.is_empty() {
                findings.push(
                    Finding::at(
                        "GOV-TRACE-001",
                        &spec,
                        *offset,
                        format!("requirement {id} is cited by no task"),
                    )
                    .help(format!(
                        "cite {id} in the `[…]` list of the task that implements it in {tasks_rel}"
                    )),
                );
            }
            if tests.is_empty() {
                findings.push(
                    Finding::at(
                        "GOV-TRACE-002",
                        &spec,
                        *offset,
                        format!("requirement {id} is cited by no test"),
                    )
                    .help(format!("add `// spec: {feature}#{id}` to the test that verifies it"))
                    .warning(),
                );
            }
            rows.push(CoverageRow { requirement: id.clone(), tasks: citing, tests });
        }
        coverage.push(Coverage { feature, rows });
    }
    Ok((findings, coverage))
}

/// The coverage matrix as text: one line per requirement.
pub fn render_coverage(coverage: &[Coverage]) -> String {
    let mut out = String::new();
    for c in coverage {
        let covered = c.rows.iter().filter(|r| !r.tasks.is_empty() && !r.tests.is_empty()).count();
        out.push_str(&format!(
            "{}: {covered}/{} requirements cited by a task and a test\n",
            c.feature,
            c.rows.len()
        ));
        for r in &c.rows {
            let tasks = if r.tasks.is_empty() { "—".to_string() } else { r.tasks.join(", ") };
            let tests = if r.tests.is_empty() { "—".to_string() } else { r.tests.join(", ") };
            out.push_str(&format!("  {:<8} → tasks: {tasks}\n  {:<8} → tests: {tests}\n", r.requirement, ""));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_lines() {
        let t = parse_task("- [x] T012 Issue tokens [FR-011, SC-002] api-server/src/auth.rs").unwrap();
        assert!(t.done);
        assert_eq!((t.id.as_str(), t.number), ("T012", 12));
        assert_eq!(t.refs, vec!["FR-011", "SC-002"]);
        assert_eq!(t.path.as_deref(), Some("api-server/src/auth.rs"));
        let t = parse_task("- [ ] T3 Write [docs] later").unwrap();
        assert!(!t.done && t.refs.is_empty() && t.path.is_none());
        assert!(parse_task("- [x] Not a task").is_none());
        assert!(parse_task("* [x] T001 other bullet").is_none());
    }

    #[test]
    fn requirement_ids() {
        assert!(is_requirement_id("FR-001") && is_requirement_id("SC-7"));
        assert!(!is_requirement_id("F-1") && !is_requirement_id("FR-") && !is_requirement_id("fr-001"));
    }
}
