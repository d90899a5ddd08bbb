//! `GOV-WAIVER-*`: accepted findings, each with a reason and an expiry date,
//! in `<specs>/waivers.toml` (or the configured file):
//!
//! ```toml
//! [[waiver]]
//! rule = "GOV-TRACE-002"
//! file = "specs/001-task-service/spec.md"
//! reason = "the integration suite lands with issue 4"
//! expires = "2026-12-31"
//! ```
//!
//! A waiver suppresses every finding of its rule in its file (`file = "*"`:
//! in any file) until it expires; with `item = "…"`, only the findings
//! about that item (an operation id, for the rules that name one).
//!
//! - `GOV-WAIVER-001` a waiver has expired (it suppresses nothing then).
//! - `GOV-WAIVER-002` a waiver is malformed (missing field, bad date, no reason).

use std::path::Path;

use serde::Deserialize;

use crate::{Error, Finding};

#[derive(Debug, Clone, Deserialize)]
pub struct Waiver {
    pub rule: String,
    pub file: String,
    #[serde(default)]
    pub reason: String,
    pub expires: String,
    /// The one thing of the file the waiver is for (`None`: all of them).
    #[serde(default)]
    pub item: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WaiverFile {
    #[serde(default)]
    waiver: Vec<Waiver>,
}

impl Waiver {
    fn covers(&self, finding: &Finding) -> bool {
        self.rule == finding.rule
            && (self.file == "*" || self.file == finding.file)
            && (self.item.is_none() || self.item == finding.item)
    }
}

/// Whether `s` is a `YYYY-MM-DD` date.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Drops the findings that a live waiver covers and adds findings for
/// expired or malformed waivers. `today` is `YYYY-MM-DD`.
pub fn apply(root: &Path, waivers: &str, today: &str, findings: Vec<Finding>) -> Result<Vec<Finding>, Error> {
    if !root.join(waivers).is_file() {
        return Ok(findings);
    }
    let text = crate::read(root, waivers)?;
    let file: WaiverFile = match toml::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1).unwrap_or(1);
            let mut findings = findings;
            findings.push(
                Finding::at_line(
                    "GOV-WAIVER-002",
                    waivers,
                    &text,
                    line,
                    format!("the waiver file does not parse: {}", e.message()),
                )
                .help("each `[[waiver]]` needs rule, file, reason and expires = \"YYYY-MM-DD\""),
            );
            return Ok(findings);
        }
    };
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or(1);
    let mut live = Vec::new();
    let mut extra = Vec::new();
    for w in &file.waiver {
        let line = line_of(&format!("\"{}\"", w.expires));
        if !is_date(&w.expires) || w.reason.trim().is_empty() {
            extra.push(
                Finding::at_line(
                    "GOV-WAIVER-002",
                    waivers,
                    &text,
                    line,
                    format!("the waiver of {} for {} needs a reason and a YYYY-MM-DD expiry", w.rule, w.file),
                )
                .help("give the waiver a `reason` and `expires = \"YYYY-MM-DD\"`"),
            );
        } else if w.expires.as_str() < today {
            extra.push(
                Finding::at_line(
                    "GOV-WAIVER-001",
                    waivers,
                    &text,
                    line,
                    format!("the waiver of {} for {} expired on {}", w.rule, w.file, w.expires),
                )
                .help(
                    "fix the waived findings and delete the waiver, or renew it with a new reason and date",
                ),
            );
        } else {
            live.push(w);
        }
    }
    let mut kept: Vec<Finding> = findings.into_iter().filter(|f| !live.iter().any(|w| w.covers(f))).collect();
    kept.extend(extra);
    Ok(kept)
}

/// Today's UTC date, `YYYY-MM-DD`, from the system clock.
pub fn today() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's days-to-civil conversion.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_417), (2025, 11, 25));
    }
}
