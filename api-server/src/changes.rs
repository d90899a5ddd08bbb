//! The change log read forward (006-safe-writes-and-sync FR-008 to
//! FR-010): `task_changes` pages through it, and an event stream follows
//! it.
//!
//! Every write takes the user's next change number ([`Store::write`]); a
//! task carries the number of its latest change, a deletion leaves a
//! tombstone, a reminder that came due an event, each under its number.
//! Entries are ordered by `(number, id)`, since one write (a batch, a tag
//! renamed) gives many tasks one number. A cursor names a place in that
//! order: `<n>` is "after everything up to change n", `<n>-<id>` "after
//! the entry `id` of change n". Numbers commit in order, so reading up
//! to the user's latest number never passes one still to commit.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use charter_api::types::{ReminderDue, Task, TaskChanges, TaskTombstone};
use charter_domain::task::CHANGES_MAX_PAGE;

use crate::accounts::{millis, parse_id};
use crate::error::Error;
use crate::store::{ChangeHead, LogPosition, Store};
use crate::tasks::task_wire;

/// One entry of the log, in its place.
pub enum Entry {
    /// A task as it is now; `created` while it is at its first version.
    Task {
        task: Task,
        created: bool,
    },
    Deleted(TaskTombstone),
    ReminderDue(ReminderDue),
}

/// An entry and the cursor right after it.
pub struct Logged {
    pub cursor: Cursor,
    pub entry: Entry,
}

/// A place in a user's change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(LogPosition);

impl Cursor {
    /// After every change up to `seq`.
    pub fn through(seq: i64) -> Cursor {
        Cursor(LogPosition { seq: seq + 1, id: String::new() })
    }

    fn after(seq: i64, id: &str) -> Cursor {
        Cursor(LogPosition { seq, id: id.to_owned() })
    }

    /// Reads a cursor a client passed back, checked against the user's
    /// log: 400 when it is not of the cursor's form, 410 when the log
    /// cannot continue from it (its entries were forgotten, or it is ahead
    /// of the log: another database's, restored from a backup).
    pub fn parse(text: &str, head: ChangeHead) -> Result<Cursor, Error> {
        let invalid = || {
            Error::invalid(
                "InvalidCursor",
                "the cursor is not one this server gives; pass back a `cursor` (or an event `id`) unchanged, \
                 or sync from the start without one",
            )
        };
        let number = |digits: &str| {
            (!digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<i64>().ok())
                .flatten()
                .ok_or_else(invalid)
        };
        let cursor = match text.split_once('-') {
            None => Cursor::through(number(text)?),
            Some((seq, id)) => {
                let id = Uuid::parse_str(id)
                    .ok()
                    .filter(|u| u.hyphenated().to_string() == id)
                    .ok_or_else(invalid)?;
                Cursor::after(number(seq)?, &id.to_string())
            }
        };
        let position = &cursor.0;
        let ahead = position.seq > head.seq + 1 || (position.seq == head.seq + 1 && !position.id.is_empty());
        // Entries up to `pruned` may be gone: a cursor that needs any of
        // them would skip a deletion unseen.
        let forgotten = head.pruned > 0 && position.seq <= head.pruned;
        if ahead || forgotten {
            return Err(Error::CursorExpired);
        }
        Ok(cursor)
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let LogPosition { seq, id } = &self.0;
        if id.is_empty() { write!(f, "{}", seq - 1) } else { write!(f, "{seq}-{id}") }
    }
}

/// The user's latest change number and the newest forgotten; an unknown
/// user has an empty log.
pub async fn head(store: &Store, user_id: &str) -> Result<ChangeHead, Error> {
    Ok(store.change_head(user_id).await?.unwrap_or(ChangeHead { seq: 0, pruned: 0 }))
}

/// What `read` answers: entries in order, and whether more follow.
pub struct Page {
    pub entries: Vec<Logged>,
    pub more: bool,
    /// Where the next read starts.
    pub next: Cursor,
}

/// What a read includes besides tasks.
#[derive(Clone, Copy)]
pub struct Include {
    pub tombstones: bool,
    pub reminders: bool,
}

/// Up to `limit` entries after `after`, up to change `head`, in order.
pub async fn read(
    store: &Store,
    user_id: &str,
    after: &Cursor,
    head: i64,
    limit: u32,
    include: Include,
) -> Result<Page, Error> {
    let fetch = i64::from(limit) + 1;
    let mut entries: Vec<(LogPosition, Entry)> = Vec::new();
    for row in store.changed_tasks(user_id, &after.0, head, fetch).await? {
        let position = LogPosition { seq: row.logged_seq, id: row.task.id.clone() };
        let created = row.task.version == 1;
        entries.push((position, Entry::Task { task: task_wire(row.task)?, created }));
    }
    if include.tombstones {
        for row in store.tombstones(user_id, &after.0, head, fetch).await? {
            let tombstone =
                TaskTombstone { id: parse_id(&row.task_id)?, deleted_at: millis(row.deleted_at)? };
            entries.push((LogPosition { seq: row.logged_seq, id: row.task_id }, Entry::Deleted(tombstone)));
        }
    }
    if include.reminders {
        for row in store.reminder_events(user_id, &after.0, head, fetch).await? {
            let position = LogPosition { seq: row.logged_seq, id: row.task.id.clone() };
            let remind_at: DateTime<Utc> = millis(row.due_at)?;
            entries
                .push((position, Entry::ReminderDue(ReminderDue { task: task_wire(row.task)?, remind_at })));
        }
    }
    // Each source is in order; together, sorted by place. Places are
    // unique: a reminder's number is its claim's alone, and a deleted task
    // has no entry but its tombstone.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let next = match (more, entries.last()) {
        (true, Some((position, _))) => Cursor::after(position.seq, &position.id),
        _ => Cursor::through(head),
    };
    let entries = entries
        .into_iter()
        .map(|(position, entry)| Logged { cursor: Cursor::after(position.seq, &position.id), entry })
        .collect();
    Ok(Page { entries, more, next })
}

/// `task_changes`: a page of what changed after `cursor` (none: every
/// task, and no tombstones, which a client starting afresh does not need).
pub async fn since(
    store: &Store,
    user_id: &str,
    cursor: Option<&str>,
    limit: u32,
) -> Result<TaskChanges, Error> {
    let head = head(store, user_id).await?;
    let after = match cursor {
        Some(text) => Cursor::parse(text, head)?,
        None => Cursor::after(0, ""),
    };
    let include = Include { tombstones: cursor.is_some(), reminders: false };
    let page = read(store, user_id, &after, head.seq, limit.clamp(1, CHANGES_MAX_PAGE), include).await?;
    let mut changes = TaskChanges {
        tasks: Vec::new(),
        deleted: Vec::new(),
        cursor: page.next.to_string(),
        more: page.more,
    };
    for logged in page.entries {
        match logged.entry {
            Entry::Task { task, .. } => changes.tasks.push(task),
            Entry::Deleted(tombstone) => changes.deleted.push(tombstone),
            Entry::ReminderDue(_) => {}
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: ChangeHead = ChangeHead { seq: 7, pruned: 0 };

    #[test]
    fn cursors_read_back_as_written() {
        for cursor in [Cursor::through(0), Cursor::through(7), Cursor::after(3, &Uuid::now_v7().to_string())]
        {
            assert_eq!(Cursor::parse(&cursor.to_string(), HEAD).expect("valid"), cursor);
        }
    }

    #[test]
    fn malformed_cursors_are_refused() {
        let id = Uuid::now_v7();
        for text in
            ["", "-1", "x", "1234567890123456789", "3-", "3-nope", &format!("+3-{id}"), &format!("3-{id}-")]
        {
            assert!(
                matches!(Cursor::parse(text, HEAD), Err(Error::Invalid { code: "InvalidCursor", .. })),
                "{text:?}"
            );
        }
        assert!(Cursor::parse(&format!("3-{}", id.simple()), HEAD).is_err(), "one spelling of an id");
    }

    #[test]
    fn cursors_ahead_of_the_log_are_from_another_and_gone() {
        let id = Uuid::now_v7();
        for text in ["8".to_owned(), format!("8-{id}"), "999999999999999999".to_owned()] {
            assert!(matches!(Cursor::parse(&text, HEAD), Err(Error::CursorExpired)), "{text}");
        }
        // The forms `domain/tests/patterns.rs` checks the contract's pattern with.
        assert_eq!(Cursor::through(7).to_string(), "7");
        assert_eq!(Cursor::after(3, &id.to_string()).to_string(), format!("3-{id}"));
    }

    #[test]
    fn cursors_into_forgotten_changes_have_expired() {
        let head = ChangeHead { seq: 7, pruned: 4 };
        assert!(matches!(Cursor::parse("3", head), Err(Error::CursorExpired)));
        assert!(matches!(Cursor::parse(&format!("4-{}", Uuid::now_v7()), head), Err(Error::CursorExpired)));
        assert!(Cursor::parse("4", head).is_ok(), "everything up to 4 was read");
    }
}
