//! Conditional requests (RFC 9110 §13): a task's entity tag, and the
//! `If-Match` / `If-None-Match` lists compared with it.
//!
//! A task's entity tag is its version in quotes, `"7"`: strong, since two
//! representations of one version are the same bytes' worth of meaning.

/// The strong entity tag of a task at `version`.
pub fn task_etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The entity tags a condition lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntityTags {
    /// `*`: any current representation.
    Any,
    /// The tags, each with whether it was weak (`W/"…"`). Malformed
    /// members are left out: they match nothing.
    Tags(Vec<(bool, String)>),
}

impl EntityTags {
    /// Reads a header value: `*`, or comma-separated entity tags.
    pub fn parse(value: &str) -> EntityTags {
        if value.trim() == "*" {
            return EntityTags::Any;
        }
        let tags = value
            .split(',')
            .filter_map(|member| {
                let member = member.trim();
                let (weak, quoted) = match member.strip_prefix("W/") {
                    Some(rest) => (true, rest),
                    None => (false, member),
                };
                let opaque = quoted.strip_prefix('"')?.strip_suffix('"')?;
                // etagc: no quotes, controls or spaces inside.
                opaque
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x7E).contains(&b) || b >= 0x80)
                    .then(|| (weak, format!("\"{opaque}\"")))
            })
            .collect();
        EntityTags::Tags(tags)
    }

    /// `If-Match`: strong comparison, so a weak tag never matches.
    pub fn match_strong(&self, etag: &str) -> bool {
        match self {
            EntityTags::Any => true,
            EntityTags::Tags(tags) => tags.iter().any(|(weak, tag)| !weak && tag == etag),
        }
    }

    /// `If-None-Match`: weak comparison, the `W/` ignored.
    pub fn match_weak(&self, etag: &str) -> bool {
        let etag = etag.strip_prefix("W/").unwrap_or(etag);
        match self {
            EntityTags::Any => true,
            EntityTags::Tags(tags) => tags.iter().any(|(_, tag)| tag == etag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 006-safe-writes-and-sync#FR-001, 006-safe-writes-and-sync#FR-002, 006-safe-writes-and-sync#FR-003
    #[test]
    fn entity_tags_compare() {
        let etag = task_etag(7);
        assert_eq!(etag, "\"7\"");
        assert!(EntityTags::parse("\"6\", \"7\"").match_strong(&etag));
        assert!(!EntityTags::parse("\"6\"").match_strong(&etag));
        assert!(!EntityTags::parse("W/\"7\"").match_strong(&etag), "If-Match compares strongly");
        assert!(EntityTags::parse("W/\"7\"").match_weak(&etag), "If-None-Match compares weakly");
        assert!(EntityTags::parse("*").match_strong(&etag));
        assert!(!EntityTags::parse("7").match_strong(&etag), "unquoted is malformed");
        assert!(!EntityTags::parse("\"7 \"").match_weak(&etag));
        assert!(!EntityTags::parse("").match_weak(&etag));
    }
}
