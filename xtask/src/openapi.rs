//! `cargo xtask openapi generate|check|print`: the contract under `specs/contracts/`
//! is generated from `charter-api`'s API description, never edited by hand.
//!
//! Oxide's `dropshot-api-manager` does this for repositories of many
//! versioned APIs, and needs a git merge base with `origin/main` to check;
//! we have one unversioned document and want the check to work on any clone,
//! so this is the small, direct version of the same idea.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Action {
    /// Rewrite specs/contracts/charter.json from the code.
    Generate,
    /// Fail, with a diff, when the code and specs/contracts/charter.json differ.
    Check,
    /// Write the document generated from the code to standard output (the
    /// contract command `check-specs` runs outside xtask).
    Print,
}

/// Where the contract lives, relative to the workspace root.
pub const DOCUMENT_PATH: &str = "specs/contracts/charter.json";

pub fn run(root: &Path, action: Action) -> Result<()> {
    let path = root.join(DOCUMENT_PATH);
    let generated = render()?;
    match action {
        Action::Generate => {
            std::fs::create_dir_all(path.parent().expect("has a parent"))?;
            std::fs::write(&path, &generated).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {DOCUMENT_PATH}");
            Ok(())
        }
        Action::Check => check(&path, &generated),
        Action::Print => {
            print!("{generated}");
            Ok(())
        }
    }
}

/// The document as checked in: pretty JSON with a final newline.
pub fn render() -> Result<String> {
    let document = charter_api::openapi_document()?;
    Ok(serde_json::to_string_pretty(&document)? + "\n")
}

fn check(path: &PathBuf, generated: &str) -> Result<()> {
    let checked_in = std::fs::read_to_string(path)
        .with_context(|| format!("reading {} (run `cargo xtask openapi generate`)", path.display()))?;
    if checked_in == generated {
        eprintln!("{DOCUMENT_PATH} matches the code");
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(checked_in.as_str(), generated);
    eprintln!("{DOCUMENT_PATH} differs from the API description in charter-api:");
    eprintln!("{}", diff.unified_diff().context_radius(3).header(DOCUMENT_PATH, "generated from code"));
    bail!(
        "the OpenAPI document is stale: if the API change is intended, run `cargo xtask openapi generate` \
         and commit the document as the Specs Agent; otherwise revert the endpoint change"
    )
}
