//! Tasks: the domain's rules applied to requests, and the translation
//! between wire types and rows.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use charter_api::types::{Task, TaskCompletion, TaskCreate, TaskPageSelector, TaskScanParams, TaskUpdate};
use charter_domain::listing::{TaskCursor, TaskKeys};
use charter_domain::task;

use crate::accounts::{millis, parse_id};
use crate::error::Error;
use crate::store::{Store, StoreError, TaskFields, TaskRow};

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
    fn new(title: &str, description: Option<&str>, due_date: Option<NaiveDate>) -> Result<Self, Error> {
        let title = task::title(title)?;
        let description = task::description(description)?;
        let due_date = due_date.map(task::due_date).transpose()?;
        Ok(Fields {
            title: title.to_owned(),
            title_key: task::title_key(title),
            description: description.map(str::to_owned),
            due_key: task::due_key(due_date),
            due_date: due_date.map(|d| d.format("%Y-%m-%d").to_string()),
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
        let fields = Fields::new(&request.title, request.description.as_deref(), request.due_date)?;
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
        let fields = Fields::new(&request.title, request.description.as_deref(), request.due_date)?;
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
        after: Option<&TaskCursor>,
        limit: u32,
    ) -> Result<TaskPage, Error> {
        let user = user_id.to_string();
        // One more than asked tells whether another page exists.
        let mut rows = self.store.list_tasks(&user, scan, after, limit + 1).await?;
        // The task a title-sorted page continues from may be gone: the
        // listing cannot resume, so say so rather than end it silently.
        if rows.is_empty()
            && let Some(TaskCursor::Title { id }) = after
            && self.store.task(&user, &id.to_string()).await?.is_none()
        {
            return Err(Error::invalid(
                "StalePageToken",
                "the task this page continued from was deleted; list again from the first page",
            ));
        }
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let items: Vec<Task> = rows.into_iter().map(task_wire).collect::<Result<_, _>>()?;
        let next = match (more, items.last()) {
            (true, Some(last)) => Some(TaskPageSelector {
                status: scan.status,
                order: scan.order,
                after: TaskCursor::after(scan.sort, &TaskKeys::from(last)),
            }),
            _ => None,
        };
        Ok(TaskPage { items, next })
    }
}

fn task_wire(row: TaskRow) -> Result<Task, Error> {
    let due_date = row
        .due_date
        .as_deref()
        .map(|d| {
            // `FromStr` reads exactly the `YYYY-MM-DD` the store writes,
            // without interpreting a format string for every row.
            d.parse::<NaiveDate>().map_err(|_| Error::Corrupt { what: "due date", value: d.to_owned() })
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
