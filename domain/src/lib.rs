//! Charter's rules, written once.
//!
//! The server (`api-server`) enforces them and the web app (`web`) checks
//! them before it sends anything, so both must say the same: this crate is
//! the one place they are written, with the messages people read. It does
//! no I/O and builds for `wasm32-unknown-unknown`.
//!
//! - [`account`]: email, password and name.
//! - [`task`]: title, description and due date, and the keys a task is
//!   stored and sorted by.
//! - [`text`]: what text people read may hold (something visible, no
//!   bidirectional controls).
//! - [`organise`]: priorities, tags, and the folded words search matches.
//! - [`recurrence`]: the RRULE text a repeating task may have and, with
//!   the `calendar` feature, its next date.
//! - `calendar` (feature `calendar`): time zones and "today".
//! - [`conditions`]: a task's entity tag and the `If-Match` /
//!   `If-None-Match` lists compared with it.
//! - [`listing`]: the list's filters, sort key and direction, and
//!   [`listing::compare`], the definition of list order that the store's
//!   SQL implements and the web app uses to place a task without a reload.
//!
//! A broken rule is an [`Invalid`]: a stable code for programs and a
//! message for people.

pub mod account;
#[cfg(feature = "calendar")]
pub mod calendar;
pub mod conditions;
pub mod listing;
pub mod organise;
pub mod recurrence;
pub mod task;
pub mod text;

/// A value that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Stable, for programs: `InvalidTitle`, `InvalidEmail`, …
    pub code: &'static str,
    /// For people: what is wrong and how to put it right.
    pub message: String,
}

impl Invalid {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Invalid { code, message: message.into() }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}
