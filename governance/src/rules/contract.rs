//! `GOV-CONTRACT-*`: the OpenAPI contract, the code and the endpoint table
//! say the same thing.
//!
//! - `GOV-CONTRACT-001` the document generated from the code differs from the
//!   checked-in contract (`--fix` regenerates it).
//! - `GOV-CONTRACT-002` an operation of the contract is missing from the
//!   endpoint table (`--fix`).
//! - `GOV-CONTRACT-003` a row of the endpoint table names no operation of the
//!   contract (`--fix`).
//! - `GOV-CONTRACT-004` a row disagrees with its operation: method, path,
//!   success status or error statuses (`--fix`).
//! - `GOV-CONTRACT-005` against the base revision, a breaking change
//!   (removed operation, removed or retyped response field, new required
//!   request field, narrowed enum) without a MAJOR bump of `info.version`.
//! - `GOV-CONTRACT-006` the endpoint table's markers
//!   (`<!-- endpoint-table:begin -->` / `<!-- endpoint-table:end -->`) are
//!   missing.
//!
//! The table between the markers has the columns
//! `| Operation | Method | Path | Auth | Success | Errors |`; `Errors` lists
//! the explicit numeric 4xx/5xx responses (`4XX`/`5XX` ranges are ignored),
//! `—` for none.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::config::Contract;
use crate::markdown::Doc;
use crate::{Error, Finding, Repository, git};

pub const BEGIN: &str = "<!-- endpoint-table:begin -->";
pub const END: &str = "<!-- endpoint-table:end -->";

/// An operation, as the contract or the table states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub success: Option<u16>,
    pub errors: Vec<u16>,
    pub auth: String,
    /// Byte offset of the table row (0 for the contract).
    pub offset: usize,
}

/// The operations of an OpenAPI document, in document order.
pub fn operations(document: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let codes: BTreeSet<u16> = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                .unwrap_or_default();
            out.push(Operation {
                id: id.to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                success: codes.iter().copied().find(|c| (200..300).contains(c)),
                errors: codes.iter().copied().filter(|c| *c >= 400).collect(),
                auth: default_auth(id, path).to_string(),
                offset: 0,
            });
        }
    }
    out
}

/// The Auth column for an operation with no row yet: `bearer` for routes
/// with a `{user_id}` and for `auth_session`, `none` otherwise.
pub fn default_auth(id: &str, path: &str) -> &'static str {
    if path.contains("{user_id}") || id == "auth_session" { "bearer" } else { "none" }
}

/// The byte range of the text between the markers.
pub fn table_span(text: &str) -> Option<(usize, usize)> {
    let begin = text.find(BEGIN)? + BEGIN.len();
    let end = begin + text[begin..].find(END)?;
    Some((begin, end))
}

/// The rows of the endpoint table between the markers of `doc`.
pub fn table_operations(doc: &Doc) -> Option<Vec<Operation>> {
    let (begin, end) = table_span(&doc.text)?;
    let table = doc
        .tables
        .iter()
        .find(|t| t.offset >= begin && t.offset < end && t.has_header(&["Operation", "Method", "Path"]))?;
    let column = |name: &str| table.header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (success, errors, auth) = (column("Success"), column("Errors"), column("Auth"));
    Some(
        table
            .rows
            .iter()
            .map(|r| Operation {
                id: r.text(0).to_string(),
                method: r.text(1).to_uppercase(),
                path: r.text(2).to_string(),
                success: success.and_then(|i| r.text(i).parse().ok()),
                errors: errors.map(|i| parse_statuses(r.text(i))).unwrap_or_default(),
                auth: auth.map(|i| r.text(i).to_string()).unwrap_or_default(),
                offset: r.offset,
            })
            .collect(),
    )
}

fn parse_statuses(s: &str) -> Vec<u16> {
    let mut v: Vec<u16> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    v.sort();
    v
}

fn statuses(v: &[u16]) -> String {
    if v.is_empty() { "—".into() } else { v.iter().map(u16::to_string).collect::<Vec<_>>().join(", ") }
}

/// The endpoint table for `document`: existing rows keep their order and
/// Auth value, new operations are appended.
pub fn render_table(document: &Value, existing: &[Operation]) -> String {
    let mut ops = operations(document);
    ops.sort_by_key(|o| existing.iter().position(|e| e.id == o.id).unwrap_or(usize::MAX));
    let mut out = String::from(
        "| Operation | Method | Path | Auth | Success | Errors |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for op in ops {
        let auth = existing.iter().find(|e| e.id == op.id && !e.auth.is_empty()).map(|e| e.auth.as_str());
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            op.id,
            op.method,
            op.path,
            auth.unwrap_or(&op.auth),
            op.success.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            statuses(&op.errors)
        ));
    }
    out
}

pub fn check(
    repo: &Repository,
    config: &Contract,
    generated: Option<&str>,
    base: Option<&str>,
) -> Result<Vec<Finding>, Error> {
    let root = repo.root;
    let contract = config.path.as_str();
    let mut findings = Vec::new();
    if !root.join(contract).is_file() {
        findings.push(
            Finding::error("GOV-CONTRACT-001", contract, "the OpenAPI contract is missing")
                .help("run `check-specs --fix` to write the generated contract")
                .fixable(),
        );
        return Ok(findings);
    }
    let text = crate::read(root, contract)?;
    let document: Value = serde_json::from_str(&text)
        .map_err(|e| Error::Parse { path: contract.into(), message: e.to_string() })?;
    if let Some(generated) = generated {
        findings.extend(drift(contract, &text, generated));
    }
    if let Some(endpoints) = &config.endpoints
        && repo.is_file(endpoints)
    {
        findings.extend(endpoint_table(&Doc::load(root, endpoints)?, &document));
    }
    if let Some(base) = base
        && let Some(old) = git::show(root, base, contract)
        && let Ok(old) = serde_json::from_str::<Value>(&old)
    {
        findings.extend(breaking(config, &old, &document, &text));
    }
    Ok(findings)
}

/// (a) The generated document against the checked-in text.
pub fn drift(contract: &str, checked_in: &str, generated: &str) -> Vec<Finding> {
    if checked_in == generated {
        return Vec::new();
    }
    let line = checked_in
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(checked_in.lines().count().min(generated.lines().count()))
        + 1;
    vec![
        Finding::at_line(
            "GOV-CONTRACT-001",
            contract,
            checked_in,
            line,
            format!(
                "the contract differs from the document generated from the code; generated: `{}`",
                crate::markdown::line_of(generated, line).trim()
            ),
        )
        .help("if the API change is intended, run `check-specs --fix` and commit the document as the Specs Agent; otherwise revert the code")
        .fixable(),
    ]
}

/// (b) The endpoint table against the contract's operations, both ways.
pub fn endpoint_table(doc: &Doc, document: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(rows) = table_operations(doc) else {
        findings.push(
            Finding::at(
                "GOV-CONTRACT-006",
                doc,
                0,
                format!("no endpoint table between `{BEGIN}` and `{END}`"),
            )
            .help("add the two marker comments around the table, then run `check-specs --fix`")
            .fixable(),
        );
        return findings;
    };
    let begin = table_span(&doc.text).map(|(b, _)| b - BEGIN.len()).unwrap_or(0);
    let ops = operations(document);
    for op in &ops {
        match rows.iter().find(|r| r.id == op.id) {
            None => findings.push(
                Finding::at(
                    "GOV-CONTRACT-002",
                    doc,
                    begin,
                    format!(
                        "operation `{}` ({} {}) is missing from the endpoint table",
                        op.id, op.method, op.path
                    ),
                )
                .help("run `check-specs --fix` to regenerate the table from the contract")
                .fixable(),
            ),
            Some(row) => {
                let mut diffs = Vec::new();
                if row.method != op.method {
                    diffs.push(format!("method {} (contract: {})", row.method, op.method));
                }
                if row.path != op.path {
                    diffs.push(format!("path {} (contract: {})", row.path, op.path));
                }
                if row.success != op.success {
                    let s = |v: Option<u16>| v.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
                    diffs.push(format!("success {} (contract: {})", s(row.success), s(op.success)));
                }
                if row.errors != op.errors {
                    diffs.push(format!(
                        "errors {} (contract: {})",
                        statuses(&row.errors),
                        statuses(&op.errors)
                    ));
                }
                if !diffs.is_empty() {
                    findings.push(
                        Finding::at(
                            "GOV-CONTRACT-004",
                            doc,
                            row.offset,
                            format!("`{}` disagrees with the contract: {}", op.id, diffs.join("; ")),
                        )
                        .help("run `check-specs --fix` to regenerate the table from the contract")
                        .fixable(),
                    );
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    for row in &rows {
        if !ops.iter().any(|o| o.id == row.id) {
            findings.push(
                Finding::at(
                    "GOV-CONTRACT-003",
                    doc,
                    row.offset,
                    format!("`{}` is not an operation of the contract", row.id),
                )
                .help("remove the row, or add the operation to the API and regenerate the contract")
                .fixable(),
            );
        } else if !seen.insert(row.id.clone()) {
            findings.push(
                Finding::at("GOV-CONTRACT-003", doc, row.offset, format!("`{}` is listed twice", row.id))
                    .help("keep one row per operation")
                    .fixable(),
            );
        }
    }
    findings
}

/// Follows a local `$ref` (into `components`), and the reference it
/// leads to, up to eight deep.
pub(crate) fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/")) {
            Some(pointer) => match document.pointer(&format!("/{pointer}")) {
                Some(t) => s = t,
                None => break,
            },
            None => break,
        }
    }
    s
}

/// A schema's type, for retyping checks: its `$ref` name or `type`/`format`.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(items) = schema.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = items.iter().map(type_of).collect();
            return parts.join("|");
        }
    }
    let mut t = match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => {
            a.iter().filter_map(Value::as_str).filter(|s| *s != "null").collect::<Vec<_>>().join("|")
        }
        _ => String::new(),
    };
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        t.push_str(&format!("({f})"));
    }
    t
}

/// Properties (name → type) and required names of an object schema.
fn object(document: &Value, schema: &Value) -> (BTreeMap<String, String>, BTreeSet<String>) {
    let s = resolve(document, schema);
    let props = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), type_of(v))).collect())
        .unwrap_or_default();
    let required = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default();
    (props, required)
}

fn operation_objects(document: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for op in item.values() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.insert(id.to_string(), op);
                }
            }
        }
    }
    out
}

fn success_schema(op: &Value) -> Option<&Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, r) = responses.iter().find(|(k, _)| k.starts_with('2'))?;
    r.pointer("/content/application~1json/schema")
}

fn request_schema(op: &Value) -> Option<&Value> {
    op.pointer("/requestBody/content/application~1json/schema")
}

/// Schema names (of `#/components/schemas`) an operation's schemas refer to, transitively.
fn referenced(document: &Value, schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) =
                map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
                && out.insert(name.to_string())
                && let Some(target) = document.pointer(&format!("/components/schemas/{name}"))
            {
                referenced(document, target, out);
            }
            for v in map.values() {
                referenced(document, v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| referenced(document, v, out)),
        _ => {}
    }
}

/// The breaking changes from `old` to `new`, each naming its operation.
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut changes = Vec::new();
    let (old_ops, new_ops) = (operation_objects(old), operation_objects(new));
    for (id, old_op) in &old_ops {
        let Some(new_op) = new_ops.get(id) else {
            changes.push(format!("`{id}`: operation removed"));
            continue;
        };
        if let (Some(a), Some(b)) = (success_schema(old_op), success_schema(new_op)) {
            let mut compare = |owner: &str,
                               old_props: BTreeMap<String, String>,
                               new_props: BTreeMap<String, String>| {
                for (name, ty) in &old_props {
                    match new_props.get(name) {
                        None => changes.push(format!("`{id}`: response field `{owner}{name}` removed")),
                        Some(t) if t != ty => changes
                            .push(format!("`{id}`: response field `{owner}{name}` retyped from {ty} to {t}")),
                        _ => {}
                    }
                }
            };
            compare("", object(old, a).0, object(new, b).0);
            // Nested objects: every other schema the old response refers to.
            let (mut top, mut nested) = (BTreeSet::new(), BTreeSet::new());
            if let Some(name) = a.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
                top.insert(name.to_string());
            }
            referenced(old, a, &mut nested);
            for name in nested.difference(&top) {
                let pointer = format!("/components/schemas/{name}");
                if let (Some(x), Some(y)) = (old.pointer(&pointer), new.pointer(&pointer)) {
                    compare(&format!("{name}."), object(old, x).0, object(new, y).0);
                }
            }
        }
        if let Some(b) = request_schema(new_op) {
            let (_, new_required) = object(new, b);
            let old_required = request_schema(old_op).map(|a| object(old, a).1).unwrap_or_default();
            for name in new_required.difference(&old_required) {
                changes.push(format!("`{id}`: new required request field `{name}`"));
            }
        }
        let mut names = BTreeSet::new();
        referenced(new, new_op, &mut names);
        for name in names {
            let pointer = format!("/components/schemas/{name}");
            let values = |d: &Value| -> Option<BTreeSet<String>> {
                let s = d.pointer(&pointer)?;
                let e = s.get("enum").or_else(|| s.pointer("/items/enum"))?.as_array()?;
                Some(e.iter().map(|v| v.to_string()).collect())
            };
            if let (Some(a), Some(b)) = (values(old), values(new)) {
                let gone: Vec<_> = a.difference(&b).cloned().collect();
                if !gone.is_empty() {
                    changes.push(format!("`{id}`: enum `{name}` narrowed (removed {})", gone.join(", ")));
                }
            }
        }
    }
    changes
}

/// (d) Breaking changes need a MAJOR bump of `info.version`.
pub fn breaking(config: &Contract, old: &Value, new: &Value, new_text: &str) -> Vec<Finding> {
    let major = |d: &Value| {
        d.pointer("/info/version")
            .and_then(Value::as_str)
            .and_then(super::priority::parse_version)
            .map(|v| v.0)
    };
    if major(new) > major(old) {
        return Vec::new();
    }
    let changes = breaking_changes(old, new);
    if changes.is_empty() {
        return Vec::new();
    }
    let line = new_text.lines().position(|l| l.contains("\"version\"")).map(|i| i + 1).unwrap_or(1);
    vec![
        Finding::at_line(
            "GOV-CONTRACT-005",
            config.path.as_str(),
            new_text,
            line,
            format!("breaking contract change without a MAJOR bump of info.version: {}", changes.join("; ")),
        )
        .help(format!(
            "bump the MAJOR part of the API version ({}) and regenerate, or make the change compatible",
            config.version_source
        )),
    ]
}
