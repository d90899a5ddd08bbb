//! Reminders as they come due: the server claims each reminder once and
//! sends `reminder.due` on the user's event stream (`sync`), so a
//! reminder is heard on every open device, for tasks on screen or not,
//! and one that came due while the app was closed is heard when it opens
//! again (up to a day late).
//!
//! The page always shows an in-page notice with "Done" and "Snooze 10
//! min", the actions a person takes; when they allowed notifications, the
//! browser's own notification is shown too, so a reminder is seen with the
//! tab in the background. (A notification's own action buttons need a
//! service worker, which the app does not have.)

use std::collections::HashSet;
use std::rc::Rc;

use api_client::types::Task;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// A reminder that came due: its task, and the time it reminded of.
#[derive(Clone)]
pub struct DueReminder {
    pub task: Rc<Task>,
    pub at: DateTime<Utc>,
}

/// The reminders to show: equal only when the same list.
#[derive(Clone)]
pub struct Shown(pub Rc<Vec<DueReminder>>);

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct RemindersProps {
    /// The reminders that came due and are still to act on.
    pub due: Shown,
    pub on_done: Callback<Uuid>,
    pub on_snooze: Callback<Uuid>,
    pub on_dismiss: Callback<Uuid>,
}

pub enum Msg {
    AskPermission,
    Permission(String),
}

pub struct Reminders {
    /// (task, reminder time) already notified.
    notified: HashSet<(Uuid, i64)>,
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
    /// The browser's notification, for each reminder not notified yet.
    fn notify_new(&mut self, due: &[DueReminder]) {
        for reminder in due {
            if !self.notified.insert((reminder.task.id, reminder.at.timestamp_millis())) {
                continue;
            }
            if self.permission != "granted" {
                continue;
            }
            let options = web_sys::NotificationOptions::new();
            options.set_body(&reminder.task.title);
            options.set_tag(&format!("charter-reminder-{}", reminder.task.id));
            let _ = web_sys::Notification::new_with_options("Charter reminder", &options);
        }
    }
}

impl Component for Reminders {
    type Message = Msg;
    type Properties = RemindersProps;

    fn create(ctx: &Context<Self>) -> Self {
        let mut reminders = Reminders { notified: HashSet::new(), permission: permission() };
        reminders.notify_new(&ctx.props().due.0);
        reminders
    }

    fn changed(&mut self, ctx: &Context<Self>, _old: &RemindersProps) -> bool {
        self.notify_new(&ctx.props().due.0);
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
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
                if !ctx.props().due.0.is_empty() {
                    <section class="reminders" id="reminders" aria-label="Reminders">
                        { for ctx.props().due.0.iter().map(|reminder| {
                            let task = &reminder.task;
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
                                            onclick={ctx.props().on_dismiss.reform(move |_: MouseEvent| id)}
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
