//! The task dashboard: add, complete, edit, delete (with undo), filter,
//! sort, page through, and count.

use std::cmp::Ordering;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::time::Duration;

use api_client::Client;
use api_client::types::{Task, TaskCompletion, TaskCreate, TaskResultsPage, TaskUpdate};
use charter_domain::listing::{self, SortOrder, TaskKeys, TaskSort, TaskStatusFilter};
use charter_domain::task as rules;
use chrono::NaiveDate;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::context::AppCtx;
use crate::controls::input_value;
use crate::display::{error_message, format_due, parse_date, today};
use crate::session::{self, Draft};
use crate::tabs;

/// Tasks per request: the API's maximum, so most people need one page.
const PAGE_SIZE: u32 = 100;
/// How long a deleted task can be brought back.
const UNDO_WINDOW: Duration = Duration::from_secs(5);

/// The orders the sort menu offers: value, label, key, direction.
const SORTS: &[(&str, &str, TaskSort, SortOrder)] = &[
    ("created-desc", "Newest first", TaskSort::Created, SortOrder::Desc),
    ("created-asc", "Oldest first", TaskSort::Created, SortOrder::Asc),
    ("title-asc", "Title, A to Z", TaskSort::Title, SortOrder::Asc),
    ("title-desc", "Title, Z to A", TaskSort::Title, SortOrder::Desc),
    ("due-asc", "Due date, soonest first", TaskSort::DueDate, SortOrder::Asc),
    ("due-desc", "Due date, latest first", TaskSort::DueDate, SortOrder::Desc),
];

const FILTERS: &[(TaskStatusFilter, &str, &str)] = &[
    (TaskStatusFilter::All, "All", "filter-all"),
    (TaskStatusFilter::Pending, "Pending", "filter-pending"),
    (TaskStatusFilter::Completed, "Completed", "filter-completed"),
];

/// Why a title cannot be saved, if it cannot.
fn title_problem(title: &str) -> Option<String> {
    rules::title(title).err().map(|invalid| invalid.message)
}

/// Why a description cannot be saved, if it cannot.
fn description_problem(description: &str) -> Option<String> {
    rules::description(Some(description)).err().map(|invalid| invalid.message)
}

/// Counts the tasks with a status by walking its pages.
async fn count(client: Client, user_id: Uuid, status: TaskStatusFilter) -> Result<u64, String> {
    let mut total = 0u64;
    let mut token: Option<String> = None;
    loop {
        let mut request = client.task_list().user_id(user_id).status(status).limit(page_size());
        if let Some(token) = token.take() {
            request = request.page_token(token);
        }
        let page = request.send().await.map_err(|e| error_message(&e))?.into_inner();
        total += page.items.len() as u64;
        match page.next_page {
            Some(next) if !page.items.is_empty() => token = Some(next),
            _ => return Ok(total),
        }
    }
}

fn page_size() -> NonZeroU32 {
    NonZeroU32::new(PAGE_SIZE).unwrap_or(NonZeroU32::MIN)
}

fn focus(node: &NodeRef) {
    if let Some(element) = node.cast::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

#[derive(Clone, Copy, Default, PartialEq)]
struct Counts {
    pending: u64,
    completed: u64,
}

impl Counts {
    fn add(&mut self, task: &Task, sign: i64) {
        let slot = if task.completed { &mut self.completed } else { &mut self.pending };
        *slot = slot.saturating_add_signed(sign);
    }
}

struct PendingDelete {
    seq: u64,
    task: Task,
    index: usize,
}

pub enum Msg {
    SetStatus(TaskStatusFilter),
    SetSort(String),
    Loaded {
        generation: u64,
        append: bool,
        result: Result<TaskResultsPage, String>,
    },
    LoadMore,
    Counted(TaskStatusFilter, Result<u64, String>),
    Draft(Draft),
    Add,
    Added(Result<Task, (Draft, String)>),
    Toggle(Uuid),
    Toggled(Uuid, Result<Task, String>),
    Save(Uuid, TaskUpdate),
    Saved(Uuid, Result<Task, (Task, String)>),
    /// The answer to an edit sent again after signing in.
    Resaved(Result<Task, String>),
    Delete(Uuid),
    Undo,
    CommitDelete(u64),
    Deleted(Result<(), String>),
    DismissError,
    /// Another tab changed this person's tasks.
    ChangedInAnotherTab,
}

pub struct TasksPage {
    client: Client,
    user_id: Uuid,
    status: TaskStatusFilter,
    sort: TaskSort,
    order: SortOrder,
    tasks: Vec<Rc<Task>>,
    next_page: Option<String>,
    loading: bool,
    loading_more: bool,
    generation: u64,
    pending_count: Option<u64>,
    completed_count: Option<u64>,
    draft: Draft,
    title_error: Option<String>,
    draft_error: Option<String>,
    adding: u32,
    error: Option<String>,
    announcement: String,
    pending_delete: Option<PendingDelete>,
    delete_seq: u64,
    title_ref: NodeRef,
    undo_ref: NodeRef,
    focus_title: bool,
    focus_undo: bool,
    /// Whether the first list has been marked as shown (see `rendered`).
    marked: bool,
    /// News of changes to and from the other tabs.
    changes: Option<tabs::TaskChanges>,
}

/// The performance mark set when the first list is on screen and
/// interactive; `cargo xtask bench web` reads it.
pub const RENDERED_MARK: &str = "charter:tasks-rendered";

impl TasksPage {
    fn load(&mut self, ctx: &Context<Self>, page_token: Option<String>) {
        let append = page_token.is_some();
        if append {
            self.loading_more = true;
        } else {
            self.generation += 1;
            self.loading = true;
        }
        let generation = self.generation;
        let (client, user_id, status, sort, order) =
            (self.client.clone(), self.user_id, self.status, self.sort, self.order);
        ctx.link().send_future(async move {
            let mut request =
                client.task_list().user_id(user_id).status(status).sort(sort).order(order).limit(page_size());
            if let Some(token) = page_token {
                request = request.page_token(token);
            }
            let result = request.send().await.map(|r| r.into_inner()).map_err(|e| error_message(&e));
            Msg::Loaded { generation, append, result }
        });
    }

    fn count(&self, ctx: &Context<Self>) {
        for status in [TaskStatusFilter::Pending, TaskStatusFilter::Completed] {
            let (client, user_id) = (self.client.clone(), self.user_id);
            ctx.link().send_future(async move { Msg::Counted(status, count(client, user_id, status).await) });
        }
    }

    fn adjust_counts(&mut self, task: &Task, sign: i64) {
        let mut counts =
            Counts { pending: self.pending_count.unwrap_or(0), completed: self.completed_count.unwrap_or(0) };
        counts.add(task, sign);
        self.pending_count = self.pending_count.map(|_| counts.pending);
        self.completed_count = self.completed_count.map(|_| counts.completed);
    }

    /// Puts a task where the current order lists it, when that place is
    /// among the pages already shown.
    fn insert_sorted(&mut self, task: Task) {
        if !listing::matches(self.status, task.completed) || self.tasks.iter().any(|t| t.id == task.id) {
            return;
        }
        let (sort, order) = (self.sort, self.order);
        match self.tasks.iter().position(|t| {
            listing::compare(&TaskKeys::from(&task), &TaskKeys::from(t.as_ref()), sort, order)
                == Ordering::Less
        }) {
            Some(index) => self.tasks.insert(index, Rc::new(task)),
            None if self.next_page.is_none() => self.tasks.push(Rc::new(task)),
            // It belongs to a page not loaded yet: "load more" brings it.
            None => {}
        }
    }

    /// An edit that was in flight when the last session ended is sent
    /// again for the same user (PUT replaces, so twice is harmless).
    fn resend_pending_edit(&self, ctx: &Context<Self>) {
        let Some((user_id, id, update)) = session::load_pending_edit() else { return };
        if user_id != self.user_id {
            return;
        }
        let client = self.client.clone();
        ctx.link().send_future(async move {
            let result = client.task_update().user_id(user_id).task_id(id).body(update).send().await;
            Msg::Resaved(result.map(|r| r.into_inner()).map_err(|e| error_message(&e)))
        });
    }

    /// Forgets the edit in flight, unless the session has just ended: then
    /// it waits in `sessionStorage` for the next sign-in.
    fn settle_pending_edit(&self) {
        if self.client.auth().tokens().is_some() {
            session::store_pending_edit(None);
        }
    }

    /// Tells the other tabs to reload: this one changed a task.
    fn announce_change(&self) {
        if let Some(changes) = &self.changes {
            changes.announce(self.user_id);
        }
    }

    fn replace(&mut self, task: Task) {
        if let Some(slot) = self.tasks.iter_mut().find(|t| t.id == task.id) {
            *slot = Rc::new(task);
        }
    }

    /// Sends the delete that is waiting out its undo window, now.
    fn commit_pending_delete(&mut self, ctx: Option<&Context<Self>>) {
        let Some(pending) = self.pending_delete.take() else { return };
        let (client, user_id, task_id) = (self.client.clone(), self.user_id, pending.task.id);
        let delete = async move {
            client
                .task_delete()
                .user_id(user_id)
                .task_id(task_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("Could not delete “{}”: {}", pending.task.title, error_message(&e)))
        };
        match ctx {
            Some(ctx) => ctx.link().send_future(async move { Msg::Deleted(delete.await) }),
            None => yew::platform::spawn_local(async move {
                let _ = delete.await;
            }),
        }
    }
}

impl Component for TasksPage {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (app, _) = ctx.link().context::<AppCtx>(Callback::noop()).expect("pages render inside the app");
        let user_id = app.user.as_ref().map(|u| u.id).unwrap_or_default();
        let mut page = TasksPage {
            client: app.client.clone(),
            user_id,
            status: TaskStatusFilter::All,
            sort: TaskSort::Created,
            order: SortOrder::Desc,
            tasks: Vec::new(),
            next_page: None,
            loading: true,
            loading_more: false,
            generation: 0,
            pending_count: None,
            completed_count: None,
            draft: session::load_draft(),
            title_error: None,
            draft_error: None,
            adding: 0,
            error: None,
            announcement: String::new(),
            pending_delete: None,
            delete_seq: 0,
            title_ref: NodeRef::default(),
            undo_ref: NodeRef::default(),
            focus_title: false,
            focus_undo: false,
            marked: false,
            changes: {
                let link = ctx.link().clone();
                tabs::TaskChanges::open(user_id, move || link.send_message(Msg::ChangedInAnotherTab))
            },
        };
        page.resend_pending_edit(ctx);
        page.load(ctx, None);
        page.count(ctx);
        page
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::SetStatus(status) => {
                if status == self.status {
                    return false;
                }
                self.status = status;
                self.load(ctx, None);
            }
            Msg::SetSort(value) => {
                let Some(&(_, _, sort, order)) = SORTS.iter().find(|(v, ..)| *v == value) else {
                    return false;
                };
                self.sort = sort;
                self.order = order;
                self.load(ctx, None);
            }
            Msg::Loaded { generation, append, result } => {
                if generation != self.generation {
                    return false;
                }
                if append {
                    self.loading_more = false;
                } else {
                    self.loading = false;
                }
                match result {
                    Ok(page) => {
                        if !append {
                            self.tasks.clear();
                        }
                        let pending_id = self.pending_delete.as_ref().map(|p| p.task.id);
                        for task in page.items {
                            if Some(task.id) != pending_id && !self.tasks.iter().any(|t| t.id == task.id) {
                                self.tasks.push(Rc::new(task));
                            }
                        }
                        self.next_page = page.next_page;
                        if append {
                            self.announcement = format!("{} tasks shown.", self.tasks.len());
                        }
                    }
                    Err(error) => self.error = Some(error),
                }
            }
            Msg::LoadMore => {
                if self.loading_more {
                    return false;
                }
                let Some(token) = self.next_page.clone() else { return false };
                self.load(ctx, Some(token));
            }
            Msg::Counted(status, result) => match (status, result) {
                (TaskStatusFilter::Pending, Ok(n)) => self.pending_count = Some(n),
                (TaskStatusFilter::Completed, Ok(n)) => self.completed_count = Some(n),
                _ => return false,
            },
            Msg::Draft(draft) => {
                session::store_draft(&draft);
                if self.title_error.is_some() {
                    self.title_error = title_problem(&draft.title);
                }
                self.draft = draft;
            }
            Msg::Add => {
                self.draft_error = None;
                self.title_error = title_problem(&self.draft.title);
                if self.title_error.is_some() {
                    self.focus_title = true;
                    return true;
                }
                let due_date = match parse_date(&self.draft.due) {
                    Ok(date) => date,
                    Err(error) => {
                        self.draft_error = Some(error);
                        return true;
                    }
                };
                if let Some(error) = description_problem(&self.draft.description) {
                    self.draft_error = Some(error);
                    return true;
                }
                // Clear the form at once so the next title can be typed while
                // this one is saved; it comes back if the save fails.
                let draft = std::mem::take(&mut self.draft);
                session::store_draft(&self.draft);
                self.focus_title = true;
                self.adding += 1;
                let body = TaskCreate {
                    title: draft.title.trim().to_string(),
                    description: Some(draft.description.trim().to_string()).filter(|d| !d.is_empty()),
                    due_date,
                    priority: None,
                    tags: None,
                    recurrence: None,
                    remind_at: None,
                };
                let (client, user_id) = (self.client.clone(), self.user_id);
                ctx.link().send_future(async move {
                    let result = client.task_create().user_id(user_id).body(body).send().await;
                    Msg::Added(result.map(|r| r.into_inner()).map_err(|e| (draft, error_message(&e))))
                });
            }
            Msg::Added(result) => {
                self.adding = self.adding.saturating_sub(1);
                match result {
                    Ok(task) => {
                        self.announce_change();
                        self.announcement = format!("Added “{}”.", task.title);
                        self.adjust_counts(&task, 1);
                        self.insert_sorted(task);
                    }
                    Err((draft, error)) => {
                        if self.draft == Draft::default() {
                            self.draft = draft;
                            session::store_draft(&self.draft);
                        }
                        self.draft_error = Some(error);
                    }
                }
            }
            Msg::Toggle(id) => {
                let Some(slot) = self.tasks.iter_mut().find(|t| t.id == id) else { return false };
                let mut task = (**slot).clone();
                let before = task.clone();
                task.completed = !task.completed;
                let completed = task.completed;
                *slot = Rc::new(task.clone());
                self.adjust_counts(&before, -1);
                self.adjust_counts(&task, 1);
                let (client, user_id) = (self.client.clone(), self.user_id);
                ctx.link().send_future(async move {
                    let result = client
                        .task_complete()
                        .user_id(user_id)
                        .task_id(id)
                        .body(TaskCompletion { completed: Some(completed) })
                        .send()
                        .await;
                    Msg::Toggled(id, result.map(|r| r.into_inner()).map_err(|e| error_message(&e)))
                });
            }
            Msg::Toggled(id, result) => match result {
                Ok(task) => {
                    self.announce_change();
                    self.replace(task);
                }
                Err(error) => {
                    if let Some(slot) = self.tasks.iter_mut().find(|t| t.id == id) {
                        let mut task = (**slot).clone();
                        let shown = task.clone();
                        task.completed = !task.completed;
                        *slot = Rc::new(task.clone());
                        self.adjust_counts(&shown, -1);
                        self.adjust_counts(&task, 1);
                    }
                    self.error = Some(error);
                }
            },
            Msg::Save(id, update) => {
                let Some(slot) = self.tasks.iter_mut().find(|t| t.id == id) else { return false };
                let old = (**slot).clone();
                let mut shown = old.clone();
                shown.title = update.title.clone();
                shown.description = update.description.clone();
                shown.due_date = update.due_date;
                *slot = Rc::new(shown);
                let (client, user_id) = (self.client.clone(), self.user_id);
                session::store_pending_edit(Some(&(user_id, id, update.clone())));
                ctx.link().send_future(async move {
                    let result = client.task_update().user_id(user_id).task_id(id).body(update).send().await;
                    Msg::Saved(id, result.map(|r| r.into_inner()).map_err(|e| (old, error_message(&e))))
                });
            }
            Msg::Saved(_, result) => {
                self.settle_pending_edit();
                match result {
                    Ok(task) => {
                        self.announce_change();
                        self.announcement = format!("Saved “{}”.", task.title);
                        self.replace(task);
                    }
                    Err((old, error)) => {
                        self.replace(old);
                        self.error = Some(error);
                    }
                }
            }
            Msg::Resaved(result) => {
                self.settle_pending_edit();
                match result {
                    Ok(task) => {
                        self.announce_change();
                        self.announcement = format!(
                            "Saved your change to “{}”, made before you signed in again.",
                            task.title
                        );
                        self.replace(task);
                    }
                    Err(error) => {
                        self.error =
                            Some(format!("A change made before you were signed out was not saved: {error}"));
                    }
                }
            }
            Msg::Delete(id) => {
                self.commit_pending_delete(Some(ctx));
                let Some(index) = self.tasks.iter().position(|t| t.id == id) else { return false };
                let task = (*self.tasks.remove(index)).clone();
                self.adjust_counts(&task, -1);
                self.delete_seq += 1;
                let seq = self.delete_seq;
                self.announcement = format!("Deleted “{}”.", task.title);
                self.pending_delete = Some(PendingDelete { seq, task, index });
                self.focus_undo = true;
                ctx.link().send_future(async move {
                    yew::platform::time::sleep(UNDO_WINDOW).await;
                    Msg::CommitDelete(seq)
                });
            }
            Msg::Undo => {
                let Some(pending) = self.pending_delete.take() else { return false };
                self.adjust_counts(&pending.task, 1);
                self.announcement = format!("Restored “{}”.", pending.task.title);
                let index = pending.index.min(self.tasks.len());
                self.tasks.insert(index, Rc::new(pending.task));
                self.focus_title = true;
            }
            Msg::CommitDelete(seq) => {
                if self.pending_delete.as_ref().is_none_or(|p| p.seq != seq) {
                    return false;
                }
                let undo_had_focus = self.undo_ref.cast::<web_sys::Element>().is_some_and(|undo| {
                    web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.active_element())
                        .is_some_and(|active| active == undo)
                });
                self.commit_pending_delete(Some(ctx));
                self.focus_title = undo_had_focus;
            }
            Msg::Deleted(result) => {
                if result.is_ok() {
                    self.announce_change();
                }
                if let Err(error) = result {
                    self.error = Some(error);
                    // The task is still there: show the list as it is.
                    self.load(ctx, None);
                    self.count(ctx);
                }
                return self.error.is_some();
            }
            Msg::DismissError => self.error = None,
            Msg::ChangedInAnotherTab => {
                self.load(ctx, None);
                self.count(ctx);
                return false;
            }
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        if !self.marked && !self.loading {
            self.marked = true;
            if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                let _ = performance.mark(RENDERED_MARK);
            }
        }
        if std::mem::take(&mut self.focus_undo) {
            focus(&self.undo_ref);
        }
        if std::mem::take(&mut self.focus_title) {
            focus(&self.title_ref);
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        // Leaving the page ends the undo window.
        self.commit_pending_delete(None);
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let today = today();
        html! {
            <div class="dashboard">
                <div class="dashboard-head">
                    <h1 tabindex="-1">{ "Your tasks" }</h1>
                    <p class="counts" id="counts">
                        <span id="pending-count">{ count_text(self.pending_count) }</span>{ " pending · " }
                        <span id="completed-count">{ count_text(self.completed_count) }</span>{ " completed" }
                    </p>
                </div>
                { self.view_add_form(ctx) }
                <div class="toolbar">
                    <div class="filters" role="group" aria-label="Show tasks">
                        { for FILTERS.iter().map(|&(status, label, id)| {
                            let pressed = self.status == status;
                            html! {
                                <button type="button" id={id}
                                    class={classes!("chip", pressed.then_some("active"))}
                                    aria-pressed={if pressed { "true" } else { "false" }}
                                    onclick={link.callback(move |_| Msg::SetStatus(status))}>
                                    { label }
                                </button>
                            }
                        }) }
                    </div>
                    <div class="sort">
                        <label for="sort">{ "Sort" }</label>
                        <select id="sort" onchange={link.callback(|e: Event| {
                            Msg::SetSort(e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                                .map(|s| s.value()).unwrap_or_default())
                        })}>
                            { for SORTS.iter().map(|&(value, label, sort, order)| html! {
                                <option value={value} selected={self.sort == sort && self.order == order}>{ label }</option>
                            }) }
                        </select>
                    </div>
                </div>
                if let Some(error) = &self.error {
                    <div class="error banner" role="alert" id="page-error">
                        <span>{ error.clone() }</span>
                        <button type="button" class="button subtle" onclick={link.callback(|_| Msg::DismissError)}>
                            { "Dismiss" }
                        </button>
                    </div>
                }
                { self.view_list(ctx, today) }
                <p class="visually-hidden" role="status" aria-live="polite">{ self.announcement.clone() }</p>
                if let Some(pending) = &self.pending_delete {
                    <div class="toast" id="undo-toast">
                        <span>{ format!("Deleted “{}”.", pending.task.title) }</span>
                        <button type="button" class="button" id="undo" ref={self.undo_ref.clone()}
                            onclick={link.callback(|_| Msg::Undo)}>{ "Undo" }</button>
                    </div>
                }
            </div>
        }
    }
}

fn count_text(count: Option<u64>) -> String {
    count.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

impl TasksPage {
    fn view_add_form(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let draft = &self.draft;
        let field = |which: u8| {
            let draft = draft.clone();
            link.callback(move |e: InputEvent| {
                let mut draft = draft.clone();
                let value = input_value(&e);
                match which {
                    0 => draft.title = value,
                    1 => draft.description = value,
                    _ => draft.due = value,
                }
                Msg::Draft(draft)
            })
        };
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::Add
        });
        html! {
            <form class="add-form card" {onsubmit} novalidate=true aria-label="Add a task">
                <div class={classes!("field", "grow", self.title_error.is_some().then_some("invalid"))}>
                    <label for="new-title">{ "New task" }</label>
                    <input id="new-title" type="text" value={draft.title.clone()} ref={self.title_ref.clone()}
                        placeholder="What needs doing?" autocomplete="off" maxlength="400"
                        aria-invalid={self.title_error.is_some().then_some("true")}
                        aria-describedby={self.title_error.is_some().then_some("new-title-error")}
                        oninput={field(0)} />
                    if let Some(error) = &self.title_error {
                        <p class="error" id="new-title-error">{ error.clone() }</p>
                    }
                </div>
                <div class="field grow">
                    <label for="new-description">{ "Details (optional)" }</label>
                    <input id="new-description" type="text" value={draft.description.clone()}
                        autocomplete="off" oninput={field(1)} />
                </div>
                <div class="field">
                    <label for="new-due">{ "Due date (optional)" }</label>
                    <input id="new-due" type="date" value={draft.due.clone()} oninput={field(2)} />
                </div>
                <div class="field submit">
                    <button type="submit" class="button primary" id="add-task">
                        { if self.adding > 0 { "Adding…" } else { "Add task" } }
                    </button>
                </div>
                if let Some(error) = &self.draft_error {
                    <p class="error banner full" role="alert" id="add-error">{ error.clone() }</p>
                }
            </form>
        }
    }

    fn view_list(&self, ctx: &Context<Self>, today: NaiveDate) -> Html {
        let link = ctx.link();
        if self.loading && self.tasks.is_empty() {
            return html! { <p class="empty" id="loading" aria-busy="true">{ "Loading your tasks…" }</p> };
        }
        if self.tasks.is_empty() {
            let text = match self.status {
                TaskStatusFilter::All => {
                    "No tasks yet. Type a title above and press Enter to add your first one."
                }
                TaskStatusFilter::Pending => "Nothing pending. Everything is done!",
                TaskStatusFilter::Completed => "No completed tasks yet. Tick a task to mark it done.",
            };
            return html! { <p class="empty" id="empty-state">{ text }</p> };
        }
        let on_toggle = link.callback(Msg::Toggle);
        let on_save = link.callback(|(id, update)| Msg::Save(id, update));
        let on_delete = link.callback(Msg::Delete);
        html! {
            <>
                <ul class="tasks" id="task-list" aria-label="Tasks" aria-busy={self.loading.then_some("true")}>
                    { for self.tasks.iter().map(|task| html! {
                        <TaskItem key={task.id.to_string()} task={TaskRef(task.clone())} {today}
                            on_toggle={on_toggle.clone()} on_save={on_save.clone()}
                            on_delete={on_delete.clone()} />
                    }) }
                </ul>
                if self.next_page.is_some() {
                    <button type="button" class="button wide" id="load-more" disabled={self.loading_more}
                        onclick={link.callback(|_| Msg::LoadMore)}>
                        { if self.loading_more { "Loading…" } else { "Load more" } }
                    </button>
                }
            </>
        }
    }
}

/// A task as a property: equal when what is shown is equal.
#[derive(Clone)]
pub struct TaskRef(pub Rc<Task>);

impl PartialEq for TaskRef {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.0, &other.0);
        Rc::ptr_eq(a, b)
            || (a.id == b.id
                && a.title == b.title
                && a.description == b.description
                && a.completed == b.completed
                && a.due_date == b.due_date
                && a.updated_at == b.updated_at)
    }
}

#[derive(Properties, PartialEq)]
pub struct TaskItemProps {
    pub task: TaskRef,
    pub today: NaiveDate,
    pub on_toggle: Callback<Uuid>,
    pub on_save: Callback<(Uuid, TaskUpdate)>,
    pub on_delete: Callback<Uuid>,
}

/// One task: a checkbox, its text, and edit and delete; edits in place.
#[component]
pub fn TaskItem(props: &TaskItemProps) -> Html {
    let task = &props.task.0;
    // An edit left open when the session ended comes back as it was.
    let restored = use_state(|| session::load_open_edit(task.user_id, task.id));
    let editing = use_state(|| restored.is_some());
    let title = use_state(|| restored.as_ref().map(|e| e.title.clone()).unwrap_or_default());
    let description = use_state(|| restored.as_ref().map(|e| e.description.clone()).unwrap_or_default());
    let due = use_state(|| restored.as_ref().map(|e| e.due.clone()).unwrap_or_default());
    let error = use_state(|| None::<String>);
    let title_ref = use_node_ref();
    let edit_ref = use_node_ref();
    let was_editing = use_mut_ref(|| false);

    {
        let (title_ref, edit_ref) = (title_ref.clone(), edit_ref.clone());
        use_effect_with(*editing, move |editing| {
            if *editing {
                focus(&title_ref);
            } else if std::mem::take(&mut *was_editing.borrow_mut()) {
                focus(&edit_ref);
            }
            if *editing {
                *was_editing.borrow_mut() = true;
            }
        });
    }

    {
        let (user_id, task_id) = (task.user_id, task.id);
        let edit = (*editing, (*title).clone(), (*description).clone(), (*due).clone());
        use_effect_with(edit, move |(editing, title, description, due)| {
            if *editing {
                session::store_open_edit(&session::OpenEdit {
                    user_id,
                    task_id,
                    title: title.clone(),
                    description: description.clone(),
                    due: due.clone(),
                });
            } else {
                session::clear_open_edit(task_id);
            }
        });
    }

    let id = task.id;
    let start_edit = {
        let (editing, title, description, due, error) =
            (editing.clone(), title.clone(), description.clone(), due.clone(), error.clone());
        let task = task.clone();
        Callback::from(move |_: MouseEvent| {
            title.set(task.title.clone());
            description.set(task.description.clone().unwrap_or_default());
            due.set(task.due_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default());
            error.set(None);
            editing.set(true);
        })
    };

    if *editing {
        let cancel = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(false))
        };
        let onkeydown = {
            let editing = editing.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Escape" {
                    e.prevent_default();
                    editing.set(false);
                }
            })
        };
        let onsubmit = {
            let (editing, title, description, due, error) =
                (editing.clone(), title.clone(), description.clone(), due.clone(), error.clone());
            let on_save = props.on_save.clone();
            let completed = task.completed;
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if let Some(message) = title_problem(&title).or_else(|| description_problem(&description)) {
                    return error.set(Some(message));
                }
                let due_date = match parse_date(&due) {
                    Ok(date) => date,
                    Err(message) => return error.set(Some(message)),
                };
                let description = Some(description.trim().to_string()).filter(|d| !d.is_empty());
                on_save.emit((
                    id,
                    TaskUpdate {
                        title: title.trim().to_string(),
                        description,
                        due_date,
                        completed: Some(completed),
                        priority: None,
                        tags: None,
                        recurrence: None,
                        remind_at: None,
                        clear_reminder: None,
                    },
                ));
                editing.set(false);
            })
        };
        let set = |state: &UseStateHandle<String>| {
            let state = state.clone();
            Callback::from(move |e: InputEvent| state.set(input_value(&e)))
        };
        return html! {
            <li class="task editing" data-id={id.to_string()}>
                <form class="edit-form" {onsubmit} {onkeydown} novalidate=true aria-label={format!("Edit “{}”", task.title)}>
                    <div class="field">
                        <label for={format!("edit-title-{id}")}>{ "Title" }</label>
                        <input id={format!("edit-title-{id}")} class="edit-title" type="text" value={(*title).clone()}
                            ref={title_ref} oninput={set(&title)} />
                    </div>
                    <div class="field">
                        <label for={format!("edit-description-{id}")}>{ "Details" }</label>
                        <textarea id={format!("edit-description-{id}")} class="edit-description" rows="2"
                            value={(*description).clone()} oninput={set(&description)} />
                    </div>
                    <div class="field">
                        <label for={format!("edit-due-{id}")}>{ "Due date" }</label>
                        <input id={format!("edit-due-{id}")} class="edit-due" type="date" value={(*due).clone()}
                            oninput={set(&due)} />
                    </div>
                    if let Some(message) = &*error {
                        <p class="error" role="alert">{ message.clone() }</p>
                    }
                    <div class="row">
                        <button type="submit" class="button primary save">{ "Save" }</button>
                        <button type="button" class="button subtle" onclick={cancel}>{ "Cancel" }</button>
                    </div>
                </form>
            </li>
        };
    }

    let overdue = !task.completed && task.due_date.is_some_and(|d| d < props.today);
    let on_toggle = props.on_toggle.reform(move |_: Event| id);
    let on_delete = props.on_delete.reform(move |_: MouseEvent| id);
    let checkbox_id = format!("done-{id}");
    html! {
        <li class={classes!("task", task.completed.then_some("done"), overdue.then_some("overdue"))}
            data-id={id.to_string()} data-title={task.title.clone()}>
            <input type="checkbox" class="toggle" id={checkbox_id.clone()} checked={task.completed}
                onchange={on_toggle} aria-describedby={format!("title-{id}")}
                aria-label={if task.completed { "Completed" } else { "Mark complete" }} />
            <div class="task-body">
                <span class="task-title" id={format!("title-{id}")} ondblclick={start_edit.clone()}>
                    { task.title.clone() }
                </span>
                if let Some(description) = &task.description {
                    <p class="task-description">{ description.clone() }</p>
                }
                if let Some(due) = task.due_date {
                    <p class={classes!("due", overdue.then_some("overdue"))}>
                        if overdue {
                            <strong>{ "Overdue" }</strong>{ " · " }
                        }
                        <time datetime={due.format("%Y-%m-%d").to_string()}>
                            { format!("Due {}", format_due(due, props.today)) }
                        </time>
                    </p>
                }
            </div>
            <div class="task-actions">
                <button type="button" class="button subtle edit" ref={edit_ref} onclick={start_edit}
                    aria-label={format!("Edit “{}”", task.title)}>{ "Edit" }</button>
                <button type="button" class="button subtle danger delete" onclick={on_delete}
                    aria-label={format!("Delete “{}”", task.title)}>{ "Delete" }</button>
            </div>
        </li>
    }
}
