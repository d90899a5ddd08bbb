//! Renders a [`Report`]: rustc-style text, JSON, SARIF 2.1.0 or GitHub
//! workflow commands.

use serde_json::{Value, json};

use crate::{Finding, Report, Severity};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            _ => Err(format!("unknown format `{s}` (human, json, sarif, github)")),
        }
    }
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Human => human(report),
        Format::Json => serde_json::to_string_pretty(&json(report)).expect("JSON values serialise") + "\n",
        Format::Sarif => serde_json::to_string_pretty(&sarif(report)).expect("JSON values serialise") + "\n",
        Format::Github => github(report),
    }
}

/// One finding the way rustc prints a diagnostic.
pub fn human_finding(f: &Finding) -> String {
    let mut out = format!("{}[{}]: {}\n", f.severity.as_str(), f.rule, f.message);
    if f.line == 0 {
        out.push_str(&format!("  --> {}\n", f.file));
    } else {
        let number = f.line.to_string();
        let pad = " ".repeat(number.len());
        out.push_str(&format!("{pad}--> {}:{}:{}\n", f.file, f.line, f.column));
        out.push_str(&format!("{pad} |\n{number} | {}\n", f.snippet));
        let prefix: String = f
            .snippet
            .chars()
            .take(f.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!("{pad} | {prefix}^\n"));
    }
    if !f.help.is_empty() {
        out.push_str(&format!("  = help: {}\n", f.help));
    }
    if f.fixable {
        out.push_str("  = note: `check-specs --fix` repairs this\n");
    }
    out
}

pub fn human(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&human_finding(f));
        out.push('\n');
    }
    for n in &report.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    if errors == 0 && warnings == 0 {
        out.push_str("check-specs: clean\n");
    } else {
        let fixable = report.findings.iter().filter(|f| f.fixable).count();
        out.push_str(&format!(
            "check-specs: {errors} error(s), {warnings} warning(s), {fixable} fixable with --fix\n"
        ));
    }
    out
}

pub fn json(report: &Report) -> Value {
    json!({
        "findings": report.findings,
        "notes": report.notes,
        "errors": report.errors(),
        "warnings": report.warnings(),
        "exit_code": report.exit_code(),
    })
}

/// Short descriptions of every rule, for SARIF's `tool.driver.rules`.
pub const RULES: &[(&str, &str)] = &[
    ("GOV-STRUCT-001", "Required spec artifact missing"),
    ("GOV-STRUCT-002", "Required section missing"),
    ("GOV-STRUCT-003", "Template placeholder left"),
    ("GOV-STRUCT-004", "Too many unresolved clarification markers"),
    ("GOV-PRIORITY-001", "Document does not declare what governs it"),
    ("GOV-PRIORITY-002", "Governing document link does not resolve"),
    ("GOV-PRIORITY-003", "Governing document does not outrank the governed one"),
    ("GOV-PRIORITY-004", "Plan cites a stale constitution version"),
    ("GOV-PRIORITY-005", "Constitution Check does not name every principle"),
    ("GOV-PRIORITY-006", "Violated principle without Complexity Tracking justification"),
    ("GOV-PRIORITY-007", "Agent guidance restates a constitution rule differently"),
    ("GOV-AMEND-001", "Constitution version not bumped by the implied level"),
    ("GOV-AMEND-002", "Constitution ratification date changed"),
    ("GOV-AMEND-003", "Constitution amendment date not updated"),
    ("GOV-OWN-001", "Specs Agent ownership of the specs folder violated"),
    ("GOV-OWN-002", "Commit without a known Agent trailer"),
    ("GOV-OWN-003", "Commit touches paths its agent does not own"),
    ("GOV-OWN-004", "CODEOWNERS differs from the agents table"),
    ("GOV-OWN-005", "Agents table missing or invalid"),
    ("GOV-CONTRACT-001", "Checked-in contract differs from the code"),
    ("GOV-CONTRACT-002", "Operation missing from the endpoint table"),
    ("GOV-CONTRACT-003", "Endpoint table row names no operation"),
    ("GOV-CONTRACT-004", "Endpoint table row disagrees with the contract"),
    ("GOV-CONTRACT-005", "Breaking contract change without a MAJOR version bump"),
    ("GOV-CONTRACT-006", "Endpoint table markers missing"),
    ("GOV-MCP-001", "MCP tool names no operation of the contract"),
    ("GOV-MCP-002", "MCP tool input schema differs from its operation's inputs"),
    ("GOV-MCP-003", "Operation without an MCP tool"),
    ("GOV-MCP-004", "MCP tool list missing or malformed"),
    ("GOV-SCHEMA-001", "Table missing from the schema document or the migrations"),
    ("GOV-SCHEMA-002", "Column missing from the schema document or the migrations"),
    ("GOV-SCHEMA-003", "Column type, nullability or key differs"),
    ("GOV-SCHEMA-004", "Index differs between the schema document and the migrations"),
    ("GOV-SCHEMA-005", "Migration does not apply"),
    ("GOV-TRACE-001", "Requirement cited by no task"),
    ("GOV-TRACE-002", "Requirement cited by no test"),
    ("GOV-TRACE-003", "Task cites an unknown requirement"),
    ("GOV-TRACE-004", "Task id duplicated or out of order"),
    ("GOV-TRACE-005", "Task marked done names only missing files"),
    ("GOV-TRACE-006", "Task names an unknown user story, or a story has no task"),
    ("GOV-TRACE-007", "Task marked done names files no commit ever touched"),
    ("GOV-TRACE-008", "Task marked done has no test citing its requirements"),
    ("GOV-WAIVER-001", "Waiver expired"),
    ("GOV-WAIVER-002", "Waiver malformed"),
];

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn sarif(report: &Report) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, text)| {
            json!({
                "id": id,
                "name": id.replace('-', ""),
                "shortDescription": { "text": text },
                "helpUri": format!("governance/RULES.md#{}", id.to_lowercase()),
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut physical = json!({ "artifactLocation": { "uri": f.file, "uriBaseId": "%SRCROOT%" } });
            if f.line > 0 {
                physical["region"] = json!({ "startLine": f.line, "startColumn": f.column.max(1) });
            }
            let mut message = f.message.clone();
            if !f.help.is_empty() {
                message.push_str(&format!("\nhelp: {}", f.help));
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": RULES.iter().position(|(id, _)| *id == f.rule).unwrap_or(0),
                "level": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": message },
                "locations": [ { "physicalLocation": physical } ],
                "properties": { "fixable": f.fixable },
            })
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "check-specs",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "results": results,
        } ],
    })
}

/// Escapes a GitHub workflow command's data (`%`, CR, LF) or property (also `:` and `,`).
fn escape(s: &str, property: bool) -> String {
    let mut out = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", escape(&f.file, true));
        if f.line > 0 {
            props.push_str(&format!(",line={},col={}", f.line, f.column));
        }
        props.push_str(&format!(",title={}", escape(f.rule, true)));
        let mut message = f.message.clone();
        if !f.help.is_empty() {
            message.push_str(&format!("\nhelp: {}", f.help));
        }
        out.push_str(&format!("::{level} {props}::{}\n", escape(&message, false)));
    }
    for n in &report.notes {
        out.push_str(&format!("::notice title=check-specs::{}\n", escape(n, false)));
    }
    out
}
