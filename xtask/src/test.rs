//! `cargo xtask test`: every test, in the order that fails fastest.
//!
//! With `CI=true` PostgreSQL is required: the suite fails, not skips, when
//! it cannot reach it.

use std::path::Path;
use std::process::Command;

use anyhow::Result;
use clap::Args;

use crate::{cargo, check_specs, openapi, run_command};

#[derive(Args)]
pub struct TestArgs {
    /// Skip `cargo fmt --check` and clippy.
    #[arg(long)]
    no_lint: bool,
}

pub fn run(root: &Path, args: TestArgs) -> Result<()> {
    if !args.no_lint {
        run_command(root, cargo().args(["fmt", "--all", "--", "--check"]))?;
        run_command(root, cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    }
    eprintln!("$ cargo xtask openapi check");
    openapi::run(root, openapi::Action::Check)?;
    eprintln!("$ cargo xtask check-specs");
    match check_specs::run(root, check_specs::CheckSpecsArgs::default())? {
        0 => {}
        code => anyhow::bail!("`cargo xtask check-specs` failed (exit status {code})"),
    }
    run_command(root, cargo().args(["test", "--workspace"]))?;
    ensure_wasm_target(root)?;
    run_command(
        root,
        cargo().args(["check", "--package", "api-client", "--target", "wasm32-unknown-unknown"]),
    )?;
    Ok(())
}

/// Installs the wasm target through rustup when it is missing.
pub fn ensure_wasm_target(root: &Path) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        run_command(root, Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}
