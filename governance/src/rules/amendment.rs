//! `GOV-AMEND-*`: a constitution changed since the base revision is amended
//! by the book.
//!
//! - `GOV-AMEND-001` the version is not bumped by the level the change
//!   implies: a principle removed or its rules (MUST/SHOULD/MAY lines)
//!   changed → MAJOR; a principle added → MINOR; any other wording → PATCH.
//! - `GOV-AMEND-002` the `**Ratified**:` date changed.
//! - `GOV-AMEND-003` `**Last Amended**:` was not updated.

use super::priority::{parse_version, principles};
use crate::markdown::Doc;
use crate::{Error, Finding, Repository, git};

/// What a change to the constitution requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Bump::None => "no",
            Bump::Patch => "a PATCH",
            Bump::Minor => "a MINOR",
            Bump::Major => "a MAJOR",
        }
    }

    /// The bump between two versions.
    pub fn between(old: (u64, u64, u64), new: (u64, u64, u64)) -> Bump {
        if new.0 > old.0 {
            Bump::Major
        } else if new.0 == old.0 && new.1 > old.1 {
            Bump::Minor
        } else if new.0 == old.0 && new.1 == old.1 && new.2 > old.2 {
            Bump::Patch
        } else {
            Bump::None
        }
    }
}

/// The bump the change from `old` to `new` requires, with the reason.
pub fn required(old: &Doc, new: &Doc) -> (Bump, String) {
    let (before, after) = (principles(old), principles(new));
    for p in &before {
        match after.iter().find(|q| q.id == p.id) {
            None => return (Bump::Major, format!("principle {} was removed", p.id)),
            Some(q) if q.rules() != p.rules() => {
                return (Bump::Major, format!("the rules of principle {} changed", p.id));
            }
            _ => {}
        }
    }
    if let Some(q) = after.iter().find(|q| !before.iter().any(|p| p.id == q.id)) {
        return (Bump::Minor, format!("principle {} was added", q.id));
    }
    let strip = |d: &Doc| -> String {
        d.lines()
            .filter(|(_, _, l)| !l.contains("**Version**:") && !l.contains("**Last Amended**:"))
            .map(|(_, _, l)| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    if strip(old) != strip(new) {
        (Bump::Patch, "the wording changed".into())
    } else {
        (Bump::None, String::new())
    }
}

pub fn check(repo: &Repository, base: &str) -> Result<Vec<Finding>, Error> {
    let path = repo.constitution.as_str();
    let Some(old_text) = git::show(repo.root, base, path) else { return Ok(Vec::new()) };
    if !repo.is_file(path) {
        return Ok(Vec::new());
    }
    let old = Doc::parse(path, old_text);
    let new = Doc::load(repo.root, path)?;
    Ok(compare(&old, &new))
}

/// Findings for the amendment from `old` to `new`.
pub fn compare(old: &Doc, new: &Doc) -> Vec<Finding> {
    let mut findings = Vec::new();
    if old.text == new.text {
        return findings;
    }
    let (need, why) = required(old, new);
    let version_of = |d: &Doc| d.field("Version").and_then(|(v, o)| parse_version(&v).map(|v| (v, o)));
    let (Some((old_v, _)), Some((new_v, offset))) = (version_of(old), version_of(new)) else {
        findings.push(
            Finding::at("GOV-AMEND-001", new, 0, "the constitution has no `**Version**: X.Y.Z`")
                .help("add `**Version**: MAJOR.MINOR.PATCH | **Ratified**: date | **Last Amended**: date`"),
        );
        return findings;
    };
    let done = Bump::between(old_v, new_v);
    if need > Bump::None && done < need {
        let next = match need {
            Bump::Major => (old_v.0 + 1, 0, 0),
            Bump::Minor => (old_v.0, old_v.1 + 1, 0),
            _ => (old_v.0, old_v.1, old_v.2 + 1),
        };
        findings.push(
            Finding::at(
                "GOV-AMEND-001",
                new,
                offset,
                format!(
                    "the constitution changed ({why}), which needs {} version bump, but the version went from \
                     {}.{}.{} to {}.{}.{}",
                    need.name(),
                    old_v.0,
                    old_v.1,
                    old_v.2,
                    new_v.0,
                    new_v.1,
                    new_v.2
                ),
            )
            .help(format!("set **Version** to {}.{}.{}", next.0, next.1, next.2)),
        );
    }
    let ratified = |d: &Doc| d.field("Ratified").map(|(v, _)| v);
    if ratified(old) != ratified(new) {
        let offset = new.field("Ratified").map(|(_, o)| o).unwrap_or(0);
        findings.push(
            Finding::at("GOV-AMEND-002", new, offset, "an amendment changed the ratification date")
                .help(format!("restore **Ratified** to {}", ratified(old).unwrap_or_default())),
        );
    }
    let amended = |d: &Doc| d.field("Last Amended").map(|(v, _)| v);
    if amended(old) == amended(new) {
        let offset = new.field("Last Amended").map(|(_, o)| o).unwrap_or(0);
        findings.push(
            Finding::at(
                "GOV-AMEND-003",
                new,
                offset,
                "the constitution changed but **Last Amended** did not",
            )
            .help("set **Last Amended** to the date of this amendment (YYYY-MM-DD)"),
        );
    }
    findings
}
