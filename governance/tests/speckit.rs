//! The default rules on a repository shaped by Spec-Kit's own templates
//! (`fixtures/speckit`, no configuration): clean as it is, and each real
//! defect planted in a copy of it is found.

mod common;

use common::*;
use governance::Severity;

const ALBUMS: &str = "specs/001-photo-albums";

fn findings_of<'a>(report: &'a governance::Report, rule: &str) -> Vec<&'a governance::Finding> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

// spec: 004-check-specs-anywhere#SC-001
#[test]
fn a_clean_spec_kit_repository_has_no_findings() {
    let dir = copy("speckit");
    let report = check(dir.path());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let (dir, _) = repo("speckit");
    let report = check(dir.path());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

// spec: 004-check-specs-anywhere#FR-005
#[test]
fn spec_kit_placeholders_are_found_and_markers_are_not() {
    let dir = copy("speckit");
    let spec = format!("{ALBUMS}/spec.md");
    edit(
        dir.path(),
        &spec,
        "# Feature Specification: Photo albums",
        "# Feature Specification: [FEATURE NAME]",
    );
    edit(dir.path(), &spec, "`001-photo-albums`", "`[###-feature-name]`");
    edit(dir.path(), &spec, "2026-03-10", "[DATE]");
    edit(dir.path(), &spec, "\"people group their photos into albums and reorder them\"", "\"$ARGUMENTS\"");
    edit(
        dir.path(),
        ".specify/memory/constitution.md",
        "# Lumen Constitution",
        "# [PROJECT_NAME] Constitution",
    );
    let report = check(dir.path());
    let found: Vec<&str> =
        findings_of(&report, "GOV-STRUCT-003").iter().map(|f| f.message.as_str()).collect();
    for token in ["[FEATURE NAME]", "[###-feature-name]", "[DATE]", "$ARGUMENTS", "[PROJECT_NAME]"] {
        assert!(found.iter().any(|m| m.contains(token)), "{token} not found in {found:#?}");
    }
    assert_eq!(found.len(), 5, "{found:#?}");
}

// spec: 004-check-specs-anywhere#FR-006
#[test]
fn unresolved_clarifications_are_counted_in_specs_and_plans_only() {
    let dir = copy("speckit");
    // A planned feature may have none.
    edit(
        dir.path(),
        &format!("{ALBUMS}/spec.md"),
        "until the user changes it.",
        "until [NEEDS CLARIFICATION: forever?].",
    );
    // A checklist quoting the words is no question.
    edit(
        dir.path(),
        &format!("{ALBUMS}/checklists/requirements.md"),
        "are measurable",
        "are measurable; no [NEEDS CLARIFICATION: x] left",
    );
    // A feature still being specified may have three: a fourth is one too many.
    let sharing = "specs/003-album-sharing/spec.md";
    let more = "- **FR-004**: [NEEDS CLARIFICATION: a] [NEEDS CLARIFICATION: b]\n\n## 成功基準";
    edit(dir.path(), sharing, "## 成功基準", more);
    let report = check(dir.path());
    let found = findings_of(&report, "GOV-STRUCT-004");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].file, format!("{ALBUMS}/spec.md"));
    assert!(found[0].message.contains("limit of 0"));
    assert_eq!((found[1].file.as_str(), found[1].message.contains("limit of 3")), (sharing, true));
}

// spec: 004-check-specs-anywhere#FR-008
#[test]
fn phantom_completions_are_errors() {
    let dir = copy("speckit");
    let tasks = format!("{ALBUMS}/tasks.md");
    edit(dir.path(), &tasks, "- [ ] T006 [US2]", "- [x] T006 [US2]");
    // Removing something is done when it is gone.
    edit(dir.path(), &tasks, "- [ ] T007 Remove", "- [x] T007 Remove");
    let report = check(dir.path());
    let found = findings_of(&report, "GOV-TRACE-005");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].severity, found[0].line), (Severity::Error, 27));
    assert!(
        found[0].message.contains("T006") && found[0].message.contains("src/albums/order.py"),
        "{found:#?}"
    );
    assert_eq!(report.exit_code(), 1);
}

// spec: 004-check-specs-anywhere#FR-008, 004-check-specs-anywhere#FR-009
#[test]
fn history_tells_moved_files_from_phantoms_and_uncommitted_work() {
    let (dir, _) = repo("speckit");
    let root = dir.path();
    // Built, committed, then moved by a refactor: a warning naming the commit.
    git(root, &["mv", "web/albums.css", "web/album-page.css"]);
    commit_all(root, "Rename the album stylesheet");
    // Built but never committed: suspicious.
    let tasks = format!("{ALBUMS}/tasks.md");
    edit(root, &tasks, "- [ ] T006 [US2]", "- [x] T006 [US2]");
    write(root, "src/albums/order.py", "ORDER = []\n");
    let report = check(root);
    let moved = expect(&report, "GOV-TRACE-005");
    assert_eq!(moved.severity, Severity::Warning, "{moved:#?}");
    assert!(moved.message.contains("Rename the album stylesheet"), "{moved:#?}");
    let uncommitted = expect(&report, "GOV-TRACE-007");
    assert_eq!(uncommitted.severity, Severity::Warning);
    assert!(uncommitted.message.contains("T006"));
    assert_eq!(report.exit_code(), 0);
    // A file that never existed anywhere is a phantom, history or not.
    edit(root, &tasks, "in src/albums/order.py", "in src/albums/ordering.py");
    std::fs::remove_file(root.join("src/albums/order.py")).unwrap();
    let report = check(root);
    let phantom =
        findings_of(&report, "GOV-TRACE-005").into_iter().find(|f| f.message.contains("T006")).unwrap();
    assert_eq!(phantom.severity, Severity::Error);
    assert!(phantom.message.contains("none ever did in the history"), "{phantom:#?}");
}

// spec: 004-check-specs-anywhere#FR-004
#[test]
fn duplicate_task_ids_are_found_but_order_is_free() {
    let dir = copy("speckit");
    let tasks = format!("{ALBUMS}/tasks.md");
    edit(dir.path(), &tasks, "- [ ] T007 Remove", "- [ ] T005 Remove");
    edit(dir.path(), &tasks, "- [x] T002 [P]", "- [x] T009 [P]");
    let report = check(dir.path());
    let found = findings_of(&report, "GOV-TRACE-004");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("T005 is used twice"));
}

// spec: 004-check-specs-anywhere#FR-002
#[test]
fn a_feature_follows_its_life_cycle() {
    let dir = copy("speckit");
    std::fs::remove_file(dir.path().join("specs/002-photo-tags/plan.md")).unwrap();
    let f = expect(&check(dir.path()), "GOV-STRUCT-001").clone();
    assert_eq!(f.file, "specs/002-photo-tags/plan.md");
    assert!(f.message.contains("although it has tasks"));
    // Without the constitution, a repository with features is incomplete.
    std::fs::remove_file(dir.path().join(".specify/memory/constitution.md")).unwrap();
    let report = check(dir.path());
    assert!(
        report.findings.iter().any(|f| f.file == ".specify/memory/constitution.md"),
        "{:#?}",
        report.findings
    );
}

// spec: 004-check-specs-anywhere#FR-003
#[test]
fn sections_are_recognised_in_any_language_and_required() {
    let dir = copy("speckit");
    let spec = "specs/002-photo-tags/spec.md";
    let text = read(dir.path(), spec);
    let without: String = text
        .lines()
        .filter(|l| !l.contains("FR-0") && !l.contains("需求"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(dir.path(), spec, &without);
    let f = expect(&check(dir.path()), "GOV-STRUCT-002").clone();
    assert_eq!(f.file, spec);
    assert!(f.message.contains("Requirements"), "{f:#?}");
    // A violation in the Constitution Check asks for Complexity Tracking.
    let dir = copy("speckit");
    edit(
        dir.path(),
        "specs/002-photo-tags/plan.md",
        "| III. Simplicity | ✅ 通过 |",
        "| III. Simplicity | ❌ 违反 |",
    );
    let f = expect(&check(dir.path()), "GOV-STRUCT-002").clone();
    assert!(f.message.contains("Complexity Tracking"), "{f:#?}");
}

// spec: 004-check-specs-anywhere#FR-007
#[test]
fn tasks_trace_to_user_stories_as_warnings() {
    let dir = copy("speckit");
    let tasks = format!("{ALBUMS}/tasks.md");
    edit(dir.path(), &tasks, "- [x] T005 [US2]", "- [x] T005 [US3]");
    edit(dir.path(), &tasks, "- [ ] T006 [US2]", "- [ ] T006 [US3]");
    let report = check(dir.path());
    let found = findings_of(&report, "GOV-TRACE-006");
    assert!(found.iter().all(|f| f.severity == Severity::Warning));
    assert!(found.iter().any(|f| f.message.contains("task T005 belongs to user story US3")), "{found:#?}");
    assert!(found.iter().any(|f| f.message.contains("user story US2 has no task")), "{found:#?}");
    assert_eq!(report.exit_code(), 0);
}

// spec: 004-check-specs-anywhere#FR-001
#[test]
fn roman_numeral_principles_are_principles() {
    let dir = copy("speckit");
    let config = governance::Config::default();
    let repo = governance::Repository::new(dir.path(), &config);
    assert_eq!(repo.constitution, ".specify/memory/constitution.md");
    let doc = governance::markdown::Doc::load(dir.path(), &repo.constitution).unwrap();
    let ids: Vec<String> = governance::rules::priority::principles(&doc).into_iter().map(|p| p.id).collect();
    assert_eq!(ids, ["I", "II", "III"]);
}

// spec: 004-check-specs-anywhere#FR-011
#[test]
fn a_configuration_with_an_unknown_key_is_refused() {
    let dir = copy("speckit");
    write(dir.path(), ".specify/check-specs.toml", "[trace]\nrequirement = true\n");
    let err = governance::Config::load(dir.path(), None).unwrap_err().to_string();
    assert!(err.contains(".specify/check-specs.toml") && err.contains("requirement"), "{err}");
    // The strict conventions are opt-in: turned on, they apply.
    write(dir.path(), ".specify/check-specs.toml", "[documents]\ngoverned_by = true\n");
    assert!(codes(&check(dir.path())).contains(&"GOV-PRIORITY-001"));
}

// spec: 004-check-specs-anywhere#FR-008
#[test]
fn a_shallow_clone_claims_nothing_about_history() {
    let (dir, _) = repo("speckit");
    git(dir.path(), &["mv", "web/albums.css", "web/album-page.css"]);
    commit_all(dir.path(), "Rename the album stylesheet");
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let clone = shallow.path().join("lumen");
    git(shallow.path(), &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()]);
    // One commit is no evidence that the stylesheet was never built: the
    // finding says only what the work tree shows.
    let report = check(&clone);
    let f = expect(&report, "GOV-TRACE-005");
    assert!(f.message.contains("none of the files it names exists: `web/albums.css`"), "{f:#?}");
    assert!(!f.message.contains("history"), "{f:#?}");
}
