//! What people organise tasks by: a priority, tags, and the words a task
//! is found by.
//!
//! Search works on words folded here, once, for both databases: the
//! store indexes [`search_text`] (SQLite with FTS5, PostgreSQL with
//! `pg_trgm`) and matches the [`SearchQuery`] words against it, so the two
//! backends cannot disagree on what a word or an accent is.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::Invalid;

/// How much a task matters. Ordered: `None` < `Low` < `Medium` < `High`.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl TaskPriority {
    pub const ALL: [TaskPriority; 4] =
        [TaskPriority::None, TaskPriority::Low, TaskPriority::Medium, TaskPriority::High];

    /// The stored rank, which the priority sort orders by.
    pub fn rank(self) -> i64 {
        match self {
            TaskPriority::None => 0,
            TaskPriority::Low => 1,
            TaskPriority::Medium => 2,
            TaskPriority::High => 3,
        }
    }

    pub fn from_rank(rank: i64) -> Option<TaskPriority> {
        TaskPriority::ALL.into_iter().find(|p| p.rank() == rank)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskPriority::None => "none",
            TaskPriority::Low => "low",
            TaskPriority::Medium => "medium",
            TaskPriority::High => "high",
        }
    }
}

impl std::fmt::Display for TaskPriority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TaskPriority {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        TaskPriority::ALL.into_iter().find(|p| p.as_str() == s.trim()).ok_or_else(|| {
            Invalid::new("InvalidPriority", format!("Unknown priority {s:?}: use none, low, medium or high."))
        })
    }
}

/// Priorities written as a comma-separated list (`high,medium`), as the
/// list's `priority` parameter takes them. Duplicates collapse.
pub fn priority_list(text: &str) -> Result<Vec<TaskPriority>, Invalid> {
    let mut priorities: Vec<TaskPriority> = Vec::new();
    for part in text.split(',') {
        let priority = part.parse()?;
        if !priorities.contains(&priority) {
            priorities.push(priority);
        }
    }
    priorities.sort();
    Ok(priorities)
}

pub const TAG_MAX_CHARS: usize = 32;
pub const TAGS_PER_TASK_MAX: usize = 20;
/// The most tags one list may be filtered by.
pub const TAG_FILTER_MAX: usize = 10;

/// [`tag`]'s rule as a regular expression, for the contract (with
/// `minLength` 1 and `maxLength` [`TAG_MAX_CHARS`]): something besides
/// white space (Unicode's `White_Space`, which `str::trim` removes), no
/// commas or control characters.
pub const TAG_PATTERN: &str = concat!(
    r"^[^,\x00-\x1F\x7F-\x9F]*",
    r"[^,\x00-\x1F\x7F-\x9F \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
    r"[^,\x00-\x1F\x7F-\x9F]*$"
);

/// A tag name as stored (trimmed): 1 to 32 characters, no commas (they
/// separate tags in the list's filter) and no control characters.
pub fn tag(value: &str) -> Result<&str, Invalid> {
    let name = value.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > TAG_MAX_CHARS {
        return Err(Invalid::new(
            "InvalidTag",
            format!("Use 1 to {TAG_MAX_CHARS} characters for a tag ({value:?} has {chars} after trimming)."),
        ));
    }
    if name.contains(',') {
        return Err(Invalid::new("InvalidTag", format!("A tag must not contain a comma ({name:?}).")));
    }
    // Checked before trimming too: a tab or line break around a tag is
    // as wrong as one inside it.
    if value.chars().any(char::is_control) {
        return Err(Invalid::new("InvalidTag", "A tag must not contain control characters."));
    }
    Ok(name)
}

/// The key two spellings of one tag share: `Work` and `WORK` are one tag.
pub fn tag_key(name: &str) -> String {
    name.to_lowercase()
}

/// A task's tags as a set: each name checked, spellings equal by
/// [`tag_key`] collapsed to the first, at most [`TAGS_PER_TASK_MAX`].
/// Sorted by key, as tasks return them.
pub fn tags<S: AsRef<str>>(names: &[S]) -> Result<Vec<String>, Invalid> {
    let mut set: Vec<String> = Vec::new();
    for name in names {
        let name = tag(name.as_ref())?;
        if !set.iter().any(|t| tag_key(t) == tag_key(name)) {
            set.push(name.to_owned());
        }
    }
    if set.len() > TAGS_PER_TASK_MAX {
        return Err(Invalid::new(
            "InvalidTags",
            format!("A task can have at most {TAGS_PER_TASK_MAX} tags (this one has {}).", set.len()),
        ));
    }
    sort_tags(&mut set);
    Ok(set)
}

/// Tags in the order tasks and lists show them: by key, then spelling.
pub fn sort_tags(names: &mut [String]) {
    names.sort_by_cached_key(|name| (tag_key(name), name.clone()));
}

/// The tags a list is filtered by, written comma-separated (`work,home`):
/// keys, at most [`TAG_FILTER_MAX`].
pub fn tag_filter(text: &str) -> Result<Vec<String>, Invalid> {
    let mut keys: Vec<String> = Vec::new();
    for part in text.split(',') {
        let key = tag_key(tag(part)?);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.len() > TAG_FILTER_MAX {
        return Err(Invalid::new(
            "InvalidTagFilter",
            format!("Filter by at most {TAG_FILTER_MAX} tags at once (tag has {}).", keys.len()),
        ));
    }
    keys.sort();
    Ok(keys)
}

pub const SEARCH_MAX_CHARS: usize = 200;

/// Text folded for search: compatibility decomposition, combining marks
/// (accents) removed, lower-cased. `Café` and `CAFE` fold alike.
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The words of a text, folded: the runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()).map(str::to_owned).collect::<Vec<_>>())
        .filter(|w| !w.is_empty())
}

/// What the store indexes for a task: the words of its title and
/// description, folded, space-separated, with a space before and after
/// (so `LIKE '% word %'` finds a whole word, `LIKE '% pre%'` a prefix).
pub fn search_text(title: &str, description: Option<&str>) -> String {
    let mut text = String::from(" ");
    for word in words(title).chain(description.into_iter().flat_map(words)) {
        text.push_str(&word);
        text.push(' ');
    }
    text
}

/// A search: every word must be a word of the task, and the last one may
/// be the start of one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SearchQuery {
    /// Folded; never empty.
    pub words: Vec<String>,
}

impl SearchQuery {
    pub fn parse(q: &str) -> Result<SearchQuery, Invalid> {
        let chars = q.chars().count();
        if chars > SEARCH_MAX_CHARS {
            return Err(Invalid::new(
                "InvalidSearch",
                format!("Search with at most {SEARCH_MAX_CHARS} characters (q has {chars})."),
            ));
        }
        let words: Vec<String> = words(q).collect();
        if !Self::is_searchable(q) || words.is_empty() {
            return Err(Invalid::new(
                "InvalidSearch",
                "Search for at least one letter or digit (q has none).",
            ));
        }
        Ok(SearchQuery { words })
    }

    /// Whether [`parse`](Self::parse) takes `q`, without folding it: for
    /// the web app, which leaves the folding tables to the server.
    pub fn is_searchable(q: &str) -> bool {
        q.chars().count() <= SEARCH_MAX_CHARS && q.chars().any(char::is_alphanumeric)
    }

    /// The whole words, and the last word, which may be a prefix.
    pub fn split(&self) -> (&[String], &str) {
        match self.words.split_last() {
            Some((last, whole)) => (whole, last),
            None => (&[], ""),
        }
    }

    /// Whether a task's [`search_text`] matches: the definition the
    /// store's indexes implement.
    pub fn matches(&self, search_text: &str) -> bool {
        let (whole, prefix) = self.split();
        let words: Vec<&str> = search_text.split(' ').filter(|w| !w.is_empty()).collect();
        whole.iter().all(|w| words.contains(&w.as_str())) && words.iter().any(|w| w.starts_with(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 005-organise-and-plan#FR-001
    #[test]
    fn priorities() {
        assert_eq!("high".parse::<TaskPriority>(), Ok(TaskPriority::High));
        assert_eq!(priority_list("high,low,high"), Ok(vec![TaskPriority::Low, TaskPriority::High]));
        assert_eq!(priority_list("urgent").map_err(|e| e.code), Err("InvalidPriority"));
        assert!(TaskPriority::High > TaskPriority::Medium && TaskPriority::Low > TaskPriority::None);
        for p in TaskPriority::ALL {
            assert_eq!(TaskPriority::from_rank(p.rank()), Some(p));
        }
    }

    // spec: 005-organise-and-plan#FR-002
    #[test]
    fn tag_sets() {
        assert_eq!(tags(&[" Work ", "home", "WORK"]), Ok(vec!["home".to_owned(), "Work".to_owned()]));
        assert_eq!(tags(&["a,b"]).map_err(|e| e.code), Err("InvalidTag"));
        assert_eq!(tags(&["  "]).map_err(|e| e.code), Err("InvalidTag"));
        assert_eq!(tags(&["x".repeat(33)]).map_err(|e| e.code), Err("InvalidTag"));
        assert!(tags(&["é".repeat(32)]).is_ok(), "characters, not bytes");
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(tags(&many).map_err(|e| e.code), Err("InvalidTags"));
        assert_eq!(tags(&many[..20]).map(|t| t.len()), Ok(20));
        assert_eq!(tag_filter("Work, home"), Ok(vec!["home".to_owned(), "work".to_owned()]));
        assert_eq!(tag_filter("work,,home").map_err(|e| e.code), Err("InvalidTag"));
    }

    // spec: 005-organise-and-plan#FR-009
    #[test]
    fn search_folds_accents_case_and_punctuation() {
        assert_eq!(search_text("Café crème", Some("Ask  Zoë—today!")), " cafe creme ask zoe today ");
        assert_eq!(fold("ＣＡＦÉ"), "cafe", "compatibility forms fold too");
        let q = SearchQuery::parse("CAFE cr").expect("query");
        assert_eq!(q.words, ["cafe", "cr"]);
        assert!(q.matches(&search_text("Café crème", None)));
        assert!(!q.matches(&search_text("Cafeteria crème", None)), "whole words but the last");
        assert!(
            !SearchQuery::parse("cre cafe").expect("query").matches(" cafe creme "),
            "only the last is a prefix"
        );
        assert_eq!(SearchQuery::parse("--").map_err(|e| e.code), Err("InvalidSearch"));
        assert_eq!(SearchQuery::parse(&"a".repeat(201)).map_err(|e| e.code), Err("InvalidSearch"));
    }
}
