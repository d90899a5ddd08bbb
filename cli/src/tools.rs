//! The MCP tools: a curated few, each naming the contract operation it
//! calls, with that operation's inputs as its input schema.
//!
//! An input schema is derived from [`api_client::CONTRACT`], the document
//! the client is generated from, never written here: the operation's path
//! parameters except `user_id` (the caller's token names the user), its
//! query parameters (each with its parameter's description) and the
//! properties of its JSON request body, with every `$ref` inlined so that
//! any MCP client can read it. `check-specs` holds the checked-in list
//! (`specs/contracts/mcp-tools.json`) to the same rule (`GOV-MCP-*`), and a
//! test holds this list to the checked-in one.
//!
//! A call decodes its arguments into the generated request types and calls
//! the operation through api-client as the caller; an error answer becomes
//! a tool error carrying the API's message.

use api_client::types::{self, Task, TaskCompletion, TaskCreate, TaskUpdate};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::failure::api_message;
use crate::listing::TaskQuery;
use crate::output::{removed_line, renamed_line, summary_line};
use crate::session::Session;

/// The parameters the server fills from the caller's token.
const IMPLICIT: &[&str] = &["user_id"];

/// A tool: its name, the operation it calls and what it tells an agent.
pub struct ToolSpec {
    pub name: &'static str,
    pub operation: &'static str,
    pub description: &'static str,
}

pub const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        name: "add_task",
        operation: "task_create",
        description: "Add a task. Only `title` is required; `due_date` is YYYY-MM-DD, `recurrence` an RRULE (needs a due date), `remind_at` an RFC 3339 time.",
    },
    ToolSpec {
        name: "list_tasks",
        operation: "task_list",
        description: "List tasks, one page at a time (pass `next_page` back as `page_token`): filter by `status`, `priority`, `tag`, due dates or `overdue`, search titles and descriptions with `q`, order with `sort` and `order`.",
    },
    ToolSpec { name: "get_task", operation: "task_view", description: "Read one task by its id." },
    ToolSpec {
        name: "update_task",
        operation: "task_update",
        description: "Change a task: give its `task_id`, its `title` (the current one to keep it) and the fields to change; every field left out keeps its value, `null` clears `description` or `due_date`. Fails if the task changed meanwhile; read it again and retry.",
    },
    ToolSpec {
        name: "complete_task",
        operation: "task_complete",
        description: "Mark a task completed (`completed`: true, the default) or pending again (false). Safe to retry: it sets the state, never toggles it. A recurring task moves to its next due date.",
    },
    ToolSpec { name: "delete_task", operation: "task_delete", description: "Delete a task for good." },
    ToolSpec {
        name: "task_summary",
        operation: "task_summary",
        description: "Count the tasks: total, pending, completed, overdue and due today (in time zone `tz`, default UTC), by priority and by tag.",
    },
    ToolSpec {
        name: "list_tags",
        operation: "tag_list",
        description: "List the tags in use, with their task counts.",
    },
    ToolSpec {
        name: "rename_tag",
        operation: "tag_rename",
        description: "Rename tag `tag` to `name` on every task; renaming into an existing tag merges the two.",
    },
    ToolSpec {
        name: "delete_tag",
        operation: "tag_delete",
        description: "Remove tag `tag` from every task.",
    },
];

/// A tool and its input schema.
pub type Schema = (&'static ToolSpec, Map<String, Value>);

/// Every tool with its input schema, derived from the contract.
pub fn schemas() -> Result<Vec<Schema>, String> {
    let contract: Value =
        serde_json::from_str(api_client::CONTRACT).map_err(|e| format!("the contract: {e}"))?;
    TOOLS.iter().map(|tool| Ok((tool, input_schema(&contract, tool.operation)?))).collect()
}

/// The tools as `charter mcp --list-tools` prints them and
/// `specs/contracts/mcp-tools.json` holds them.
pub fn catalogue() -> Result<Value, String> {
    let tools: Vec<Value> = schemas()?
        .into_iter()
        .map(|(tool, schema)| {
            json!({
                "name": tool.name,
                "operation": tool.operation,
                "description": tool.description,
                "input_schema": schema,
            })
        })
        .collect();
    Ok(json!({ "tools": tools }))
}

/// The input schema of `operation`: its path parameters but the
/// [`IMPLICIT`] ones, its query parameters and its JSON body's properties.
pub fn input_schema(contract: &Value, operation: &str) -> Result<Map<String, Value>, String> {
    let op = find_operation(contract, operation)
        .ok_or_else(|| format!("the contract has no operation {operation}"))?;
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut add = |name: &str, schema: Value, needed: bool| {
        if properties.insert(name.to_owned(), schema).is_some() {
            return Err(format!("{operation} has two inputs named {name}"));
        }
        if needed {
            required.push(Value::from(name));
        }
        Ok(())
    };
    for parameter in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
        let place = parameter.get("in").and_then(Value::as_str).unwrap_or_default();
        if !matches!(place, "path" | "query") || IMPLICIT.contains(&name) {
            continue;
        }
        let mut schema = inline(contract, parameter.get("schema").unwrap_or(&Value::Null), 0)?;
        if let (Some(description), Value::Object(schema)) = (parameter.get("description"), &mut schema) {
            schema.insert("description".into(), description.clone());
        }
        add(name, schema, parameter.get("required") == Some(&Value::Bool(true)))?;
    }
    if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
        let body = inline(contract, body, 0)?;
        let needed: Vec<&str> = body
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, schema) in body.get("properties").and_then(Value::as_object).into_iter().flatten() {
            add(name, schema.clone(), needed.contains(&name.as_str()))?;
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    Ok(schema)
}

fn find_operation<'a>(contract: &'a Value, operation: &str) -> Option<&'a Value> {
    contract
        .get("paths")?
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation))
}

/// `value` with every `#/components/schemas/…` reference replaced by the
/// schema it names.
fn inline(contract: &Value, value: &Value, depth: usize) -> Result<Value, String> {
    if depth > 32 {
        return Err("the contract's schemas nest too deep (a recursive schema?)".into());
    }
    match value {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .ok_or_else(|| format!("a reference outside the schemas: {reference}"))?;
                let target = contract
                    .pointer(&format!("/components/schemas/{}", name.replace('~', "~0").replace('/', "~1")))
                    .ok_or_else(|| format!("no schema {name}"))?;
                return inline(contract, target, depth + 1);
            }
            object
                .iter()
                .map(|(key, value)| Ok((key.clone(), inline(contract, value, depth + 1)?)))
                .collect::<Result<Map<_, _>, String>>()
                .map(Value::Object)
        }
        Value::Array(items) => items
            .iter()
            .map(|item| inline(contract, item, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// What a tool answers: the API's JSON and a line or few for people.
pub struct Outcome {
    pub structured: Value,
    pub text: String,
}

pub enum CallError {
    /// No tool has this name (a protocol error, not the tool's).
    UnknownTool,
    /// The tool ran and failed: bad arguments, or the API refused.
    Failed(String),
}

impl From<api_client::Error<types::Error>> for CallError {
    fn from(error: api_client::Error<types::Error>) -> Self {
        CallError::Failed(api_message(&error))
    }
}

/// Runs tool `name` as `session`'s user.
pub async fn call(session: &Session, name: &str, mut args: Map<String, Value>) -> Result<Outcome, CallError> {
    let (client, user) = (&session.client, session.user_id.as_str());
    match name {
        "add_task" => {
            let body: TaskCreate = decode(Value::Object(args))?;
            let task = client.task_create().user_id(user).body(body).send().await?.into_inner();
            task_outcome(&task, format!("Added {}", line(&task)))
        }
        "list_tasks" => {
            let query: TaskQuery = decode(Value::Object(args))?;
            let request = query.request(client, user);
            let page = request.send().await?.into_inner();
            let mut text = match page.items.len() {
                0 => "No tasks.".to_owned(),
                1 => "1 task:".to_owned(),
                n => format!("{n} tasks:"),
            };
            for task in &page.items {
                text.push_str(&format!("\n- {}", line(task)));
            }
            if page.next_page.is_some() {
                text.push_str("\nMore on the next page (`next_page`).");
            }
            Ok(Outcome { structured: structured(&page)?, text })
        }
        "get_task" => {
            let id: Uuid = take(&mut args, "task_id")?;
            no_more(&args)?;
            let task = client.task_view().user_id(user).task_id(id).send().await?.into_inner();
            task_outcome(&task, line(&task))
        }
        "update_task" => {
            let id: Uuid = take(&mut args, "task_id")?;
            let current = client.task_view().user_id(user).task_id(id).send().await?.into_inner();
            // A PUT clears the description and due date it is not given;
            // an agent leaving them out means "keep them".
            if !args.contains_key("description") {
                args.insert("description".into(), json!(current.description));
            }
            if !args.contains_key("due_date") {
                args.insert("due_date".into(), json!(current.due_date));
            }
            let body: TaskUpdate = decode(Value::Object(args))?;
            let task = client
                .task_update()
                .user_id(user)
                .task_id(id)
                .if_match(format!("\"{}\"", current.version))
                .body(body)
                .send()
                .await?
                .into_inner();
            task_outcome(&task, format!("Updated {}", line(&task)))
        }
        "complete_task" => {
            let id: Uuid = take(&mut args, "task_id")?;
            let body: TaskCompletion = decode(Value::Object(args))?;
            let completed = body.completed.unwrap_or(true);
            let body = TaskCompletion { completed: Some(completed) };
            let task = client.task_complete().user_id(user).task_id(id).body(body).send().await?.into_inner();
            let text = match (completed, task.completed) {
                (true, false) => format!("Completed an occurrence; next: {}", line(&task)),
                (true, true) => format!("Completed {}", line(&task)),
                (false, _) => format!("Reopened {}", line(&task)),
            };
            task_outcome(&task, text)
        }
        "delete_task" => {
            let id: Uuid = take(&mut args, "task_id")?;
            no_more(&args)?;
            client.task_delete().user_id(user).task_id(id).send().await?;
            Ok(Outcome {
                structured: json!({ "task_id": id, "deleted": true }),
                text: format!("Deleted task {id}."),
            })
        }
        "task_summary" => {
            let tz: Option<String> = take(&mut args, "tz")?;
            no_more(&args)?;
            let mut request = client.task_summary().user_id(user);
            if let Some(tz) = tz {
                request = request.tz(tz);
            }
            let summary = request.send().await?.into_inner();
            Ok(Outcome { structured: structured(&summary)?, text: summary_line(&summary) })
        }
        "list_tags" => {
            no_more(&args)?;
            let tags = client.tag_list().user_id(user).send().await?.into_inner();
            let text = if tags.items.is_empty() {
                "No tags.".to_owned()
            } else {
                let names: Vec<String> = tags
                    .items
                    .iter()
                    .map(|t| format!("{} ({} pending of {})", t.name, t.pending, t.total))
                    .collect();
                format!("Tags: {}.", names.join(", "))
            };
            Ok(Outcome { structured: structured(&tags)?, text })
        }
        "rename_tag" => {
            let tag: String = take(&mut args, "tag")?;
            let body: types::TagRename = decode(Value::Object(args))?;
            let renamed = client.tag_rename().user_id(user).tag(&tag).body(body).send().await?.into_inner();
            Ok(Outcome { structured: structured(&renamed)?, text: renamed_line(&tag, &renamed) })
        }
        "delete_tag" => {
            let tag: String = take(&mut args, "tag")?;
            no_more(&args)?;
            client.tag_delete().user_id(user).tag(&tag).send().await?;
            Ok(Outcome { structured: json!({ "tag": tag, "deleted": true }), text: removed_line(&tag) })
        }
        _ => Err(CallError::UnknownTool),
    }
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, CallError> {
    serde_json::from_value(value).map_err(|e| CallError::Failed(format!("invalid arguments: {e}")))
}

/// Removes argument `key` and decodes it (a missing one decodes as null).
fn take<T: DeserializeOwned>(args: &mut Map<String, Value>, key: &str) -> Result<T, CallError> {
    let value = args.remove(key).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|e| CallError::Failed(format!("invalid argument `{key}`: {e}")))
}

fn no_more(args: &Map<String, Value>) -> Result<(), CallError> {
    match args.keys().next() {
        Some(key) => Err(CallError::Failed(format!("invalid arguments: unknown field `{key}`"))),
        None => Ok(()),
    }
}

fn structured(value: &impl serde::Serialize) -> Result<Value, CallError> {
    serde_json::to_value(value).map_err(|e| CallError::Failed(e.to_string()))
}

fn task_outcome(task: &Task, text: String) -> Result<Outcome, CallError> {
    Ok(Outcome { structured: structured(task)?, text })
}

/// A task in a line: state, title, id and what else is set.
fn line(task: &Task) -> String {
    let mut line = format!("[{}] {} (id {}", if task.completed { "x" } else { " " }, task.title, task.id);
    if let Some(due) = task.due_date {
        line.push_str(&format!(", due {due}"));
    }
    if task.priority != Default::default() {
        line.push_str(&format!(", {} priority", task.priority));
    }
    if !task.tags.is_empty() {
        line.push_str(&format!(", tags {}", task.tags.join(", ")));
    }
    line.push(')');
    line
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn inputs_are_the_operations_parameters_and_body_with_references_inlined() {
        let contract: serde_json::Value = serde_json::from_str(api_client::CONTRACT).unwrap();
        let update = super::input_schema(&contract, "task_update").unwrap();
        let properties = update["properties"].as_object().unwrap();
        assert!(properties.contains_key("task_id") && properties.contains_key("title"));
        assert!(!properties.contains_key("user_id"), "the token names the user");
        assert_eq!(update["required"], json!(["task_id", "title"]));
        assert!(!serde_json::to_string(&update).unwrap().contains("$ref"));
        let list = super::input_schema(&contract, "task_list").unwrap();
        assert!(list["properties"]["q"]["description"].as_str().unwrap().contains("every word"));
        assert!(super::input_schema(&contract, "no_such_operation").is_err());
    }

    #[test]
    fn every_tool_names_an_operation_and_has_a_schema() {
        let catalogue = super::catalogue().unwrap();
        assert_eq!(catalogue["tools"].as_array().unwrap().len(), super::TOOLS.len());
    }
}
