//! Tidy checks: invariants that ARCHITECTURE.md and DEVELOPERS.md state
//! and that a program can check, so that the documents stay true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    // At run time: a test built from another checkout sharing the target
    // directory would otherwise look at that checkout.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().expect("workspace root").to_path_buf()
}

/// The workspace's crates: each member's directory and its package name.
fn crates() -> Vec<(PathBuf, String)> {
    let root = workspace();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("workspace manifest");
    let members =
        manifest.split("members = [").nth(1).and_then(|rest| rest.split(']').next()).expect("a members list");
    members
        .split(',')
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
        .map(|member| {
            let dir = root.join(member);
            let own = std::fs::read_to_string(dir.join("Cargo.toml")).expect("member manifest");
            let name = own
                .lines()
                .find_map(|line| line.strip_prefix("name = "))
                .map(|name| name.trim_matches('"').to_owned())
                .expect("a package name");
            (dir, name)
        })
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module a file under `src/` is (`store`, `rules::trace`), or `None`
/// for the crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?.with_extension("");
    let name = relative.to_string_lossy().replace('/', "::");
    let name = name.strip_suffix("::mod").unwrap_or(&name).to_owned();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// The modules of its own crate a file names through `crate::…`.
fn uses(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        // The longest module path that follows: `crate::rules::trace::X`
        // names `rules::trace` when that is a file, else `rules`.
        let rest: String = text[at + "crate::".len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segments: Vec<&str> = rest.split("::").filter(|s| !s.is_empty()).collect();
        for end in (1..=segments.len()).rev() {
            let candidate = segments[..end].join("::");
            if modules.contains(&candidate) {
                named.insert(candidate);
                break;
            }
        }
    }
    named
}

/// A cycle in `edges`, if there is one.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut found = path[start..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

/// DEVELOPERS.md: "no import circles between files". A file's module may
/// use its own submodules (`rules` → `rules::trace`), so those edges, and
/// the crate root's, are not counted.
#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let mut circles = Vec::new();
    for (dir, name) in crates() {
        let src = dir.join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let modules: BTreeMap<String, PathBuf> =
            files.iter().filter_map(|f| module_of(&src, f).map(|m| (m, f.clone()))).collect();
        let names: BTreeSet<String> = modules.keys().cloned().collect();
        let edges: BTreeMap<String, BTreeSet<String>> = modules
            .iter()
            .map(|(module, file)| {
                let text = std::fs::read_to_string(file).expect("source");
                let used = uses(&text, &names)
                    .into_iter()
                    .filter(|u| {
                        u != module
                            && !u.starts_with(&format!("{module}::"))
                            && !module.starts_with(&format!("{u}::"))
                    })
                    .collect();
                (module.clone(), used)
            })
            .collect();
        if let Some(found) = cycle(&edges) {
            circles.push(format!("{name}: {}", found.join(" → ")));
        }
    }
    assert!(circles.is_empty(), "import circles between files:\n{}", circles.join("\n"));
}

/// ARCHITECTURE.md's map names every crate of the workspace.
#[test]
fn the_architecture_map_names_every_crate() {
    let map = std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let missing: Vec<String> = crates()
        .into_iter()
        .map(|(_, name)| name)
        .filter(|name| !map.contains(&format!("`{name}`")))
        .collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md does not name these crates: {missing:?}");
}

/// DEVELOPERS.md: no `utils` or `helpers` modules; names say what a thing is.
#[test]
fn no_module_is_named_utils_or_helpers() {
    let mut offenders = Vec::new();
    for (dir, _) in crates() {
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        rust_files(&dir.join("tests"), &mut files);
        for file in files {
            let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if matches!(stem.as_str(), "utils" | "util" | "helpers" | "helper" | "misc") {
                offenders.push(file.display().to_string());
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

/// ARCHITECTURE.md: governance knows nothing of this repository; Charter's
/// specifics live in `specs/check-specs.toml`, and xtask adds the contract.
#[test]
fn governance_names_no_charter_specifics() {
    let mut files = Vec::new();
    rust_files(&workspace().join("governance/src"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for (n, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            if ["charter", "api_version"].iter().any(|word| lower.contains(word)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "governance/src names this repository:\n{}", found.join("\n"));
}

/// `cargo xtask serve` builds xtask without its `full` feature: running
/// the product must compile nothing of governance, the client, the
/// benchmarks' HTTP or the contract generator.
#[test]
fn the_light_xtask_depends_on_none_of_the_heavy_crates() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["tree", "--package", "xtask", "--edges", "normal", "--prefix", "none", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8_lossy(&output.stdout);
    for heavy in ["governance ", "api-client ", "charter-api ", "reqwest ", "tokio "] {
        assert!(
            !tree.lines().any(|line| line.starts_with(heavy)),
            "the light xtask pulls in {heavy}:\n{tree}"
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]
    .into();
    assert_eq!(cycle(&edges), Some(vec!["a".into(), "b".into(), "a".into()]));
    let names = BTreeSet::from(["rules".to_owned(), "rules::trace".to_owned(), "store".to_owned()]);
    assert_eq!(
        uses("use crate::rules::trace::Thing; crate::store::x();", &names),
        BTreeSet::from(["rules::trace".to_owned(), "store".to_owned()])
    );
}

/// The README's section under `title`, up to the next heading (`# `
/// lines in code blocks are comments, not headings).
fn readme_section(title: &str) -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let start = readme.find(title).unwrap_or_else(|| panic!("README.md has no section {title:?}"));
    let rest = &readme[start + title.len()..];
    rest[..rest.find("\n##").unwrap_or(rest.len())].to_owned()
}

// spec: 006-safe-writes-and-sync#SC-003
#[test]
fn the_readme_shows_how_to_write_safely_sync_and_subscribe() {
    let writing = readme_section("### Writing safely");
    let syncing = readme_section("### Syncing and subscribing");
    // Each operation and header of feature 006 comes with a curl example.
    for (text, example) in [
        (&writing, "if-match: "),
        (&writing, "if-none-match: "),
        (&writing, "idempotency-key: "),
        (&writing, "/batch\""),
        (&syncing, "/changes\""),
        (&syncing, "/changes?cursor="),
        (&syncing, "/events\""),
        (&syncing, "last-event-id: "),
    ] {
        let shown = text.lines().any(|line| line.starts_with("curl") || line.starts_with("  -H"))
            && text.contains(example);
        assert!(shown, "README.md's example of {example:?} is missing");
    }
    assert!(syncing.contains("410"), "the README says when a cursor has expired");
}

// spec: 008-cli-and-mcp#FR-008
#[test]
fn the_readme_shows_the_cli_and_how_to_configure_an_mcp_client() {
    let section = readme_section("### From a terminal and from agents");
    for shown in [
        "charter login",
        "charter tasks add",
        "charter tasks list",
        "charter tasks done",
        "charter completions",
        "CHARTER_TOKEN",
        "claude mcp add charter",
        "\"mcpServers\"",
        "charter mcp --http",
        "--transport http",
    ] {
        assert!(section.contains(shown), "README.md's CLI and MCP section does not show {shown:?}");
    }
    // Every tool of the checked-in list is named.
    let list =
        std::fs::read_to_string(workspace().join("specs/contracts/mcp-tools.json")).expect("the tool list");
    let names: Vec<&str> = list
        .lines()
        .filter_map(|line| line.trim().strip_prefix("\"name\": \"")?.strip_suffix("\","))
        .collect();
    assert!(names.len() >= 7, "the tool list names its tools: {names:?}");
    for name in names {
        assert!(section.contains(&format!("`{name}`")), "README.md does not name the tool {name}");
    }
}

// spec: 009-performance-ceiling#FR-004
#[test]
fn the_readme_benchmark_table_explains_every_target_not_met() {
    let section = readme_section("### Against the ceiling of our own stack");
    assert!(section.contains("| Ratio to the baseline |"), "the table shows ratios");
    let rows: Vec<&str> =
        section.lines().filter(|l| l.starts_with("| SQLite") || l.starts_with("| PostgreSQL")).collect();
    for (server, operation) in
        [("SQLite", "list 50"), ("SQLite", "create"), ("PostgreSQL", "list 50"), ("PostgreSQL", "create")]
    {
        for connections in ["16", "64"] {
            let shown =
                rows.iter().any(|r| r.starts_with(&format!("| {server}, {operation} | {connections} |")));
            assert!(
                shown,
                "README.md's benchmark table has no row for {server}, {operation} at {connections}"
            );
        }
    }
    // Each target not met is explained: `**List on SQLite (…)**`.
    for row in rows.iter().filter(|r| r.contains("not met")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (server, operation) = cells[1].split_once(", ").expect("server, operation");
        let operation = operation.trim_end_matches(" 50");
        let mut capitalised = operation.chars();
        let first = capitalised.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        let heading = format!("**{first}{} on {server}", capitalised.as_str());
        assert!(
            section.contains(&heading),
            "README.md does not explain the unmet target of {}: no {heading:?}",
            cells[1]
        );
    }
    assert!(section.contains("Peak resident memory"), "the section gives peak memory");
}
