//! `charter tasks …`, `charter tags …` and `charter summary`: each a call
//! or two of api-client, printed as text or, with `--json`, as the API's
//! own JSON.

use api_client::types::{self, Task, TaskCompletion, TaskCreate, TaskUpdate};
use charter_domain::listing::{SortOrder, TaskSort, TaskStatusFilter};
use charter_domain::organise::TaskPriority;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{ArgGroup, Args, Subcommand};
use futures::{StreamExt, TryStreamExt};
use std::num::NonZeroU32;
use uuid::Uuid;

use crate::failure::Failure;
use crate::listing::TaskQuery;
use crate::output::{Output, print_json, removed_line, renamed_line, summary_line, tag_table};
use crate::session::{self, Session};
use crate::table::Table;

/// Shorter prefixes are refused whatever they match: four characters is
/// where a prefix starts to mean one task rather than a guess.
const MIN_PREFIX: usize = 4;
/// Ids in tables are shown at least this long, longer where two shown
/// tasks would share it (UUIDv7s made close together share their start).
const SHOWN_ID: usize = 8;
/// The API's largest page: a whole list in as few requests as it takes.
const MAX_PAGE: u32 = 100;

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// List tasks, filtered, searched and sorted as the API offers.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Add a task.
    Add(AddArgs),
    /// Show one task in full.
    Show {
        /// The task's id, or a unique prefix of it (at least 4 characters).
        id: String,
    },
    /// Change a task; what is not given is kept.
    Edit(EditArgs),
    /// Mark tasks completed (a recurring task moves to its next date).
    Done {
        /// Ids or unique prefixes.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Mark tasks pending again.
    Undo {
        /// Ids or unique prefixes.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Delete tasks.
    #[command(alias = "delete")]
    Rm {
        /// Ids or unique prefixes.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// all, pending or completed.
    #[arg(long, default_value = "all")]
    status: TaskStatusFilter,
    /// Only tasks whose title or description has every word.
    #[arg(short = 'q', long = "search", value_name = "WORDS")]
    search: Option<String>,
    /// created, updated, title, due_date or priority.
    #[arg(long)]
    sort: Option<TaskSort>,
    /// asc or desc.
    #[arg(long)]
    order: Option<SortOrder>,
    /// Only these priorities (none, low, medium, high; comma-separated for any of them).
    #[arg(short, long)]
    priority: Option<String>,
    /// Only tasks with this tag (repeat: with all of them).
    #[arg(short, long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only tasks due on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    due_before: Option<NaiveDate>,
    /// Only tasks due on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    due_after: Option<NaiveDate>,
    /// Only pending tasks due before today.
    #[arg(long)]
    overdue: bool,
    /// The IANA time zone that decides what today is (default UTC).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Show at most this many tasks (default: all).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// What to do.
    title: String,
    #[arg(short, long)]
    description: Option<String>,
    /// Due date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    due: Option<NaiveDate>,
    /// none, low, medium or high.
    #[arg(short, long)]
    priority: Option<TaskPriority>,
    /// A tag (repeat for more).
    #[arg(short, long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Repeat as this RRULE (e.g. FREQ=WEEKLY;BYDAY=MO); needs --due.
    #[arg(long, value_name = "RRULE")]
    recurrence: Option<String>,
    /// Remind at this time (RFC 3339, e.g. 2026-12-31T09:00:00Z).
    #[arg(long, value_name = "TIME")]
    remind_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true)))]
pub struct EditArgs {
    /// The task's id, or a unique prefix of it.
    id: String,
    #[arg(long, group = "change")]
    title: Option<String>,
    #[arg(short, long, group = "change", conflicts_with = "no_description")]
    description: Option<String>,
    #[arg(long, group = "change")]
    no_description: bool,
    /// Due date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", group = "change", conflicts_with = "no_due")]
    due: Option<NaiveDate>,
    #[arg(long, group = "change")]
    no_due: bool,
    /// none, low, medium or high.
    #[arg(short, long, group = "change")]
    priority: Option<TaskPriority>,
    /// The task's tags from now on (repeat for more).
    #[arg(short, long = "tag", value_name = "TAG", group = "change", conflicts_with = "no_tags")]
    tags: Vec<String>,
    #[arg(long, group = "change")]
    no_tags: bool,
    /// Repeat as this RRULE; needs a due date.
    #[arg(long, value_name = "RRULE", group = "change", conflicts_with = "no_recurrence")]
    recurrence: Option<String>,
    #[arg(long, group = "change")]
    no_recurrence: bool,
    /// Remind at this time (RFC 3339).
    #[arg(long, value_name = "TIME", group = "change", conflicts_with = "no_reminder")]
    remind_at: Option<DateTime<Utc>>,
    #[arg(long, group = "change")]
    no_reminder: bool,
}

#[derive(Debug, Subcommand)]
pub enum TagCommand {
    /// List tags with their task counts.
    #[command(alias = "ls")]
    List,
    /// Rename a tag on every task (into an existing one merges them).
    Rename { tag: String, new_name: String },
    /// Remove a tag from every task.
    #[command(alias = "delete")]
    Rm { tag: String },
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The IANA time zone that decides what today is (default UTC).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
}

pub async fn tasks(command: TaskCommand, output: Output) -> Result<(), Failure> {
    let session = session::open()?;
    match command {
        TaskCommand::List(args) => list(&session, args, output).await,
        TaskCommand::Add(args) => {
            let body = TaskCreate {
                description: args.description,
                due_date: args.due,
                priority: args.priority,
                tags: (!args.tags.is_empty()).then_some(args.tags),
                recurrence: args.recurrence,
                remind_at: args.remind_at,
                ..TaskCreate::titled(args.title)
            };
            let task = session
                .client
                .task_create()
                .user_id(&session.user_id)
                .body(body)
                .send()
                .await
                .map_err(Failure::api)?
                .into_inner();
            report(output, &task, || format!("Added {}: {}", task.id, task.title))
        }
        TaskCommand::Show { id } => {
            let id = resolve(&session, &id).await?;
            let task = view(&session, id).await?;
            if output.json {
                print_json(&task)
            } else {
                print!("{}", details(&task));
                Ok(())
            }
        }
        TaskCommand::Edit(args) => edit(&session, args, output).await,
        TaskCommand::Done { ids } => complete(&session, &ids, true, output).await,
        TaskCommand::Undo { ids } => complete(&session, &ids, false, output).await,
        TaskCommand::Rm { ids } => {
            let mut deleted = Vec::new();
            for id in resolve_all(&session, &ids).await? {
                session
                    .client
                    .task_delete()
                    .user_id(&session.user_id)
                    .task_id(id)
                    .send()
                    .await
                    .map_err(Failure::api)?;
                if !output.json {
                    println!("Deleted {id}.");
                }
                deleted.push(serde_json::json!({ "id": id, "deleted": true }));
            }
            if output.json { print_json(&deleted) } else { Ok(()) }
        }
    }
}

async fn list(session: &Session, args: ListArgs, output: Output) -> Result<(), Failure> {
    let query = TaskQuery {
        status: Some(args.status),
        q: args.search,
        sort: args.sort,
        order: args.order,
        priority: args.priority,
        tag: (!args.tags.is_empty()).then(|| args.tags.join(",")),
        due_before: args.due_before,
        due_after: args.due_after,
        overdue: args.overdue.then_some(true),
        tz: args.tz,
        limit: NonZeroU32::new(MAX_PAGE),
        page_token: None,
    };
    let request = query.request(&session.client, &session.user_id);
    let tasks: Vec<Task> =
        request.stream().take(args.limit.unwrap_or(usize::MAX)).try_collect().await.map_err(Failure::api)?;
    if output.json {
        return print_json(&tasks);
    }
    if tasks.is_empty() {
        println!("No tasks.");
        return Ok(());
    }
    let shown = shown_id_length(tasks.iter().map(|t| t.id));
    let mut table = Table::new(&["ID", "STATUS", "PRIORITY", "DUE", "TAGS", "TITLE"]);
    for task in &tasks {
        table.row(vec![
            task.id.to_string()[..shown].to_owned(),
            status(task).to_owned(),
            priority(task.priority),
            task.due_date.map(|d| d.to_string()).unwrap_or_default(),
            task.tags.join(","),
            task.title.clone(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

async fn edit(session: &Session, args: EditArgs, output: Output) -> Result<(), Failure> {
    let id = resolve(session, &args.id).await?;
    let task = view(session, id).await?;
    // A PUT replaces title, description and due date, so send the ones not
    // being changed as they are; the fields added since are kept when left
    // out. If-Match makes a write that raced another device fail (412)
    // instead of undoing it.
    let body = TaskUpdate {
        description: if args.no_description { None } else { args.description.or(task.description) },
        due_date: if args.no_due { None } else { args.due.or(task.due_date) },
        priority: args.priority,
        tags: if args.no_tags { Some(Vec::new()) } else { (!args.tags.is_empty()).then_some(args.tags) },
        recurrence: if args.no_recurrence { Some(String::new()) } else { args.recurrence },
        remind_at: args.remind_at,
        clear_reminder: args.no_reminder.then_some(true),
        ..TaskUpdate::replacing(args.title.unwrap_or(task.title))
    };
    let task = session
        .client
        .task_update()
        .user_id(&session.user_id)
        .task_id(id)
        .if_match(format!("\"{}\"", task.version))
        .body(body)
        .send()
        .await
        .map_err(Failure::api)?
        .into_inner();
    report(output, &task, || format!("Updated {}: {}", task.id, task.title))
}

async fn complete(session: &Session, ids: &[String], completed: bool, output: Output) -> Result<(), Failure> {
    let mut tasks = Vec::new();
    for id in resolve_all(session, ids).await? {
        let task = session
            .client
            .task_complete()
            .user_id(&session.user_id)
            .task_id(id)
            // The state itself, never a toggle: running it twice is harmless.
            .body(TaskCompletion { completed: Some(completed) })
            .send()
            .await
            .map_err(Failure::api)?
            .into_inner();
        if !output.json {
            match (completed, task.completed, task.due_date) {
                (true, false, Some(next)) => {
                    println!("Completed an occurrence of {}: {}; next due {next}.", task.id, task.title)
                }
                (true, _, _) => println!("Completed {}: {}", task.id, task.title),
                (false, _, _) => println!("Reopened {}: {}", task.id, task.title),
            }
        }
        tasks.push(task);
    }
    if output.json { print_json(&tasks) } else { Ok(()) }
}

pub async fn tags(command: TagCommand, output: Output) -> Result<(), Failure> {
    let session = session::open()?;
    match command {
        TagCommand::List => {
            let tags =
                session.client.tag_list().user_id(&session.user_id).send().await.map_err(Failure::api)?;
            let tags = tags.into_inner().items;
            if output.json {
                return print_json(&tags);
            }
            if tags.is_empty() {
                println!("No tags.");
            } else {
                print!("{}", tag_table(&tags));
            }
            Ok(())
        }
        TagCommand::Rename { tag, new_name } => {
            let renamed = session
                .client
                .tag_rename()
                .user_id(&session.user_id)
                .tag(&tag)
                .body(types::TagRename { name: new_name })
                .send()
                .await
                .map_err(Failure::api)?
                .into_inner();
            if output.json {
                print_json(&renamed)
            } else {
                println!("{}", renamed_line(&tag, &renamed));
                Ok(())
            }
        }
        TagCommand::Rm { tag } => {
            session
                .client
                .tag_delete()
                .user_id(&session.user_id)
                .tag(&tag)
                .send()
                .await
                .map_err(Failure::api)?;
            if output.json {
                print_json(&serde_json::json!({ "name": tag, "deleted": true }))
            } else {
                println!("{}", removed_line(&tag));
                Ok(())
            }
        }
    }
}

pub async fn summary(args: SummaryArgs, output: Output) -> Result<(), Failure> {
    let session = session::open()?;
    let mut request = session.client.task_summary().user_id(&session.user_id);
    if let Some(tz) = args.tz {
        request = request.tz(tz);
    }
    let summary = request.send().await.map_err(Failure::api)?.into_inner();
    if output.json {
        return print_json(&summary);
    }
    println!("{}", summary_line(&summary));
    let mut table = Table::new(&["PRIORITY", "PENDING", "TOTAL"]);
    for count in summary.priorities.iter().filter(|c| c.total > 0) {
        table.row(vec![count.priority.to_string(), count.pending.to_string(), count.total.to_string()]);
    }
    print!("\n{}", table.render());
    if !summary.tags.is_empty() {
        print!("\n{}", tag_table(&summary.tags));
    }
    Ok(())
}

/// The id a prefix names: a whole id as it is, a prefix of at least
/// [`MIN_PREFIX`] characters when exactly one of the user's tasks has it.
async fn resolve(session: &Session, given: &str) -> Result<Uuid, Failure> {
    let mut ids = resolve_all(session, std::slice::from_ref(&given.to_owned())).await?;
    Ok(ids.remove(0))
}

/// [`resolve`] for several, in order, reading the user's ids at most once.
async fn resolve_all(session: &Session, given: &[String]) -> Result<Vec<Uuid>, Failure> {
    let mut known: Option<Vec<Uuid>> = None;
    let mut ids = Vec::with_capacity(given.len());
    for given in given {
        if let Ok(id) = Uuid::parse_str(given) {
            ids.push(id);
            continue;
        }
        let prefix = given.to_ascii_lowercase();
        if prefix.chars().count() < MIN_PREFIX {
            return Err(Failure::usage(format!(
                "`{given}` is too short: give at least {MIN_PREFIX} characters of the id"
            )));
        }
        let all = match &mut known {
            Some(all) => all,
            None => known.insert(task_ids(session).await?),
        };
        let matching: Vec<&Uuid> = all.iter().filter(|id| id.to_string().starts_with(&prefix)).collect();
        match matching.as_slice() {
            [id] => ids.push(**id),
            [] => return Err(Failure::usage(format!("no task id starts with `{given}`"))),
            many => {
                return Err(Failure::usage(format!(
                    "`{given}` is the start of {} task ids ({}): give more of it",
                    many.len(),
                    many.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(ids)
}

/// Every id of the user's tasks, page by page.
async fn task_ids(session: &Session) -> Result<Vec<Uuid>, Failure> {
    let query = TaskQuery { limit: NonZeroU32::new(MAX_PAGE), ..TaskQuery::default() };
    let all = query.request(&session.client, &session.user_id).stream();
    all.map_ok(|task| task.id).try_collect().await.map_err(Failure::api)
}

async fn view(session: &Session, id: Uuid) -> Result<Task, Failure> {
    Ok(session
        .client
        .task_view()
        .user_id(&session.user_id)
        .task_id(id)
        .send()
        .await
        .map_err(Failure::api)?
        .into_inner())
}

/// How many characters of the ids tell these tasks apart, at least
/// [`SHOWN_ID`].
fn shown_id_length(ids: impl Iterator<Item = Uuid>) -> usize {
    let mut ids: Vec<String> = ids.map(|id| id.to_string()).collect();
    ids.sort();
    let shared =
        ids.windows(2).map(|w| w[0].bytes().zip(w[1].bytes()).take_while(|(a, b)| a == b).count()).max();
    // One past the longest shared start (never a hyphen: every id has
    // them in the same places).
    shared.map_or(SHOWN_ID, |s| (s + 1).max(SHOWN_ID)).min(36)
}

fn status(task: &Task) -> &'static str {
    if task.completed { "done" } else { "pending" }
}

fn priority(priority: TaskPriority) -> String {
    match priority {
        TaskPriority::None => String::new(),
        other => other.to_string(),
    }
}

fn details(task: &Task) -> String {
    let mut table = Table::new(&["id", &task.id.to_string()]);
    let mut field = |name: &str, value: String| {
        if !value.is_empty() {
            table.row(vec![name.to_owned(), value]);
        }
    };
    field("title", task.title.clone());
    field("status", status(task).to_owned());
    field("priority", priority(task.priority));
    field("due", task.due_date.map(|d| d.to_string()).unwrap_or_default());
    field("tags", task.tags.join(", "));
    field("recurrence", task.recurrence.clone().unwrap_or_default());
    field("remind at", task.remind_at.map(|t| t.to_rfc3339()).unwrap_or_default());
    field("completed at", task.completed_at.map(|t| t.to_rfc3339()).unwrap_or_default());
    field("created", task.created_at.to_rfc3339());
    field("updated", task.updated_at.to_rfc3339());
    field("version", task.version.to_string());
    let mut out = table.render();
    if let Some(description) = task.description.as_deref().filter(|d| !d.is_empty()) {
        out.push('\n');
        out.push_str(description);
        out.push('\n');
    }
    out
}

/// One written task: as JSON, or the line `text` makes.
fn report(output: Output, task: &Task, text: impl FnOnce() -> String) -> Result<(), Failure> {
    if output.json {
        print_json(task)
    } else {
        println!("{}", text());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    #[test]
    fn shown_ids_are_as_long_as_it_takes_to_tell_them_apart() {
        let a = Uuid::parse_str("019ad3f2-8b41-7a31-9000-000000000001").unwrap();
        let b = Uuid::parse_str("019ad3f2-8b41-7b00-9000-000000000002").unwrap();
        let c = Uuid::parse_str("11111111-0000-7000-8000-000000000000").unwrap();
        assert_eq!(super::shown_id_length([c].into_iter()), 8);
        assert_eq!(super::shown_id_length([a, c].into_iter()), 8);
        // They share "019ad3f2-8b41-7": the 16th character tells them apart.
        assert_eq!(super::shown_id_length([a, b, c].into_iter()), 16);
    }
}
