//! Helpers shared by the governance tests: fixture copies, edits, git.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use governance::{Options, Report};

pub const TODAY: &str = "2026-11-25";

/// This crate's directory, as the test runner says at run time: a build
/// shared between checkouts (one target directory, several clones) would
/// otherwise point at the checkout that compiled the test.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary copy of the fixture `name`.
pub fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Replaces `from` with `to` in `rel`; panics when `from` is absent.
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let text = read(root, rel);
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    write(root, rel, &text.replacen(from, to, 1));
}

pub fn check_with(root: &Path, options: Options) -> Report {
    governance::check(root, &Options { today: Some(TODAY.into()), config: config(root), ..options })
        .expect("the check runs")
}

pub fn check(root: &Path) -> Report {
    check_with(root, Options::default())
}

pub fn codes(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.rule).collect()
}

/// Asserts that `report` has a finding of `rule`, and returns it.
pub fn expect<'a>(report: &'a Report, rule: &str) -> &'a governance::Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:#?}", report.findings))
}

pub fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Commits everything in `root` with `message` (its trailers included).
pub fn commit_all(root: &Path, message: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", message]);
    git(root, &["rev-parse", "HEAD"])
}

/// A git repository holding the fixture, with one commit; returns the dir
/// and that commit (to use as the base).
pub fn repo(name: &str) -> (tempfile::TempDir, String) {
    let dir = copy(name);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let base = commit_all(dir.path(), "specs: initial\n\nAgent: specs");
    (dir, base)
}

pub fn with_base(base: &str) -> Options {
    Options { base: Some(base.to_string()), ..Options::default() }
}

/// The repository's own configuration (`specs/check-specs.toml` in the
/// `good` fixture, which turns every family on, as Charter's does).
pub fn config(root: &Path) -> governance::Config {
    governance::Config::load(root, None).expect("the configuration parses")
}

/// `--fix` on `root` with its own configuration.
pub fn fix(root: &Path) -> Vec<String> {
    let config = config(root);
    governance::fix::fix(&governance::Repository::new(root, &config)).expect("the fix runs")
}
