//! `cargo xtask fuzz`: the contract as served, fuzzed by schemathesis in
//! positive mode (001-task-service FR-052). Every request it generates is
//! one the contract allows, so every refusal (`positive_data_acceptance`)
//! and every server error is a disagreement between the contract and the
//! server. `cargo xtask test` runs it, with a fixed seed so that a failure
//! can be reproduced.
//!
//! schemathesis comes from PyPI into a virtual environment under the
//! target directory. Its coverage phase needs Python 3.12 or later; with
//! only an older Python the examples and fuzzing phases still run.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::server_process::{Build, start_server};
use crate::{run_command, web::target_dir};

/// The schemathesis release the suite was written against.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Examples per operation and phase: enough to cross every pattern and
/// bound, short enough for CI (about a minute).
const MAX_EXAMPLES: &str = "100";
const SEED: &str = "1";

pub fn run(root: &Path) -> Result<()> {
    let python = find_python()?;
    let st = ensure_schemathesis(root, &python)?;
    let scratch = target_dir(root).join("fuzz");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    // The fuzzer signs in and up far more often than a person: lift the
    // throttles, which have tests of their own.
    let limits = [("CHARTER_AUTH_ADDRESS_LIMIT", "1000000"), ("CHARTER_SIGN_IN_ACCOUNT_LIMIT", "1000000")];
    let (_server, base) = start_server(root, Build::Debug, &scratch.join("data"), None, &limits)?;
    let seeded = tokio::runtime::Runtime::new()?.block_on(seed(&base))?;

    // Real ids and a real page token, so the operations that need them get
    // past 404 and 400 to their logic.
    let config = scratch.join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            // `tz` is a name from the IANA time zone database, which the
            // contract names but cannot list in a pattern.
            // 410, 412 and 422 answer the state of the server, not the
            // shape of the request: a sync cursor the change log cannot
            // continue from, an If-Match naming another version than the
            // task's, an Idempotency-Key already used for another body.
            "[parameters]\n\"path.user_id\" = \"{}\"\n\"path.task_id\" = \"{}\"\n\"query.page_token\" = \"{}\"\n\"query.tz\" = \"Europe/Paris\"\n\n[checks.positive_data_acceptance]\nexpected-statuses = [\"2xx\", \"3xx\", \"401\", \"403\", \"404\", \"409\", \"410\", \"412\", \"422\", \"429\", \"5xx\"]\n",
            seeded.user_id, seeded.task_id, seeded.page_token
        ),
    )?;
    let phases = if python.coverage { "examples,coverage,fuzzing" } else { "examples,fuzzing" };
    if !python.coverage {
        eprintln!(
            "note: {} is older than 3.12: schemathesis's coverage phase is skipped",
            python.path.display()
        );
    }
    let mut command = Command::new(&st);
    command
        .arg("--config-file")
        .arg(&config)
        .args(["run", &format!("{base}/api/openapi.json"), "--mode", "positive", "--checks", "all"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED, "--phases", phases])
        .args(["-H", &format!("Authorization: Bearer {}", seeded.access_token)])
        .current_dir(&scratch);
    // Not through run_command: the line would print the access token.
    eprintln!(
        "$ st run {base}/api/openapi.json --mode positive --checks all --max-examples {MAX_EXAMPLES} \
         --seed {SEED} --phases {phases} (with a seeded user's token)"
    );
    let status = command.status().with_context(|| format!("could not start {}", st.display()))?;
    if !status.success() {
        bail!("schemathesis found requests the contract allows that the server refused or failed ({status})");
    }
    Ok(())
}

struct Python {
    path: PathBuf,
    /// Whether it is 3.12 or later, which schemathesis's coverage phase needs.
    coverage: bool,
}

/// A Python 3.12 or later (installed by pyenv, or on `PATH`), else
/// `python3`.
fn find_python() -> Result<Python> {
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pyenv")));
    if let Some(versions) = pyenv.map(|root| root.join("versions"))
        && let Ok(entries) = std::fs::read_dir(&versions)
    {
        let mut newer: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                name.starts_with("3.12.") || name.starts_with("3.13.")
            })
            .map(|p| p.join("bin/python"))
            .filter(|p| p.is_file())
            .collect();
        newer.sort();
        if let Some(found) = newer.pop() {
            return Ok(Python { path: found, coverage: true });
        }
    }
    if let Some(found) = machine::find_program(&["python3.13", "python3.12"]) {
        return Ok(Python { path: found, coverage: true });
    }
    match machine::find_program(&["python3"]) {
        Some(found) => Ok(Python { path: found, coverage: false }),
        None => {
            bail!("no Python 3 found to run schemathesis: install python3 (3.12 or later for every phase)")
        }
    }
}

/// schemathesis in its own virtual environment, installed from PyPI when
/// missing or at another version. Answers the `st` program.
fn ensure_schemathesis(root: &Path, python: &Python) -> Result<PathBuf> {
    let venv = target_dir(root).join("tools/schemathesis");
    let st = venv.join("bin/st");
    let wanted = SCHEMATHESIS.trim_start_matches("schemathesis==");
    let installed = Command::new(&st)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(wanted));
    if !installed {
        let _ = std::fs::remove_dir_all(&venv);
        run_command(root, Command::new(&python.path).args(["-m", "venv"]).arg(&venv))?;
        run_command(root, Command::new(venv.join("bin/pip")).args(["install", "--quiet", SCHEMATHESIS]))?;
    }
    Ok(st)
}

struct Seeded {
    user_id: String,
    task_id: String,
    page_token: String,
    access_token: String,
}

/// A user with three tasks, and the token of the second page of a list.
async fn seed(base: &str) -> Result<Seeded> {
    let session =
        crate::server_process::seed(base, 3, |i| crate::server_process::new_task(format!("seeded task {i}")))
            .await?;
    let client = api_client::Client::with_auth(base);
    client.auth().set_session(&session);
    let page = client
        .task_list()
        .user_id(&session.user.id)
        .limit(std::num::NonZeroU32::MIN)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("listing the seeded tasks failed: {e}"))?
        .into_inner();
    let task = page.items.first().context("the seeded list is empty")?;
    Ok(Seeded {
        user_id: session.user.id.clone(),
        task_id: task.id.to_string(),
        page_token: page.next_page.context("the seeded list has no second page")?,
        access_token: session.access_token,
    })
}
