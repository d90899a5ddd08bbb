//! The repository under check: its root, its configuration, and where its
//! specs folder and constitution turned out to be.

use std::path::Path;

use crate::config::Config;

/// A repository and what the rules need to know of its layout.
#[derive(Debug, Clone)]
pub struct Repository<'a> {
    pub root: &'a Path,
    pub config: &'a Config,
    /// The folder holding feature folders, relative to the root.
    pub specs: String,
    /// The constitution, relative to the root (it may not exist).
    pub constitution: String,
}

impl<'a> Repository<'a> {
    /// Resolves the layout: the configured specs folder, else `specs/`,
    /// else `.specify/specs/` when only that one holds feature folders.
    pub fn new(root: &'a Path, config: &'a Config) -> Repository<'a> {
        let specs = match &config.specs {
            Some(s) => s.clone(),
            None => ["specs", ".specify/specs"]
                .into_iter()
                .find(|s| !feature_dirs(root, s).is_empty())
                .unwrap_or("specs")
                .to_string(),
        };
        let constitution = config.constitution(root, &specs);
        Repository { root, config, specs, constitution }
    }

    /// Feature folders: directories directly under the specs folder whose
    /// name starts with three digits and a dash (`001-task-service`), sorted.
    pub fn features(&self) -> Vec<String> {
        feature_dirs(self.root, &self.specs)
    }

    /// `<specs>/<feature>/<file>`.
    pub fn feature_file(&self, feature: &str, file: &str) -> String {
        format!("{}/{feature}/{file}", self.specs)
    }

    /// The waiver file: the configured one, else `<specs>/waivers.toml`.
    pub fn waivers(&self) -> String {
        self.config.waivers.clone().unwrap_or_else(|| format!("{}/waivers.toml", self.specs))
    }

    pub fn is_file(&self, rel: &str) -> bool {
        self.root.join(rel).is_file()
    }

    /// Every Markdown file under the specs folder, relative to the root, sorted.
    pub fn spec_docs(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(
            self.root,
            &self.root.join(&self.specs),
            &mut |p| p.extension().is_some_and(|e| e == "md"),
            &mut out,
        );
        out.sort();
        out
    }

    /// Every file of the work tree, relative to the root, sorted (`.git`,
    /// `target` and `node_modules` skipped).
    pub fn files(&self) -> Vec<String> {
        fn all(root: &Path, dir: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.filter_map(|e| e.ok()) {
                let Ok(kind) = entry.file_type() else { continue };
                let name = entry.file_name();
                if kind.is_dir() && !matches!(name.to_str(), Some(".git" | "target" | "node_modules")) {
                    all(root, &entry.path(), out);
                } else if kind.is_file() {
                    out.push(crate::rel_path(root, &entry.path()));
                }
            }
        }
        let mut out = Vec::new();
        all(self.root, self.root, &mut out);
        out.sort();
        out
    }
}

fn feature_dirs(root: &Path, specs: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(specs)) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() > 4 && n[..3].bytes().all(|b| b.is_ascii_digit()) && n.as_bytes()[3] == b'-')
        .collect();
    names.sort();
    names
}

/// Collects files under `dir` for which `keep` holds, skipping `target`,
/// `fixtures`, `node_modules` and hidden directories.
pub fn walk(root: &Path, dir: &Path, keep: &mut dyn FnMut(&Path) -> bool, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if name.starts_with('.') || matches!(name.as_str(), "target" | "fixtures" | "node_modules") {
                continue;
            }
            walk(root, &path, keep, out);
        } else if kind.is_file() && keep(&path) {
            out.push(crate::rel_path(root, &path));
        }
    }
}
