//! How results are printed: text for people, or with `--json` the API's
//! own JSON for scripts.

use clap::Args;
use serde::Serialize;

use crate::failure::Failure;

#[derive(Debug, Clone, Copy, Args)]
pub struct Output {
    /// Print JSON (the API's own shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

pub fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::refused(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// "1 task", "2 tasks".
pub fn count(tasks: u64) -> String {
    if tasks == 1 { "1 task".to_owned() } else { format!("{tasks} tasks") }
}
