//! The `check-specs` binary as another project runs it: a real process on a
//! copy of the Spec-Kit fixture in a temporary directory outside the
//! workspace, in every format, with the documented exit statuses.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn check_specs(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_check-specs"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// spec: 004-check-specs-anywhere#SC-004, 004-check-specs-anywhere#FR-014
#[test]
fn runs_outside_the_workspace_in_every_format() {
    let dir = copy("speckit");
    let root = dir.path();
    assert!(!root.starts_with(manifest_dir().parent().unwrap()));
    let out = check_specs(root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("check-specs: clean"), "{}", stdout(&out));
    for format in ["json", "sarif"] {
        let out = check_specs(root, &["--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        assert!(value.is_object(), "{format}");
    }

    edit(root, "specs/001-photo-albums/tasks.md", "- [ ] T006 [US2]", "- [x] T006 [US2]");
    let out = check_specs(root, &["--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let annotations = stdout(&out);
    assert!(
        annotations.contains("::error file=specs/001-photo-albums/tasks.md,line=27,")
            && annotations.contains("GOV-TRACE-005"),
        "{annotations}"
    );
    let out = check_specs(root, &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "GOV-TRACE-005");
}

// spec: 004-check-specs-anywhere#FR-011, 004-check-specs-anywhere#FR-014
#[test]
fn a_wrong_command_line_or_configuration_is_exit_3() {
    let dir = copy("speckit");
    let root = dir.path();
    let out = check_specs(root, &["--formt", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = check_specs(root, &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--config"), "{}", stdout(&out));
    write(root, "specs/check-specs.toml", "[plan]\nprinciple_tables = true\n");
    let out = check_specs(root, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("specs/check-specs.toml") && stderr(&out).contains("principle_tables"),
        "{}",
        stderr(&out)
    );
}

const CONTRACT: &str = "{\n  \"openapi\": \"3.0.3\",\n  \"info\": { \"title\": \"lumen\", \"version\": \"1.0.0\" },\n  \"paths\": {}\n}\n";

// spec: 004-check-specs-anywhere#FR-012, 004-check-specs-anywhere#FR-014
#[test]
fn the_configured_contract_command_is_run_and_fix_writes_its_output() {
    let dir = copy("speckit");
    let root = dir.path();
    write(root, "api/openapi.json", CONTRACT);
    write(root, "api/generated.json", &CONTRACT.replace("1.0.0", "1.1.0"));
    let config = "[contract]\npath = \"api/openapi.json\"\ngenerate = [\"cat\", \"api/generated.json\"]\n";
    write(root, ".specify/check-specs.toml", config);
    let out = check_specs(root, &[]);
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("GOV-CONTRACT-001"), "{}", stdout(&out));
    let out = check_specs(root, &["--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(read(root, "api/openapi.json"), read(root, "api/generated.json"));
    write(
        root,
        ".specify/check-specs.toml",
        &config.replace("[\"cat\", \"api/generated.json\"]", "[\"false\"]"),
    );
    let out = check_specs(root, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("`false` failed"), "{}", stderr(&out));
}
