//! `GOV-MCP-*`: the MCP tools a repository checks in say what its contract
//! says.
//!
//! The tool list (`[mcp] tools`) is JSON, `{"tools": [{"name",
//! "operation", "description", "input_schema"}]}`, as the tool server
//! prints it. A tool's input schema must be its operation's inputs: the
//! path and query parameters other than the `implicit` ones, each with the
//! parameter's schema (and the parameter's `description`, when it has
//! one), and the properties of the JSON request body, each with the body's
//! schema for it; every `$ref` inlined; `required` the required parameters
//! and the body's required properties.
//!
//! - `GOV-MCP-001` a tool names no operation of the contract.
//! - `GOV-MCP-002` a tool's input schema differs from its operation's
//!   inputs (a missing or extra input, a different schema, a different
//!   `required`).
//! - `GOV-MCP-003` an operation whose path starts with a `required` prefix
//!   has no tool; a waiver with `item = "<operation id>"` accepts one.
//! - `GOV-MCP-004` the tool list is missing, is not JSON of that shape, or
//!   names a tool twice.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::contract::resolve;
use crate::config::{Contract, Mcp};
use crate::{Error, Finding, Repository};

pub fn check(repo: &Repository, config: &Mcp, contract: &Contract) -> Result<Vec<Finding>, Error> {
    let root = repo.root;
    let file = config.tools.as_str();
    let help_regenerate = "regenerate the list with the tool server and commit it as the Specs Agent";
    if !root.join(file).is_file() {
        return Ok(vec![
            Finding::error("GOV-MCP-004", file, "the MCP tool list is missing").help(help_regenerate),
        ]);
    }
    // A missing or unreadable contract is GOV-CONTRACT-001's finding.
    let Some(document) =
        crate::read(root, &contract.path).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok())
    else {
        return Ok(Vec::new());
    };
    let text = crate::read(root, file)?;
    let list: Value = match serde_json::from_str(&text) {
        Ok(list) => list,
        Err(e) => {
            let finding = Finding::at_line(
                "GOV-MCP-004",
                file,
                &text,
                e.line().max(1),
                format!("the tool list is not JSON: {e}"),
            );
            return Ok(vec![finding.help(help_regenerate)]);
        }
    };
    let Some(tools) = list.get("tools").and_then(Value::as_array) else {
        return Ok(vec![
            Finding::error("GOV-MCP-004", file, "the tool list has no `tools` array").help(help_regenerate),
        ]);
    };

    let operations = operations(&document);
    let mut findings = Vec::new();
    let mut names = BTreeSet::new();
    let mut covered = BTreeSet::new();
    for (index, tool) in tools.iter().enumerate() {
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            findings.push(
                Finding::error("GOV-MCP-004", file, format!("tool {} of the list has no name", index + 1))
                    .help(help_regenerate),
            );
            continue;
        };
        let line = line_of_tool(&text, name);
        let at = |rule, message: String| Finding::at_line(rule, file, &text, line, message);
        if !names.insert(name) {
            findings.push(
                at("GOV-MCP-004", format!("tool `{name}` is listed twice")).help("keep one entry per tool"),
            );
            continue;
        }
        let Some(operation) = tool.get("operation").and_then(Value::as_str) else {
            findings.push(
                at("GOV-MCP-001", format!("tool `{name}` names no operation"))
                    .help("give the tool the `operation` (operationId) it calls"),
            );
            continue;
        };
        let Some(found) = operations.get(operation) else {
            findings.push(
                at(
                    "GOV-MCP-001",
                    format!("tool `{name}` calls `{operation}`, which is not an operation of the contract"),
                )
                .help("point the tool at an operation of the contract, or remove it"),
            );
            continue;
        };
        covered.insert(operation);
        let differences =
            compare(&document, found.operation, operation, tool.get("input_schema"), &config.implicit);
        if !differences.is_empty() {
            findings.push(
                at(
                    "GOV-MCP-002",
                    format!("tool `{name}`'s input schema differs from `{operation}`'s inputs: {}", differences.join("; ")),
                )
                .help("derive the input schema from the contract and regenerate the list; never edit it by hand"),
            );
        }
    }
    for (id, found) in &operations {
        if config.required.iter().any(|prefix| found.path.starts_with(prefix.as_str()))
            && !covered.contains(id.as_str())
        {
            findings.push(
                Finding::error(
                    "GOV-MCP-003",
                    file,
                    format!("operation `{id}` ({} {}) has no tool", found.method, found.path),
                )
                .help(format!(
                    "add a tool that calls it, or waive it alone: [[waiver]] rule = \"GOV-MCP-003\", file = \"{file}\", item = \"{id}\", with a reason and an expiry"
                ))
                .about(id.clone()),
            );
        }
    }
    Ok(findings)
}

struct Found<'a> {
    method: String,
    path: String,
    operation: &'a Value,
}

fn operations(document: &Value) -> BTreeMap<String, Found<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                out.insert(
                    id.to_owned(),
                    Found { method: method.to_uppercase(), path: path.clone(), operation },
                );
            }
        }
    }
    out
}

/// The line of `"name": "<name>"` in the list (1 when not found).
fn line_of_tool(text: &str, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.lines().position(|l| l.contains("\"name\"") && l.contains(&quoted)).map(|i| i + 1).unwrap_or(1)
}

/// How `schema` differs from the inputs of `operation`, in words.
fn compare(
    document: &Value,
    operation: &Value,
    id: &str,
    schema: Option<&Value>,
    implicit: &[String],
) -> Vec<String> {
    let mut expected: BTreeMap<String, (Value, &str)> = BTreeMap::new();
    let mut required = BTreeSet::new();
    let mut differences = Vec::new();
    for parameter in operation.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let parameter = resolve(document, parameter);
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
        let kind = match parameter.get("in").and_then(Value::as_str) {
            Some("path") => "the path parameter's",
            Some("query") => "the query parameter's",
            _ => continue,
        };
        if implicit.iter().any(|i| i == name) {
            continue;
        }
        let mut schema = inline(document, parameter.get("schema").unwrap_or(&Value::Null), 0);
        if let (Some(description), Value::Object(schema)) = (parameter.get("description"), &mut schema) {
            schema.insert("description".into(), description.clone());
        }
        if parameter.get("required") == Some(&Value::Bool(true)) {
            required.insert(name.to_owned());
        }
        expected.insert(name.to_owned(), (schema, kind));
    }
    let body = operation
        .get("requestBody")
        .map(|b| resolve(document, b))
        .and_then(|b| b.pointer("/content/application~1json/schema"))
        .map(|s| inline(document, s, 0));
    if let Some(body) = &body {
        for (name, schema) in body.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if expected.insert(name.clone(), (schema.clone(), "the request body's")).is_some() {
                differences.push(format!("`{name}` is both a parameter and a body property of `{id}`"));
            }
        }
        required.extend(
            body.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }

    let Some(schema) =
        schema.and_then(Value::as_object).filter(|s| s.get("type") == Some(&Value::from("object")))
    else {
        return vec!["the input schema is not a `type: object` schema".into()];
    };
    let empty = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    for (name, (wanted, kind)) in &expected {
        match properties.get(name) {
            None => differences.push(format!("it lacks input `{name}`")),
            Some(given) if given != wanted => differences.push(format!("`{name}` is not {kind} schema")),
            Some(_) => {}
        }
    }
    for name in properties.keys().filter(|n| !expected.contains_key(*n)) {
        differences.push(format!("`{name}` is not an input of `{id}`"));
    }
    let given: BTreeSet<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if given != required {
        let list = |s: &BTreeSet<String>| {
            if s.is_empty() { "nothing".to_owned() } else { s.iter().cloned().collect::<Vec<_>>().join(", ") }
        };
        differences.push(format!(
            "it requires {} where the operation requires {}",
            list(&given),
            list(&required)
        ));
    }
    differences
}

/// `value` with every local `$ref` replaced by what it points at (a
/// reference nested deeper than 32 levels, a recursive schema, is kept).
fn inline(document: &Value, value: &Value, depth: usize) -> Value {
    match value {
        Value::Object(object) if depth < 32 => {
            let target = resolve(document, value);
            if !std::ptr::eq(target, value) {
                return inline(document, target, depth + 1);
            }
            Value::Object(object.iter().map(|(k, v)| (k.clone(), inline(document, v, depth + 1))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| inline(document, v, depth + 1)).collect()),
        other => other.clone(),
    }
}
