//! The few git queries the rules need, through the `git` command.

use std::path::Path;
use std::process::Command;

use crate::Error;

/// Runs `git args` in `root`; its stdout on success.
pub fn git(root: &Path, args: &[&str]) -> Result<String, Error> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| Error::Git { args: args.join(" "), message: e.to_string() })?;
    if !output.status.success() {
        return Err(Error::Git {
            args: args.join(" "),
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether `root` is the top level of a git work tree (a directory inside
/// another repository, such as a test fixture, is not).
pub fn is_repo(root: &Path) -> bool {
    let Ok(top) = git(root, &["rev-parse", "--show-toplevel"]) else { return false };
    match (std::fs::canonicalize(top.trim()), std::fs::canonicalize(root)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The base revision: `explicit` when given (resolved to a commit), else the
/// merge base of `HEAD` with `origin/main` when that ref exists, else none
/// (with a note saying which checks were skipped).
pub fn resolve_base(
    root: &Path,
    explicit: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Option<String>, Error> {
    if let Some(rev) = explicit {
        let commit = git(root, &["rev-parse", "--verify", &format!("{rev}^{{commit}}")])?;
        return Ok(Some(commit.trim().to_string()));
    }
    if !is_repo(root) {
        notes.push("not a git repository: amendment, history and breaking-change checks skipped".into());
        return Ok(None);
    }
    if git(root, &["rev-parse", "--verify", "--quiet", "refs/remotes/origin/main"]).is_err() {
        notes.push(
            "no --base and no origin/main: constitution-amendment and breaking-contract checks skipped; \
             commit ownership checked over the whole history after the baseline"
                .into(),
        );
        return Ok(None);
    }
    let base = git(root, &["merge-base", "HEAD", "refs/remotes/origin/main"])?;
    Ok(Some(base.trim().to_string()))
}

/// The content of `path` at `rev`, or `None` when it did not exist there.
pub fn show(root: &Path, rev: &str, path: &str) -> Option<String> {
    git(root, &["show", &format!("{rev}:{path}")]).ok()
}

/// A commit: id, `Agent:` trailer values and the paths it touches.
#[derive(Debug, Clone)]
pub struct Commit {
    pub id: String,
    pub subject: String,
    pub agents: Vec<String>,
    pub paths: Vec<String>,
}

/// The commits selected by `range` (arguments to `git log`), newest first.
/// Merge commits list no paths.
pub fn commits(root: &Path, range: &[&str]) -> Result<Vec<Commit>, Error> {
    let mut args = vec![
        "log",
        "--no-renames",
        "--name-only",
        "--format=%x1e%H%x00%s%x00%(trailers:key=Agent,valueonly,separator=%x1f)%x00",
    ];
    args.extend_from_slice(range);
    let out = git(root, &args)?;
    let mut commits = Vec::new();
    for record in out.split('\x1e').filter(|r| !r.trim().is_empty()) {
        let mut parts = record.splitn(4, '\0');
        let id = parts.next().unwrap_or("").trim().to_string();
        let subject = parts.next().unwrap_or("").to_string();
        let agents = parts
            .next()
            .unwrap_or("")
            .split('\x1f')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let paths = parts
            .next()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        commits.push(Commit { id, subject, agents, paths });
    }
    Ok(commits)
}

/// Every path a commit of any ref ever touched (a rename counts as its old
/// and its new path); `None` when `root` is not the top of a repository
/// with commits, or when git could not read all of the history (a shallow
/// or damaged clone): an incomplete history proves nothing was never built.
pub fn touched_paths(root: &Path) -> Option<std::collections::BTreeSet<String>> {
    if !is_repo(root) {
        return None;
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotePath=false", "log", "--all", "--no-renames", "--name-only", "--format="])
        .output()
        .ok()?;
    let shallow = git(root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s.trim() == "true");
    if !output.status.success() || !output.stderr.is_empty() || shallow {
        return None;
    }
    let out = String::from_utf8_lossy(&output.stdout);
    Some(out.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}

/// The last commit that deleted `path` (or moved it away), as
/// `abc1234 ("subject")`.
pub fn removed_by(root: &Path, path: &str) -> Option<String> {
    let out = git(
        root,
        &["log", "--all", "-1", "--no-renames", "--diff-filter=D", "--format=%h (\"%s\")", "--", path],
    )
    .ok()?;
    let line = out.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// Whether git would ignore `path` (build output such as `target/…`);
/// false outside a repository.
pub fn is_ignored(root: &Path, path: &str) -> bool {
    is_repo(root) && git(root, &["check-ignore", "-q", "--no-index", "--", path]).is_ok()
}
