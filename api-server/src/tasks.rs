//! Tasks: validation, and the translation between wire types and rows.

use chrono::{Datelike, NaiveDate, Utc};
use uuid::Uuid;

use charter_api::types::{
    Task, TaskCompletion, TaskCreate, TaskPageSelector, TaskScanParams, TaskSort, TaskUpdate,
};

use crate::accounts::{millis, parse_id};
use crate::error::Error;
use crate::store::{Cursor, Store, StoreError, TaskFields, TaskRow};
use crate::text;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// Where undated tasks sort: after every real date.
const NO_DUE_DATE_KEY: &str = "9999-12-31";

pub struct Tasks {
    pub store: Store,
}

/// A page of a list, and the selector of the page after it.
pub struct TaskPage {
    pub items: Vec<Task>,
    pub next: Option<TaskPageSelector>,
}

/// Validated, normalised editable fields.
struct Fields {
    title: String,
    title_key: String,
    description: Option<String>,
    due_date: Option<String>,
    due_key: String,
}

impl Fields {
    fn new(title: &str, description: Option<String>, due_date: Option<NaiveDate>) -> Result<Self, Error> {
        let title = title.trim();
        let chars = title.chars().count();
        if chars == 0 || chars > TITLE_MAX_CHARS {
            return Err(Error::invalid(
                "InvalidTitle",
                format!("title must be 1 to {TITLE_MAX_CHARS} characters after trimming (it was {chars})"),
            ));
        }
        // Control characters have no place in a title, and PostgreSQL
        // refuses NUL in any text.
        if title.chars().any(char::is_control) {
            return Err(Error::invalid("InvalidTitle", "title must not contain control characters"));
        }
        if !text::has_visible(title) {
            return Err(Error::invalid(
                "InvalidTitle",
                "title must contain at least one visible character (not only spaces, zero-width or filler characters)",
            ));
        }
        if text::has_bidi_control(title) {
            return Err(Error::invalid(
                "InvalidTitle",
                text::BIDI_CONTROL_MESSAGE.replace("{field}", "title"),
            ));
        }
        if let Some(description) = &description {
            let chars = description.chars().count();
            if chars > DESCRIPTION_MAX_CHARS {
                return Err(Error::invalid(
                    "InvalidDescription",
                    format!(
                        "description must be at most {DESCRIPTION_MAX_CHARS} characters (it was {chars})"
                    ),
                ));
            }
            if description.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                return Err(Error::invalid(
                    "InvalidDescription",
                    "description must not contain control characters other than line breaks and tabs",
                ));
            }
        }
        if let Some(date) = due_date {
            // Four-digit years keep the text keys in date order, and the
            // last day is the sort key of tasks without a due date.
            let last = NaiveDate::from_ymd_opt(9999, 12, 30).unwrap_or(NaiveDate::MAX);
            if date.year() < 1 || date > last {
                return Err(Error::invalid(
                    "InvalidDueDate",
                    format!("due_date must be between 0001-01-01 and {last}"),
                ));
            }
        }
        let due_date = due_date.map(|d| d.format("%Y-%m-%d").to_string());
        Ok(Fields {
            title: title.to_owned(),
            title_key: title.to_lowercase(),
            // An empty description is no description.
            description: description.filter(|d| !d.trim().is_empty()),
            due_key: due_date.clone().unwrap_or_else(|| NO_DUE_DATE_KEY.to_owned()),
            due_date,
        })
    }

    fn borrow(&self) -> TaskFields<'_> {
        TaskFields {
            title: &self.title,
            title_key: &self.title_key,
            description: self.description.as_deref(),
            due_date: self.due_date.as_deref(),
            due_key: &self.due_key,
        }
    }
}

impl Tasks {
    pub async fn create(&self, user_id: Uuid, request: TaskCreate) -> Result<Task, Error> {
        let fields = Fields::new(&request.title, request.description, request.due_date)?;
        let now = Utc::now().timestamp_millis();
        let row = TaskRow {
            id: Uuid::now_v7().to_string(),
            user_id: user_id.to_string(),
            title: fields.title.clone(),
            description: fields.description.clone(),
            completed: false,
            due_date: fields.due_date.clone(),
            created_at: now,
            updated_at: now,
            completed_at: None,
        };
        match self.store.insert_task(&row, &fields.borrow()).await {
            Ok(()) => task_wire(row),
            // A validly signed token for a user who does not exist.
            Err(StoreError::UnknownUser) => {
                Err(Error::Unauthenticated("the access token's user does not exist"))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn view(&self, user_id: Uuid, id: Uuid) -> Result<Task, Error> {
        let row = self.store.task(&user_id.to_string(), &id.to_string()).await?;
        task_wire(row.ok_or(Error::TaskNotFound)?)
    }

    pub async fn update(&self, user_id: Uuid, id: Uuid, request: TaskUpdate) -> Result<Task, Error> {
        let fields = Fields::new(&request.title, request.description, request.due_date)?;
        let now = Utc::now().timestamp_millis();
        let row = self
            .store
            .update_task(&user_id.to_string(), &id.to_string(), &fields.borrow(), request.completed, now)
            .await?;
        task_wire(row.ok_or(Error::TaskNotFound)?)
    }

    pub async fn complete(&self, user_id: Uuid, id: Uuid, request: TaskCompletion) -> Result<Task, Error> {
        let now = Utc::now().timestamp_millis();
        let row =
            self.store.complete_task(&user_id.to_string(), &id.to_string(), request.completed, now).await?;
        task_wire(row.ok_or(Error::TaskNotFound)?)
    }

    pub async fn delete(&self, user_id: Uuid, id: Uuid) -> Result<(), Error> {
        if self.store.delete_task(&user_id.to_string(), &id.to_string()).await? {
            Ok(())
        } else {
            Err(Error::TaskNotFound)
        }
    }

    /// One page of a scan: the first (`after` is `None`) or a later one.
    pub async fn list(
        &self,
        user_id: Uuid,
        scan: TaskScanParams,
        after: Option<&TaskPageSelector>,
        limit: u32,
    ) -> Result<TaskPage, Error> {
        let cursor = after.map(|selector| cursor_of(scan.sort, selector)).transpose()?;
        // One more than asked tells whether another page exists.
        let mut rows = self
            .store
            .list_tasks(&user_id.to_string(), scan.status, scan.sort, scan.order, cursor.as_ref(), limit + 1)
            .await?;
        // The task the page continues from may be gone: the listing cannot
        // resume, so say so rather than end it silently.
        if rows.is_empty()
            && let Some(Cursor::Task(id)) = &cursor
            && self.store.task(&user_id.to_string(), id).await?.is_none()
        {
            return Err(Error::invalid(
                "StalePageToken",
                "the task this page continued from was deleted; list again from the first page",
            ));
        }
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = match (more, rows.last()) {
            (true, Some(last)) => Some(selector_of(scan, last)?),
            _ => None,
        };
        let items = rows.into_iter().map(task_wire).collect::<Result<_, _>>()?;
        Ok(TaskPage { items, next })
    }
}

fn selector_of(scan: TaskScanParams, last: &TaskRow) -> Result<TaskPageSelector, Error> {
    let key = match scan.sort {
        TaskSort::Created => last.created_at.to_string(),
        TaskSort::Updated => last.updated_at.to_string(),
        // The id alone: a title can be longer than a page token may be.
        TaskSort::Title => String::new(),
        TaskSort::DueDate => last.due_date.clone().unwrap_or_else(|| NO_DUE_DATE_KEY.to_owned()),
    };
    Ok(TaskPageSelector { scan, key, id: parse_id(&last.id)? })
}

fn cursor_of(sort: TaskSort, selector: &TaskPageSelector) -> Result<Cursor, Error> {
    let id = selector.id.to_string();
    match sort {
        TaskSort::Created | TaskSort::Updated => {
            selector.key.parse().map(|ms| Cursor::Millis(ms, id)).map_err(|_| {
                Error::invalid("InvalidPageToken", "the page token is not one this server issued")
            })
        }
        TaskSort::Title => Ok(Cursor::Task(id)),
        TaskSort::DueDate => {
            let well_formed = selector.key == NO_DUE_DATE_KEY
                || (selector.key.len() == 10 && NaiveDate::parse_from_str(&selector.key, "%Y-%m-%d").is_ok());
            if well_formed {
                Ok(Cursor::Text(selector.key.clone(), id))
            } else {
                Err(Error::invalid("InvalidPageToken", "the page token is not one this server issued"))
            }
        }
    }
}

fn task_wire(row: TaskRow) -> Result<Task, Error> {
    let due_date = row
        .due_date
        .as_deref()
        .map(|d| {
            // `FromStr` reads exactly the `YYYY-MM-DD` the store writes,
            // without interpreting a format string for every row.
            d.parse::<NaiveDate>()
                .map_err(|_| Error::Internal(format!("stored due date {d:?} is not a date")))
        })
        .transpose()?;
    Ok(Task {
        id: parse_id(&row.id)?,
        user_id: parse_id(&row.user_id)?,
        title: row.title,
        description: row.description,
        completed: row.completed,
        due_date,
        created_at: millis(row.created_at)?,
        updated_at: millis(row.updated_at)?,
        completed_at: row.completed_at.map(millis).transpose()?,
    })
}
