//! Organising a task in the forms: its priority, tags, repetition and
//! reminder, the title shortcuts (`!high`, `#tag`), and the panel that
//! renames and deletes tags.
//!
//! The rules (what a tag may be, which RRULE text is allowed) are
//! `charter-domain`'s; this module only turns them into controls.

use std::rc::Rc;

use api_client::types::{Tag, TagRename};
use charter_domain::organise::{self, TaskPriority};
use charter_domain::recurrence::{self, Frequency};
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use yew::prelude::*;

use crate::context::AppCtx;
use crate::controls::input_value;
use crate::display::error_message;

/// What a title typed with shortcuts says: `Pay rent !high #home` is the
/// title `Pay rent`, priority high and the tag `home`.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortcuts {
    pub title: String,
    pub priority: Option<TaskPriority>,
    pub tags: Vec<String>,
}

pub fn shortcuts(typed: &str) -> Shortcuts {
    let mut words = Vec::new();
    let mut priority = None;
    let mut tags = Vec::new();
    for word in typed.split_whitespace() {
        let as_priority = word.strip_prefix('!').and_then(|p| p.parse::<TaskPriority>().ok());
        let as_tag = word.strip_prefix('#').filter(|t| organise::tag(t).is_ok());
        match (as_priority, as_tag) {
            (Some(p), _) if p != TaskPriority::None => priority = Some(p),
            (_, Some(tag)) => tags.push(tag.to_owned()),
            _ => words.push(word),
        }
    }
    Shortcuts { title: words.join(" "), priority, tags }
}

/// How a task repeats, as the form offers it.
#[derive(Clone, Debug, PartialEq)]
pub enum Repeat {
    Never,
    Daily,
    Weekdays,
    /// On these days; none means the due date's weekday.
    Weekly(Vec<Weekday>),
    Monthly,
    Yearly,
    /// Any RRULE text the API accepts.
    Custom(String),
}

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn day_code(day: Weekday) -> &'static str {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.num_days_from_monday() as usize]
}

fn day_name(day: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day.num_days_from_monday() as usize]
}

impl Repeat {
    /// The RRULE text to send; `None` for no repetition.
    pub fn rule(&self) -> Option<String> {
        Some(match self {
            Repeat::Never => return None,
            Repeat::Daily => "FREQ=DAILY".into(),
            Repeat::Weekdays => "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into(),
            Repeat::Weekly(days) if days.is_empty() => "FREQ=WEEKLY".into(),
            Repeat::Weekly(days) => {
                let codes: Vec<&str> =
                    WEEK.iter().filter(|d| days.contains(d)).map(|d| day_code(*d)).collect();
                format!("FREQ=WEEKLY;BYDAY={}", codes.join(","))
            }
            Repeat::Monthly => "FREQ=MONTHLY".into(),
            Repeat::Yearly => "FREQ=YEARLY".into(),
            Repeat::Custom(text) => text.trim().to_owned(),
        })
    }

    /// The choice a stored rule reads as.
    pub fn from_rule(rule: Option<&str>) -> Repeat {
        let Some(rule) = rule else { return Repeat::Never };
        match rule {
            "FREQ=DAILY" => Repeat::Daily,
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" => Repeat::Weekdays,
            "FREQ=MONTHLY" => Repeat::Monthly,
            "FREQ=YEARLY" => Repeat::Yearly,
            "FREQ=WEEKLY" => Repeat::Weekly(Vec::new()),
            _ => match recurrence::Recurrence::parse(rule) {
                Ok(r)
                    if r.frequency == Frequency::Weekly
                        && r.interval == 1
                        && r.end.is_none()
                        && r.by_month_day.is_empty()
                        && r.by_day.iter().all(|d| d.nth.is_none()) =>
                {
                    Repeat::Weekly(r.by_day.iter().map(|d| d.weekday).collect())
                }
                _ => Repeat::Custom(rule.to_owned()),
            },
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Repeat::Never => "never",
            Repeat::Daily => "daily",
            Repeat::Weekdays => "weekdays",
            Repeat::Weekly(_) => "weekly",
            Repeat::Monthly => "monthly",
            Repeat::Yearly => "yearly",
            Repeat::Custom(_) => "custom",
        }
    }
}

/// A stored rule in words: "Repeats weekly on Mon, Thu".
pub fn describe(rule: &str) -> String {
    match Repeat::from_rule(Some(rule)) {
        Repeat::Never => String::new(),
        Repeat::Daily => "Repeats daily".into(),
        Repeat::Weekdays => "Repeats every weekday".into(),
        Repeat::Weekly(days) if days.is_empty() => "Repeats weekly".into(),
        Repeat::Weekly(days) => {
            format!("Repeats weekly on {}", days.iter().map(|d| day_name(*d)).collect::<Vec<_>>().join(", "))
        }
        Repeat::Monthly => "Repeats monthly".into(),
        Repeat::Yearly => "Repeats yearly".into(),
        Repeat::Custom(text) => format!("Repeats ({text})"),
    }
}

/// When to be reminded, as the form offers it.
#[derive(Clone, Debug, PartialEq)]
pub enum Remind {
    Never,
    /// At 9:00 local time on the due date.
    AtDueMorning,
    /// A `datetime-local` value, `YYYY-MM-DDTHH:MM`, in local time.
    At(String),
}

impl Remind {
    /// The instant to send, checked against the due date it may need.
    pub fn instant(&self, due: Option<NaiveDate>) -> Result<Option<DateTime<Utc>>, String> {
        let local = match self {
            Remind::Never => return Ok(None),
            Remind::AtDueMorning => match due.and_then(|d| d.and_hms_opt(9, 0, 0)) {
                Some(at) => at,
                None => return Err("Give a due date for a reminder at 9:00 on the due date.".into()),
            },
            Remind::At(text) => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
                .map_err(|_| "Give the reminder a date and time.".to_owned())?,
        };
        Ok(Local.from_local_datetime(&local).earliest().map(|at| at.with_timezone(&Utc)))
    }

    /// The choice a stored reminder reads as.
    pub fn from_instant(at: Option<DateTime<Utc>>) -> Remind {
        match at {
            None => Remind::Never,
            Some(at) => Remind::At(at.with_timezone(&Local).format("%Y-%m-%dT%H:%M").to_string()),
        }
    }
}

/// Everything about a task besides its title, details and due date.
#[derive(Clone, Debug, PartialEq)]
pub struct Extras {
    pub priority: TaskPriority,
    pub tags: Vec<String>,
    pub repeat: Repeat,
    pub remind: Remind,
}

impl Default for Extras {
    fn default() -> Self {
        Extras {
            priority: TaskPriority::None,
            tags: Vec::new(),
            repeat: Repeat::Never,
            remind: Remind::Never,
        }
    }
}

impl Extras {
    /// Checks the extras with the domain's rules; the message says what
    /// to fix.
    pub fn problem(&self, due: Option<NaiveDate>) -> Option<String> {
        if let Err(invalid) = organise::tags(&self.tags) {
            return Some(invalid.message);
        }
        // Without a due date, the server starts a repetition on its first
        // date from today.
        if let Some(Err(invalid)) = self.repeat.rule().map(|rule| recurrence::Recurrence::parse(&rule)) {
            return Some(invalid.message);
        }
        self.remind.instant(due).err()
    }
}

pub fn priority_label(priority: TaskPriority) -> &'static str {
    match priority {
        TaskPriority::None => "No priority",
        TaskPriority::Low => "Low",
        TaskPriority::Medium => "Medium",
        TaskPriority::High => "High",
    }
}

/// How a field's new text changes the extras.
type ExtrasEdit = dyn Fn(&mut Extras, String);

#[derive(Properties, PartialEq)]
pub struct ExtrasProps {
    /// Makes the ids of the fields unique on the page.
    pub prefix: String,
    pub value: Extras,
    pub on_change: Callback<Extras>,
    /// Tag names to complete from.
    pub known_tags: Rc<Vec<String>>,
}

/// Priority, tags, repetition and reminder fields.
#[component]
pub fn ExtrasFields(props: &ExtrasProps) -> Html {
    let prefix = &props.prefix;
    let value = &props.value;
    let typed_tag = use_state(String::new);
    let change = |edit: Rc<ExtrasEdit>| {
        let (value, on_change) = (value.clone(), props.on_change.clone());
        Callback::from(move |text: String| {
            let mut next = value.clone();
            edit(&mut next, text);
            on_change.emit(next);
        })
    };
    let on_priority = change(Rc::new(|e, v| e.priority = v.parse().unwrap_or_default()))
        .reform(|e: Event| crate::controls::event_value(&e));
    let on_repeat = change(Rc::new(|e, v| {
        e.repeat = match v.as_str() {
            "daily" => Repeat::Daily,
            "weekdays" => Repeat::Weekdays,
            "weekly" => Repeat::Weekly(Vec::new()),
            "monthly" => Repeat::Monthly,
            "yearly" => Repeat::Yearly,
            "custom" => Repeat::Custom(e.repeat.rule().unwrap_or_else(|| "FREQ=DAILY;INTERVAL=2".into())),
            _ => Repeat::Never,
        }
    }))
    .reform(|e: Event| crate::controls::event_value(&e));
    let on_custom =
        change(Rc::new(|e, v| e.repeat = Repeat::Custom(v))).reform(|e: InputEvent| input_value(&e));
    let on_remind = change(Rc::new(|e, v| {
        e.remind = match v.as_str() {
            "due-morning" => Remind::AtDueMorning,
            "at" => Remind::At(match &e.remind {
                Remind::At(text) => text.clone(),
                _ => (Local::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string(),
            }),
            _ => Remind::Never,
        }
    }))
    .reform(|e: Event| crate::controls::event_value(&e));
    let on_remind_at =
        change(Rc::new(|e, v| e.remind = Remind::At(v))).reform(|e: InputEvent| input_value(&e));
    let add_tag = {
        let (value, on_change, typed_tag) = (value.clone(), props.on_change.clone(), typed_tag.clone());
        move |text: &str| {
            let name = text.trim().trim_start_matches('#').trim();
            if name.is_empty() {
                return;
            }
            let mut next = value.clone();
            if !next.tags.iter().any(|t| organise::tag_key(t) == organise::tag_key(name)) {
                next.tags.push(name.to_owned());
            }
            typed_tag.set(String::new());
            on_change.emit(next);
        }
    };
    let on_tag_key = {
        let (typed_tag, value, on_change, add_tag) =
            (typed_tag.clone(), value.clone(), props.on_change.clone(), add_tag.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" | "," if !typed_tag.trim().is_empty() => {
                e.prevent_default();
                add_tag(&typed_tag);
            }
            "," => e.prevent_default(),
            "Backspace" if typed_tag.is_empty() && !value.tags.is_empty() => {
                let mut next = value.clone();
                next.tags.pop();
                on_change.emit(next);
            }
            _ => {}
        })
    };
    let on_tag_input = {
        let typed_tag = typed_tag.clone();
        Callback::from(move |e: InputEvent| typed_tag.set(input_value(&e)))
    };
    let on_tag_blur = {
        let (typed_tag, add_tag) = (typed_tag.clone(), add_tag.clone());
        Callback::from(move |_: FocusEvent| add_tag(&typed_tag))
    };
    let remove_tag = |index: usize| {
        let (value, on_change) = (value.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = value.clone();
            next.tags.remove(index);
            on_change.emit(next);
        })
    };
    let toggle_day = |day: Weekday| {
        let (value, on_change) = (value.clone(), props.on_change.clone());
        Callback::from(move |_: Event| {
            let mut next = value.clone();
            if let Repeat::Weekly(days) = &mut next.repeat {
                if let Some(at) = days.iter().position(|d| *d == day) {
                    days.remove(at);
                } else {
                    days.push(day);
                }
            }
            on_change.emit(next);
        })
    };
    let list_id = format!("{prefix}-tag-options");
    html! {
        <div class="extras">
            <div class="field">
                <label for={format!("{prefix}-priority")}>{ "Priority" }</label>
                <select id={format!("{prefix}-priority")} class="priority-select" onchange={on_priority}>
                    { for TaskPriority::ALL.iter().rev().map(|p| html! {
                        <option value={p.as_str()} selected={value.priority == *p}>{ priority_label(*p) }</option>
                    }) }
                </select>
            </div>
            <div class="field grow">
                <label for={format!("{prefix}-tag")}>{ "Tags" }</label>
                <div class="tag-input">
                    <ul class="chips" aria-label="Tags of this task">
                        { for value.tags.iter().enumerate().map(|(i, tag)| html! {
                            <li class="chip tag">
                                { tag.clone() }
                                <button type="button" class="chip-remove" onclick={remove_tag(i)}
                                    aria-label={format!("Remove tag {tag}")}>{ "×" }</button>
                            </li>
                        }) }
                    </ul>
                    <input id={format!("{prefix}-tag")} class="tag-entry" type="text" list={list_id.clone()}
                        value={(*typed_tag).clone()} placeholder="Add a tag, then Enter" autocomplete="off"
                        onkeydown={on_tag_key} oninput={on_tag_input} onblur={on_tag_blur} />
                    <datalist id={list_id}>
                        { for props.known_tags.iter().map(|t| html! { <option value={t.clone()} /> }) }
                    </datalist>
                </div>
            </div>
            <div class="field">
                <label for={format!("{prefix}-repeat")}>{ "Repeat" }</label>
                <select id={format!("{prefix}-repeat")} class="repeat-select" onchange={on_repeat}>
                    { for [("never", "Never"), ("daily", "Daily"), ("weekdays", "Weekdays"), ("weekly", "Weekly on…"),
                           ("monthly", "Monthly"), ("yearly", "Yearly"), ("custom", "Custom (RRULE)")]
                        .iter().map(|(key, label)| html! {
                            <option value={*key} selected={value.repeat.key() == *key}>{ *label }</option>
                        }) }
                </select>
            </div>
            if let Repeat::Weekly(days) = &value.repeat {
                <fieldset class="weekdays">
                    <legend>{ "Repeat on" }</legend>
                    { for WEEK.iter().map(|day| {
                        let id = format!("{prefix}-day-{}", day_code(*day));
                        html! {
                            <label for={id.clone()} class="weekday">
                                <input type="checkbox" id={id} checked={days.contains(day)} onchange={toggle_day(*day)} />
                                { day_name(*day) }
                            </label>
                        }
                    }) }
                </fieldset>
            }
            if let Repeat::Custom(text) = &value.repeat {
                <div class="field">
                    <label for={format!("{prefix}-rrule")}>{ "RRULE" }</label>
                    <input id={format!("{prefix}-rrule")} type="text" value={text.clone()} oninput={on_custom}
                        placeholder="FREQ=MONTHLY;BYDAY=-1FR" autocomplete="off" />
                </div>
            }
            <div class="field">
                <label for={format!("{prefix}-remind")}>{ "Reminder" }</label>
                <select id={format!("{prefix}-remind")} class="remind-select" onchange={on_remind}>
                    <option value="never" selected={value.remind == Remind::Never}>{ "None" }</option>
                    <option value="due-morning" selected={value.remind == Remind::AtDueMorning}>
                        { "At 9:00 on the due date" }
                    </option>
                    <option value="at" selected={matches!(value.remind, Remind::At(_))}>{ "At a time…" }</option>
                </select>
            </div>
            if let Remind::At(text) = &value.remind {
                <div class="field">
                    <label for={format!("{prefix}-remind-at")}>{ "Remind at" }</label>
                    <input id={format!("{prefix}-remind-at")} type="datetime-local" value={text.clone()}
                        oninput={on_remind_at} />
                </div>
            }
        </div>
    }
}

/// A tag and its counts, as the dashboard shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct TagCount {
    pub name: String,
    pub pending: u64,
    pub total: u64,
}

impl From<Tag> for TagCount {
    fn from(tag: Tag) -> Self {
        TagCount { name: tag.name, pending: tag.pending, total: tag.total }
    }
}

#[derive(Properties, PartialEq)]
pub struct TagPanelProps {
    pub tags: Rc<Vec<TagCount>>,
    /// After a rename or a deletion: the tasks and counts must reload.
    pub on_changed: Callback<String>,
}

/// Renaming and deleting tags, for every task at once.
#[component]
pub fn TagPanel(props: &TagPanelProps) -> Html {
    let app = use_context::<AppCtx>();
    let renaming = use_state(|| None::<(String, String)>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let Some(app) = app else { return html! {} };
    let user_id = app.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let run: Rc<dyn Fn(String, Option<String>)> = {
        let (client, on_changed, error, busy, renaming) =
            (app.client.clone(), props.on_changed.clone(), error.clone(), busy.clone(), renaming.clone());
        Rc::new(move |name: String, rename_to: Option<String>| {
            let (client, on_changed, error, busy, renaming, user_id) = (
                client.clone(),
                on_changed.clone(),
                error.clone(),
                busy.clone(),
                renaming.clone(),
                user_id.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match &rename_to {
                    Some(to) => client
                        .tag_rename()
                        .user_id(&user_id)
                        .tag(name.clone())
                        .body(TagRename { name: to.clone() })
                        .send()
                        .await
                        .map(|_| ()),
                    None => client.tag_delete().user_id(user_id).tag(name.clone()).send().await.map(|_| ()),
                };
                busy.set(false);
                match result {
                    Ok(()) => {
                        error.set(None);
                        renaming.set(None);
                        on_changed.emit(match rename_to {
                            Some(to) => format!("Renamed the tag “{name}” to “{to}”."),
                            None => format!("Removed the tag “{name}” from every task."),
                        });
                    }
                    Err(e) => error.set(Some(error_message(&e))),
                }
            });
        })
    };
    html! {
        <details class="tag-panel card" id="tag-panel">
            <summary>{ "Manage tags" }</summary>
            if props.tags.is_empty() {
                <p class="empty">{ "No tags yet. Add one to a task, or type #tag in a title." }</p>
            }
            <ul class="tag-rows">
                { for props.tags.iter().map(|tag| {
                    let name = tag.name.clone();
                    let editing = renaming.as_ref().filter(|(from, _)| *from == name).map(|(_, to)| to.clone());
                    match editing {
                        Some(to) => {
                            let (renaming_input, from) = (renaming.clone(), name.clone());
                            let oninput = Callback::from(move |e: InputEvent| {
                                renaming_input.set(Some((from.clone(), input_value(&e))))
                            });
                            let (run, from, to_send) = (run.clone(), name.clone(), to.clone());
                            let onsubmit = Callback::from(move |e: SubmitEvent| {
                                e.prevent_default();
                                run(from.clone(), Some(to_send.clone()));
                            });
                            let cancel = { let renaming = renaming.clone(); Callback::from(move |_: MouseEvent| renaming.set(None)) };
                            html! {
                                <li class="tag-row">
                                    <form {onsubmit} class="row" aria-label={format!("Rename the tag {name}")}>
                                        <label class="visually-hidden" for={format!("rename-{name}")}>
                                            { format!("New name for the tag {name}") }
                                        </label>
                                        <input id={format!("rename-{name}")} type="text" value={to} {oninput} />
                                        <button type="submit" class="button primary" disabled={*busy}>{ "Save" }</button>
                                        <button type="button" class="button subtle" onclick={cancel}>{ "Cancel" }</button>
                                    </form>
                                </li>
                            }
                        }
                        None => {
                            let start = { let (renaming, name) = (renaming.clone(), name.clone()); Callback::from(move |_: MouseEvent| renaming.set(Some((name.clone(), name.clone())))) };
                            let remove = { let (run, name) = (run.clone(), name.clone()); Callback::from(move |_: MouseEvent| run(name.clone(), None)) };
                            html! {
                                <li class="tag-row">
                                    <span class="chip tag">{ name.clone() }</span>
                                    <span class="tag-count">{ format!("{} pending · {} in all", tag.pending, tag.total) }</span>
                                    <button type="button" class="button subtle" onclick={start}
                                        aria-label={format!("Rename the tag {name}")}>{ "Rename" }</button>
                                    <button type="button" class="button subtle danger" onclick={remove} disabled={*busy}
                                        aria-label={format!("Delete the tag {name}")}>{ "Delete" }</button>
                                </li>
                            }
                        }
                    }
                }) }
            </ul>
            if let Some(message) = &*error {
                <p class="error" role="alert">{ message.clone() }</p>
            }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 005-organise-and-plan#FR-018
    #[test]
    fn title_shortcuts() {
        assert_eq!(
            shortcuts("Pay rent !high #home"),
            Shortcuts {
                title: "Pay rent".into(),
                priority: Some(TaskPriority::High),
                tags: vec!["home".into()]
            }
        );
        assert_eq!(shortcuts("Say hi!").title, "Say hi!", "a bang inside a word is text");
        assert_eq!(shortcuts("C# notes").tags, Vec::<String>::new(), "a hash inside a word is text");
        assert_eq!(shortcuts("#a,b #ok").tags, ["ok"], "a tag the rules refuse stays text");
    }

    // spec: 005-organise-and-plan#FR-018
    #[test]
    fn repeat_choices_round_trip() {
        for repeat in [
            Repeat::Daily,
            Repeat::Weekdays,
            Repeat::Weekly(vec![Weekday::Mon, Weekday::Thu]),
            Repeat::Weekly(Vec::new()),
            Repeat::Monthly,
            Repeat::Yearly,
            Repeat::Custom("FREQ=MONTHLY;BYDAY=-1FR".into()),
        ] {
            assert_eq!(Repeat::from_rule(repeat.rule().as_deref()), repeat);
        }
        assert_eq!(describe("FREQ=WEEKLY;BYDAY=MO,TH"), "Repeats weekly on Mon, Thu");
        let extras = Extras { repeat: Repeat::Daily, ..Extras::default() };
        assert_eq!(extras.problem(None), None, "the server dates it");
        assert_eq!(extras.problem(NaiveDate::from_ymd_opt(2027, 1, 1)), None);
        let morning = Extras { remind: Remind::AtDueMorning, ..Extras::default() };
        assert!(morning.problem(None).is_some_and(|m| m.contains("due date")));
        let bad = Extras { repeat: Repeat::Custom("FREQ=HOURLY".into()), ..Extras::default() };
        assert!(bad.problem(NaiveDate::from_ymd_opt(2027, 1, 1)).is_some_and(|m| m.contains("HOURLY")));
    }
}
