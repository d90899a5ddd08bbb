//! Request and response bodies, path and query parameters.
//!
//! Request bodies deny unknown fields, so a misspelt field is a 400 rather
//! than silently ignored. Validation beyond shape (lengths after trimming,
//! email form) is the domain layer's job in `api-server`.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A Charter account.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct User {
    /// Opaque: Charter's own users have UUIDv7s, users of an identity
    /// provider (Better Auth) its ids.
    #[schemars(
        length(min = 1, max = "charter_domain::account::USER_ID_MAX_CHARS"),
        regex(path = "charter_domain::account::USER_ID_PATTERN")
    )]
    pub id: String,
    /// Lower-cased email address; absent for a user created from another
    /// provider's token that carried none (or one another account has).
    pub email: Option<String>,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A signed-in session: the user and a fresh pair of tokens.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct AuthSession {
    pub user: User,
    /// JWT (HS256) to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Opaque token for `POST /api/auth/refresh`; valid for 7 days, once.
    pub refresh_token: String,
    /// When `access_token` expires.
    pub expires_at: DateTime<Utc>,
}

/// The user a bearer token belongs to.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct CurrentSession {
    pub user: User,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    /// Compared and stored trimmed and lower-cased.
    #[schemars(email, length(max = "charter_domain::account::EMAIL_MAX_CHARS"))]
    pub email: String,
    /// 8 to 128 characters.
    #[schemars(length(
        min = "charter_domain::account::PASSWORD_MIN_CHARS",
        max = "charter_domain::account::PASSWORD_MAX_CHARS"
    ))]
    pub password: String,
    /// 1 to 100 characters after trimming; no control or bidirectional
    /// control characters.
    #[schemars(
        length(min = 1, max = "charter_domain::account::NAME_MAX_CHARS"),
        regex(path = "charter_domain::account::NAME_PATTERN")
    )]
    pub name: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOutRequest {
    pub refresh_token: String,
}

/// A task.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct Task {
    /// UUIDv7: ordered by creation time.
    pub id: Uuid,
    #[schemars(
        length(min = 1, max = "charter_domain::account::USER_ID_MAX_CHARS"),
        regex(path = "charter_domain::account::USER_ID_PATTERN")
    )]
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the task is completed.
    pub completed_at: Option<DateTime<Utc>>,
    pub priority: TaskPriority,
    /// The task's tags, sorted case-insensitively, each in the spelling
    /// the user first gave it.
    pub tags: Vec<String>,
    /// RRULE text in canonical form (`FREQ=WEEKLY;BYDAY=MO,TH`): completing
    /// the task moves its due date to the next date instead.
    pub recurrence: Option<String>,
    /// When to remind the user.
    pub remind_at: Option<DateTime<Utc>>,
    /// How many times a repeating task has been completed.
    pub occurrences_completed: u32,
    /// 1 when created; grows by one with every change to the task.
    pub version: u64,
}

/// What list order (`charter_domain::listing::compare`) looks at in a task.
impl<'a> From<&'a Task> for charter_domain::listing::TaskKeys<'a> {
    fn from(task: &'a Task) -> Self {
        charter_domain::listing::TaskKeys {
            id: task.id,
            title: &task.title,
            description: task.description.as_deref(),
            completed: task.completed,
            priority: task.priority,
            tags: &task.tags,
            due_date: task.due_date,
            created_at: task.created_at,
            updated_at: task.updated_at,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCreate {
    /// 1 to 200 characters after trimming, at least one of them visible;
    /// no control or bidirectional control characters.
    #[schemars(
        length(min = 1, max = "charter_domain::task::TITLE_MAX_CHARS"),
        regex(path = "charter_domain::task::TITLE_PATTERN")
    )]
    pub title: String,
    /// At most 1000 characters; no control characters but line breaks and
    /// tabs.
    #[serde(default)]
    #[schemars(
        length(max = "charter_domain::task::DESCRIPTION_MAX_CHARS"),
        regex(path = "charter_domain::task::DESCRIPTION_PATTERN")
    )]
    pub description: Option<String>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// Default `none`.
    #[serde(default)]
    pub priority: Option<TaskPriority>,
    /// At most 20 tags, each 1 to 32 characters after trimming, without
    /// commas or control characters; spellings equal ignoring case are one
    /// tag.
    #[serde(default)]
    #[schemars(
        length(max = "charter_domain::organise::TAGS_PER_TASK_MAX"),
        inner(
            length(min = 1, max = "charter_domain::organise::TAG_MAX_CHARS"),
            regex(path = "charter_domain::organise::TAG_PATTERN")
        )
    )]
    pub tags: Option<Vec<String>>,
    /// RRULE text: `FREQ` (`DAILY`, `WEEKLY`, `MONTHLY`, `YEARLY`),
    /// `INTERVAL`, `BYDAY`, `BYMONTHDAY`, `COUNT` or `UNTIL`; needs a
    /// `due_date`.
    #[serde(default)]
    #[schemars(
        length(max = "charter_domain::recurrence::RECURRENCE_MAX_CHARS"),
        regex(path = "charter_domain::recurrence::RECURRENCE_PATTERN")
    )]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub remind_at: Option<DateTime<Utc>>,
}

/// A full replacement of a task's editable fields of contract 1.1
/// (`title`, `description`, `due_date`); the fields added since are kept
/// when omitted.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskUpdate {
    /// 1 to 200 characters after trimming, at least one of them visible;
    /// no control or bidirectional control characters.
    #[schemars(
        length(min = 1, max = "charter_domain::task::TITLE_MAX_CHARS"),
        regex(path = "charter_domain::task::TITLE_PATTERN")
    )]
    pub title: String,
    /// At most 1000 characters; no control characters but line breaks and
    /// tabs; omitted or null clears it.
    #[serde(default)]
    #[schemars(
        length(max = "charter_domain::task::DESCRIPTION_MAX_CHARS"),
        regex(path = "charter_domain::task::DESCRIPTION_PATTERN")
    )]
    pub description: Option<String>,
    /// Omitted keeps the current state.
    #[serde(default)]
    pub completed: Option<bool>,
    /// Omitted or null clears it.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// Omitted keeps it; `none` clears it.
    #[serde(default)]
    pub priority: Option<TaskPriority>,
    /// The task's whole set of tags. Omitted keeps them; `[]` removes
    /// them all.
    #[serde(default)]
    #[schemars(
        length(max = "charter_domain::organise::TAGS_PER_TASK_MAX"),
        inner(
            length(min = 1, max = "charter_domain::organise::TAG_MAX_CHARS"),
            regex(path = "charter_domain::organise::TAG_PATTERN")
        )
    )]
    pub tags: Option<Vec<String>>,
    /// RRULE text as in `TaskCreate`. Omitted keeps it; `""` ends the
    /// repetition. A changed rule restarts `occurrences_completed`.
    #[serde(default)]
    #[schemars(
        length(max = "charter_domain::recurrence::RECURRENCE_MAX_CHARS"),
        regex(path = "charter_domain::recurrence::RECURRENCE_PATTERN")
    )]
    pub recurrence: Option<String>,
    /// Omitted keeps the reminder, moved with the due date when the due
    /// date changes.
    #[serde(default)]
    pub remind_at: Option<DateTime<Utc>>,
    /// `true` removes the reminder (then leave out `remind_at`).
    #[serde(default)]
    pub clear_reminder: Option<bool>,
}

/// Body of `PATCH …/complete`: set `completed`, or omit it to toggle.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCompletion {
    #[serde(default)]
    pub completed: Option<bool>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct UserPath {
    #[schemars(
        length(min = 1, max = "charter_domain::account::USER_ID_MAX_CHARS"),
        regex(path = "charter_domain::account::USER_ID_PATTERN")
    )]
    pub user_id: String,
}

/// The path of one of the web app's files under `/assets/`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct AssetPath {
    /// The segments after `/assets/` (Dropshot's wildcard form).
    pub path: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TaskPath {
    #[schemars(
        length(min = 1, max = "charter_domain::account::USER_ID_MAX_CHARS"),
        regex(path = "charter_domain::account::USER_ID_PATTERN")
    )]
    pub user_id: String,
    pub task_id: Uuid,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TagPath {
    #[schemars(
        length(min = 1, max = "charter_domain::account::USER_ID_MAX_CHARS"),
        regex(path = "charter_domain::account::USER_ID_PATTERN")
    )]
    pub user_id: String,
    /// The tag's name, in any case.
    pub tag: String,
}

/// `If-Match` on a task write (RFC 9110 conditional requests).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct WriteConditions {
    /// Write only if the task's current `ETag` is one of these entity tags
    /// (comma-separated), or any with `*`; otherwise the answer is 412
    /// `PreconditionFailed` and nothing is written.
    #[serde(rename = "If-Match", default)]
    pub if_match: Option<String>,
}

/// `Idempotency-Key` on a creation.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CreateConditions {
    /// 1 to 255 printable ASCII characters, unique per request: sent again
    /// with the same body within 24 hours, the first answer comes back
    /// (with `Idempotent-Replayed: true`) and nothing is created; with
    /// another body, 422 `IdempotencyKeyReused`; while the first request
    /// still runs, the second waits for it, or after 5 seconds gets 409
    /// `IdempotencyKeyInFlight`.
    #[serde(rename = "Idempotency-Key", default)]
    #[schemars(length(min = 1, max = 255), regex(pattern = r"^[\x20-\x7E]+$"))]
    pub idempotency_key: Option<String>,
}

/// `If-None-Match` on a task read.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ReadConditions {
    /// When the task's current `ETag` is one of these entity tags (or with
    /// `*`), the answer is 304 with no body.
    #[serde(rename = "If-None-Match", default)]
    pub if_none_match: Option<String>,
}

/// The entity tag of the task in an answer.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TaskETag {
    /// The task's version as a strong entity tag (`"7"`): send it back in
    /// `If-Match` to write only what you read.
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// The time zone counts are made in.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SummaryQuery {
    /// The IANA time zone that decides "today" and "overdue" (default
    /// `UTC`).
    #[serde(default)]
    pub tz: Option<String>,
}

/// A user's tasks counted.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TaskSummary {
    /// The date "today" was in the requested time zone.
    pub today: NaiveDate,
    pub total: u64,
    pub pending: u64,
    pub completed: u64,
    /// Pending tasks due before today.
    pub overdue: u64,
    /// Pending tasks due today.
    pub due_today: u64,
    /// Every priority, from `none` to `high`.
    pub priorities: Vec<PriorityCount>,
    /// Every tag, sorted case-insensitively.
    pub tags: Vec<Tag>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct PriorityCount {
    pub priority: TaskPriority,
    pub pending: u64,
    pub total: u64,
}

/// A tag and how many tasks have it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct Tag {
    pub name: String,
    pub pending: u64,
    pub total: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TagList {
    /// Sorted case-insensitively.
    pub items: Vec<Tag>,
}

/// Body of a tag rename.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagRename {
    /// The new name: 1 to 32 characters after trimming, no commas or
    /// control characters. A name another tag has (ignoring case) merges
    /// the two.
    #[schemars(
        length(min = 1, max = "charter_domain::organise::TAG_MAX_CHARS"),
        regex(path = "charter_domain::organise::TAG_PATTERN")
    )]
    pub name: String,
}

// The list's filter, sort key, direction and page selector are the
// domain's own types: the store, the web app and this contract share them.
pub use charter_domain::listing::{SortOrder, TaskPageSelector, TaskScanParams, TaskSort, TaskStatusFilter};
pub use charter_domain::organise::TaskPriority;

/// Operations on tasks applied all or nothing (`task_batch`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBatch {
    /// 1 to 100 operations, applied in order in one transaction.
    #[schemars(length(min = 1, max = "charter_domain::task::BATCH_MAX_OPERATIONS"))]
    pub operations: Vec<BatchOperation>,
}

/// One operation of a batch. `if_match` is the version the task must be
/// at (the number in its `ETag`), as `If-Match` is for one operation.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum BatchOperation {
    Create {
        task: TaskCreate,
    },
    Update {
        task_id: Uuid,
        #[serde(default)]
        #[schemars(range(max = 9_223_372_036_854_775_807u64))]
        if_match: Option<u64>,
        task: TaskUpdate,
    },
    Complete {
        task_id: Uuid,
        #[serde(default)]
        #[schemars(range(max = 9_223_372_036_854_775_807u64))]
        if_match: Option<u64>,
        /// Set (`true`/`false`) or, absent, toggle.
        #[serde(default)]
        completed: Option<bool>,
    },
    Delete {
        task_id: Uuid,
        #[serde(default)]
        #[schemars(range(max = 9_223_372_036_854_775_807u64))]
        if_match: Option<u64>,
    },
}

/// What a batch did, one result per operation in order.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TaskBatchResult {
    pub results: Vec<BatchResult>,
}

/// The result of one operation of a batch.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum BatchResult {
    Create { task: Task },
    Update { task: Task },
    Complete { task: Task },
    Delete { task_id: Uuid },
}

/// Where `task_changes` starts, and how much it answers.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ChangesQuery {
    /// The `cursor` of an earlier answer, passed back unchanged; absent,
    /// from the start.
    #[serde(default)]
    #[schemars(regex(path = "charter_domain::task::CHANGE_CURSOR_PATTERN"))]
    pub cursor: Option<String>,
    /// Most entries (tasks and tombstones) in the answer, at most 100
    /// (larger values are clamped to it).
    #[serde(default)]
    #[schemars(range(min = 1, max = "charter_domain::task::CHANGES_MAX_PAGE"))]
    pub limit: Option<std::num::NonZeroU32>,
}

/// What changed since a cursor (`task_changes`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TaskChanges {
    /// Tasks created or changed since the cursor, each as it is now.
    pub tasks: Vec<Task>,
    /// Tasks deleted since the cursor.
    pub deleted: Vec<TaskTombstone>,
    /// Where to continue from: pass it back as `cursor`.
    pub cursor: String,
    /// Whether more changes follow at once (ask again with `cursor`).
    pub more: bool,
}

/// A deleted task.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TaskTombstone {
    pub id: Uuid,
    pub deleted_at: DateTime<Utc>,
}

/// The request headers of `task_events`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct EventConditions {
    /// The `id` of the last event received: the stream first sends every
    /// event after it. Absent, the stream starts from now.
    #[serde(rename = "Last-Event-ID", default)]
    #[schemars(regex(path = "charter_domain::task::CHANGE_CURSOR_PATTERN"))]
    pub last_event_id: Option<String>,
}

/// One event of `task_events`: its SSE `event:` name and its `data:`
/// (JSON). Every event's SSE `id:` is a change cursor.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "event", content = "data")]
pub enum TaskEvent {
    /// A task was created (and is still at its first version).
    #[serde(rename = "task.created")]
    TaskCreated(Task),
    /// A task changed; the data is the task as it is now.
    #[serde(rename = "task.updated")]
    TaskUpdated(Task),
    #[serde(rename = "task.deleted")]
    TaskDeleted(TaskTombstone),
    /// A reminder came due.
    #[serde(rename = "reminder.due")]
    ReminderDue(ReminderDue),
}

impl TaskEvent {
    /// The SSE `event:` name: the serde tag (a test checks they agree).
    pub fn name(&self) -> &'static str {
        match self {
            TaskEvent::TaskCreated(_) => "task.created",
            TaskEvent::TaskUpdated(_) => "task.updated",
            TaskEvent::TaskDeleted(_) => "task.deleted",
            TaskEvent::ReminderDue(_) => "reminder.due",
        }
    }

    /// The SSE `data:`, one line of JSON.
    pub fn data(&self) -> serde_json::Result<String> {
        match self {
            TaskEvent::TaskCreated(task) | TaskEvent::TaskUpdated(task) => serde_json::to_string(task),
            TaskEvent::TaskDeleted(tombstone) => serde_json::to_string(tombstone),
            TaskEvent::ReminderDue(due) => serde_json::to_string(due),
        }
    }
}

/// A reminder that came due: the task as it is now, and the `remind_at`
/// that came due.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct ReminderDue {
    pub task: Task,
    pub remind_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_and_data_are_the_serde_tag_and_content() {
        let tombstone = TaskTombstone { id: Uuid::nil(), deleted_at: DateTime::<Utc>::UNIX_EPOCH };
        let event = TaskEvent::TaskDeleted(tombstone);
        let tagged = serde_json::to_value(&event).expect("serialises");
        assert_eq!(tagged["event"], event.name());
        let data: serde_json::Value = serde_json::from_str(&event.data().expect("serialises")).expect("JSON");
        assert_eq!(tagged["data"], data);
        let schema = serde_json::to_value(schemars::schema_for!(TaskEvent)).expect("schema");
        let names: Vec<&str> = schema["oneOf"]
            .as_array()
            .expect("variants")
            .iter()
            .filter_map(|v| v["properties"]["event"]["enum"][0].as_str())
            .collect();
        assert_eq!(names, ["task.created", "task.updated", "task.deleted", "reminder.due"]);
    }
}
