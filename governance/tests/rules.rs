//! Every rule on fixtures: `fixtures/good` triggers nothing; each test
//! mutates a copy of it so that exactly the rule under test fires.

mod common;

use common::*;
use governance::Severity;

#[test]
fn good_fixture_is_clean() {
    let dir = copy("good");
    let report = check(dir.path());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn good_fixture_in_git_is_clean() {
    let (dir, base) = repo("good");
    write(dir.path(), "app/src/more.rs", "// more\n");
    commit_all(dir.path(), "app: more\n\nAgent: app");
    let report = check_with(dir.path(), with_base(&base));
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

// ---- GOV-STRUCT ----

#[test]
fn struct_001_missing_plan() {
    let dir = copy("good");
    std::fs::remove_file(dir.path().join("specs/001-demo/plan.md")).unwrap();
    let f = expect(&check(dir.path()), "GOV-STRUCT-001").clone();
    assert_eq!(f.file, "specs/001-demo/plan.md");
}

#[test]
fn struct_002_missing_section_and_task_lines() {
    let dir = copy("good");
    // Sections are recognised by their heading or by what they hold: both go.
    edit(dir.path(), "specs/001-demo/spec.md", "## Success Criteria", "## Criteria");
    edit(dir.path(), "specs/001-demo/spec.md", "**SC-001**", "**Goal 1**");
    let report = check(dir.path());
    assert!(expect(&report, "GOV-STRUCT-002").message.contains("Success Criteria"));
    let dir = copy("good");
    let tasks = read(dir.path(), "specs/001-demo/tasks.md");
    let stripped: String =
        tasks.lines().filter(|l| !l.starts_with("- [")).map(|l| format!("{l}\n")).collect();
    write(dir.path(), "specs/001-demo/tasks.md", &stripped);
    assert!(
        check(dir.path())
            .findings
            .iter()
            .any(|f| f.rule == "GOV-STRUCT-002" && f.message.contains("task lines"))
    );
}

#[test]
fn struct_003_placeholders_outside_code() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/spec.md", "A user lists items;", "A [USER_ROLE] lists {{things}};");
    let report = check(dir.path());
    let found: Vec<_> = report.findings.iter().filter(|f| f.rule == "GOV-STRUCT-003").collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].line, found[0].column), (9, 3));
}

#[test]
fn struct_004_clarifications_beyond_limit() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/001-demo/spec.md",
        "- **FR-002**",
        "[NEEDS CLARIFICATION: paging?] and [NEEDS CLARIFICATION: sorting?]\n\n- **FR-002**",
    );
    let report = check(dir.path());
    // The limit is 1: the second marker is the finding.
    let found: Vec<_> = report.findings.iter().filter(|f| f.rule == "GOV-STRUCT-004").collect();
    assert_eq!(found.len(), 1);
    assert!(found[0].column > 30);
}

// ---- GOV-PRIORITY ----

#[test]
fn priority_001_no_governed_by() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/database/schema.md",
        "**Governed by**: [../001-demo/tasks.md](../001-demo/tasks.md)\n",
        "",
    );
    assert_eq!(expect(&check(dir.path()), "GOV-PRIORITY-001").file, "specs/database/schema.md");
}

#[test]
fn priority_front_matter_declares_the_governor() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/database/schema.md",
        "# Database schema\n\n**Governed by**: [../001-demo/tasks.md](../001-demo/tasks.md)\n",
        "---\ngoverned_by: ../001-demo/tasks.md\n---\n# Database schema\n",
    );
    assert!(check(dir.path()).findings.is_empty(), "{:#?}", check(dir.path()).findings);
    edit(dir.path(), "specs/database/schema.md", "../001-demo/tasks.md", "../001-demo/spec.md");
    let f = expect(&check(dir.path()), "GOV-PRIORITY-003").clone();
    assert_eq!((f.line, f.column), (2, 14));
}

#[test]
fn priority_002_link_does_not_resolve() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/spec.md", "[tasks.md](tasks.md)", "[tasks.md](task.md)");
    let f = expect(&check(dir.path()), "GOV-PRIORITY-002").clone();
    assert_eq!((f.line, f.column), (3, 18));
}

#[test]
fn priority_003_governor_of_lower_rank() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/001-demo/plan.md",
        "[../constitution.md](../constitution.md)",
        "[tasks.md](tasks.md)",
    );
    assert!(expect(&check(dir.path()), "GOV-PRIORITY-003").message.contains("does not outrank"));
}

#[test]
fn priority_004_stale_constitution_version() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/plan.md", "v2.0.0", "v1.4.0");
    assert!(expect(&check(dir.path()), "GOV-PRIORITY-004").message.contains("stale"));
}

#[test]
fn priority_005_principle_not_checked() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/plan.md", "| P-1 | pass | Specs first. |\n", "");
    assert!(expect(&check(dir.path()), "GOV-PRIORITY-005").message.contains("P-1"));
}

#[test]
fn priority_006_violation_without_justification() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/plan.md", "A mocked clock (P-2)", "A mocked clock");
    assert!(expect(&check(dir.path()), "GOV-PRIORITY-006").message.contains("P-2"));
}

#[test]
fn priority_007_guidance_contradicts_constitution() {
    let dir = copy("good");
    edit(dir.path(), "AGENTS.md", "- As P-1", "- Per P-2, tests MUST mock the demo's own parts.\n- As P-1");
    let report = check(dir.path());
    assert!(expect(&report, "GOV-PRIORITY-007").message.contains("P-2"));
    let dir = copy("good");
    edit(dir.path(), "AGENTS.md", "constitution → plan → tasks", "constitution → tasks → plan");
    assert!(expect(&check(dir.path()), "GOV-PRIORITY-007").message.contains("rule priority"));
    let dir = copy("good");
    write(dir.path(), ".specify/memory/notes.md", "P-9 MUST be followed always.\n");
    assert_eq!(expect(&check(dir.path()), "GOV-PRIORITY-007").file, ".specify/memory/notes.md");
}

// ---- GOV-AMEND ----

#[test]
fn amend_rules_changed_needs_major_ratified_kept_amended_updated() {
    let (dir, base) = repo("good");
    let c = "specs/constitution.md";
    edit(
        dir.path(),
        c,
        "- Tests MUST NOT mock the demo's own parts.",
        "- Tests SHOULD NOT mock the demo's own parts.",
    );
    edit(dir.path(), c, "**Version**: 2.1.0", "**Version**: 2.2.0");
    edit(dir.path(), c, "**Ratified**: 2026-01-01", "**Ratified**: 2026-03-01");
    commit_all(dir.path(), "specs: soften P-2\n\nAgent: specs");
    let report = check_with(dir.path(), with_base(&base));
    assert!(expect(&report, "GOV-AMEND-001").message.contains("a MAJOR"), "{:#?}", report.findings);
    assert_eq!(expect(&report, "GOV-AMEND-001").help, "set **Version** to 3.0.0");
    expect(&report, "GOV-AMEND-002");
    expect(&report, "GOV-AMEND-003");
}

#[test]
fn amend_added_principle_needs_minor_and_proper_amendment_passes() {
    let (dir, base) = repo("good");
    let c = "specs/constitution.md";
    edit(dir.path(), c, "## Governance", "### P-3: Docs\n\n- Every module MUST have docs.\n\n## Governance");
    edit(dir.path(), c, "**Version**: 2.1.0", "**Version**: 2.1.1");
    edit(dir.path(), c, "**Last Amended**: 2026-02-01", "**Last Amended**: 2026-11-25");
    commit_all(dir.path(), "specs: add P-3\n\nAgent: specs");
    let report = check_with(dir.path(), with_base(&base));
    assert!(expect(&report, "GOV-AMEND-001").message.contains("a MINOR"));
    edit(dir.path(), c, "**Version**: 2.1.1", "**Version**: 2.2.0");
    let report = check_with(dir.path(), with_base(&base));
    assert!(!codes(&report).iter().any(|c| c.starts_with("GOV-AMEND")), "{:#?}", report.findings);
}

// ---- GOV-OWN ----

#[test]
fn own_001_specs_commit_rules() {
    let (dir, base) = repo("good");
    edit(dir.path(), "specs/001-demo/spec.md", "MUST store items", "MUST store every item");
    commit_all(dir.path(), "app: spec tweak\n\nAgent: app");
    let report = check_with(dir.path(), with_base(&base));
    assert!(expect(&report, "GOV-OWN-001").message.contains("without the trailer"));

    let (dir, base) = repo("good");
    edit(dir.path(), "specs/001-demo/spec.md", "MUST store items", "MUST store every item");
    write(dir.path(), "app/src/more.rs", "// more\n");
    commit_all(dir.path(), "specs: spec and code\n\nAgent: specs");
    let report = check_with(dir.path(), with_base(&base));
    assert!(expect(&report, "GOV-OWN-001").message.contains("outside specs/"));
}

#[test]
fn own_002_missing_or_unknown_trailer() {
    let (dir, base) = repo("good");
    write(dir.path(), "app/src/more.rs", "// more\n");
    commit_all(dir.path(), "app: no trailer");
    write(dir.path(), "app/src/other.rs", "// other\n");
    commit_all(dir.path(), "app: unknown\n\nAgent: wizard");
    let report = check_with(dir.path(), with_base(&base));
    let found: Vec<_> = report.findings.iter().filter(|f| f.rule == "GOV-OWN-002").collect();
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn own_003_path_not_owned_and_baseline_exempts() {
    let (dir, base) = repo("good");
    write(dir.path(), "AGENTS.md", "# Notes\n");
    let bad = commit_all(dir.path(), "app: notes\n\nAgent: app");
    let report = check_with(dir.path(), with_base(&base));
    let f = expect(&report, "GOV-OWN-003");
    assert_eq!(f.file, "AGENTS.md");
    assert!(f.help.contains("Agent: tooling"));
    // A recorded baseline exempts history up to it.
    write(dir.path(), "specs/governance-baseline", &format!("{bad}\n"));
    commit_all(dir.path(), "specs: baseline\n\nAgent: specs");
    let report = check_with(dir.path(), with_base(&base));
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn own_004_codeowners_drift_is_fixable() {
    let dir = copy("good");
    edit(dir.path(), "CODEOWNERS", "/app/ @charter/app", "/app/ @someone");
    let report = check(dir.path());
    let f = expect(&report, "GOV-OWN-004");
    assert!(f.fixable);
    assert_eq!(f.line, 5);
    assert_eq!(report.exit_code(), 2);
    assert_eq!(common::fix(dir.path()), vec!["CODEOWNERS".to_string()]);
    assert!(check(dir.path()).findings.is_empty());
}

#[test]
fn own_005_no_agents_table() {
    let dir = copy("good");
    edit(dir.path(), "specs/agents.md", "| Agent | Trailer | Owns |", "| Who | Trailer | Owns |");
    expect(&check(dir.path()), "GOV-OWN-005");
}

// ---- GOV-CONTRACT ----

#[test]
fn contract_001_generated_differs() {
    let dir = copy("good");
    let checked_in = read(dir.path(), "specs/contracts/charter.json");
    let generated = checked_in.replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"");
    let options = governance::Options { generated_contract: Some(generated), ..Default::default() };
    let report = check_with(dir.path(), options);
    let f = expect(&report, "GOV-CONTRACT-001");
    assert!(f.fixable && f.message.contains("1.1.0"));
    let options = governance::Options { generated_contract: Some(checked_in), ..Default::default() };
    assert!(check_with(dir.path(), options).findings.is_empty());
}

#[test]
fn contract_002_003_004_table_drift_and_fix() {
    let dir = copy("good");
    let t = "specs/api/rest-endpoints.md";
    edit(
        dir.path(),
        t,
        "| health | GET | /health | none | 200 | — |\n",
        "| ping | GET | /ping | none | 200 | — |\n",
    );
    edit(dir.path(), t, "| 400, 404 |", "| 404 |");
    let report = check(dir.path());
    expect(&report, "GOV-CONTRACT-002");
    expect(&report, "GOV-CONTRACT-003");
    assert!(expect(&report, "GOV-CONTRACT-004").message.contains("errors 404 (contract: 400, 404)"));
    assert_eq!(report.exit_code(), 2);
    common::fix(dir.path());
    assert!(check(dir.path()).findings.is_empty(), "{:#?}", check(dir.path()).findings);
    assert_eq!(read(dir.path(), t), read(&fixture("good"), t));
}

#[test]
fn contract_005_breaking_changes_need_major() {
    let (dir, base) = repo("good");
    let c = "specs/contracts/charter.json";
    let mut doc: serde_json::Value = serde_json::from_str(&read(dir.path(), c)).unwrap();
    doc["components"]["schemas"]["Item"]["properties"].as_object_mut().unwrap().remove("due");
    doc["components"]["schemas"]["ItemSort"]["enum"] = serde_json::json!(["title"]);
    write(dir.path(), c, &(serde_json::to_string_pretty(&doc).unwrap() + "\n"));
    commit_all(dir.path(), "specs: drop due\n\nAgent: specs");
    let report = check_with(dir.path(), with_base(&base));
    let f = expect(&report, "GOV-CONTRACT-005");
    assert!(f.message.contains("`item_get`: response field `due` removed"), "{}", f.message);
    assert!(f.message.contains("`item_list`: enum `ItemSort` narrowed"), "{}", f.message);
    // A field of a nested object (the items of a page) counts too.
    assert!(f.message.contains("`item_list`: response field `Item.due` removed"), "{}", f.message);
    doc["info"]["version"] = "2.0.0".into();
    write(dir.path(), c, &(serde_json::to_string_pretty(&doc).unwrap() + "\n"));
    // What is left is the MCP tool still offering the value the enum lost.
    let report = check_with(dir.path(), with_base(&base));
    assert_eq!(codes(&report), ["GOV-MCP-002"], "{report:#?}");
}

#[test]
fn contract_006_markers_missing() {
    let dir = copy("good");
    edit(dir.path(), "specs/api/rest-endpoints.md", "<!-- endpoint-table:begin -->\n", "");
    expect(&check(dir.path()), "GOV-CONTRACT-006");
}

// ---- GOV-MCP ----

const TOOLS: &str = "specs/contracts/mcp-tools.json";

#[test]
fn mcp_001_a_tool_calls_no_operation() {
    let dir = copy("good");
    edit(dir.path(), TOOLS, "\"operation\": \"item_get\"", "\"operation\": \"item_fetch\"");
    let report = check(dir.path());
    let f = expect(&report, "GOV-MCP-001");
    assert!(f.message.contains("`get_item` calls `item_fetch`"), "{f:?}");
    assert_eq!((f.file.as_str(), f.snippet.trim()), (TOOLS, "\"name\": \"get_item\","));
    // item_get lost its tool as well.
    assert!(expect(&report, "GOV-MCP-003").message.contains("`item_get`"));
}

#[test]
fn mcp_002_an_input_schema_that_is_not_the_operations() {
    // spec: 008-cli-and-mcp#FR-006
    // Each way a hand-edited schema drifts from the contract.
    for (from, to, says) in [
        (
            "\"enum\": [\n              \"title\",\n              \"due\"\n            ]",
            "\"enum\": [\n              \"title\"\n            ]",
            "`sort` is not the query parameter's schema",
        ),
        (
            "\"description\": \"The order of the page.\"",
            "\"description\": \"How to sort.\"",
            "`sort` is not the query parameter's schema",
        ),
        (
            "\"required\": [\n          \"item_id\"\n        ],",
            "",
            "it requires nothing where the operation requires item_id",
        ),
        ("\"item_id\": {", "\"id\": {", "it lacks input `item_id`"),
    ] {
        let dir = copy("good");
        edit(dir.path(), TOOLS, from, to);
        let report = check(dir.path());
        let f = expect(&report, "GOV-MCP-002");
        assert!(f.message.contains(says), "{says}: {f:?}");
        assert_eq!(codes(&report), ["GOV-MCP-002"]);
    }
    let dir = copy("good");
    edit(
        dir.path(),
        TOOLS,
        "\"format\": \"uuid\"\n          }",
        "\"format\": \"uuid\"\n          },\n          \"user\": { \"type\": \"string\" }",
    );
    assert!(
        expect(&check(dir.path()), "GOV-MCP-002").message.contains("`user` is not an input of `item_get`")
    );
}

#[test]
fn mcp_002_a_parameter_the_server_fills_is_no_input() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/check-specs.toml",
        "required = [\"/items\"]",
        "required = [\"/items\"]\nimplicit = [\"item_id\"]",
    );
    assert!(
        expect(&check(dir.path()), "GOV-MCP-002").message.contains("`item_id` is not an input of `item_get`")
    );
}

#[test]
fn mcp_003_an_operation_without_a_tool_and_its_waiver() {
    let dir = copy("good");
    let list = read(dir.path(), TOOLS);
    let mut tools: serde_json::Value = serde_json::from_str(&list).unwrap();
    tools["tools"].as_array_mut().unwrap().retain(|t| t["name"] != "get_item");
    write(dir.path(), TOOLS, &serde_json::to_string_pretty(&tools).unwrap());
    let report = check(dir.path());
    let f = expect(&report, "GOV-MCP-003");
    assert!(f.message.contains("`item_get` (GET /items/{item_id}) has no tool"), "{f:?}");
    assert_eq!(report.findings.len(), 1, "health is outside the required prefix: {report:#?}");

    // A waiver for another operation does not cover it; one naming it does.
    let waiver = |item: &str| {
        format!(
            "[[waiver]]\nrule = \"GOV-MCP-003\"\nfile = \"{TOOLS}\"\nitem = \"{item}\"\nreason = \"read through the list\"\nexpires = \"2026-12-31\"\n"
        )
    };
    write(dir.path(), "specs/waivers.toml", &waiver("item_list"));
    expect(&check(dir.path()), "GOV-MCP-003");
    write(dir.path(), "specs/waivers.toml", &waiver("item_get"));
    assert!(check(dir.path()).findings.is_empty());
}

#[test]
fn mcp_004_a_missing_or_malformed_tool_list() {
    let dir = copy("good");
    std::fs::remove_file(dir.path().join(TOOLS)).unwrap();
    assert!(expect(&check(dir.path()), "GOV-MCP-004").message.contains("missing"));
    write(dir.path(), TOOLS, "{ \"tools\": [ }");
    assert_eq!(expect(&check(dir.path()), "GOV-MCP-004").line, 1);
    write(dir.path(), TOOLS, "{ \"items\": [] }");
    assert!(expect(&check(dir.path()), "GOV-MCP-004").message.contains("`tools`"));
    let dir = copy("good");
    let list = read(dir.path(), TOOLS);
    let mut tools: serde_json::Value = serde_json::from_str(&list).unwrap();
    let first = tools["tools"][0].clone();
    tools["tools"].as_array_mut().unwrap().push(first);
    write(dir.path(), TOOLS, &serde_json::to_string_pretty(&tools).unwrap());
    assert!(expect(&check(dir.path()), "GOV-MCP-004").message.contains("`list_items` is listed twice"));
}

#[test]
fn mcp_rules_ignore_key_order_and_need_the_contract_section() {
    // The same schemas written in another key order are the same schemas.
    let dir = copy("good");
    let list = read(dir.path(), TOOLS);
    let tools: serde_json::Value = serde_json::from_str(&list).unwrap();
    write(
        dir.path(),
        TOOLS,
        &serde_json::to_string(&tools).unwrap().replace(
            "{\"type\":\"string\",\"format\":\"uuid\"}",
            "{\"format\":\"uuid\",\"type\":\"string\"}",
        ),
    );
    assert!(check(dir.path()).findings.is_empty(), "{:#?}", check(dir.path()).findings);
    // Without [contract] there is nothing to hold the tools to.
    let dir = copy("good");
    edit(dir.path(), TOOLS, "\"operation\": \"item_get\"", "\"operation\": \"item_fetch\"");
    let config = read(dir.path(), "specs/check-specs.toml");
    let start = config.find("[contract]").unwrap();
    let end = config.find("[mcp]").unwrap();
    write(dir.path(), "specs/check-specs.toml", &format!("{}{}", &config[..start], &config[end..]));
    let report = check(dir.path());
    assert!(!codes(&report).iter().any(|c| c.starts_with("GOV-MCP")), "{report:#?}");
}

// ---- GOV-SCHEMA ----

#[test]
fn schema_001_undocumented_table() {
    let dir = copy("good");
    write(
        dir.path(),
        "migrations/sqlite/0002_tags.sql",
        "CREATE TABLE tags (id TEXT NOT NULL PRIMARY KEY);\n",
    );
    assert!(expect(&check(dir.path()), "GOV-SCHEMA-001").message.contains("`tags`"));
}

#[test]
fn schema_002_column_added_by_migration() {
    let dir = copy("good");
    write(dir.path(), "migrations/sqlite/0002_notes.sql", "ALTER TABLE items ADD COLUMN notes TEXT NULL;\n");
    assert!(expect(&check(dir.path()), "GOV-SCHEMA-002").message.contains("items.notes"));
}

#[test]
fn schema_003_nullability_type_key_differ() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/database/schema.md",
        "| due | BIGINT | yes | | |",
        "| due | TEXT | no | UNIQUE | |",
    );
    let f = expect(&check(dir.path()), "GOV-SCHEMA-003").clone();
    assert!(f.message.contains("type TEXT (migrations: BIGINT)"), "{}", f.message);
    assert!(f.message.contains("nullable no (migrations: yes)"));
    assert!(f.message.contains("key `UNIQUE`"));
    assert_eq!(f.snippet, "| due | TEXT | no | UNIQUE | |");
}

#[test]
fn schema_004_index_differs() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/database/schema.md",
        "| items_owner_due | owner_id, due, id | no |",
        "| items_owner_due | owner_id, due | no |",
    );
    expect(&check(dir.path()), "GOV-SCHEMA-004");
    let dir = copy("good");
    write(dir.path(), "migrations/sqlite/0002_idx.sql", "CREATE INDEX items_title ON items (title);\n");
    assert!(expect(&check(dir.path()), "GOV-SCHEMA-004").message.contains("items_title"));
}

#[test]
fn schema_virtual_tables_and_other_backends_indexes_are_not_findings() {
    let dir = copy("good");
    // A full-text index is a virtual table with shadow tables of its own:
    // the module's storage, not columns to document.
    write(
        dir.path(),
        "migrations/sqlite/0002_search.sql",
        "CREATE VIRTUAL TABLE item_search USING fts5(words, tokenize = 'ascii');\n",
    );
    // An index PostgreSQL alone has (a trigram index, say) is documented
    // with its marker and not expected on SQLite.
    edit(
        dir.path(),
        "specs/database/schema.md",
        "| items_owner_due | owner_id, due, id | no |",
        "| items_owner_due | owner_id, due, id | no |\n| items_title_trigram (PostgreSQL only) | title | no |",
    );
    let report = check(dir.path());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    // Marked for SQLite, it must exist there.
    edit(dir.path(), "specs/database/schema.md", "(PostgreSQL only)", "(SQLite only)");
    assert!(expect(&check(dir.path()), "GOV-SCHEMA-004").message.contains("items_title_trigram"));
}

#[test]
fn schema_005_migration_does_not_apply() {
    let dir = copy("good");
    write(dir.path(), "migrations/sqlite/0002_bad.sql", "CREATE TABLEX oops;\n");
    assert_eq!(expect(&check(dir.path()), "GOV-SCHEMA-005").file, "migrations/sqlite/0002_bad.sql");
}

// ---- GOV-TRACE ----

#[test]
fn trace_001_requirement_without_task() {
    let dir = copy("good");
    edit(
        dir.path(),
        "specs/001-demo/spec.md",
        "## Success Criteria",
        "- **FR-003**: Items MUST be sorted.\n\n## Success Criteria",
    );
    let report = check(dir.path());
    assert!(expect(&report, "GOV-TRACE-001").message.contains("FR-003"));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn trace_002_requirement_without_test_is_a_warning() {
    let dir = copy("good");
    not_every_done_task_tested(dir.path());
    edit(dir.path(), "app/tests/items.rs", "// spec: 001-demo#FR-001\n", "");
    let report = check(dir.path());
    let f = expect(&report, "GOV-TRACE-002");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(report.exit_code(), 0);
    let matrix = governance::rules::trace::render_coverage(&report.coverage);
    assert!(matrix.contains("001-demo: 2/3"), "{matrix}");
}

/// Turns `GOV-TRACE-008` off, so that a requirement without a test is
/// only the warning `GOV-TRACE-002`.
fn not_every_done_task_tested(root: &std::path::Path) {
    edit(root, "specs/check-specs.toml", "done_tasks_tested = true", "done_tasks_tested = false");
}

#[test]
fn trace_008_done_task_without_a_test() {
    let dir = copy("good");
    edit(dir.path(), "app/tests/items.rs", "// spec: 001-demo#FR-001\n", "");
    let report = check(dir.path());
    let f = expect(&report, "GOV-TRACE-008");
    assert_eq!((f.severity, f.line), (Severity::Error, 7), "{f:#?}");
    assert!(f.message.contains("T001"), "{f:#?}");
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn trace_003_unknown_id() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/tasks.md", "[FR-001, FR-002]", "[FR-001, FR-009]");
    assert!(expect(&check(dir.path()), "GOV-TRACE-003").message.contains("FR-009"));
}

#[test]
fn trace_004_duplicate_and_out_of_order() {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/tasks.md", "T003", "T002");
    assert!(expect(&check(dir.path()), "GOV-TRACE-004").message.contains("twice"));
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/tasks.md", "T002", "T000");
    assert!(expect(&check(dir.path()), "GOV-TRACE-004").message.contains("out of order"));
}

#[test]
fn trace_005_done_task_missing_path() {
    let dir = copy("good");
    std::fs::remove_file(dir.path().join("app/src/lib.rs")).unwrap();
    let f = expect(&check(dir.path()), "GOV-TRACE-005").clone();
    assert_eq!(f.file, "specs/001-demo/tasks.md");
    assert_eq!((f.line, f.column), (8, 45));
}

// ---- GOV-WAIVER ----

const WAIVER: &str = "[[waiver]]\nrule = \"GOV-TRACE-002\"\nfile = \"specs/001-demo/spec.md\"\nreason = \"tests land later\"\nexpires = \"EXPIRES\"\n";

#[test]
fn waivers_suppress_until_they_expire() {
    let dir = copy("good");
    not_every_done_task_tested(dir.path());
    edit(dir.path(), "app/tests/items.rs", "// spec: 001-demo#FR-001\n", "");
    write(dir.path(), "specs/waivers.toml", &WAIVER.replace("EXPIRES", "2026-12-31"));
    assert!(check(dir.path()).findings.is_empty());
    write(dir.path(), "specs/waivers.toml", &WAIVER.replace("EXPIRES", "2026-11-24"));
    let report = check(dir.path());
    let f = expect(&report, "GOV-WAIVER-001");
    assert_eq!(f.line, 5);
    expect(&report, "GOV-TRACE-002");
}

#[test]
fn waiver_002_malformed() {
    let dir = copy("good");
    write(dir.path(), "specs/waivers.toml", &WAIVER.replace("EXPIRES", "soon"));
    expect(&check(dir.path()), "GOV-WAIVER-002");
    write(dir.path(), "specs/waivers.toml", "[[waiver]\n");
    expect(&check(dir.path()), "GOV-WAIVER-002");
}

#[test]
fn unreadable_input_is_an_error() {
    let dir = copy("good");
    write(dir.path(), "specs/contracts/charter.json", "{ not json");
    let options = governance::Options { config: config(dir.path()), ..governance::Options::default() };
    assert!(governance::check(dir.path(), &options).is_err());
}

// ---- GOV-SCHEMA on PostgreSQL ----

/// The PostgreSQL server for the PostgreSQL half of the schema rule:
/// `TEST_DATABASE_URL`, or the local default. `None` (test skipped) when it
/// is unreachable, unless `CI` is set: then PostgreSQL is required.
fn postgres() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let reachable = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5432".parse().unwrap(),
        std::time::Duration::from_secs(1),
    )
    .is_ok()
        || std::env::var("TEST_DATABASE_URL").is_ok();
    if reachable {
        Some(url)
    } else if std::env::var_os("CI").is_some_and(|v| v == "true") {
        panic!("PostgreSQL is required in CI (CI=true) but {url} is unreachable");
    } else {
        eprintln!("PostgreSQL unreachable: skipped");
        None
    }
}

#[test]
fn schema_postgres_agrees_and_drift_is_caught() {
    let Some(url) = postgres() else { return };
    let dir = copy("good");
    let options = || governance::Options { database_url: Some(url.clone()), ..Default::default() };
    let report = check_with(dir.path(), options());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    edit(
        dir.path(),
        "migrations/postgres/0001_init.sql",
        "    due      BIGINT NULL",
        "    due      BIGINT NOT NULL",
    );
    write(
        dir.path(),
        "migrations/postgres/0002_idx.sql",
        "CREATE UNIQUE INDEX items_title ON items (title);\n",
    );
    let report = check_with(dir.path(), options());
    let f = expect(&report, "GOV-SCHEMA-003");
    assert!(f.message.contains("nullable yes (migrations: no)"), "{}", f.message);
    assert!(
        expect(&report, "GOV-SCHEMA-004")
            .message
            .contains("`items_title` on `items` is created by the migrations (migrations/postgres)")
    );
    write(dir.path(), "migrations/postgres/0003_bad.sql", "CREATE TABLEX oops;\n");
    let report = check_with(dir.path(), options());
    assert_eq!(expect(&report, "GOV-SCHEMA-005").file, "migrations/postgres/0003_bad.sql");
}
