//! How results are printed: text for people, or with `--json` the API's
//! own JSON for scripts.

use api_client::types::{Tag, TaskSummary};
use clap::Args;
use serde::Serialize;

use crate::failure::Failure;
use crate::table::Table;

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

/// A summary's counts in a sentence.
pub fn summary_line(summary: &TaskSummary) -> String {
    format!(
        "{} tasks: {} pending, {} completed; {} overdue, {} due today ({}).",
        summary.total, summary.pending, summary.completed, summary.overdue, summary.due_today, summary.today
    )
}

pub fn renamed_line(tag: &str, renamed: &Tag) -> String {
    format!("Renamed {tag} to {} ({}).", renamed.name, count(renamed.total))
}

pub fn removed_line(tag: &str) -> String {
    format!("Removed {tag} from every task.")
}

/// Tags with their counts, as a table.
pub fn tag_table(tags: &[Tag]) -> String {
    let mut table = Table::new(&["TAG", "PENDING", "TOTAL"]);
    for tag in tags {
        table.row(vec![tag.name.clone(), tag.pending.to_string(), tag.total.to_string()]);
    }
    table.render()
}
