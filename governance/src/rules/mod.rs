//! The rule families. Each `check` takes the repository root and returns
//! its findings; an [`Error`](crate::Error) only when input cannot be read.

pub mod amendment;
pub mod contract;
pub mod ownership;
pub mod priority;
pub mod schema;
pub mod structure;
pub mod trace;

use std::path::Path;

use crate::Error;

/// Feature folders: directories directly under `specs/` whose name starts
/// with three digits and a dash (`001-task-service`), sorted.
pub fn feature_dirs(root: &Path) -> Result<Vec<String>, Error> {
    let dir = root.join(crate::paths::SPECS);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() > 4 && n[..3].bytes().all(|b| b.is_ascii_digit()) && n.as_bytes()[3] == b'-')
        .collect();
    names.sort();
    Ok(names)
}

/// Every Markdown file under `specs/`, relative to the root, sorted.
pub fn spec_docs(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, &root.join(crate::paths::SPECS), &mut |p| p.extension().is_some_and(|e| e == "md"), &mut out);
    out.sort();
    out
}

/// Collects files under `dir` for which `keep` holds, skipping `target`,
/// `fixtures`, `node_modules` and hidden directories.
pub fn walk(root: &Path, dir: &Path, keep: &mut dyn FnMut(&Path) -> bool, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name.starts_with('.') || matches!(name.as_str(), "target" | "fixtures" | "node_modules") {
                continue;
            }
            walk(root, &path, keep, out);
        } else if keep(&path) {
            out.push(crate::rel_path(root, &path));
        }
    }
}
