//! This repository, cloned at HEAD into a temporary directory and mutated:
//! each kind of drift must be caught. The library runs directly on the
//! copy; the checked-in contract stands in for the one generated from the
//! code (they are equal on a clean HEAD, which `cargo xtask check-specs`
//! itself verifies).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use governance::Options;

fn workspace() -> PathBuf {
    manifest_dir().parent().unwrap().to_path_buf()
}

/// A clone of the workspace's HEAD, its HEAD commit, and the contract text.
fn clone() -> Option<(tempfile::TempDir, String, String)> {
    let root = workspace();
    if !root.join(".git").exists() {
        eprintln!("not a git checkout: skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--no-hardlinks"])
        .arg(&root)
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    let contract = read(dir.path(), "specs/contracts/charter.json");
    Some((dir, head, contract))
}

fn run(dir: &Path, head: &str, contract: &str) -> governance::Report {
    check_with(
        dir,
        Options { base: Some(head.into()), generated_contract: Some(contract.into()), ..Options::default() },
    )
}

fn has(report: &governance::Report, rule: &str, needle: &str) -> bool {
    report.findings.iter().any(|f| f.rule == rule && f.message.contains(needle))
}

#[test]
fn mutations_of_this_repository_are_caught() {
    let Some((dir, head, contract)) = clone() else { return };
    let root = dir.path();
    let before = run(root, &head, &contract);
    for rule in ["GOV-CONTRACT-001", "GOV-CONTRACT-002", "GOV-SCHEMA-002", "GOV-OWN-001"] {
        assert!(!codes(&before).contains(&rule), "HEAD already has {rule}: {:#?}", before.findings);
    }

    // 1. A contract field edited by hand: drift from the code, and the
    //    endpoint table no longer matches.
    edit(root, "specs/contracts/charter.json", "\"503\": {", "\"504\": {");
    let report = run(root, &head, &contract);
    assert!(codes(&report).contains(&"GOV-CONTRACT-001"), "{:#?}", report.findings);
    // The first operation answering 503 now documents 504 instead.
    assert!(has(&report, "GOV-CONTRACT-004", "504)"), "{:#?}", report.findings);
    write(root, "specs/contracts/charter.json", &contract);

    // 2. A row dropped from the endpoint table.
    let table = read(root, "specs/api/rest-endpoints.md");
    let row = table.lines().find(|l| l.starts_with("| task_delete |")).expect("task_delete row").to_string();
    edit(root, "specs/api/rest-endpoints.md", &format!("{row}\n"), "");
    let report = run(root, &head, &contract);
    assert!(has(&report, "GOV-CONTRACT-002", "`task_delete`"), "{:#?}", report.findings);
    write(root, "specs/api/rest-endpoints.md", &table);

    // 3. A column added to a migration but not to the schema document.
    let migration = "migrations/sqlite/20261125000001_init.sql";
    let sql = read(root, migration);
    edit(
        root,
        migration,
        "    completed_at BIGINT  NULL\n",
        "    completed_at BIGINT  NULL,\n    archived_at  BIGINT  NULL\n",
    );
    let report = run(root, &head, &contract);
    assert!(has(&report, "GOV-SCHEMA-002", "tasks.archived_at"), "{:#?}", report.findings);
    write(root, migration, &sql);

    // 4. A commit to specs/ without the Specs Agent's trailer.
    edit(root, "specs/001-task-service/quickstart.md", "# Quickstart", "# Quickstart guide");
    git(root, &["add", "specs/001-task-service/quickstart.md"]);
    git(
        root,
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "backend: tweak\n\nAgent: backend",
        ],
    );
    let report = run(root, &head, &contract);
    assert!(has(&report, "GOV-OWN-001", "without the trailer `Agent: specs`"), "{:#?}", report.findings);
}
