//! `GOV-TRACE-*`: requirements and user stories → tasks → tests, and tasks
//! ticked although nothing was built.
//!
//! Requirements are the `- **FR-001**:` / `- **SC-001**:` lines of a
//! feature's `spec.md`, user stories its story headings; tasks are the task
//! lines of its `tasks.md` ([`speckit::parse_task`]); a test cites a
//! requirement with a `// spec: 001-task-service#FR-003` comment, or with
//! the id in a test function's name (`fn fr_003_…`), in any `.rs` file
//! under `tests/`, `*/tests/` or `*/src/`.
//!
//! By default:
//! - `GOV-TRACE-004` a task id is used twice.
//! - `GOV-TRACE-005` a task marked done names files of which none exists:
//!   an error when none ever existed in the history (or there is none), a
//!   warning naming the commit that removed it when one did.
//! - `GOV-TRACE-006` (warning) a task's `[USn]` names a story the spec does
//!   not have, or a story no task names.
//! - `GOV-TRACE-007` (warning) a task marked done whose named files exist
//!   but were never in any commit.
//!
//! When the configuration turns them on (`[trace]`):
//! - `GOV-TRACE-001` (error) a requirement no task cites; `GOV-TRACE-003` a
//!   task cites an id its feature's spec does not define; `GOV-TRACE-004`
//!   also for a task id lower than one before it; `GOV-TRACE-005` also for
//!   a done task whose produced file (after its requirement list) is missing.
//! - `GOV-TRACE-002` (warning) a requirement no test cites.
//! - `GOV-TRACE-008` (error) a done task none of whose requirements or
//!   stories a test cites.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::markdown::Doc;
use crate::speckit::{self, Task, is_requirement_id};
use crate::{Error, Finding, Repository, git};

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
    crate::repository::walk(root, &root.join("tests"), rs, &mut files);
    if let Ok(entries) = std::fs::read_dir(root) {
        let mut dirs: Vec<_> =
            entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for dir in dirs {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with('.') || name == "target" || name == "tests" {
                continue;
            }
            crate::repository::walk(root, &dir.join("tests"), rs, &mut files);
            crate::repository::walk(root, &dir.join("src"), rs, &mut files);
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
                    if is_requirement_id(id) || speckit::story_number(id).is_some() {
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

/// What the work tree and the history say about the paths tasks name,
/// gathered once and only when a done task needs it.
struct Evidence<'r> {
    repo: &'r Repository<'r>,
    /// The root folder's own name, which tasks written from the folder
    /// above sometimes put first (`myrepo/src/lib.rs`).
    root_name: Option<String>,
    files: OnceCell<Vec<String>>,
    history: OnceCell<Option<BTreeSet<String>>>,
}

impl<'r> Evidence<'r> {
    fn new(repo: &'r Repository<'r>) -> Self {
        let root_name = std::fs::canonicalize(repo.root)
            .ok()
            .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()));
        Evidence { repo, root_name, files: OnceCell::new(), history: OnceCell::new() }
    }

    /// The ways `path`, as a task names it, may be meant from the root:
    /// as written, without a leading `/` when what follows is in the
    /// repository (else it is a system path and names nothing here), and
    /// without a first component that is the root folder's own name.
    fn readings(&self, path: &str) -> Vec<String> {
        let relative = path.trim_start_matches('/');
        let first = relative.split('/').next().unwrap_or("");
        let own = self.root_name.as_deref() == Some(first) && relative.len() > first.len() + 1;
        // An absolute path is a system path (`/etc/app.yaml`) unless what
        // follows is in the repository; an absolute folder is a route
        // (`/api/v1/auth/`).
        if path.starts_with('/') && (path.ends_with('/') || !self.repo.root.join(first).exists()) && !own {
            return Vec::new();
        }
        let mut out = vec![relative.to_string()];
        if own {
            out.push(relative[first.len() + 1..].to_string());
        }
        out
    }

    /// Where `path` is: from the root, from the feature folder, or as the
    /// end of a path of the work tree (tasks often name paths from a
    /// sub-project's root).
    fn find(&self, feature_dir: &str, path: &str) -> Option<String> {
        let root = self.repo.root;
        for reading in self.readings(path) {
            if root.join(&reading).exists() {
                return Some(reading);
            }
            let in_feature = format!("{feature_dir}/{reading}");
            if root.join(&in_feature).exists() {
                return Some(in_feature);
            }
            let files = self.files.get_or_init(|| self.repo.files());
            if let Some(found) = files.iter().find(|f| ends_with_path(f, &reading)) {
                return Some(if reading.ends_with('/') { reading } else { found.clone() });
            }
        }
        None
    }

    fn history(&self) -> Option<&BTreeSet<String>> {
        self.history.get_or_init(|| git::touched_paths(self.repo.root)).as_ref()
    }

    /// A path of the history `path` names, if any.
    fn in_history(&self, path: &str) -> Option<String> {
        let history = self.history()?;
        self.readings(path).iter().find_map(|r| history.iter().find(|h| ends_with_path(h, r)).cloned())
    }

    /// A file of the work tree or the history with `path`'s file name.
    fn same_name(&self, path: &str) -> Option<String> {
        let name = path.trim_end_matches('/').rsplit('/').next()?;
        let named = |f: &&String| f.rsplit('/').next() == Some(name);
        let files = self.files.get_or_init(|| self.repo.files());
        files.iter().find(named).or_else(|| self.history()?.iter().find(named)).cloned()
    }
}

/// Whether `file` is `path` or ends with `/path` (for a directory, holds
/// something under it).
fn ends_with_path(file: &str, path: &str) -> bool {
    if let Some(dir) = path.strip_suffix('/') {
        return file.starts_with(&format!("{dir}/")) || file.contains(&format!("/{dir}/"));
    }
    file == path || file.ends_with(&format!("/{path}"))
}

pub fn check(repo: &Repository) -> Result<(Vec<Finding>, Vec<Coverage>), Error> {
    let trace = &repo.config.trace;
    let mut findings = Vec::new();
    let mut coverage = Vec::new();
    let features = repo.features();
    if features.is_empty() {
        return Ok((findings, coverage));
    }
    let citations =
        if trace.tests || trace.done_tasks_tested { test_citations(repo.root)? } else { Citations::new() };
    let evidence = Evidence::new(repo);
    for feature in features {
        let (spec_rel, tasks_rel) =
            (repo.feature_file(&feature, "spec.md"), repo.feature_file(&feature, "tasks.md"));
        let spec = if repo.is_file(&spec_rel) { Some(Doc::load(repo.root, &spec_rel)?) } else { None };
        let reqs = spec.as_ref().map(requirements).unwrap_or_default();
        let stories = spec.as_ref().map(speckit::stories).unwrap_or_default();
        let cited = |id: &str| -> Vec<String> {
            let mut tests =
                citations.get(&(Some(feature.clone()), id.to_string())).cloned().unwrap_or_default();
            tests.extend(citations.get(&(None, id.to_string())).cloned().unwrap_or_default());
            tests
        };
        let mut tasks = Vec::new();
        if repo.is_file(&tasks_rel) {
            let tasks_doc = Doc::load(repo.root, &tasks_rel)?;
            let feature_dir = format!("{}/{feature}", repo.specs);
            let mut last: Option<u32> = None;
            let mut seen: Vec<String> = Vec::new();
            for (_, offset, line) in tasks_doc.lines() {
                let Some(task) = speckit::parse_task(line) else { continue };
                if seen.contains(&task.id) {
                    findings.push(
                        Finding::at(
                            "GOV-TRACE-004",
                            &tasks_doc,
                            offset,
                            format!("task id {} is used twice", task.id),
                        )
                        .help("give every task its own id"),
                    );
                } else if trace.requirements && last.is_some_and(|l| task.number < l) {
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
                seen.push(task.id.clone());
                last = Some(last.map_or(task.number, |l| l.max(task.number)));
                if trace.requirements {
                    for r in task.refs.iter().filter(|r| !reqs.iter().any(|(id, _)| id == *r)) {
                        let col = line.find(r.as_str()).unwrap_or(0);
                        findings.push(
                            Finding::at(
                                "GOV-TRACE-003",
                                &tasks_doc,
                                offset + col,
                                format!("task {} cites {r}, which {spec_rel} does not define", task.id),
                            )
                            .help(
                                "cite an existing requirement id, or add the requirement to the spec first",
                            ),
                        );
                    }
                }
                if !stories.is_empty() {
                    for n in task.stories.iter().filter(|n| !stories.iter().any(|s| s.number == **n)) {
                        let col = line.find(&format!("US{n}")).unwrap_or(0);
                        let have: Vec<String> = stories.iter().map(|s| format!("US{}", s.number)).collect();
                        findings.push(
                            Finding::at(
                                "GOV-TRACE-006",
                                &tasks_doc,
                                offset + col,
                                format!(
                                    "task {} belongs to user story US{n}, which {spec_rel} does not have (it has {})",
                                    task.id,
                                    have.join(", ")
                                ),
                            )
                            .help("mark the task with the story it serves, or add the story to the spec")
                            .warning(),
                        );
                    }
                }
                if task.done {
                    findings.extend(done_task(
                        repo,
                        &evidence,
                        &tasks_doc,
                        offset,
                        line,
                        &feature_dir,
                        &task,
                    ));
                    if trace.done_tasks_tested {
                        let ids =
                            task.refs.iter().cloned().chain(task.stories.iter().map(|n| format!("US{n}")));
                        let tested = ids.clone().any(|id| !cited(&id).is_empty());
                        if !tested && ids.count() > 0 {
                            findings.push(
                                Finding::at(
                                    "GOV-TRACE-008",
                                    &tasks_doc,
                                    offset,
                                    format!("task {} is marked done but no test cites its requirements or stories", task.id),
                                )
                                .help(format!(
                                    "add `// spec: {feature}#<id>` to the test that verifies the task, or uncheck it"
                                )),
                            );
                        }
                    }
                }
                tasks.push(task);
            }
            if let Some(spec) = &spec
                && tasks.iter().any(|t| !t.stories.is_empty())
            {
                for story in stories.iter().filter(|s| !tasks.iter().any(|t| t.stories.contains(&s.number))) {
                    findings.push(
                        Finding::at(
                            "GOV-TRACE-006",
                            spec,
                            story.offset,
                            format!(
                                "user story US{} has no task: no task of {tasks_rel} is marked [US{}]",
                                story.number, story.number
                            ),
                        )
                        .help("add the story's tasks, or mark the tasks that implement it")
                        .warning(),
                    );
                }
            }
        }
        let Some(spec) = &spec else { continue };
        let mut rows = Vec::new();
        for (id, offset) in &reqs {
            let citing: Vec<String> =
                tasks.iter().filter(|t| t.refs.contains(id)).map(|t| t.id.clone()).collect();
            let tests = cited(id);
            if trace.requirements && citing.is_empty() && repo.is_file(&tasks_rel) {
                findings.push(
                    Finding::at(
                        "GOV-TRACE-001",
                        spec,
                        *offset,
                        format!("requirement {id} is cited by no task"),
                    )
                    .help(format!(
                        "cite {id} in the `[…]` list of the task that implements it in {tasks_rel}"
                    )),
                );
            }
            if trace.tests && tests.is_empty() {
                findings.push(
                    Finding::at(
                        "GOV-TRACE-002",
                        spec,
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

/// Findings for a task marked done: the files it names must exist (or
/// have existed), and been committed.
fn done_task(
    repo: &Repository,
    evidence: &Evidence,
    doc: &Doc,
    offset: usize,
    line: &str,
    feature_dir: &str,
    task: &Task,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let col = |path: &str| line.rfind(path).unwrap_or(0);
    if repo.config.trace.requirements
        && let Some(path) = &task.produces
        && !repo.root.join(path).exists()
    {
        findings.push(
            Finding::at(
                "GOV-TRACE-005",
                doc,
                offset + col(path),
                format!("task {} is marked done but `{path}` does not exist", task.id),
            )
            .help("create the file, fix the path, or uncheck the task (`- [ ]`)"),
        );
        return findings;
    }
    if task.paths.is_empty()
        || speckit::removes_something(&task.description)
        || speckit::not_carried_out(&task.description)
    {
        return findings;
    }
    let found: Vec<String> = task.paths.iter().filter_map(|p| evidence.find(feature_dir, p)).collect();
    // A bare file name may live anywhere: it counts when found, and proves
    // nothing when not.
    // Paths outside the repository and build output (ignored by git) are
    // not evidence either way.
    let named: Vec<&String> = task
        .paths
        .iter()
        .filter(|p| !speckit::is_bare(p) && !evidence.readings(p).is_empty())
        .filter(|p| found.is_empty() && !git::is_ignored(repo.root, p.trim_start_matches('/')))
        .collect();
    let listed = named.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
    if found.is_empty() && !named.is_empty() {
        let first = named[0];
        let (message, help, warning) = if let Some(gone) = named.iter().find_map(|p| evidence.in_history(p)) {
            let by = git::removed_by(repo.root, &gone)
                .map(|c| format!(" (removed by commit {c})"))
                .unwrap_or_default();
            let what =
                if named.iter().any(|p| p.as_str() == gone) { "it".to_string() } else { format!("`{gone}`") };
            (
                format!("{listed} no longer exists: {what} was committed and later moved or deleted{by}"),
                "the history shows the work was done; point the task at where the file lives now",
                true,
            )
        } else if let Some(other) = named.iter().find_map(|p| evidence.same_name(p)) {
            (
                format!(
                    "{listed} does not exist; `{other}` has the same file name, so the task's path is probably out of date"
                ),
                "point the task at the file it built",
                true,
            )
        } else {
            let never = if evidence.history().is_some() { ", and none ever did in the history" } else { "" };
            (
                format!("none of the files it names exists{never}: {listed}"),
                "build what the task says, fix its paths, or uncheck it (`- [ ]`)",
                false,
            )
        };
        let finding = Finding::at(
            "GOV-TRACE-005",
            doc,
            offset + col(first),
            format!("task {} is marked done but {message}", task.id),
        )
        .help(help);
        findings.push(if warning { finding.warning() } else { finding });
    } else if !found.is_empty()
        && evidence.history().is_some()
        && !found.iter().any(|f| evidence.in_history(f).is_some())
    {
        findings.push(
            Finding::at(
                "GOV-TRACE-007",
                doc,
                offset + col(&task.paths[0]),
                format!(
                    "task {} is marked done but no commit ever touched what it names ({})",
                    task.id,
                    found.join(", ")
                ),
            )
            .help("commit the work the task produced, or uncheck the task")
            .warning(),
        );
    }
    findings
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
