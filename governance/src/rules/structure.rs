//! `GOV-STRUCT-*`: the artifacts exist, have their sections, and hold no
//! template leftovers.
//!
//! - `GOV-STRUCT-001` a required file is missing (the constitution; a
//!   feature folder's `spec.md`, `plan.md`, `tasks.md`).
//! - `GOV-STRUCT-002` a required section is missing (spec: User Stories,
//!   Requirements, Success Criteria; plan: Technical Context, Constitution
//!   Check, Complexity Tracking; tasks: at least one task line).
//! - `GOV-STRUCT-003` a template placeholder is left (`[ALL_CAPS]`, `{{…}}`)
//!   outside code.
//! - `GOV-STRUCT-004` more `[NEEDS CLARIFICATION …]` markers in a document
//!   than the constitution's `Clarification limit: N` allows.

use std::path::Path;

use crate::markdown::Doc;
use crate::{Error, Finding, paths};

pub const REQUIRED_SECTIONS: &[(&str, &[&str])] = &[
    ("spec.md", &["User Stories", "Requirements", "Success Criteria"]),
    ("plan.md", &["Technical Context", "Constitution Check", "Complexity Tracking"]),
    ("tasks.md", &[]),
];

pub fn check(root: &Path) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    if !root.join(paths::CONSTITUTION).is_file() {
        findings.push(
            Finding::error("GOV-STRUCT-001", paths::CONSTITUTION, "the constitution is missing")
                .help("write specs/constitution.md: the principles every change must keep"),
        );
    }
    for feature in super::feature_dirs(root)? {
        for (file, sections) in REQUIRED_SECTIONS {
            let rel = format!("{}/{feature}/{file}", paths::SPECS);
            if !root.join(&rel).is_file() {
                findings.push(
                    Finding::error("GOV-STRUCT-001", &rel, format!("feature `{feature}` has no {file}"))
                        .help(format!(
                            "add {rel} (every feature folder needs spec.md, plan.md and tasks.md)"
                        )),
                );
                continue;
            }
            let doc = Doc::load(root, &rel)?;
            for section in *sections {
                if doc.heading(section).is_none() {
                    findings.push(
                        Finding::at("GOV-STRUCT-002", &doc, 0, format!("{file} has no `{section}` section"))
                            .help(format!("add a `## {section}` heading and its content")),
                    );
                }
            }
            if *file == "tasks.md" && !doc.lines().any(|(_, _, l)| super::trace::parse_task(l).is_some()) {
                findings.push(
                    Finding::at("GOV-STRUCT-002", &doc, 0, "tasks.md has no task lines")
                        .help("list tasks as `- [ ] T001 description [FR-001] path`"),
                );
            }
        }
    }
    let limit = clarification_limit(root);
    for rel in super::spec_docs(root) {
        let doc = Doc::load(root, &rel)?;
        findings.extend(placeholders(&doc));
        findings.extend(clarifications(&doc, limit));
    }
    Ok(findings)
}

/// The constitution's `Clarification limit: N` (0 when absent).
pub fn clarification_limit(root: &Path) -> usize {
    std::fs::read_to_string(root.join(paths::CONSTITUTION))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.trim().strip_prefix("Clarification limit:").and_then(|n| n.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

/// `[ALL_CAPS]` and `{{…}}` outside code.
pub fn placeholders(doc: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    let text = &doc.text;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'[' {
            let end = bytes[i + 1..]
                .iter()
                .position(|&b| !(b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'));
            if let Some(n) = end
                && n >= 2
                && bytes.get(i + 1 + n) == Some(&b']')
                && bytes[i + 1].is_ascii_uppercase()
                && bytes.get(i + 2 + n) != Some(&b'(')
                && !doc.in_code(i)
            {
                let token = &text[i..i + n + 2];
                findings.push(
                    Finding::at(
                        "GOV-STRUCT-003",
                        doc,
                        i,
                        format!("template placeholder `{token}` left in the document"),
                    )
                    .help("replace the placeholder with the real content"),
                );
                i += n + 2;
                continue;
            }
        } else if bytes[i..].starts_with(b"{{") && !doc.in_code(i) {
            let len = text[i..].find("}}").map(|e| e + 2).unwrap_or(2);
            findings.push(
                Finding::at(
                    "GOV-STRUCT-003",
                    doc,
                    i,
                    format!("template placeholder `{}` left in the document", &text[i..i + len]),
                )
                .help("replace the placeholder with the real content"),
            );
            i += len;
            continue;
        }
        i += 1;
    }
    findings
}

/// Unresolved `[NEEDS CLARIFICATION …]` markers beyond `limit`.
pub fn clarifications(doc: &Doc, limit: usize) -> Vec<Finding> {
    doc.text
        .match_indices("[NEEDS CLARIFICATION")
        .map(|(i, _)| i)
        .filter(|&i| !doc.in_code(i))
        .enumerate()
        .filter(|(n, _)| *n >= limit)
        .map(|(_, i)| {
            Finding::at(
                "GOV-STRUCT-004",
                doc,
                i,
                format!(
                    "unresolved `[NEEDS CLARIFICATION]` marker beyond the constitution's limit of {limit}"
                ),
            )
            .help("resolve the question and replace the marker with the decision")
        })
        .collect()
}
