//! The output formats, snapshotted on a fixture with several findings, and
//! the SARIF document checked against the structure SARIF 2.1.0 requires.

mod common;

use common::*;
use governance::output::{self, Format};

/// The good fixture with one finding of several kinds: an error with a
/// position, a fixable one, a warning and a file-level one.
fn several() -> (tempfile::TempDir, governance::Report) {
    let dir = copy("good");
    edit(dir.path(), "specs/001-demo/plan.md", "v2.0.0", "v1.0.0");
    edit(dir.path(), "specs/api/rest-endpoints.md", "| 400, 404 |", "| 404 |");
    edit(dir.path(), "app/tests/items.rs", "// spec: 001-demo#FR-001\n", "");
    edit(dir.path(), "specs/database/schema.md", "| due | BIGINT | yes |", "| due | BIGINT | no |");
    std::fs::remove_file(dir.path().join("CODEOWNERS")).unwrap();
    let report = check(dir.path());
    (dir, report)
}

#[test]
fn human_output() {
    let (_dir, report) = several();
    assert_eq!(report.exit_code(), 1);
    insta::assert_snapshot!(output::render(&report, Format::Human));
}

#[test]
fn json_output() {
    let (_dir, report) = several();
    let value: serde_json::Value = serde_json::from_str(&output::render(&report, Format::Json)).unwrap();
    insta::assert_json_snapshot!(value);
}

#[test]
fn sarif_output() {
    let (_dir, report) = several();
    let value: serde_json::Value = serde_json::from_str(&output::render(&report, Format::Sarif)).unwrap();
    insta::assert_json_snapshot!(value, { ".runs[0].tool.driver.version" => "[version]" });
}

#[test]
fn github_output() {
    let (_dir, report) = several();
    insta::assert_snapshot!(output::render(&report, Format::Github));
}

/// The properties SARIF 2.1.0 requires (and GitHub code scanning reads),
/// checked one by one.
#[test]
fn sarif_has_the_required_structure() {
    let (_dir, report) = several();
    let sarif = output::sarif(&report);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = sarif["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert!(driver["name"].is_string());
    let rules = driver["rules"].as_array().expect("rules is an array");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("rule id")).collect();
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string());
    }
    let results = runs[0]["results"].as_array().expect("results is an array");
    assert_eq!(results.len(), report.findings.len());
    for result in results {
        let rule = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids[index], rule, "ruleIndex points at the rule");
        assert!(matches!(result["level"].as_str(), Some("error" | "warning" | "note" | "none")));
        assert!(!result["message"]["text"].as_str().expect("message.text").is_empty());
        let locations = result["locations"].as_array().expect("locations");
        assert!(!locations.is_empty());
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().expect("artifactLocation.uri");
        assert!(!uri.starts_with('/') && !uri.contains('\\'), "relative URI: {uri}");
        if let Some(region) = physical.get("region") {
            assert!(region["startLine"].as_u64().expect("startLine") >= 1);
            assert!(region["startColumn"].as_u64().expect("startColumn") >= 1);
        }
    }
    // Every rule code the library can emit is described.
    let sources = ["structure", "priority", "amendment", "ownership", "contract", "schema", "trace"];
    for source in sources {
        let text = std::fs::read_to_string(manifest_dir().join(format!("src/rules/{source}.rs"))).unwrap();
        for (i, _) in text.match_indices("\"GOV-") {
            let code = &text[i + 1..i + 1 + text[i + 1..].find('"').unwrap()];
            assert!(ids.contains(&code), "{code} is missing from output::RULES");
        }
    }
}

/// The SARIF output deserialises into `serde-sarif`'s types, which are
/// generated from the official SARIF 2.1.0 JSON schema: required properties,
/// property types and enumerations (such as `level`) are checked by it.
#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_types() {
    let (_dir, report) = several();
    let text = output::render(&report, Format::Sarif);
    let sarif: serde_sarif::sarif::Sarif = serde_json::from_str(&text).expect("valid SARIF 2.1.0");
    assert_eq!(sarif.runs.len(), 1);
    let results = sarif.runs[0].results.as_ref().expect("results");
    assert_eq!(results.len(), report.findings.len());
    // The check has teeth: a level outside the schema's enumeration, or a
    // result without its message, is rejected.
    let mut bad: serde_json::Value = serde_json::from_str(&text).unwrap();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(serde_json::from_value::<serde_sarif::sarif::Sarif>(bad).is_err());
    let mut bad: serde_json::Value = serde_json::from_str(&text).unwrap();
    bad["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
    assert!(serde_json::from_value::<serde_sarif::sarif::Sarif>(bad).is_err());
    // And the empty report is valid too.
    let empty = output::render(&governance::Report::default(), Format::Sarif);
    serde_json::from_str::<serde_sarif::sarif::Sarif>(&empty).expect("valid SARIF 2.1.0");
}
