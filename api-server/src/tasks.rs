//! Tasks: the domain's rules applied to requests, and the translation
//! between wire types and rows.
//!
//! Every write is one [`UserWrite`]: a transaction that first takes the
//! user's next change number, which orders the user's writes (see
//! [`Store::write`]). Inside it, a write that depends on what is stored (a
//! completion of a repeating task, a due date that moves its reminder, an
//! update that may change nothing) reads the task, decides its whole new
//! state here with the domain's rules, and writes it. What the request
//! alone decides is checked before the transaction begins; a refusal inside
//! it rolls it back, so a refused request changes nothing. The `*_in`
//! functions run inside a write the caller holds, which is how a batch
//! (`batch`) applies many in one transaction.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use charter_api::types::{
    PriorityCount, Tag, Task, TaskCompletion, TaskCreate, TaskPageSelector, TaskSummary, TaskUpdate,
};
use charter_domain::conditions::{EntityTags, task_etag};
use charter_domain::listing::{SortOrder, TaskCursor, TaskFilter, TaskKeys, TaskSort};
use charter_domain::organise::{self, TaskPriority, tag_key};
use charter_domain::recurrence::{self, Recurrence};
use charter_domain::{calendar, task};

use crate::accounts::{millis, parse_id};
use crate::error::Error;
use crate::store::{Store, StoreError, TagRow, TaskFields, TaskList, TaskRow, UserWrite};

pub struct Tasks {
    pub store: Store,
}

/// A page of a list, and the selector of the page after it.
pub struct TaskPage {
    pub items: Vec<Task>,
    pub next: Option<TaskPageSelector>,
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A task's whole stored state but its tags, checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TaskState {
    title: String,
    description: Option<String>,
    due_date: Option<NaiveDate>,
    priority: TaskPriority,
    recurrence: Option<Recurrence>,
    remind_at: Option<i64>,
    completed: bool,
    completed_at: Option<i64>,
    occurrences_completed: i64,
}

/// A [`TaskState`] in the store's text forms.
struct StoredForm {
    title_key: String,
    due_date: Option<String>,
    due_key: String,
    search_text: String,
    recurrence: Option<String>,
}

impl TaskState {
    fn from_row(row: &TaskRow) -> Result<TaskState, Error> {
        Ok(TaskState {
            title: row.title.clone(),
            description: row.description.clone(),
            due_date: stored_date(row.due_date.as_deref())?,
            priority: stored_priority(row.priority)?,
            recurrence: row
                .recurrence
                .as_deref()
                .map(|text| {
                    Recurrence::parse(text)
                        .map_err(|_| Error::Corrupt { what: "recurrence", value: text.to_owned() })
                })
                .transpose()?,
            remind_at: row.remind_at,
            completed: row.completed,
            completed_at: row.completed_at,
            occurrences_completed: row.occurrences_completed,
        })
    }

    /// Marks the task done or not at `now`. Done, a repeating task whose
    /// rule has another date moves to it instead and stays pending; either
    /// way the completion is counted. The same state again changes nothing.
    fn set_completed(&mut self, completed: bool, now: i64) -> Result<(), Error> {
        if completed == self.completed {
            return Ok(());
        }
        self.completed = completed;
        self.completed_at = completed.then_some(now);
        if let (true, Some(rule), Some(due)) = (completed, &self.recurrence, self.due_date) {
            let following = rule.next_after(due, self.occurrences_completed).map_err(|e| Error::Corrupt {
                what: "recurrence",
                value: format!("{rule}: {}", e.message),
            })?;
            self.occurrences_completed += 1;
            if let Some(following) = following {
                // Another time: the task stays pending, one date on.
                self.completed = false;
                self.completed_at = None;
                self.due_date = Some(following);
                self.remind_at = self.remind_at.map(|at| at + (following - due).num_days() * DAY_MS);
            }
        }
        Ok(())
    }

    /// A repeating task always has a due date to repeat from: given none,
    /// it is due on the rule's first date from today (UTC), or today.
    fn check(&mut self) -> Result<(), Error> {
        if let (Some(rule), None) = (&self.recurrence, self.due_date) {
            let today = Utc::now().date_naive();
            self.due_date = Some(rule.first_from(today).unwrap_or(today));
        }
        Ok(())
    }

    fn stored(&self) -> StoredForm {
        StoredForm {
            title_key: task::title_key(&self.title),
            due_date: self.due_date.map(|d| d.format("%Y-%m-%d").to_string()),
            due_key: task::due_key(self.due_date),
            search_text: organise::search_text(&self.title, self.description.as_deref()),
            recurrence: self.recurrence.as_ref().map(Recurrence::to_string),
        }
    }

    fn fields<'a>(&'a self, form: &'a StoredForm) -> TaskFields<'a> {
        TaskFields {
            title: &self.title,
            title_key: &form.title_key,
            description: self.description.as_deref(),
            due_date: form.due_date.as_deref(),
            due_key: &form.due_key,
            search_text: &form.search_text,
            priority: self.priority.rank(),
            recurrence: form.recurrence.as_deref(),
            remind_at: self.remind_at,
            completed: self.completed,
            completed_at: self.completed_at,
            occurrences_completed: self.occurrences_completed,
        }
    }
}

/// Title, description and due date, checked.
fn edited(
    title: &str,
    description: Option<&str>,
    due_date: Option<NaiveDate>,
) -> Result<(String, Option<String>, Option<NaiveDate>), Error> {
    Ok((
        task::title(title)?.to_owned(),
        task::description(description)?.map(str::to_owned),
        due_date.map(task::due_date).transpose()?,
    ))
}

impl Tasks {
    /// Begins a write of the user's tasks.
    pub(crate) async fn write(&self, user_id: &str) -> Result<UserWrite, Error> {
        self.store.write(user_id).await.map_err(|e| match e {
            // A validly signed token for a user who does not exist.
            StoreError::UnknownUser => Error::Unauthenticated("the access token's user does not exist"),
            e => e.into(),
        })
    }

    pub async fn create(&self, user_id: &str, request: TaskCreate) -> Result<Task, Error> {
        let new = NewTask::checked(&request)?;
        let mut write = self.write(user_id).await?;
        let task = new.insert(&mut write).await?;
        write.commit().await?;
        Ok(task)
    }

    pub async fn view(&self, user_id: &str, id: Uuid) -> Result<Task, Error> {
        let row = self.store.task(user_id, &id.to_string()).await?;
        task_wire(row.ok_or(Error::TaskNotFound)?)
    }

    pub async fn update(
        &self,
        user_id: &str,
        id: Uuid,
        expected: Option<&EntityTags>,
        request: TaskUpdate,
    ) -> Result<Task, Error> {
        let decide = update_decision(request)?;
        let mut write = self.write(user_id).await?;
        let task = rewrite_in(&mut write, id, expected, decide).await?;
        write.commit().await?;
        Ok(task)
    }

    pub async fn complete(
        &self,
        user_id: &str,
        id: Uuid,
        expected: Option<&EntityTags>,
        request: TaskCompletion,
    ) -> Result<Task, Error> {
        let mut write = self.write(user_id).await?;
        let task = rewrite_in(&mut write, id, expected, completion_decision(request)).await?;
        write.commit().await?;
        Ok(task)
    }

    /// Deletes the task; with `expected`, only at a version it names.
    pub async fn delete(&self, user_id: &str, id: Uuid, expected: Option<&EntityTags>) -> Result<(), Error> {
        let mut write = self.write(user_id).await?;
        delete_in(&mut write, id, expected).await?;
        write.commit().await?;
        Ok(())
    }

    /// One page of a list: the first (`after` is `None`) or a later one.
    pub async fn list(
        &self,
        user_id: &str,
        filter: &TaskFilter,
        sort: TaskSort,
        order: SortOrder,
        after: Option<&TaskCursor>,
        limit: u32,
    ) -> Result<TaskPage, Error> {
        let today = calendar::today(calendar::time_zone(filter.tz.as_deref())?, Utc::now()).to_string();
        // One more than asked tells whether another page exists.
        let list = TaskList { filter, sort, order, after, limit: limit + 1, today: &today };
        let mut rows = self.store.list_tasks(user_id, &list).await?;
        // The task a title-sorted page continues from may be gone: the
        // listing cannot resume, so say so rather than end it silently.
        if rows.is_empty()
            && let Some(TaskCursor::Title { id }) = after
            && self.store.task(user_id, &id.to_string()).await?.is_none()
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
                filter: filter.clone(),
                order,
                after: TaskCursor::after(sort, &TaskKeys::from(last)),
            }),
            _ => None,
        };
        Ok(TaskPage { items, next })
    }

    pub async fn summary(&self, user_id: &str, tz: Option<&str>) -> Result<TaskSummary, Error> {
        let today = calendar::today(calendar::time_zone(tz)?, Utc::now());
        let (counts, tags) = self.store.summary(user_id, &today.to_string()).await?;
        let count =
            |n: i64| u64::try_from(n).map_err(|_| Error::Corrupt { what: "count", value: n.to_string() });
        Ok(TaskSummary {
            today,
            total: count(counts.total)?,
            pending: count(counts.pending)?,
            completed: count(counts.total - counts.pending)?,
            overdue: count(counts.overdue)?,
            due_today: count(counts.due_today)?,
            priorities: TaskPriority::ALL
                .into_iter()
                .zip(counts.priorities)
                .map(|(priority, (pending, total))| {
                    Ok(PriorityCount { priority, pending: count(pending)?, total: count(total)? })
                })
                .collect::<Result<_, Error>>()?,
            tags: tags.into_iter().map(tag_wire).collect::<Result<_, _>>()?,
        })
    }

    pub async fn tags(&self, user_id: &str) -> Result<Vec<Tag>, Error> {
        self.store.tags(user_id).await?.into_iter().map(tag_wire).collect()
    }

    pub async fn rename_tag(&self, user_id: &str, tag: &str, name: &str) -> Result<Tag, Error> {
        let name = organise::tag(name)?;
        let now = Utc::now().timestamp_millis();
        let mut write = self.write(user_id).await?;
        let renamed = write.rename_tag(&tag_key(tag.trim()), name, &tag_key(name), now).await?;
        let renamed = tag_wire(renamed.ok_or(Error::TagNotFound)?)?;
        write.commit().await?;
        Ok(renamed)
    }

    pub async fn delete_tag(&self, user_id: &str, tag: &str) -> Result<(), Error> {
        let now = Utc::now().timestamp_millis();
        let mut write = self.write(user_id).await?;
        if !write.delete_tag(&tag_key(tag.trim()), now).await? {
            return Err(Error::TagNotFound);
        }
        write.commit().await?;
        Ok(())
    }
}

/// A task to create, checked: what `task_create` (or a batch's `create`)
/// asks for, before anything is written.
pub(crate) struct NewTask {
    state: TaskState,
    tags: Vec<String>,
}

impl NewTask {
    pub(crate) fn checked(request: &TaskCreate) -> Result<NewTask, Error> {
        let (title, description, due_date) =
            edited(&request.title, request.description.as_deref(), request.due_date)?;
        let tags = organise::tags(request.tags.as_deref().unwrap_or_default())?;
        let mut state = TaskState {
            title,
            description,
            due_date,
            priority: request.priority.unwrap_or_default(),
            recurrence: recurrence::recurrence(request.recurrence.as_deref().unwrap_or_default())?,
            remind_at: request.remind_at.map(|at| at.timestamp_millis()),
            completed: false,
            completed_at: None,
            occurrences_completed: 0,
        };
        state.check()?;
        Ok(NewTask { state, tags })
    }

    pub(crate) async fn insert(&self, write: &mut UserWrite) -> Result<Task, Error> {
        let form = self.state.stored();
        let now = Utc::now().timestamp_millis();
        let id = Uuid::now_v7().to_string();
        task_wire(write.insert_task(&id, &self.state.fields(&form), &self.tags, now).await?)
    }
}

/// What a decision returns: the task's next state, and its tags when they
/// change.
type Decided = Result<(TaskState, Option<Vec<String>>), Error>;

/// The decision of an update, from its request checked now: given the
/// stored task, its next state.
pub(crate) fn update_decision(
    request: TaskUpdate,
) -> Result<impl Fn(&TaskRow, &TaskState, i64) -> Decided, Error> {
    let (title, description, due_date) =
        edited(&request.title, request.description.as_deref(), request.due_date)?;
    let tags = request.tags.as_deref().map(organise::tags).transpose()?;
    let recurrence = request.recurrence.as_deref().map(recurrence::recurrence).transpose()?;
    let clear_reminder = request.clear_reminder.unwrap_or(false);
    Ok(move |row: &TaskRow, current: &TaskState, now: i64| -> Decided {
        let mut next = current.clone();
        next.title.clone_from(&title);
        next.description.clone_from(&description);
        next.due_date = due_date;
        next.priority = request.priority.unwrap_or(current.priority);
        if let Some(recurrence) = &recurrence {
            if *recurrence != current.recurrence {
                next.occurrences_completed = 0;
            }
            next.recurrence.clone_from(recurrence);
        }
        // A new reminder replaces the old one, so it wins over
        // `clear_reminder`.
        next.remind_at = match (request.remind_at, clear_reminder) {
            (Some(at), _) => Some(at.timestamp_millis()),
            (None, true) => None,
            // The reminder keeps its distance from the due date.
            (None, false) => match (current.remind_at, current.due_date, due_date) {
                (Some(at), Some(old), Some(new)) => Some(at + (new - old).num_days() * DAY_MS),
                (at, _, _) => at,
            },
        };
        if let Some(completed) = request.completed {
            next.set_completed(completed, now)?;
        }
        next.check()?;
        let stored_keys: Vec<String> = stored_tags(row)?.iter().map(|t| tag_key(t)).collect();
        let tags =
            tags.clone().filter(|tags| tags.iter().map(|t| tag_key(t)).collect::<Vec<_>>() != stored_keys);
        Ok((next, tags))
    })
}

/// The decision of a completion: set, or toggle when `completed` is absent.
pub(crate) fn completion_decision(request: TaskCompletion) -> impl Fn(&TaskRow, &TaskState, i64) -> Decided {
    move |_: &TaskRow, current: &TaskState, now: i64| -> Decided {
        let mut next = current.clone();
        next.set_completed(request.completed.unwrap_or(!current.completed), now)?;
        Ok((next, None))
    }
}

/// Reads the task in `write`, checks `expected`, lets `decide` say its
/// next state (and its tags, when they change) and writes that. A next
/// state equal to the current one is not written, so the version does not
/// move.
pub(crate) async fn rewrite_in(
    write: &mut UserWrite,
    id: Uuid,
    expected: Option<&EntityTags>,
    decide: impl Fn(&TaskRow, &TaskState, i64) -> Decided,
) -> Result<Task, Error> {
    let id = id.to_string();
    let row = write.task(&id).await?.ok_or(Error::TaskNotFound)?;
    precondition(expected, &row)?;
    let current = TaskState::from_row(&row)?;
    let now = Utc::now().timestamp_millis();
    let (next, tags) = decide(&row, &current, now)?;
    if next == current && tags.is_none() {
        return task_wire(row);
    }
    let form = next.stored();
    let written =
        write.write_task(&id, row.version, row.completed, &next.fields(&form), tags.as_deref(), now).await?;
    // The user's writes are ordered by the write's lock, so the task is
    // as read; this guards that invariant rather than a race.
    task_wire(written.ok_or(Error::Conflict("the task changed while this request wrote it; send it again"))?)
}

/// Deletes the task in `write`; with `expected`, only at a version it names.
pub(crate) async fn delete_in(
    write: &mut UserWrite,
    id: Uuid,
    expected: Option<&EntityTags>,
) -> Result<(), Error> {
    let id = id.to_string();
    let row = write.task(&id).await?.ok_or(Error::TaskNotFound)?;
    precondition(expected, &row)?;
    let now = Utc::now().timestamp_millis();
    if write.delete_task(&id, Some(row.version), now).await? {
        Ok(())
    } else {
        Err(Error::Conflict("the task changed while this request deleted it; send it again"))
    }
}

/// Whether the task may be written under `If-Match`.
fn precondition(expected: Option<&EntityTags>, row: &TaskRow) -> Result<(), Error> {
    let current = u64::try_from(row.version)
        .map_err(|_| Error::Corrupt { what: "version", value: row.version.to_string() })?;
    match expected {
        Some(tags) if !tags.match_strong(&task_etag(current)) => {
            Err(Error::PreconditionFailed { current: row.version })
        }
        _ => Ok(()),
    }
}

fn stored_date(text: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    // `FromStr` reads exactly the `YYYY-MM-DD` the store writes, without
    // interpreting a format string for every row.
    text.map(|d| d.parse::<NaiveDate>().map_err(|_| Error::Corrupt { what: "due date", value: d.to_owned() }))
        .transpose()
}

fn stored_priority(rank: i64) -> Result<TaskPriority, Error> {
    TaskPriority::from_rank(rank).ok_or_else(|| Error::Corrupt { what: "priority", value: rank.to_string() })
}

fn stored_tags(row: &TaskRow) -> Result<Vec<String>, Error> {
    serde_json::from_str(&row.tags).map_err(|_| Error::Corrupt { what: "tags", value: row.tags.clone() })
}

fn tag_wire(row: TagRow) -> Result<Tag, Error> {
    let count = |n: i64| u64::try_from(n).map_err(|_| Error::Corrupt { what: "count", value: n.to_string() });
    Ok(Tag { pending: count(row.pending)?, total: count(row.total)?, name: row.name })
}

pub(crate) fn task_wire(row: TaskRow) -> Result<Task, Error> {
    Ok(Task {
        id: parse_id(&row.id)?,
        user_id: row.user_id.clone(),
        due_date: stored_date(row.due_date.as_deref())?,
        priority: stored_priority(row.priority)?,
        tags: stored_tags(&row)?,
        created_at: millis(row.created_at)?,
        updated_at: millis(row.updated_at)?,
        completed_at: row.completed_at.map(millis).transpose()?,
        remind_at: row.remind_at.map(millis).transpose()?,
        occurrences_completed: u32::try_from(row.occurrences_completed).map_err(|_| Error::Corrupt {
            what: "occurrence count",
            value: row.occurrences_completed.to_string(),
        })?,
        version: u64::try_from(row.version)
            .map_err(|_| Error::Corrupt { what: "version", value: row.version.to_string() })?,
        title: row.title,
        description: row.description,
        completed: row.completed,
        recurrence: row.recurrence,
    })
}
