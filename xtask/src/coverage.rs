//! `cargo xtask coverage`: line coverage of the backend crates under the
//! whole suite (the constitution's testing principle asks for 80 %),
//! measured with cargo-llvm-cov and printed per crate. A figure, like the
//! benchmarks', never a pass/fail of the test command.
//!
//! The suite runs as `cargo xtask test` runs it (nextest, SQLite and
//! PostgreSQL, the server binary in the process tests, the browser tests
//! when the bundle is built), instrumented; child processes write their
//! profiles too, so the server binary's lines count.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{cargo, run_command};

/// The crates measured, by the source directory their files live in.
const CRATES: &[(&str, &str)] = &[
    ("api-server", "api-server/src/"),
    ("charter-api", "api-server/api/src/"),
    ("charter-domain", "domain/src/"),
    ("governance", "governance/src/"),
];

const TARGET_PERCENT: f64 = 80.0;

pub fn run(root: &Path) -> Result<()> {
    ensure_llvm_cov(root)?;
    run_command(root, cargo().args(["llvm-cov", "clean", "--workspace"]))?;
    // The web app is wasm; its host build has nothing to measure.
    run_command(
        root,
        cargo().args([
            "llvm-cov",
            "nextest",
            "--workspace",
            "--exclude",
            "web",
            "--no-report",
            "--no-fail-fast",
        ]),
    )?;
    let output = cargo()
        .args(["llvm-cov", "report", "--json", "--summary-only"])
        .current_dir(root)
        .output()
        .context("running cargo llvm-cov report")?;
    if !output.status.success() {
        anyhow::bail!("cargo llvm-cov report failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading the coverage report")?;
    let root_text = format!("{}/", root.display());
    let mut totals = vec![(0u64, 0u64); CRATES.len()];
    let files = report["data"][0]["files"].as_array().context("the report lists no files")?;
    for file in files {
        let name = file["filename"].as_str().unwrap_or("");
        let relative = name.strip_prefix(&root_text).unwrap_or(name);
        // The longest matching source directory: api-server/api/src/ is
        // charter-api's, not api-server's.
        let Some(index) = CRATES
            .iter()
            .enumerate()
            .filter(|(_, (_, dir))| relative.starts_with(dir))
            .max_by_key(|(_, (_, dir))| dir.len())
            .map(|(i, _)| i)
        else {
            continue;
        };
        let lines = &file["summary"]["lines"];
        totals[index].0 += lines["count"].as_u64().unwrap_or(0);
        totals[index].1 += lines["covered"].as_u64().unwrap_or(0);
    }
    println!("line coverage under the whole suite (target ≥ {TARGET_PERCENT:.0} % per crate):");
    for ((name, _), (count, covered)) in CRATES.iter().zip(totals) {
        let percent = if count == 0 { 0.0 } else { covered as f64 * 100.0 / count as f64 };
        let verdict = crate::server_process::verdict(percent >= TARGET_PERCENT);
        println!("  {name:<16} {percent:>5.1} %  ({covered} of {count} lines)   {verdict}");
    }
    Ok(())
}

/// cargo-llvm-cov and the LLVM tools it drives, installed when missing.
fn ensure_llvm_cov(root: &Path) -> Result<()> {
    let installed = cargo().args(["llvm-cov", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        run_command(root, cargo().args(["install", "cargo-llvm-cov", "--locked"]))?;
    }
    run_command(root, Command::new("rustup").args(["component", "add", "llvm-tools-preview"]))
}
