//! `cargo xtask test`: every test, in the order that fails fastest.
//!
//! With `CI=true` PostgreSQL is required: the suite fails, not skips, when
//! it cannot reach it. The same goes for the browser tests, which need
//! Debian's `chromium` and `chromium-driver` (installed here with apt-get
//! when missing and we are root) and the web bundle (built here).

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
        // --all-features: xtask's `full` jobs are code too.
        run_command(
            root,
            cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    }
    eprintln!("$ cargo xtask openapi check");
    openapi::run(root, openapi::Action::Check)?;
    eprintln!("$ cargo xtask check-specs");
    match check_specs::run(root, check_specs::CheckSpecsArgs::default())? {
        0 => {}
        code => anyhow::bail!("`cargo xtask check-specs` failed (exit status {code})"),
    }
    // The browser tests (in `cargo test`) drive the built web app.
    ensure_browser(root)?;
    crate::web::build(root, &crate::web::WebArgs::default())?;
    // nextest runs each test in its own process and honours the test
    // groups in .config/nextest.toml (one browser at a time); it does not
    // run doctests, so cargo test does those.
    ensure_nextest(root)?;
    run_command(root, cargo().args(["nextest", "run", "--workspace", "--all-features", "--no-fail-fast"]))?;
    run_command(root, cargo().args(["test", "--workspace", "--all-features", "--doc"]))?;
    eprintln!("$ cargo xtask fuzz");
    crate::fuzz::run(root)?;
    crate::web::ensure_wasm_target(root)?;
    if !args.no_lint {
        run_command(
            root,
            cargo().args([
                "clippy",
                "--package",
                "web",
                "--all-targets",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    }
    run_command(
        root,
        cargo().args(["check", "--package", "api-client", "--target", "wasm32-unknown-unknown"]),
    )?;
    wasm_tests(root)?;
    Ok(())
}

/// Installs cargo-nextest from crates.io when `cargo nextest` is missing.
fn ensure_nextest(root: &Path) -> Result<()> {
    let installed = cargo().args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        run_command(root, cargo().args(["install", "cargo-nextest", "--locked"]))?;
    }
    Ok(())
}

/// Installs Chromium and its WebDriver from Debian when they are missing.
/// Without them (not root, no apt-get) the browser tests skip, or fail
/// under CI.
fn ensure_browser(root: &Path) -> Result<()> {
    if machine::find_program(&["chromium"]).is_some() && machine::find_program(&["chromedriver"]).is_some() {
        return Ok(());
    }
    let root_user =
        Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root_user || machine::find_program(&["apt-get"]).is_none() {
        eprintln!(
            "note: chromium/chromedriver are missing and cannot be installed here \
             (`apt-get install -y chromium chromium-driver` as root)"
        );
        return Ok(());
    }
    let apt = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run_command(root, &mut apt(&["update"]))?;
    run_command(root, &mut apt(&["install", "-y", "chromium", "chromium-driver"]))
}

/// The web app's in-browser tests (`web/tests/browser_side.rs`), through
/// wasm-bindgen-test-runner (installed with wasm-bindgen by the web build)
/// in headless Chromium; `web/webdriver.json` adds the flags it needs as root.
fn wasm_tests(root: &Path) -> Result<()> {
    let Some(chromedriver) = machine::find_program(&["chromedriver"]) else {
        if machine::in_ci() {
            anyhow::bail!("chromedriver is missing: the web app's in-browser tests cannot run in CI");
        }
        eprintln!("SKIPPED the web app's in-browser tests: chromedriver is not installed");
        return Ok(());
    };
    let mut command = cargo();
    command
        .args(["test", "--package", "web", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", chromedriver)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner");
    eprintln!("$ (cd web && {})", crate::display_command(&command));
    let status = command.current_dir(root.join("web")).status()?;
    if !status.success() {
        anyhow::bail!("the web app's in-browser tests failed ({status})");
    }
    Ok(())
}
