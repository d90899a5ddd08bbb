//! A task list: which tasks (the status filter and the [`TaskFilter`] of
//! search, priorities, tags and dates), in what order (the sort key and
//! direction), and where a page continues (a cursor per sort key, as in
//! Dropshot's `pagination-multiple-sorts` example).
//!
//! [`compare`] is the definition of list order: the store's SQL must give
//! the same order (a test checks it on both backends), and the web app
//! uses it to put a new task in its place without reloading the list.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Invalid;
use crate::organise::{SearchQuery, TaskPriority, priority_list, tag_filter, tag_key};
use crate::task::title_key;

/// Which tasks a list returns.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatusFilter {
    #[default]
    All,
    Pending,
    Completed,
}

/// The key a list is ordered by; ties are broken by task id.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskSort {
    #[default]
    Created,
    Updated,
    /// Case-insensitive.
    Title,
    /// Tasks without a due date come after all dated ones (ascending).
    DueDate,
    /// None, low, medium, high: `desc` lists high first.
    Priority,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// The query of the first page of a task list.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TaskScanParams {
    #[serde(default)]
    pub status: TaskStatusFilter,
    #[serde(default)]
    pub sort: TaskSort,
    #[serde(default)]
    pub order: SortOrder,
    /// Search in titles and descriptions: every word must be found, the
    /// last one as the start of a word; case and accents are ignored. At
    /// most 200 characters, with at least one letter or digit.
    #[serde(default)]
    #[cfg_attr(feature = "schemars", schemars(length(max = "crate::organise::SEARCH_MAX_CHARS")))]
    pub q: Option<String>,
    /// One priority or a comma-separated list (`high,medium`): tasks with
    /// any of them.
    #[serde(default)]
    pub priority: Option<String>,
    /// A tag or a comma-separated list of at most 10: tasks with all of
    /// them (case-insensitive).
    #[serde(default)]
    pub tag: Option<String>,
    /// Tasks due on or before this date.
    #[serde(default)]
    pub due_before: Option<NaiveDate>,
    /// Tasks due on or after this date.
    #[serde(default)]
    pub due_after: Option<NaiveDate>,
    /// `true`: only pending tasks due before today.
    #[serde(default)]
    pub overdue: Option<bool>,
    /// The IANA time zone that decides what "today" is for `overdue`
    /// (default `UTC`).
    #[serde(default)]
    pub tz: Option<String>,
}

/// Which tasks a list holds, checked: what [`TaskScanParams`] asked for,
/// in the form a page token carries (short names, defaults left out, so
/// that a search and ten tags fit in a token).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct TaskFilter {
    #[serde(default)]
    pub status: TaskStatusFilter,
    #[serde(rename = "q", default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchQuery>,
    /// Any of these, sorted; empty means any priority.
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<TaskPriority>,
    /// Tag keys ([`tag_key`]), sorted; a task must have all.
    #[serde(rename = "t", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(rename = "db", default, skip_serializing_if = "Option::is_none")]
    pub due_before: Option<NaiveDate>,
    #[serde(rename = "da", default, skip_serializing_if = "Option::is_none")]
    pub due_after: Option<NaiveDate>,
    #[serde(rename = "od", default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    /// The time zone of "today", as given (checked by the server).
    #[serde(rename = "tz", default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
}

impl TaskFilter {
    /// Checks the list parameters; every refusal names its parameter.
    pub fn from_scan(scan: &TaskScanParams) -> Result<TaskFilter, Invalid> {
        let named = |parameter: &str, e: Invalid| Invalid::new(e.code, format!("{parameter}: {}", e.message));
        let search = scan.q.as_deref().map(SearchQuery::parse).transpose().map_err(|e| named("q", e))?;
        let priorities =
            scan.priority.as_deref().map(priority_list).transpose().map_err(|e| named("priority", e))?;
        let tags = scan.tag.as_deref().map(tag_filter).transpose().map_err(|e| named("tag", e))?;
        if let (Some(after), Some(before)) = (scan.due_after, scan.due_before)
            && after > before
        {
            return Err(Invalid::new(
                "InvalidDueRange",
                format!("due_after ({after}) is later than due_before ({before}): no task can match."),
            ));
        }
        Ok(TaskFilter {
            status: scan.status,
            search,
            priorities: priorities.unwrap_or_default(),
            tags: tags.unwrap_or_default(),
            due_before: scan.due_before,
            due_after: scan.due_after,
            overdue: scan.overdue.unwrap_or(false),
            tz: scan.tz.clone(),
        })
    }

    /// Whether a task belongs in the list on `today`: the definition the
    /// store's SQL implements, for the web app to place a task it just
    /// saved without asking the server.
    pub fn admits(&self, task: &TaskKeys<'_>, today: NaiveDate) -> bool {
        self.search
            .as_ref()
            .is_none_or(|q| q.matches(&crate::organise::search_text(task.title, task.description)))
            && self.admits_but_search(task, today)
    }

    /// [`admits`](Self::admits) without the search, which needs the
    /// folding tables: the web app reloads a searched list instead.
    pub fn admits_but_search(&self, task: &TaskKeys<'_>, today: NaiveDate) -> bool {
        matches(self.status, task.completed)
            && (self.priorities.is_empty() || self.priorities.contains(&task.priority))
            && self.tags.iter().all(|key| task.tags.iter().any(|t| tag_key(t) == *key))
            && self.due_before.is_none_or(|before| task.due_date.is_some_and(|d| d <= before))
            && self.due_after.is_none_or(|after| task.due_date.is_some_and(|d| d >= after))
            && (!self.overdue || (!task.completed && task.due_date.is_some_and(|d| d < today)))
    }
}

/// Where the next page starts: strictly after the task with these keys,
/// in the scan's order. The variant is the sort key, so a cursor cannot
/// disagree with its scan.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum TaskCursor {
    Created {
        at: DateTime<Utc>,
        id: Uuid,
    },
    Updated {
        at: DateTime<Utc>,
        id: Uuid,
    },
    /// A title can be longer than a page token may be: the id alone, and
    /// the store reads the key back from that task.
    Title {
        id: Uuid,
    },
    DueDate {
        due: Option<NaiveDate>,
        id: Uuid,
    },
    Priority {
        priority: TaskPriority,
        id: Uuid,
    },
}

/// What a page token holds: the filter, the direction, and the cursor
/// (which carries the sort key).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct TaskPageSelector {
    #[serde(flatten)]
    pub filter: TaskFilter,
    pub order: SortOrder,
    pub after: TaskCursor,
}

impl TaskCursor {
    /// The cursor after `last` in a list sorted by `sort`.
    pub fn after(sort: TaskSort, last: &TaskKeys<'_>) -> TaskCursor {
        match sort {
            TaskSort::Created => TaskCursor::Created { at: last.created_at, id: last.id },
            TaskSort::Updated => TaskCursor::Updated { at: last.updated_at, id: last.id },
            TaskSort::Title => TaskCursor::Title { id: last.id },
            TaskSort::DueDate => TaskCursor::DueDate { due: last.due_date, id: last.id },
            TaskSort::Priority => TaskCursor::Priority { priority: last.priority, id: last.id },
        }
    }

    pub fn sort(&self) -> TaskSort {
        match self {
            TaskCursor::Created { .. } => TaskSort::Created,
            TaskCursor::Updated { .. } => TaskSort::Updated,
            TaskCursor::Title { .. } => TaskSort::Title,
            TaskCursor::DueDate { .. } => TaskSort::DueDate,
            TaskCursor::Priority { .. } => TaskSort::Priority,
        }
    }
}

/// What list order and [`TaskFilter::admits`] look at in a task.
#[derive(Clone, Copy, Debug)]
pub struct TaskKeys<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub completed: bool,
    pub priority: TaskPriority,
    pub tags: &'a [String],
    pub due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The order of two tasks in a list sorted by `sort` in `order`: by the
/// key, then by id, both in the same direction. Titles compare
/// case-insensitively (by [`title_key`], byte by byte); undated tasks come
/// after dated ones in ascending order.
pub fn compare(a: &TaskKeys<'_>, b: &TaskKeys<'_>, sort: TaskSort, order: SortOrder) -> Ordering {
    let by_key = match sort {
        TaskSort::Created => a.created_at.cmp(&b.created_at),
        TaskSort::Updated => a.updated_at.cmp(&b.updated_at),
        TaskSort::Title => title_key(a.title).cmp(&title_key(b.title)),
        TaskSort::DueDate => match (a.due_date, b.due_date) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        TaskSort::Priority => a.priority.cmp(&b.priority),
    };
    let ascending = by_key.then(a.id.cmp(&b.id));
    match order {
        SortOrder::Asc => ascending,
        SortOrder::Desc => ascending.reverse(),
    }
}

/// Whether a task with this completion state belongs in the list.
pub fn matches(status: TaskStatusFilter, completed: bool) -> bool {
    match status {
        TaskStatusFilter::All => true,
        TaskStatusFilter::Pending => !completed,
        TaskStatusFilter::Completed => completed,
    }
}

/// The query-string spelling, as the API's `snake_case` values.
macro_rules! text_form {
    ($name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(match self { $($name::$variant => $text),* })
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!("unknown {} {other:?}", stringify!($name))),
                }
            }
        }
    };
}

text_form!(TaskStatusFilter { All => "all", Pending => "pending", Completed => "completed" });
text_form!(TaskSort {
    Created => "created",
    Updated => "updated",
    Title => "title",
    DueDate => "due_date",
    Priority => "priority",
});
text_form!(SortOrder { Asc => "asc", Desc => "desc" });

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(
        id: u128,
        title: &str,
        due: Option<(i32, u32, u32)>,
        created: i64,
    ) -> (Uuid, String, Option<NaiveDate>, i64) {
        (
            Uuid::from_u128(id),
            title.to_owned(),
            due.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            created,
        )
    }

    // spec: 001-task-service#FR-025
    #[test]
    fn list_order() {
        let tasks = [
            keys(3, "banana", None, 1),
            keys(1, "Apple", Some((2026, 1, 2)), 2),
            keys(2, "cherry", Some((2026, 1, 1)), 2),
        ];
        fn view(t: &(Uuid, String, Option<NaiveDate>, i64)) -> TaskKeys<'_> {
            TaskKeys {
                id: t.0,
                title: &t.1,
                description: None,
                completed: false,
                priority: TaskPriority::None,
                tags: &[],
                due_date: t.2,
                created_at: DateTime::from_timestamp_millis(t.3).expect("time"),
                updated_at: DateTime::from_timestamp_millis(t.3).expect("time"),
            }
        }
        let sorted = |sort, order| {
            let mut all: Vec<_> = tasks.iter().collect();
            all.sort_by(|a, b| compare(&view(a), &view(b), sort, order));
            all.iter().map(|t| t.1.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(sorted(TaskSort::Title, SortOrder::Asc), ["Apple", "banana", "cherry"]);
        assert_eq!(sorted(TaskSort::DueDate, SortOrder::Asc), ["cherry", "Apple", "banana"]);
        assert_eq!(sorted(TaskSort::DueDate, SortOrder::Desc), ["banana", "Apple", "cherry"]);
        // Equal creation times: the id decides, in the same direction.
        assert_eq!(sorted(TaskSort::Created, SortOrder::Asc), ["banana", "Apple", "cherry"]);
        assert_eq!(sorted(TaskSort::Created, SortOrder::Desc), ["cherry", "Apple", "banana"]);
        assert!(matches(TaskStatusFilter::Pending, false) && !matches(TaskStatusFilter::Pending, true));
    }

    #[test]
    fn text_forms_round_trip() {
        for sort in
            [TaskSort::Created, TaskSort::Updated, TaskSort::Title, TaskSort::DueDate, TaskSort::Priority]
        {
            assert_eq!(sort.to_string().parse::<TaskSort>(), Ok(sort));
        }
        assert_eq!("due_date".parse::<TaskSort>(), Ok(TaskSort::DueDate));
        assert!("importance".parse::<TaskSort>().is_err());
    }

    // spec: 005-organise-and-plan#FR-008, 005-organise-and-plan#FR-011
    #[test]
    fn filters_are_checked_and_fit_a_page_token() {
        let scan = TaskScanParams {
            q: Some("Café crè".into()),
            priority: Some("high,low".into()),
            tag: Some("Work,home".into()),
            due_after: NaiveDate::from_ymd_opt(2027, 1, 1),
            overdue: Some(true),
            ..TaskScanParams::default()
        };
        let filter = TaskFilter::from_scan(&scan).expect("valid");
        assert_eq!(filter.tags, ["home", "work"]);
        assert_eq!(filter.priorities, [TaskPriority::Low, TaskPriority::High]);
        let bad = |scan: TaskScanParams| TaskFilter::from_scan(&scan).map_err(|e| e.message);
        assert!(
            bad(TaskScanParams { priority: Some("urgent".into()), ..Default::default() })
                .is_err_and(|m| m.starts_with("priority: "))
        );
        assert!(
            bad(TaskScanParams { q: Some("!!".into()), ..Default::default() })
                .is_err_and(|m| m.starts_with("q: "))
        );
        assert!(
            bad(TaskScanParams {
                due_after: NaiveDate::from_ymd_opt(2027, 2, 1),
                due_before: NaiveDate::from_ymd_opt(2027, 1, 1),
                ..Default::default()
            })
            .is_err_and(|m| m.contains("due_after"))
        );

        // The largest filter a list accepts, as a page token would hold it.
        let widest = TaskScanParams {
            status: TaskStatusFilter::Completed,
            q: Some("😀".repeat(crate::organise::SEARCH_MAX_CHARS / 2) + &" é".repeat(50)),
            priority: Some("none,low,medium,high".into()),
            tag: Some((0..10).map(|i| format!("{i}{}", "😀".repeat(31))).collect::<Vec<_>>().join(",")),
            due_after: NaiveDate::from_ymd_opt(2027, 1, 1),
            due_before: NaiveDate::from_ymd_opt(2027, 1, 1),
            overdue: Some(true),
            tz: Some("America/Argentina/ComodRivadavia".into()),
            ..TaskScanParams::default()
        };
        let selector = TaskPageSelector {
            filter: TaskFilter::from_scan(&widest).expect("valid"),
            order: SortOrder::Desc,
            after: TaskCursor::Created {
                at: DateTime::from_timestamp_millis(i64::MAX / 4_000).expect("time"),
                id: Uuid::max(),
            },
        };
        let json =
            serde_json::to_string(&serde_json::json!({"v": "v1", "page_start": selector})).expect("json");
        // Dropshot base64-encodes it; the vendored copy allows 4096 bytes.
        assert!(json.len() * 4 / 3 + 4 < 4096, "{} bytes of JSON", json.len());
        let back: TaskPageSelector =
            serde_json::from_str(&serde_json::to_string(&selector).expect("json")).expect("parse");
        assert_eq!(back, selector);
    }

    // spec: 005-organise-and-plan#FR-010
    #[test]
    fn priority_order_and_admission() {
        let tags = ["Work".to_owned()];
        let task = |id: u128, priority, completed, due: Option<(i32, u32, u32)>| TaskKeys {
            id: Uuid::from_u128(id),
            title: "Café crème",
            description: Some("for Zoë"),
            completed,
            priority,
            tags: &tags,
            due_date: due.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            created_at: DateTime::from_timestamp_millis(0).expect("time"),
            updated_at: DateTime::from_timestamp_millis(0).expect("time"),
        };
        let high = task(1, TaskPriority::High, false, Some((2027, 1, 1)));
        let none = task(2, TaskPriority::None, false, None);
        assert_eq!(
            compare(&high, &none, TaskSort::Priority, SortOrder::Desc),
            Ordering::Less,
            "high first in desc"
        );
        let today = NaiveDate::from_ymd_opt(2027, 1, 2).expect("date");
        let filter = |scan: TaskScanParams| TaskFilter::from_scan(&scan).expect("valid");
        let overdue = filter(TaskScanParams { overdue: Some(true), ..Default::default() });
        assert!(overdue.admits(&high, today) && !overdue.admits(&none, today));
        assert!(
            !overdue.admits(&task(3, TaskPriority::High, true, Some((2027, 1, 1))), today),
            "done is not overdue"
        );
        let search = filter(TaskScanParams {
            q: Some("zoe CAF".into()),
            tag: Some("work".into()),
            ..Default::default()
        });
        assert!(search.admits(&high, today));
        assert!(
            !filter(TaskScanParams { tag: Some("work,home".into()), ..Default::default() })
                .admits(&high, today)
        );
        assert!(
            !filter(TaskScanParams { priority: Some("low".into()), ..Default::default() })
                .admits(&high, today)
        );
    }
}
