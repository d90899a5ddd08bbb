//! The session kept in `localStorage`, so a reload stays signed in.
//!
//! The tokens are written whenever the client's tokens change (sign-in,
//! every refresh, sign-out), through `Auth::on_change`; the user is written
//! at sign-in. A draft of the add-task form, an in-place edit still open,
//! and an edit sent but not yet confirmed live in `sessionStorage`, so a
//! session that ends mid-typing or mid-save loses nothing.

use api_client::auth::Tokens;
use api_client::types::{TaskUpdate, User};
use uuid::Uuid;

/// Where the tokens are kept; other tabs watch this key.
pub const TOKENS_KEY: &str = "charter.tokens";
const USER_KEY: &str = "charter.user";
const DRAFT_KEY: &str = "charter.draft";
const PENDING_EDIT_KEY: &str = "charter.pending-edit";
const OPEN_EDIT_KEY: &str = "charter.open-edit";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn read<T: serde::de::DeserializeOwned>(storage: Option<web_sys::Storage>, key: &str) -> Option<T> {
    let text = storage?.get_item(key).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

fn write<T: serde::Serialize>(storage: Option<web_sys::Storage>, key: &str, value: Option<&T>) {
    let Some(storage) = storage else { return };
    match value.and_then(|v| serde_json::to_string(v).ok()) {
        Some(text) => {
            let _ = storage.set_item(key, &text);
        }
        None => {
            let _ = storage.remove_item(key);
        }
    }
}

/// The stored session, when both halves are there.
pub fn load() -> Option<(Tokens, User)> {
    let tokens = read(local(), TOKENS_KEY)?;
    let user = read(local(), USER_KEY)?;
    Some((tokens, user))
}

/// The stored tokens, as the last tab to change them left them.
pub fn load_tokens() -> Option<Tokens> {
    read(local(), TOKENS_KEY)
}

/// Keeps the tokens, or forgets the whole session with `None`.
pub fn store_tokens(tokens: Option<&Tokens>) {
    write(local(), TOKENS_KEY, tokens);
    if tokens.is_none() {
        write::<User>(local(), USER_KEY, None);
    }
}

pub fn store_user(user: &User) {
    write(local(), USER_KEY, Some(user));
}

/// What was typed into the add-task form and not yet added.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub title: String,
    pub description: String,
    pub due: String,
}

pub fn load_draft() -> Draft {
    read(session_storage(), DRAFT_KEY).unwrap_or_default()
}

pub fn store_draft(draft: &Draft) {
    let empty = draft == &Draft::default();
    write(session_storage(), DRAFT_KEY, (!empty).then_some(draft));
}

/// An edit of a task, sent but not confirmed: whose, which task, and what.
/// Whose edit, of which task, and the update.
pub type PendingEdit = (String, Uuid, TaskUpdate);

pub fn load_pending_edit() -> Option<PendingEdit> {
    read(session_storage(), PENDING_EDIT_KEY)
}

pub fn store_pending_edit(edit: Option<&PendingEdit>) {
    write(session_storage(), PENDING_EDIT_KEY, edit);
}

/// An in-place edit still open in the page, as typed so far.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OpenEdit {
    pub user_id: String,
    pub task_id: Uuid,
    pub title: String,
    pub description: String,
    pub due: String,
}

/// The open edit of this user's task, if one was left open.
pub fn load_open_edit(user_id: &str, task_id: Uuid) -> Option<OpenEdit> {
    read::<OpenEdit>(session_storage(), OPEN_EDIT_KEY)
        .filter(|e| e.user_id == user_id && e.task_id == task_id)
}

pub fn store_open_edit(edit: &OpenEdit) {
    write(session_storage(), OPEN_EDIT_KEY, Some(edit));
}

/// Forgets the open edit of this task (saved or cancelled).
pub fn clear_open_edit(task_id: Uuid) {
    if read::<OpenEdit>(session_storage(), OPEN_EDIT_KEY).is_some_and(|e| e.task_id == task_id) {
        write::<OpenEdit>(session_storage(), OPEN_EDIT_KEY, None);
    }
}

const LAST_EVENT_KEY: &str = "charter.last-event";

/// The id of the last event the app received from `user_id`'s stream.
#[derive(serde::Serialize, serde::Deserialize)]
struct LastEvent {
    user_id: String,
    id: String,
}

/// Where `user_id`'s event stream left off when the app last ran, so the
/// next page resumes after it (and shows the reminders that came due
/// meanwhile).
pub fn load_last_event(user_id: &str) -> Option<String> {
    read::<LastEvent>(local(), LAST_EVENT_KEY).filter(|last| last.user_id == user_id).map(|last| last.id)
}

pub fn store_last_event(user_id: &str, id: Option<&str>) {
    let last = id.map(|id| LastEvent { user_id: user_id.to_owned(), id: id.to_owned() });
    write(local(), LAST_EVENT_KEY, last.as_ref());
}
