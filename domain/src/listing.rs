//! A task list: which tasks (the status filter), in what order (the sort
//! key and direction), and where a page continues (a cursor per sort key,
//! as in Dropshot's `pagination-multiple-sorts` example).
//!
//! [`compare`] is the definition of list order: the store's SQL must give
//! the same order (a test checks it on both backends), and the web app
//! uses it to put a new task in its place without reloading the list.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TaskScanParams {
    #[serde(default)]
    pub status: TaskStatusFilter,
    #[serde(default)]
    pub sort: TaskSort,
    #[serde(default)]
    pub order: SortOrder,
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
}

/// What a page token holds: the filter, the direction, and the cursor
/// (which carries the sort key).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct TaskPageSelector {
    pub status: TaskStatusFilter,
    pub order: SortOrder,
    pub after: TaskCursor,
}

impl TaskPageSelector {
    /// The scan this page continues.
    pub fn scan(&self) -> TaskScanParams {
        TaskScanParams { status: self.status, sort: self.after.sort(), order: self.order }
    }
}

impl TaskCursor {
    /// The cursor after `last` in a list sorted by `sort`.
    pub fn after(sort: TaskSort, last: &TaskKeys<'_>) -> TaskCursor {
        match sort {
            TaskSort::Created => TaskCursor::Created { at: last.created_at, id: last.id },
            TaskSort::Updated => TaskCursor::Updated { at: last.updated_at, id: last.id },
            TaskSort::Title => TaskCursor::Title { id: last.id },
            TaskSort::DueDate => TaskCursor::DueDate { due: last.due_date, id: last.id },
        }
    }

    pub fn sort(&self) -> TaskSort {
        match self {
            TaskCursor::Created { .. } => TaskSort::Created,
            TaskCursor::Updated { .. } => TaskSort::Updated,
            TaskCursor::Title { .. } => TaskSort::Title,
            TaskCursor::DueDate { .. } => TaskSort::DueDate,
        }
    }
}

/// What list order looks at in a task.
#[derive(Clone, Copy, Debug)]
pub struct TaskKeys<'a> {
    pub id: Uuid,
    pub title: &'a str,
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
text_form!(TaskSort { Created => "created", Updated => "updated", Title => "title", DueDate => "due_date" });
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
        for sort in [TaskSort::Created, TaskSort::Updated, TaskSort::Title, TaskSort::DueDate] {
            assert_eq!(sort.to_string().parse::<TaskSort>(), Ok(sort));
        }
        assert_eq!("due_date".parse::<TaskSort>(), Ok(TaskSort::DueDate));
        assert!("priority".parse::<TaskSort>().is_err());
    }
}
