//! The task dashboard: add, complete, edit, delete (with undo), search,
//! filter, sort, page through, count, organise and be reminded.

use std::cmp::Ordering;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::time::Duration;

use api_client::Client;
use api_client::types::{
    ReminderDue, Task, TaskCompletion, TaskCreate, TaskEvent, TaskResultsPage, TaskSummary, TaskUpdate,
};
use charter_domain::conditions::task_etag;
use charter_domain::listing::{
    self, SortOrder, TaskFilter, TaskKeys, TaskScanParams, TaskSort, TaskStatusFilter,
};
use charter_domain::organise::{SearchQuery, TaskPriority, tag_filter};
use charter_domain::task as rules;
use chrono::{NaiveDate, Utc};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::context::AppCtx;
use crate::controls::{event_value, input_value};
use crate::display::{error_message, format_due, parse_date, today};
use crate::organise::{self, Extras, ExtrasFields, Remind, Repeat, TagCount, TagPanel, priority_label};
use crate::reminders::{DueReminder, Reminders, Shown};
use crate::session::{self, Draft};
use crate::sync::{Live, LiveEvents};

/// Tasks per request: the API's maximum, so most people need one page.
const PAGE_SIZE: u32 = 100;
/// How long a deleted task can be brought back.
const UNDO_WINDOW: Duration = Duration::from_secs(5);
/// How long typing in the search box pauses before the list reloads.
const SEARCH_PAUSE: Duration = Duration::from_millis(250);
/// How long the counts wait after a change from the stream, so a burst of
/// changes (a batch) asks for them once.
const SUMMARY_PAUSE: Duration = Duration::from_millis(150);
/// A reminder that came due longer ago than this (the app was closed) is
/// not shown any more.
const MISSED_FOR: chrono::Duration = chrono::Duration::hours(24);

/// The orders the sort menu offers: value, label, key, direction.
const SORTS: &[(&str, &str, TaskSort, SortOrder)] = &[
    ("created-desc", "Newest first", TaskSort::Created, SortOrder::Desc),
    ("created-asc", "Oldest first", TaskSort::Created, SortOrder::Asc),
    ("title-asc", "Title, A to Z", TaskSort::Title, SortOrder::Asc),
    ("title-desc", "Title, Z to A", TaskSort::Title, SortOrder::Desc),
    ("due-asc", "Due date, soonest first", TaskSort::DueDate, SortOrder::Asc),
    ("due-desc", "Due date, latest first", TaskSort::DueDate, SortOrder::Desc),
    ("priority-desc", "Priority, highest first", TaskSort::Priority, SortOrder::Desc),
    ("priority-asc", "Priority, lowest first", TaskSort::Priority, SortOrder::Asc),
];

/// Which tasks the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    All,
    Pending,
    Completed,
    /// Pending and due today.
    Today,
    /// Pending and due before today.
    Overdue,
}

const VIEWS: &[(View, &str, &str)] = &[
    (View::All, "All", "filter-all"),
    (View::Pending, "Pending", "filter-pending"),
    (View::Completed, "Completed", "filter-completed"),
    (View::Today, "Today", "filter-today"),
    (View::Overdue, "Overdue", "filter-overdue"),
];

impl View {
    fn status(self) -> TaskStatusFilter {
        match self {
            View::All => TaskStatusFilter::All,
            View::Completed => TaskStatusFilter::Completed,
            View::Pending | View::Today | View::Overdue => TaskStatusFilter::Pending,
        }
    }
}

/// The browser's IANA time zone, which decides "today" for the server's
/// counts; UTC when the browser does not say.
fn time_zone() -> String {
    let options =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// Why a title cannot be saved, if it cannot.
fn title_problem(title: &str) -> Option<String> {
    rules::title(title).err().map(|invalid| invalid.message)
}

/// Why a description cannot be saved, if it cannot.
fn description_problem(description: &str) -> Option<String> {
    rules::description(Some(description)).err().map(|invalid| invalid.message)
}

fn page_size() -> NonZeroU32 {
    NonZeroU32::new(PAGE_SIZE).unwrap_or(NonZeroU32::MIN)
}

fn focus(node: &NodeRef) {
    if let Some(element) = node.cast::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

struct PendingDelete {
    seq: u64,
    task: Task,
    index: usize,
}

pub enum Msg {
    SetView(View),
    SetSort(String),
    /// The search box changed; the list reloads after a pause.
    SetQuery(String),
    /// The pause after typing `query_generation` ended.
    Search(u64),
    SetTagFilter(String),
    SetPriorityFilter(String),
    Summarised(Result<TaskSummary, String>),
    /// A tag was renamed or deleted: say so and reload.
    TagsChanged(String),
    Extras(Extras),
    /// Mark a task done or not, as a reminder's "Done" does.
    SetDone(Uuid, bool),
    /// Move a task's reminder 10 minutes from now.
    Snooze(Uuid),
    FocusSearch,
    Loaded {
        generation: u64,
        append: bool,
        result: Result<TaskResultsPage, String>,
    },
    LoadMore,
    Draft(Draft),
    Add,
    Added(Result<Task, (Draft, String)>),
    Toggle(Uuid),
    Toggled(Uuid, Result<Task, String>),
    /// Save an edit; with the version it was made on, only if the task is
    /// still at it (`If-Match`).
    Save(Uuid, TaskUpdate, Option<u64>),
    Saved(Uuid, Result<Task, (Task, String)>),
    /// The task changed elsewhere since the edit began: here is the newer
    /// version, and what was typed.
    Conflicted(Result<Task, String>, TaskUpdate),
    /// The answer to an edit sent again after signing in.
    Resaved(Result<Task, String>),
    Delete(Uuid),
    Undo,
    CommitDelete(u64),
    Deleted(Result<(), String>),
    DismissError,
    /// News from the event stream: a change on any device, or a reminder.
    Live(Live),
    /// The pause after a change from the stream ended: count again.
    Resummarise,
    DismissReminder(Uuid),
}

pub struct TasksPage {
    client: Client,
    user_id: String,
    view: View,
    sort: TaskSort,
    order: SortOrder,
    query: String,
    query_generation: u64,
    tag_filter: Option<String>,
    priority_filter: Option<TaskPriority>,
    tz: String,
    tasks: Vec<Rc<Task>>,
    next_page: Option<String>,
    loading: bool,
    loading_more: bool,
    generation: u64,
    summary: Option<TaskSummary>,
    tags: Rc<Vec<TagCount>>,
    tag_names: Rc<Vec<String>>,
    draft: Draft,
    extras: Extras,
    title_error: Option<String>,
    draft_error: Option<String>,
    adding: u32,
    error: Option<String>,
    announcement: String,
    pending_delete: Option<PendingDelete>,
    delete_seq: u64,
    title_ref: NodeRef,
    undo_ref: NodeRef,
    search_ref: NodeRef,
    /// `/` anywhere but in a field focuses the search box.
    slash: Option<Closure<dyn Fn(web_sys::KeyboardEvent)>>,
    focus_title: bool,
    focus_undo: bool,
    /// Whether the first list has been marked as shown (see `rendered`).
    marked: bool,
    /// The event stream, followed while the page is open.
    _live: LiveEvents,
    /// Whether counts are asked for once the stream's burst pauses.
    summary_due: bool,
    /// Reminders that came due, oldest first, until done, moved or dismissed.
    reminders: Rc<Vec<DueReminder>>,
}

/// The performance mark set when the first list is on screen and
/// interactive; `cargo xtask bench web` reads it.
pub const RENDERED_MARK: &str = "charter:tasks-rendered";

impl TasksPage {
    /// The list's filters as the API takes them.
    fn scan(&self) -> TaskScanParams {
        let today = today();
        let query = Some(self.query.trim().to_owned()).filter(|q| SearchQuery::is_searchable(q));
        TaskScanParams {
            status: self.view.status(),
            sort: self.sort,
            order: self.order,
            q: query,
            priority: self.priority_filter.map(|p| p.as_str().to_owned()),
            tag: self.tag_filter.clone(),
            due_after: (self.view == View::Today).then_some(today),
            due_before: (self.view == View::Today).then_some(today),
            overdue: (self.view == View::Overdue).then_some(true),
            tz: (self.view == View::Overdue).then(|| self.tz.clone()),
        }
    }

    fn load(&mut self, ctx: &Context<Self>, page_token: Option<String>) {
        let append = page_token.is_some();
        if append {
            self.loading_more = true;
        } else {
            // A newer list supersedes the one on its way: that answer is
            // dropped when it comes (see `Loaded`). The request itself is
            // not aborted: it may be refreshing the session's tokens, and a
            // refresh cut off after the server rotated them would leave the
            // client with a spent refresh token.
            self.generation += 1;
            self.loading = true;
        }
        let generation = self.generation;
        let scan = self.scan();
        let (client, user_id) = (self.client.clone(), self.user_id.clone());
        let request = async move {
            let mut request = client
                .task_list()
                .user_id(&user_id)
                .status(scan.status)
                .sort(scan.sort)
                .order(scan.order)
                .limit(page_size());
            if let Some(token) = page_token {
                request = request.page_token(token);
            } else {
                if let Some(q) = scan.q {
                    request = request.q(q);
                }
                if let Some(priority) = scan.priority {
                    request = request.priority(priority);
                }
                if let Some(tag) = scan.tag {
                    request = request.tag(tag);
                }
                if let (Some(after), Some(before)) = (scan.due_after, scan.due_before) {
                    request = request.due_after(after).due_before(before);
                }
                if let (Some(overdue), Some(tz)) = (scan.overdue, scan.tz) {
                    request = request.overdue(overdue).tz(tz);
                }
            }
            request.send().await.map(|r| r.into_inner()).map_err(|e| error_message(&e))
        };
        ctx.link().send_future(async move { Msg::Loaded { generation, append, result: request.await } });
    }

    /// Asks the server for the counts after any change. The summary
    /// holds every tag with its counts too (what `tag_list` answers), so
    /// one request serves the counts, the tag filter, the tag panel and
    /// the tag completion.
    fn summarise(&self, ctx: &Context<Self>) {
        let (client, user_id, tz) = (self.client.clone(), self.user_id.clone(), self.tz.clone());
        ctx.link().send_future(async move {
            let result = client.task_summary().user_id(&user_id).tz(tz).send().await;
            Msg::Summarised(result.map(|r| r.into_inner()).map_err(|e| error_message(&e)))
        });
    }

    /// Moves a task in or out of the shown counts at once; the next
    /// summary from the server settles them.
    fn adjust_counts(&mut self, task: &Task, sign: i64) {
        if let Some(summary) = &mut self.summary {
            let slot = if task.completed { &mut summary.completed } else { &mut summary.pending };
            *slot = slot.saturating_add_signed(sign);
        }
    }

    /// Puts a task where the current order lists it, when that place is
    /// among the pages already shown.
    fn insert_sorted(&mut self, task: Task, ctx: &Context<Self>) {
        let scan = self.scan();
        if scan.q.is_some() {
            // Whether a searched list holds it is the server's to say.
            self.load(ctx, None);
            return;
        }
        // Built here rather than by `TaskFilter::from_scan`, which would
        // bring the search's folding tables into the app.
        let filter = TaskFilter {
            status: scan.status,
            search: None,
            priorities: self.priority_filter.into_iter().collect(),
            tags: self.tag_filter.as_deref().and_then(|t| tag_filter(t).ok()).unwrap_or_default(),
            due_before: scan.due_before,
            due_after: scan.due_after,
            overdue: self.view == View::Overdue,
            tz: None,
        };
        let admitted = filter.admits_but_search(&TaskKeys::from(&task), today());
        if !admitted || self.tasks.iter().any(|t| t.id == task.id) {
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
            let result = client.task_update().user_id(&user_id).task_id(id).body(update).send().await;
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

    fn replace(&mut self, task: Task) {
        self.settle_reminder(task.id, Some(&task));
        if let Some(slot) = self.tasks.iter_mut().find(|t| t.id == task.id) {
            *slot = Rc::new(task);
        }
    }

    /// A reminder's notice goes once its task is done, gone (`None`) or
    /// reminds at another time.
    fn settle_reminder(&mut self, id: Uuid, task: Option<&Task>) {
        let stale = |due: &DueReminder| {
            due.task.id == id && task.is_none_or(|t| t.completed || t.remind_at != Some(due.at))
        };
        if self.reminders.iter().any(stale) {
            self.reminders = Rc::new(self.reminders.iter().filter(|d| !stale(d)).cloned().collect());
        }
    }

    /// A task as another device (or this tab) left it: replaced where it
    /// is shown, placed where the list now holds it, or taken out when the
    /// list no longer does. An older version than the one shown is this
    /// tab's own change coming back: nothing to do.
    fn apply_remote(&mut self, task: Task, ctx: &Context<Self>) {
        if let Some(index) = self.tasks.iter().position(|t| t.id == task.id) {
            if self.tasks[index].version >= task.version {
                return;
            }
            self.tasks.remove(index);
        }
        self.settle_reminder(task.id, Some(&task));
        self.insert_sorted(task, ctx);
    }

    /// A reminder came due: shown unless its task is done or reminds at
    /// another time now, or it is a day old (replayed after a long absence).
    fn remind(&mut self, due: ReminderDue) {
        let current = due.task.remind_at == Some(due.remind_at) && !due.task.completed;
        if !current || due.remind_at < Utc::now() - MISSED_FOR {
            return;
        }
        let mut reminders: Vec<DueReminder> =
            self.reminders.iter().filter(|d| d.task.id != due.task.id).cloned().collect();
        reminders.push(DueReminder { at: due.remind_at, task: Rc::new(due.task) });
        self.reminders = Rc::new(reminders);
    }

    /// Counts again once a burst of changes from the stream pauses.
    fn summarise_soon(&mut self, ctx: &Context<Self>) {
        if !std::mem::replace(&mut self.summary_due, true) {
            ctx.link().send_future(async {
                yew::platform::time::sleep(SUMMARY_PAUSE).await;
                Msg::Resummarise
            });
        }
    }

    /// Sets a task's completion on the server; the answer comes back as
    /// `Toggled`.
    fn send_completion(&self, ctx: &Context<Self>, id: Uuid, completed: bool) {
        let (client, user_id) = (self.client.clone(), self.user_id.clone());
        ctx.link().send_future(async move {
            let result = client
                .task_complete()
                .user_id(&user_id)
                .task_id(id)
                .body(TaskCompletion { completed: Some(completed) })
                .send()
                .await;
            Msg::Toggled(id, result.map(|r| r.into_inner()).map_err(|e| error_message(&e)))
        });
    }

    /// The task with this id, on screen or in a reminder.
    fn known_task(&self, id: Uuid) -> Option<Rc<Task>> {
        self.tasks
            .iter()
            .find(|t| t.id == id)
            .or_else(|| self.reminders.iter().map(|d| &d.task).find(|t| t.id == id))
            .cloned()
    }

    /// Sends the delete that is waiting out its undo window, now.
    fn commit_pending_delete(&mut self, ctx: Option<&Context<Self>>) {
        let Some(pending) = self.pending_delete.take() else { return };
        let (client, user_id, task_id) = (self.client.clone(), self.user_id.clone(), pending.task.id);
        let delete = async move {
            client
                .task_delete()
                .user_id(&user_id)
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
        let user_id = app.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
        let mut page = TasksPage {
            client: app.client.clone(),
            user_id: user_id.clone(),
            view: View::All,
            sort: TaskSort::Created,
            order: SortOrder::Desc,
            query: String::new(),
            query_generation: 0,
            tag_filter: None,
            priority_filter: None,
            tz: time_zone(),
            tasks: Vec::new(),
            next_page: None,
            loading: true,
            loading_more: false,
            generation: 0,
            summary: None,
            tags: Rc::default(),
            tag_names: Rc::default(),
            draft: session::load_draft(),
            extras: Extras::default(),
            title_error: None,
            draft_error: None,
            adding: 0,
            error: None,
            announcement: String::new(),
            pending_delete: None,
            delete_seq: 0,
            title_ref: NodeRef::default(),
            undo_ref: NodeRef::default(),
            search_ref: NodeRef::default(),
            slash: {
                let link = ctx.link().clone();
                let listener =
                    Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                        let in_field =
                            e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(
                                |el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"),
                            );
                        if e.key() == "/" && !in_field && !e.ctrl_key() && !e.meta_key() && !e.alt_key() {
                            e.prevent_default();
                            link.send_message(Msg::FocusSearch);
                        }
                    });
                web_sys::window().and_then(|w| w.document()).map(|d| {
                    let _ = d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
                    listener
                })
            },
            focus_title: false,
            focus_undo: false,
            marked: false,
            _live: LiveEvents::follow(app.client.clone(), user_id, ctx.link().callback(Msg::Live)),
            summary_due: false,
            reminders: Rc::default(),
        };
        page.resend_pending_edit(ctx);
        page.load(ctx, None);
        page.summarise(ctx);
        page
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::SetView(view) => {
                if view == self.view {
                    return false;
                }
                self.view = view;
                self.load(ctx, None);
            }
            Msg::SetQuery(query) => {
                self.query = query;
                self.query_generation += 1;
                let generation = self.query_generation;
                ctx.link().send_future(async move {
                    yew::platform::time::sleep(SEARCH_PAUSE).await;
                    Msg::Search(generation)
                });
            }
            Msg::Search(generation) => {
                if generation != self.query_generation {
                    return false;
                }
                self.load(ctx, None);
            }
            Msg::SetTagFilter(tag) => {
                self.tag_filter = Some(tag).filter(|t| !t.is_empty());
                self.load(ctx, None);
            }
            Msg::SetPriorityFilter(priority) => {
                self.priority_filter = priority.parse().ok();
                self.load(ctx, None);
            }
            Msg::Summarised(result) => match result {
                Ok(summary) => {
                    self.tag_names = Rc::new(summary.tags.iter().map(|t| t.name.clone()).collect());
                    self.tags = Rc::new(summary.tags.iter().cloned().map(TagCount::from).collect());
                    self.summary = Some(summary);
                }
                Err(_) => return false,
            },
            Msg::TagsChanged(message) => {
                self.announcement = message;
                self.load(ctx, None);
                self.summarise(ctx);
            }
            Msg::Extras(extras) => self.extras = extras,
            Msg::FocusSearch => {
                focus(&self.search_ref);
                return false;
            }
            Msg::SetDone(id, done) => {
                if let Some(task) = self.tasks.iter().find(|t| t.id == id) {
                    if task.completed == done {
                        return false;
                    }
                    return Component::update(self, ctx, Msg::Toggle(id));
                }
                // A reminder of a task not on screen: set it directly.
                self.send_completion(ctx, id, done);
                return false;
            }
            Msg::Snooze(id) => {
                let Some(task) = self.known_task(id) else { return false };
                let update = TaskUpdate {
                    title: task.title.clone(),
                    description: task.description.clone(),
                    completed: None,
                    due_date: task.due_date,
                    priority: None,
                    tags: None,
                    recurrence: None,
                    remind_at: Some(Utc::now() + chrono::Duration::minutes(10)),
                    clear_reminder: None,
                };
                let version = task.version;
                if self.tasks.iter().any(|t| t.id == id) {
                    return Component::update(self, ctx, Msg::Save(id, update, Some(version)));
                }
                let (client, user_id, old) = (self.client.clone(), self.user_id.clone(), (*task).clone());
                ctx.link().send_future(async move {
                    let result = client
                        .task_update()
                        .user_id(&user_id)
                        .task_id(id)
                        .if_match(task_etag(version))
                        .body(update)
                        .send()
                        .await;
                    Msg::Saved(id, result.map(|r| r.into_inner()).map_err(|e| (old, error_message(&e))))
                });
                return false;
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
            Msg::Draft(draft) => {
                session::store_draft(&draft);
                if self.title_error.is_some() {
                    self.title_error = title_problem(&draft.title);
                }
                self.draft = draft;
            }
            Msg::Add => {
                self.draft_error = None;
                let typed = organise::shortcuts(&self.draft.title);
                self.title_error = title_problem(&typed.title);
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
                let mut extras = self.extras.clone();
                if let Some(priority) = typed.priority {
                    extras.priority = priority;
                }
                extras.tags.extend(typed.tags);
                if let Some(error) = extras.problem(due_date) {
                    self.draft_error = Some(error);
                    return true;
                }
                let remind_at = extras.remind.instant(due_date).ok().flatten();
                // Clear the form at once so the next title can be typed while
                // this one is saved; it comes back if the save fails.
                let draft = std::mem::take(&mut self.draft);
                session::store_draft(&self.draft);
                self.extras = Extras::default();
                self.focus_title = true;
                self.adding += 1;
                let body = TaskCreate {
                    title: typed.title.trim().to_string(),
                    description: Some(draft.description.trim().to_string()).filter(|d| !d.is_empty()),
                    due_date,
                    priority: Some(extras.priority),
                    tags: Some(extras.tags.clone()),
                    recurrence: extras.repeat.rule(),
                    remind_at,
                };
                let (client, user_id) = (self.client.clone(), self.user_id.clone());
                ctx.link().send_future(async move {
                    // A key per add: if the answer is lost and the add is sent
                    // again, the server answers it once.
                    let key = Uuid::now_v7().to_string();
                    let result =
                        client.task_create().user_id(&user_id).idempotency_key(key).body(body).send().await;
                    Msg::Added(result.map(|r| r.into_inner()).map_err(|e| (draft, error_message(&e))))
                });
            }
            Msg::Added(result) => {
                self.adding = self.adding.saturating_sub(1);
                match result {
                    Ok(task) => {
                        self.announcement = format!("Added “{}”.", task.title);
                        self.adjust_counts(&task, 1);
                        self.insert_sorted(task, ctx);
                        self.summarise(ctx);
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
                self.send_completion(ctx, id, completed);
            }
            Msg::Toggled(id, result) => match result {
                Ok(task) => {
                    if !task.completed
                        && let Some(due) = task.due_date
                        && task.recurrence.is_some()
                    {
                        self.announcement =
                            format!("“{}” is next due {}.", task.title, format_due(due, today()));
                    }
                    self.replace(task);
                    self.summarise(ctx);
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
            Msg::Save(id, update, version) => {
                let Some(slot) = self.tasks.iter_mut().find(|t| t.id == id) else { return false };
                let old = (**slot).clone();
                let mut shown = old.clone();
                shown.title = update.title.clone();
                shown.description = update.description.clone();
                shown.due_date = update.due_date;
                shown.priority = update.priority.unwrap_or(shown.priority);
                if let Some(tags) = &update.tags {
                    shown.tags = tags.clone();
                }
                *slot = Rc::new(shown);
                let (client, user_id) = (self.client.clone(), self.user_id.clone());
                session::store_pending_edit(Some(&(user_id.clone(), id, update.clone())));
                ctx.link().send_future(async move {
                    let mut request = client.task_update().user_id(&user_id).task_id(id).body(update.clone());
                    if let Some(version) = version {
                        request = request.if_match(task_etag(version));
                    }
                    match request.send().await {
                        Ok(saved) => Msg::Saved(id, Ok(saved.into_inner())),
                        Err(e) if e.status().is_some_and(|s| s.as_u16() == 412) => {
                            let latest = client.task_view().user_id(&user_id).task_id(id).send().await;
                            Msg::Conflicted(
                                latest.map(|r| r.into_inner()).map_err(|e| error_message(&e)),
                                update,
                            )
                        }
                        Err(e) => Msg::Saved(id, Err((old, error_message(&e)))),
                    }
                });
            }
            Msg::Saved(_, result) => {
                self.settle_pending_edit();
                match result {
                    Ok(task) => {
                        self.announcement = format!("Saved “{}”.", task.title);
                        self.replace(task);
                        self.summarise(ctx);
                    }
                    Err((old, error)) => {
                        self.replace(old);
                        self.error = Some(error);
                    }
                }
            }
            Msg::Conflicted(latest, typed) => {
                self.settle_pending_edit();
                let typed_text = match &typed.description {
                    Some(details) => format!("“{}” ({details})", typed.title),
                    None => format!("“{}”", typed.title),
                };
                match latest {
                    Ok(task) => {
                        self.error = Some(format!(
                            "“{}” was changed elsewhere after you began editing it, so your edit was not \
                             saved. The newer version is shown; you had typed {typed_text}. Edit it again to \
                             apply your change.",
                            task.title
                        ));
                        self.replace(task);
                    }
                    Err(error) => {
                        self.error = Some(format!(
                            "The task was changed elsewhere, so your edit ({typed_text}) was not saved: {error}"
                        ));
                        self.load(ctx, None);
                    }
                }
            }
            Msg::Resaved(result) => {
                self.settle_pending_edit();
                match result {
                    Ok(task) => {
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
                self.summarise(ctx);
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
                self.summarise(ctx);
                if let Err(error) = result {
                    self.error = Some(error);
                    // The task is still there: show the list as it is.
                    self.load(ctx, None);
                }
                return self.error.is_some();
            }
            Msg::DismissError => self.error = None,
            Msg::Live(Live::Resync) => {
                self.load(ctx, None);
                self.summarise(ctx);
                return false;
            }
            Msg::Live(Live::Event(event)) => {
                match *event {
                    TaskEvent::TaskCreated(task) | TaskEvent::TaskUpdated(task) => {
                        self.apply_remote(task, ctx)
                    }
                    TaskEvent::TaskDeleted(tombstone) => {
                        self.settle_reminder(tombstone.id, None);
                        self.tasks.retain(|t| t.id != tombstone.id);
                    }
                    TaskEvent::ReminderDue(due) => {
                        self.remind(due);
                        return true;
                    }
                }
                self.summarise_soon(ctx);
            }
            Msg::Resummarise => {
                self.summary_due = false;
                self.summarise(ctx);
                return false;
            }
            Msg::DismissReminder(id) => {
                self.reminders =
                    Rc::new(self.reminders.iter().filter(|d| d.task.id != id).cloned().collect());
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
        if let (Some(listener), Some(document)) =
            (self.slash.take(), web_sys::window().and_then(|w| w.document()))
        {
            let _ =
                document.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let today = today();
        html! {
            <div class="dashboard">
                <div class="dashboard-head">
                    <h1 tabindex="-1">{ "Your tasks" }</h1>
                    <p class="counts" id="counts">
                        <span id="pending-count">{ count_text(self.summary.as_ref().map(|s| s.pending)) }</span>
                        { " pending · " }
                        <span id="completed-count">{ count_text(self.summary.as_ref().map(|s| s.completed)) }</span>
                        { " completed · " }
                        <span id="overdue-count">{ count_text(self.summary.as_ref().map(|s| s.overdue)) }</span>
                        { " overdue · " }
                        <span id="today-count">{ count_text(self.summary.as_ref().map(|s| s.due_today)) }</span>
                        { " due today" }
                    </p>
                </div>
                { self.view_add_form(ctx) }
                <div class="toolbar">
                    <div class="search field grow">
                        <label for="search">{ "Search" }</label>
                        <input id="search" type="search" ref={self.search_ref.clone()} value={self.query.clone()}
                            placeholder="Search titles and details (press /)" autocomplete="off"
                            aria-keyshortcuts="/" aria-controls="task-list"
                            oninput={link.callback(|e: InputEvent| Msg::SetQuery(input_value(&e)))} />
                    </div>
                    <div class="filters" role="group" aria-label="Show tasks">
                        { for VIEWS.iter().map(|&(view, label, id)| {
                            let pressed = self.view == view;
                            html! {
                                <button type="button" id={id}
                                    class={classes!("chip", pressed.then_some("active"))}
                                    aria-pressed={if pressed { "true" } else { "false" }}
                                    onclick={link.callback(move |_| Msg::SetView(view))}>
                                    { label }
                                </button>
                            }
                        }) }
                    </div>
                    <div class="field">
                        <label for="tag-filter">{ "Tag" }</label>
                        <select id="tag-filter" onchange={link.callback(|e: Event| Msg::SetTagFilter(event_value(&e)))}>
                            <option value="" selected={self.tag_filter.is_none()}>{ "Any tag" }</option>
                            { for self.tags.iter().map(|tag| html! {
                                <option value={tag.name.clone()}
                                    selected={self.tag_filter.as_deref() == Some(tag.name.as_str())}>
                                    { format!("{} ({})", tag.name, tag.pending) }
                                </option>
                            }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="priority-filter">{ "Priority" }</label>
                        <select id="priority-filter"
                            onchange={link.callback(|e: Event| Msg::SetPriorityFilter(event_value(&e)))}>
                            <option value="" selected={self.priority_filter.is_none()}>{ "Any priority" }</option>
                            { for TaskPriority::ALL.iter().rev().map(|p| html! {
                                <option value={p.as_str()} selected={self.priority_filter == Some(*p)}>
                                    { priority_label(*p) }
                                </option>
                            }) }
                        </select>
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
                <Reminders due={Shown(self.reminders.clone())}
                    on_done={link.callback(|id| Msg::SetDone(id, true))}
                    on_snooze={link.callback(Msg::Snooze)}
                    on_dismiss={link.callback(Msg::DismissReminder)} />
                { self.view_list(ctx, today) }
                <TagPanel tags={self.tags.clone()} on_changed={link.callback(Msg::TagsChanged)} />
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
                        placeholder="What needs doing? (!high, #tag)" autocomplete="off" maxlength="400"
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
                <ExtrasFields prefix="new" value={self.extras.clone()} known_tags={self.tag_names.clone()}
                    on_change={link.callback(Msg::Extras)} />
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
            let filtered =
                !self.query.trim().is_empty() || self.tag_filter.is_some() || self.priority_filter.is_some();
            let text = match self.view {
                _ if filtered => "No task matches the search and filters.",
                View::All => "No tasks yet. Type a title above and press Enter to add your first one.",
                View::Pending => "Nothing pending. Everything is done!",
                View::Completed => "No completed tasks yet. Tick a task to mark it done.",
                View::Today => "Nothing due today.",
                View::Overdue => "Nothing overdue.",
            };
            return html! { <p class="empty" id="empty-state">{ text }</p> };
        }
        let on_toggle = link.callback(Msg::Toggle);
        let on_save = link.callback(|(id, update, version)| Msg::Save(id, update, version));
        let on_delete = link.callback(Msg::Delete);
        html! {
            <>
                <ul class="tasks" id="task-list" aria-label="Tasks" aria-busy={self.loading.then_some("true")}>
                    { for self.tasks.iter().map(|task| html! {
                        <TaskItem key={task.id.to_string()} task={TaskRef(task.clone())} {today}
                            known_tags={self.tag_names.clone()}
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
                && a.updated_at == b.updated_at
                && a.version == b.version
                && a.tags == b.tags
                && a.priority == b.priority
                && a.remind_at == b.remind_at
                && a.recurrence == b.recurrence)
    }
}

#[derive(Properties, PartialEq)]
pub struct TaskItemProps {
    pub task: TaskRef,
    pub today: NaiveDate,
    pub known_tags: Rc<Vec<String>>,
    pub on_toggle: Callback<Uuid>,
    /// An edit, with the version the editing began on.
    pub on_save: Callback<(Uuid, TaskUpdate, Option<u64>)>,
    pub on_delete: Callback<Uuid>,
}

/// One task: a checkbox, its text, and edit and delete; edits in place.
#[component]
pub fn TaskItem(props: &TaskItemProps) -> Html {
    let task = &props.task.0;
    // An edit left open when the session ended comes back as it was.
    let restored = use_state(|| session::load_open_edit(&task.user_id, task.id));
    let editing = use_state(|| restored.is_some());
    let title = use_state(|| restored.as_ref().map(|e| e.title.clone()).unwrap_or_default());
    let description = use_state(|| restored.as_ref().map(|e| e.description.clone()).unwrap_or_default());
    let due = use_state(|| restored.as_ref().map(|e| e.due.clone()).unwrap_or_default());
    let extras = use_state(|| extras_of(task));
    // The version the edit began on; none for an edit restored after a
    // sign-in, which is saved as it is.
    let began_on = use_state(|| None::<u64>);
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
        let (user_id, task_id) = (task.user_id.clone(), task.id);
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
        let (editing, title, description, due, error, extras, began_on) = (
            editing.clone(),
            title.clone(),
            description.clone(),
            due.clone(),
            error.clone(),
            extras.clone(),
            began_on.clone(),
        );
        let task = task.clone();
        Callback::from(move |_: MouseEvent| {
            began_on.set(Some(task.version));
            extras.set(extras_of(&task));
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
            let (editing, title, description, due, error, extras) = (
                editing.clone(),
                title.clone(),
                description.clone(),
                due.clone(),
                error.clone(),
                extras.clone(),
            );
            let on_save = props.on_save.clone();
            let completed = task.completed;
            let had_reminder = task.remind_at.is_some();
            let version = *began_on;
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if let Some(message) = title_problem(&title).or_else(|| description_problem(&description)) {
                    return error.set(Some(message));
                }
                let due_date = match parse_date(&due) {
                    Ok(date) => date,
                    Err(message) => return error.set(Some(message)),
                };
                if let Some(message) = extras.problem(due_date) {
                    return error.set(Some(message));
                }
                let remind_at = extras.remind.instant(due_date).ok().flatten();
                let description = Some(description.trim().to_string()).filter(|d| !d.is_empty());
                on_save.emit((
                    id,
                    TaskUpdate {
                        title: title.trim().to_string(),
                        description,
                        due_date,
                        completed: Some(completed),
                        priority: Some(extras.priority),
                        tags: Some(extras.tags.clone()),
                        recurrence: Some(extras.repeat.rule().unwrap_or_default()),
                        remind_at,
                        clear_reminder: (remind_at.is_none() && had_reminder).then_some(true),
                    },
                    version,
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
                    <ExtrasFields prefix={format!("edit-{id}")} value={(*extras).clone()}
                        known_tags={props.known_tags.clone()}
                        on_change={ { let extras = extras.clone(); Callback::from(move |e| extras.set(e)) } } />
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
                aria-label={if task.completed {
                    format!("“{}” is done; mark it not done", task.title)
                } else {
                    format!("Mark “{}” done", task.title)
                }} />
            <div class="task-body">
                <span class="task-title" id={format!("title-{id}")} ondblclick={start_edit.clone()}>
                    { task.title.clone() }
                </span>
                if let Some(description) = &task.description {
                    <p class="task-description">{ description.clone() }</p>
                }
                if task.priority != TaskPriority::None || !task.tags.is_empty() {
                    <p class="task-meta">
                        if task.priority != TaskPriority::None {
                            <span class={classes!("badge", format!("priority-{}", task.priority))}>
                                { priority_label(task.priority) }
                            </span>
                        }
                        { for task.tags.iter().map(|tag| html! { <span class="chip tag">{ tag.clone() }</span> }) }
                    </p>
                }
                if let Some(rule) = &task.recurrence {
                    <p class="task-repeat">{ organise::describe(rule) }</p>
                }
                if let Some(at) = task.remind_at {
                    <p class="task-reminder">
                        { "Reminder " }
                        <time datetime={at.to_rfc3339()}>
                            { at.with_timezone(&chrono::Local).format("%-d %b %H:%M").to_string() }
                        </time>
                    </p>
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

/// A task's organising fields as the editor shows them.
fn extras_of(task: &Task) -> Extras {
    Extras {
        priority: task.priority,
        tags: task.tags.clone(),
        repeat: Repeat::from_rule(task.recurrence.as_deref()),
        remind: Remind::from_instant(task.remind_at),
    }
}
