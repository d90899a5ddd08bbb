//! `GOV-STRUCT-*`: the artifacts exist, have their sections, and hold no
//! template leftovers.
//!
//! - `GOV-STRUCT-001` a required file is missing: the constitution (in
//!   `.specify/memory/` or the specs folder) once there are features; a
//!   feature's `spec.md` once it has a plan, or its `plan.md` once it has
//!   tasks (a folder with only `spec.md` is a feature still being specified).
//! - `GOV-STRUCT-002` a required section is missing, recognised by its
//!   heading (suffixed, numbered or localised) or by what it holds: a spec's
//!   user stories, requirements and success criteria; a plan's Technical
//!   Context and Constitution Check, and Complexity Tracking when the check
//!   reports a violation; at least one task line in `tasks.md`.
//! - `GOV-STRUCT-003` a template placeholder is left outside code and
//!   comments (see [`speckit::placeholder_at`]).
//! - `GOV-STRUCT-004` unresolved `[NEEDS CLARIFICATION …]` markers in a
//!   spec or plan beyond the limit.

use crate::markdown::Doc;
use crate::speckit::{self, Section};
use crate::{Error, Finding, Repository};

/// Spec-Kit's own limit on open questions in a spec being written.
pub const SPEC_KIT_CLARIFICATION_LIMIT: usize = 3;

pub fn check(repo: &Repository) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let features = repo.features();
    if !features.is_empty() && !repo.is_file(&repo.constitution) {
        findings.push(
            Finding::error("GOV-STRUCT-001", &repo.constitution, "the constitution is missing")
                .help(format!("write {}: the principles every change must keep", repo.constitution)),
        );
    }
    let stated_limit = clarification_limit(repo);
    for feature in &features {
        let has = |file: &str| repo.is_file(&repo.feature_file(feature, file));
        let (spec, plan, tasks) = (has("spec.md"), has("plan.md"), has("tasks.md"));
        let missing = |file: &str, because: &str| {
            let rel = repo.feature_file(feature, file);
            Finding::error("GOV-STRUCT-001", &rel, format!("feature `{feature}` has no {file} {because}"))
                .help(format!("add {rel}: a feature is specified, then planned, then broken into tasks"))
        };
        if !spec && (plan || tasks) {
            findings.push(missing("spec.md", "although it is planned"));
        }
        if !plan && tasks {
            findings.push(missing("plan.md", "although it has tasks"));
        }
        // A feature with no plan yet is still being specified: Spec-Kit
        // allows it a few open questions.
        let limit = stated_limit.unwrap_or(if plan { 0 } else { SPEC_KIT_CLARIFICATION_LIMIT });
        if spec {
            let doc = Doc::load(repo.root, &repo.feature_file(feature, "spec.md"))?;
            findings.extend(spec_sections(repo, &doc));
            findings.extend(clarifications(&doc, limit));
        }
        if plan {
            let doc = Doc::load(repo.root, &repo.feature_file(feature, "plan.md"))?;
            findings.extend(plan_sections(&doc));
            findings.extend(clarifications(&doc, limit));
        }
        if tasks {
            let doc = Doc::load(repo.root, &repo.feature_file(feature, "tasks.md"))?;
            if !doc.lines().any(|(_, _, l)| speckit::parse_task(l).is_some()) {
                findings.push(
                    Finding::at(
                        "GOV-STRUCT-002",
                        &doc,
                        0,
                        "tasks.md has no task lines in Spec-Kit's format (`- [ ] T001 …`)",
                    )
                    .help("list tasks as `- [ ] T001 [P] [US1] description in path/to/file`"),
                );
            }
        }
    }
    let mut docs = repo.spec_docs();
    if repo.is_file(&repo.constitution) && !docs.contains(&repo.constitution) {
        docs.push(repo.constitution.clone());
    }
    for rel in docs {
        findings.extend(placeholders(&Doc::load(repo.root, &rel)?));
    }
    Ok(findings)
}

fn missing_section(doc: &Doc, section: Section, what: &str) -> Finding {
    let file = doc.path.rsplit('/').next().unwrap_or(&doc.path).to_string();
    Finding::at("GOV-STRUCT-002", doc, 0, format!("{file} has no `{}` section", section.name()))
        .help(format!("add a `## {}` section with {what}", section.name()))
}

/// A spec's user stories, requirements and success criteria. Success
/// criteria came with the template that prioritises stories: a spec in the
/// older shape (no `(Priority: Pn)` stories) is not asked for them unless
/// the project traces requirements.
pub fn spec_sections(repo: &Repository, doc: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    let stories = speckit::stories(doc);
    if Section::UserStories.heading(doc).is_none() && stories.is_empty() {
        findings.push(missing_section(doc, Section::UserStories, "the user stories, each with its priority"));
    }
    if Section::Requirements.heading(doc).is_none() && !doc.text.contains("**FR-") {
        findings.push(missing_section(
            doc,
            Section::Requirements,
            "the functional requirements (`**FR-001**`)",
        ));
    }
    let prioritised = doc.text.contains("(Priority: P") || repo.config.trace.requirements;
    if prioritised && Section::SuccessCriteria.heading(doc).is_none() && !doc.text.contains("**SC-") {
        findings.push(missing_section(doc, Section::SuccessCriteria, "measurable outcomes (`**SC-001**`)"));
    }
    findings
}

/// A plan's Technical Context and Constitution Check, and Complexity
/// Tracking when the check reports a violation.
pub fn plan_sections(doc: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    if Section::TechnicalContext.heading(doc).is_none() {
        findings.push(missing_section(
            doc,
            Section::TechnicalContext,
            "the language, dependencies and constraints",
        ));
    }
    let Some(check) = Section::ConstitutionCheck.heading(doc) else {
        findings.push(missing_section(doc, Section::ConstitutionCheck, "how the plan keeps each principle"));
        return findings;
    };
    if let Some(offset) = violation(doc, &doc.text[speckit::section_span(doc, check)], check.offset)
        && Section::ComplexityTracking.heading(doc).is_none()
    {
        findings.push(
            Finding::at(
                "GOV-STRUCT-002",
                doc,
                offset,
                "the Constitution Check reports a violation but the plan has no `Complexity Tracking` section",
            )
            .help("add a `## Complexity Tracking` table: the violation, why it is needed, the simpler alternative rejected"),
        );
    }
    findings
}

/// Where a Constitution Check section (`body`, starting at `start`) reports
/// a violation: a table cell or list item saying `violated`, `violation`,
/// `FAIL` or ❌ — not "no violations".
fn violation(doc: &Doc, body: &str, start: usize) -> Option<usize> {
    let mut offset = start;
    for line in body.split_inclusive('\n') {
        let lower = line.to_lowercase();
        let says = line.contains('❌')
            || line.contains("FAIL")
            || lower.contains("| violated")
            || lower.contains("| violation")
            || lower.contains("status: violated");
        let denies = lower.contains("no violation") || lower.contains("none") || lower.contains("n/a");
        if says && !denies && !doc.in_code(offset) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The constitution's `Clarification limit: N`, when it states one.
pub fn clarification_limit(repo: &Repository) -> Option<usize> {
    std::fs::read_to_string(repo.root.join(&repo.constitution)).ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.trim().strip_prefix("Clarification limit:").and_then(|n| n.trim().parse().ok()))
    })
}

/// Template placeholders outside code and comments.
pub fn placeholders(doc: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    let text = &doc.text;
    let mut i = 0;
    while i < text.len() {
        let found = match text.as_bytes()[i] {
            b'[' | b'{' | b'$' if !doc.in_code(i) => speckit::placeholder_at(text, i),
            b'[' => speckit::field_placeholder_at(text, i),
            _ => None,
        };
        if let Some(len) = found {
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

/// Unresolved `[NEEDS CLARIFICATION: question]` markers beyond `limit`.
/// Not counted: the words quoted without a question ("No [NEEDS
/// CLARIFICATION] markers remain", as Spec-Kit's checklists say), markers
/// in code or comments, and markers struck through (`~~…~~`, deferred).
pub fn clarifications(doc: &Doc, limit: usize) -> Vec<Finding> {
    doc.lines()
        .filter(|(_, _, line)| !line.contains("~~"))
        .flat_map(|(_, start, line)| {
            line.match_indices("[NEEDS CLARIFICATION").map(move |(i, m)| (start + i, &line[i + m.len()..]))
        })
        .filter(|(i, rest)| rest.trim_start().starts_with([':', '-', '—', '：']) && !doc.in_code(*i))
        .map(|(i, _)| i)
        .enumerate()
        .filter(|(n, _)| *n >= limit)
        .map(|(_, i)| {
            Finding::at(
                "GOV-STRUCT-004",
                doc,
                i,
                format!("unresolved `[NEEDS CLARIFICATION]` marker beyond the limit of {limit}"),
            )
            .help("resolve the question (for example with Spec-Kit's clarify step) and write the decision in its place")
        })
        .collect()
}
