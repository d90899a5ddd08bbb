//! Reminders while the app is open: once a second, the loaded tasks whose
//! reminder time has come (within the last day) and that are still
//! pending are announced, once per reminder time.
//!
//! The page always shows an in-page notice with "Done" and "Snooze 10
//! min", the actions a person takes; when they allowed notifications, the
//! browser's own notification is shown too, so a reminder is seen with the
//! tab in the background. (A notification's own action buttons need a
//! service worker, which the app does not have.)

use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use api_client::types::Task;
use chrono::Utc;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// How often the reminder times are compared with the clock.
const TICK: Duration = Duration::from_secs(1);
/// A reminder older than this when first seen (the app was closed) is
/// not announced any more.
const MISSED_FOR: chrono::Duration = chrono::Duration::hours(24);

/// The tasks on screen, for the reminders: equal only when the same list.
#[derive(Clone)]
pub struct Shown(pub Rc<Vec<Rc<Task>>>);

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Shown {
    type Target = Rc<Vec<Rc<Task>>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

#[derive(Properties, PartialEq)]
pub struct RemindersProps {
    /// The tasks on screen.
    pub tasks: Shown,
    pub on_done: Callback<Uuid>,
    pub on_snooze: Callback<Uuid>,
}

pub enum Msg {
    Tick,
    Dismiss(Uuid),
    AskPermission,
    Permission(String),
}

pub struct Reminders {
    /// (task, reminder time) already announced.
    announced: HashSet<(Uuid, i64)>,
    /// What the notice shows, oldest first.
    showing: Vec<Rc<Task>>,
    permission: String,
}

fn notifications_available() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false))
}

fn permission() -> String {
    if !notifications_available() {
        return "unavailable".into();
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted",
        web_sys::NotificationPermission::Denied => "denied",
        _ => "default",
    }
    .into()
}

impl Reminders {
    fn schedule(ctx: &Context<Self>) {
        ctx.link().send_future(async {
            yew::platform::time::sleep(TICK).await;
            Msg::Tick
        });
    }

    fn notify(&self, task: &Task) {
        if self.permission != "granted" {
            return;
        }
        let options = web_sys::NotificationOptions::new();
        options.set_body(&task.title);
        options.set_tag(&format!("charter-reminder-{}", task.id));
        let _ = web_sys::Notification::new_with_options("Charter reminder", &options);
    }
}

impl Component for Reminders {
    type Message = Msg;
    type Properties = RemindersProps;

    fn create(ctx: &Context<Self>) -> Self {
        Self::schedule(ctx);
        Reminders { announced: HashSet::new(), showing: Vec::new(), permission: permission() }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Tick => {
                Self::schedule(ctx);
                let now = Utc::now();
                let tasks = &ctx.props().tasks;
                // A notice goes once its task is done, gone or moved on.
                let before = self.showing.len();
                self.showing.retain(|shown| {
                    tasks.iter().any(|t| t.id == shown.id && !t.completed && t.remind_at == shown.remind_at)
                });
                let mut changed = before != self.showing.len();
                for task in tasks.iter() {
                    let Some(at) = task.remind_at else { continue };
                    if task.completed || at > now || at < now - MISSED_FOR {
                        continue;
                    }
                    if self.announced.insert((task.id, at.timestamp_millis())) {
                        self.notify(task);
                        self.showing.push(task.clone());
                        changed = true;
                    }
                }
                changed
            }
            Msg::Dismiss(id) => {
                self.showing.retain(|t| t.id != id);
                true
            }
            Msg::AskPermission => {
                ctx.link().send_future(async {
                    if let Ok(promise) = web_sys::Notification::request_permission() {
                        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                    }
                    Msg::Permission(permission())
                });
                false
            }
            Msg::Permission(permission) => {
                self.permission = permission;
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <>
                if self.permission == "default" {
                    <button type="button" class="button subtle" id="enable-notifications"
                        onclick={link.callback(|_| Msg::AskPermission)}>
                        { "Show reminders as notifications" }
                    </button>
                }
                if !self.showing.is_empty() {
                    <section class="reminders" id="reminders" aria-label="Reminders">
                        { for self.showing.iter().map(|task| {
                            let id = task.id;
                            let title = task.title.clone();
                            let done = ctx.props().on_done.reform(move |_: MouseEvent| id);
                            let snooze = ctx.props().on_snooze.reform(move |_: MouseEvent| id);
                            html! {
                                <div class="reminder card" role="alert" data-id={id.to_string()}>
                                    <p><strong>{ "Reminder: " }</strong>{ title.clone() }</p>
                                    <div class="row">
                                        <button type="button" class="button primary reminder-done" onclick={done}
                                            aria-label={format!("Mark “{title}” done")}>{ "Done" }</button>
                                        <button type="button" class="button reminder-snooze" onclick={snooze}
                                            aria-label={format!("Snooze “{title}” for 10 minutes")}>
                                            { "Snooze 10 min" }
                                        </button>
                                        <button type="button" class="button subtle"
                                            onclick={link.callback(move |_| Msg::Dismiss(id))}
                                            aria-label={format!("Dismiss the reminder of “{title}”")}>
                                            { "Dismiss" }
                                        </button>
                                    </div>
                                </div>
                            }
                        }) }
                    </section>
                }
            </>
        }
    }
}
