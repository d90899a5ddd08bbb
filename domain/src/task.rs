//! Tasks: what a title, a description and a due date may be, and the keys
//! a task is stored and sorted by.

use chrono::{Datelike, NaiveDate};

use crate::text::{invisible_class, one_shown_character};
use crate::{Invalid, text};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
/// Most operations one `task_batch` applies.
pub const BATCH_MAX_OPERATIONS: usize = 100;
/// Most entries one page of `task_changes` answers.
pub const CHANGES_MAX_PAGE: u32 = 100;
/// A change cursor: a change number (at most 18 digits, so it fits the
/// database's BIGINT), alone or with the id of the entry it follows.
pub const CHANGE_CURSOR_PATTERN: &str =
    "^[0-9]{1,18}(-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$";

/// [`title`]'s rule as a regular expression, for the contract (with
/// `minLength` 1 and `maxLength` [`TITLE_MAX_CHARS`]): one visible
/// character, anything but control and bidirectional control characters
/// around it.
pub const TITLE_PATTERN: &str = one_shown_character!(invisible_class!());

/// [`description`]'s rule as a regular expression: no control characters
/// but tabs and line breaks.
pub const DESCRIPTION_PATTERN: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// The due-date sort key of a task without a due date: `~` sorts after
/// every `YYYY-MM-DD` (bytewise, as both databases compare the keys).
pub const NO_DUE_DATE_KEY: &str = "~";

/// The title as stored (trimmed): 1 to 200 characters, at least one of
/// them visible, no control or bidirectional control characters.
pub fn title(value: &str) -> Result<&str, Invalid> {
    let title = value.trim();
    let chars = title.chars().count();
    if chars == 0 || chars > TITLE_MAX_CHARS {
        return Err(Invalid::new(
            "InvalidTitle",
            format!("Use 1 to {TITLE_MAX_CHARS} characters for the title (it has {chars} after trimming)."),
        ));
    }
    // Control characters have no place in a title, and PostgreSQL
    // refuses NUL in any text.
    if title.chars().any(char::is_control) {
        return Err(Invalid::new("InvalidTitle", "The title must not contain control characters."));
    }
    if !text::has_visible(title) {
        return Err(Invalid::new(
            "InvalidTitle",
            "The title must show at least one visible character, not only spaces, zero-width or filler \
             characters.",
        ));
    }
    if text::has_bidi_control(title) {
        return Err(Invalid::new("InvalidTitle", text::bidi_control_message("title")));
    }
    Ok(title)
}

/// The description as stored: at most 1000 characters, no control
/// characters but line breaks and tabs; blank means none.
pub fn description(value: Option<&str>) -> Result<Option<&str>, Invalid> {
    let Some(description) = value else { return Ok(None) };
    let chars = description.chars().count();
    if chars > DESCRIPTION_MAX_CHARS {
        return Err(Invalid::new(
            "InvalidDescription",
            format!("Use at most {DESCRIPTION_MAX_CHARS} characters for the description (it has {chars})."),
        ));
    }
    if description.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Invalid::new(
            "InvalidDescription",
            "The description must not contain control characters other than line breaks and tabs.",
        ));
    }
    Ok(Some(description).filter(|d| !d.trim().is_empty()))
}

/// A due date with a four-digit year (0000-01-01 to 9999-12-31, RFC 3339's
/// `full-date`): four digits keep the text keys in date order.
pub fn due_date(value: NaiveDate) -> Result<NaiveDate, Invalid> {
    if !(0..=9999).contains(&value.year()) {
        return Err(Invalid::new("InvalidDueDate", "Use a due date between 0000-01-01 and 9999-12-31."));
    }
    Ok(value)
}

/// The key of the case-insensitive title sort.
pub fn title_key(title: &str) -> String {
    title.to_lowercase()
}

/// The key of the due-date sort: the date, or [`NO_DUE_DATE_KEY`].
pub fn due_key(due_date: Option<NaiveDate>) -> String {
    due_date.map_or_else(|| NO_DUE_DATE_KEY.to_owned(), |d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 001-task-service#FR-017, 001-task-service#FR-050
    #[test]
    fn titles() {
        assert_eq!(title("  Buy milk  "), Ok("Buy milk"));
        assert_eq!(title(&"t".repeat(200)).map(str::len), Ok(200));
        assert_eq!(title(&"😀".repeat(200)).map(|t| t.chars().count()), Ok(200), "characters, not bytes");
        for bad in [" ", &"t".repeat(201), "a\u{0}b", "\u{200B}", "\u{3164}", "x\u{202E}y"] {
            assert_eq!(title(bad).map_err(|e| e.code), Err("InvalidTitle"), "{bad:?}");
        }
    }

    // spec: 001-task-service#FR-017
    #[test]
    fn descriptions_and_due_dates() {
        assert_eq!(description(None), Ok(None));
        assert_eq!(description(Some("  ")), Ok(None), "blank is none");
        assert_eq!(description(Some("a\nb\tc")), Ok(Some("a\nb\tc")));
        assert!(description(Some(&"d".repeat(1001))).is_err());
        assert!(description(Some("bell\u{7}")).is_err());
        assert!(due_date(NaiveDate::from_ymd_opt(9999, 12, 31).expect("date")).is_ok());
        assert!(due_date(NaiveDate::from_ymd_opt(0, 1, 1).expect("date")).is_ok());
        assert!(due_date(NaiveDate::from_ymd_opt(10_000, 1, 1).expect("date")).is_err());
        assert!(due_date(NaiveDate::from_ymd_opt(-1, 12, 31).expect("date")).is_err());
        assert!(due_key(NaiveDate::from_ymd_opt(9999, 12, 31)) < due_key(None), "undated sort last");
        assert_eq!(due_key(None), NO_DUE_DATE_KEY);
        assert_eq!(due_key(NaiveDate::from_ymd_opt(2026, 1, 5)), "2026-01-05");
        assert_eq!(title_key("Apple"), "apple");
    }
}
