//! Spec-Kit's conventions, as its templates and commands write them: the
//! sections of a spec and a plan (under English, suffixed, numbered,
//! Chinese and Japanese headings), its template placeholders, its user
//! stories and its task lines.
//!
//! Everything here reads text; the rules decide what a finding is.

use crate::markdown::{Doc, Heading};

/// A section a Spec-Kit document is expected to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    UserStories,
    Requirements,
    SuccessCriteria,
    TechnicalContext,
    ConstitutionCheck,
    ComplexityTracking,
}

impl Section {
    /// The English name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Section::UserStories => "User Stories",
            Section::Requirements => "Requirements",
            Section::SuccessCriteria => "Success Criteria",
            Section::TechnicalContext => "Technical Context",
            Section::ConstitutionCheck => "Constitution Check",
            Section::ComplexityTracking => "Complexity Tracking",
        }
    }

    /// What a heading of this section contains once normalised by
    /// [`heading_key`]: English, Simplified and Traditional Chinese, Japanese.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Section::UserStories => &[
                "user stor",
                "user scenario",
                "user journey",
                "用户场景",
                "用户故事",
                "用戶場景",
                "用戶故事",
                "使用者情境",
                "使用者場景",
                "使用者故事",
                "ユーザーストーリー",
                "ユーザーシナリオ",
                "ユーザー シナリオ",
                "ユーザーストーリ",
            ],
            Section::Requirements => &["requirement", "需求", "要件", "要求"],
            Section::SuccessCriteria => &[
                "success criteria",
                "success metric",
                "measurable outcome",
                "成功标准",
                "成功標準",
                "成功指标",
                "成功指標",
                "成功基準",
                "成功条件",
            ],
            Section::TechnicalContext => &[
                "technical context",
                "tech context",
                "tech & constraints",
                "tech and constraints",
                "technology stack",
                "tech stack",
                "技术上下文",
                "技术背景",
                "技術上下文",
                "技術背景",
                "技術コンテキスト",
                "技術的コンテキスト",
                "技術的背景",
                "技術スタック",
            ],
            Section::ConstitutionCheck => &[
                "constitution check",
                "constitution gate",
                "constitutional check",
                "章程检查",
                "宪法检查",
                "宪章检查",
                "章程檢查",
                "憲法檢查",
                "憲章檢查",
                "憲法チェック",
                "憲章チェック",
                "憲法確認",
            ],
            Section::ComplexityTracking => &[
                "complexity tracking",
                "复杂度跟踪",
                "复杂度追踪",
                "复杂性跟踪",
                "複雜度追蹤",
                "複雑性の追跡",
                "複雑さの追跡",
                "複雑性トラッキング",
                "複雑度の追跡",
            ],
        }
    }

    /// Whether a heading's text names this section.
    pub fn matches(self, heading: &str) -> bool {
        let key = heading_key(heading);
        self.keys().iter().any(|k| key.contains(k))
    }

    /// The first heading of `doc` naming this section.
    pub fn heading(self, doc: &Doc) -> Option<&Heading> {
        doc.headings.iter().find(|h| self.matches(&h.text))
    }
}

/// A heading's text reduced to what names it: lower case, without a
/// leading number (`5.`, `1)`), emphasis marks, emoji or a parenthesised
/// suffix such as `*(mandatory)*` or `（必填）`.
pub fn heading_key(text: &str) -> String {
    let mut s = text.trim().to_lowercase();
    for open in ['(', '（'] {
        if let Some(i) = s.find(open)
            && i > 0
        {
            s.truncate(i);
        }
    }
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ')' | ' ' | ':'));
    s.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '&' | '-'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the body of the section starting at `heading` ends: at the next
/// heading of the same or a higher level, or the end of the document.
pub fn section_span(doc: &Doc, heading: &Heading) -> std::ops::Range<usize> {
    let end = doc
        .headings
        .iter()
        .find(|h| h.offset > heading.offset && h.level <= heading.level)
        .map_or(doc.text.len(), |h| h.offset);
    heading.offset..end
}

/// A user story of a spec: its number (`US1` is 1) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    pub number: u32,
    pub offset: usize,
    pub title: String,
}

/// Priority markers of a prioritised story heading, in the languages of
/// [`Section::keys`].
const PRIORITY_MARKERS: &[&str] = &["priority", "优先级", "優先級", "優先度", "優先順位"];

/// Story headings: those naming a user story (`User Story 2 - …`, `US2: …`,
/// `用户故事 2`) or marked `(Priority: Pn)`. A story's number is the first
/// number of its heading outside the priority marker, else its position.
pub fn stories(doc: &Doc) -> Vec<Story> {
    let mut out = Vec::new();
    for h in doc.headings.iter().filter(|h| h.level >= 3) {
        let lower = h.text.to_lowercase();
        let prioritised = PRIORITY_MARKERS.iter().any(|m| lower.contains(m));
        let named = Section::UserStories.matches(&h.text) && !lower.contains("stories")
            || lower.trim_start().starts_with("us") && lower[2..].starts_with(|c: char| c.is_ascii_digit());
        if !(prioritised || named) {
            continue;
        }
        let before_priority =
            PRIORITY_MARKERS.iter().filter_map(|m| lower.find(m)).min().unwrap_or(lower.len());
        let number = lower[..before_priority]
            .split(|c: char| !c.is_ascii_digit())
            .find(|d| !d.is_empty())
            .and_then(|d| d.parse().ok());
        match number {
            Some(number) => out.push(Story { number, offset: h.offset, title: h.text.trim().to_string() }),
            None if prioritised => out.push(Story {
                number: out.len() as u32 + 1,
                offset: h.offset,
                title: h.text.trim().to_string(),
            }),
            None => {}
        }
    }
    out
}

/// A task line: `- [x] T012 [P] [US1] Description in path/to/file.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub done: bool,
    /// `T012`, `T012a`.
    pub id: String,
    pub number: u32,
    pub parallel: bool,
    /// The user stories the task's `[USn]` markers name.
    pub stories: Vec<u32>,
    /// Requirement ids in brackets (`[FR-001, SC-002]`).
    pub refs: Vec<String>,
    /// Paths named by the description.
    pub paths: Vec<String>,
    /// The path after a trailing requirement list (`… [FR-001] src/lib.rs`):
    /// the one file the task produces, in the stricter task format.
    pub produces: Option<String>,
    /// The text after the id and the markers.
    pub description: String,
}

/// Parses a task line; `None` when the line is not one.
pub fn parse_task(line: &str) -> Option<Task> {
    let rest = line.trim_start();
    let rest = rest.strip_prefix("- [").or_else(|| rest.strip_prefix("* ["))?;
    let done = match rest.chars().next()? {
        'x' | 'X' => true,
        ' ' => false,
        _ => return None,
    };
    let rest = rest[1..].strip_prefix(']')?.trim_start();
    let rest = rest.strip_prefix("**").unwrap_or(rest);
    let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let digits: String = id.strip_prefix('T')?.chars().take_while(|c| c.is_ascii_digit()).collect();
    let suffix = &id[1 + digits.len()..];
    if digits.is_empty() || suffix.len() > 1 || !suffix.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    let mut rest = &rest[id.len()..];
    let mut task = Task {
        done,
        id,
        number,
        parallel: false,
        stories: Vec::new(),
        refs: Vec::new(),
        paths: Vec::new(),
        produces: None,
        description: String::new(),
    };
    // Markers: `[P]`, `[US1]`, `[Story]`, requirement lists, with the
    // emphasis and colon some task lists put around them.
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '*' | ':'));
        let Some(inner) = rest.strip_prefix('[').and_then(|r| r.split_once(']')).map(|(i, _)| i) else {
            break;
        };
        if !read_marker(inner, &mut task) {
            break;
        }
        rest = &rest[inner.len() + 2..];
    }
    task.description = rest.trim().to_string();
    read_description(&task.description.clone(), &mut task);
    Some(task)
}

/// Takes a marker's content into `task`; false when it is no marker.
fn read_marker(inner: &str, task: &mut Task) -> bool {
    let inner = inner.trim();
    if inner == "P" || inner == "P?" {
        task.parallel = true;
        return true;
    }
    if matches!(inner, "Story" | "ID") {
        return true;
    }
    let parts: Vec<&str> = inner.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() {
        return false;
    }
    if let Some(stories) = parts.iter().map(|p| story_number(p)).collect::<Option<Vec<u32>>>() {
        task.stories.extend(stories);
        return true;
    }
    if parts.iter().all(|p| is_requirement_id(p)) {
        task.refs.extend(parts.iter().map(|p| p.to_string()));
        return true;
    }
    false
}

/// `US1`, `US-1`, `US 1`, `Story 1` → 1.
pub fn story_number(marker: &str) -> Option<u32> {
    let rest = marker.strip_prefix("US").or_else(|| marker.strip_prefix("Story"))?;
    rest.trim_start_matches(['-', ' ']).parse().ok()
}

/// `FR-001`, `SC-12`: two or more capitals, a dash, digits.
pub fn is_requirement_id(s: &str) -> bool {
    let Some((prefix, digits)) = s.split_once('-') else { return false };
    prefix.len() >= 2
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Requirement lists and paths in a task's description: inline code that
/// looks like a path, the word after "in" when it has a `/`, and the path
/// after a trailing requirement list (`… [FR-001] src/lib.rs`).
fn read_description(text: &str, task: &mut Task) {
    let mut outside = String::new();
    let mut code = false;
    let mut span = String::new();
    for c in text.chars() {
        if c == '`' {
            if code {
                if let Some(p) = path_in(&span, true) {
                    task.paths.push(p);
                }
                span.clear();
                outside.push(' ');
            }
            code = !code;
        } else if code {
            span.push(c);
        } else {
            outside.push(c);
        }
    }
    // A trailing requirement list and the path after it.
    if let Some(open) = outside.rfind('[')
        && let Some(close) = outside[open..].find(']').map(|c| open + c)
        && !outside[..open].ends_with(|c: char| c.is_alphanumeric())
    {
        let parts: Vec<&str> =
            outside[open + 1..close].split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        if !parts.is_empty() && parts.iter().all(|p| is_requirement_id(p)) {
            task.refs.extend(parts.iter().map(|p| p.to_string()));
            let after = outside[close + 1..].trim();
            if !after.is_empty() && !after.contains(' ') {
                task.produces = path_in(after, true);
                task.paths.extend(task.produces.clone());
            }
        }
    }
    let words: Vec<&str> = outside.split_whitespace().collect();
    for pair in words.windows(2) {
        if matches!(pair[0], "in" | "at" | "into" | "under" | "to" | "from" | "In")
            && let Some(p) = path_in(pair[1], false)
        {
            task.paths.push(p);
        }
    }
    task.paths.dedup();
}

/// File extensions longer than six characters.
const LONG_EXTENSIONS: &[&str] = &["graphql", "feature", "service", "properties", "gradle"];

/// Top-level domains that make `name.io` a host, not a file.
const DOMAINS: &[&str] = &["io", "com", "org", "net", "dev", "app", "ai", "co", "cloud"];

/// The path a token names, if it looks like one: no spaces, not a URL, no
/// glob, template, call or placeholder characters (`src/00xx_init.py`,
/// `NNN-name/`); a `/` and a file extension or a trailing `/`; or, in code,
/// a bare file name (`Cargo.toml`, `.gitignore`), which [`is_bare`] marks
/// as weaker evidence. A `:line` suffix and a leading `./` are dropped.
fn path_in(token: &str, in_code: bool) -> Option<String> {
    let t =
        token.trim().trim_matches(|c: char| matches!(c, ',' | ';' | '"' | '\'' | '，' | '。' | '、' | '：'));
    let t = t.strip_suffix('.').unwrap_or(t);
    if t.is_empty()
        || t.contains("://")
        || t.contains(char::is_whitespace)
        || t.starts_with('-')
        || !t.is_ascii()
    {
        return None;
    }
    if t.contains([
        '*', '?', '{', '}', '<', '>', '[', ']', '$', '=', '|', '@', '#', '%', '(', ')', '\\', '~', '+', ',',
    ]) || t.contains("...")
        || t.contains("::")
    {
        return None;
    }
    let t = t.split(':').next().unwrap_or(t);
    let t = t.strip_prefix("./").unwrap_or(t);
    // Outside the repository, or another repository (`owner/name.git`).
    if t.starts_with("../") || t.ends_with(".git") {
        return None;
    }
    let placeholder = t.split('/').any(|c| {
        let lower = c.to_ascii_lowercase();
        lower.starts_with("xx")
            || lower.contains("0xx")
            || c.contains("XX")
            || c.contains("NNN")
            || c.contains("YYYY")
    });
    let first = t.trim_start_matches('/').split('/').next().unwrap_or("");
    let host = first.rsplit_once('.').is_some_and(|(_, tld)| DOMAINS.contains(&tld));
    if placeholder || host {
        return None;
    }
    let last = t.rsplit('/').next().unwrap_or(t);
    let extension = match last.rsplit_once('.') {
        // A dotfile: `.gitignore`, `.env.example`.
        Some(("", ext)) => !ext.is_empty(),
        // Extensions are short; a longer word after a dot is a method or a
        // field (`user_banner.dismiss`).
        Some((_, ext)) => {
            ((1..=6).contains(&ext.len()) || LONG_EXTENSIONS.contains(&ext))
                && ext.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && ext.chars().any(|c| c.is_ascii_lowercase())
        }
        None => false,
    };
    let dir = t.ends_with('/') && t.trim_matches('/').len() > 1;
    let shaped = if t.trim_end_matches('/').contains('/') { extension || dir } else { in_code && extension };
    shaped.then(|| t.to_string())
}

/// Whether a named path is a bare file name (`Cargo.toml`): it may live
/// anywhere, so it counts when found and proves nothing when not.
pub fn is_bare(path: &str) -> bool {
    !path.trim_end_matches('/').contains('/')
}

/// Whether `text` says any of `words` (lower case), ignoring case.
fn says_any(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// Whether a task says it was not carried out after all (struck through,
/// descoped, skipped), so that what it names need not exist.
pub fn not_carried_out(description: &str) -> bool {
    const WORDS: &[&str] = &[
        "~~",
        "descoped",
        "de-scoped",
        "out of scope",
        "skipped",
        "not implemented",
        "deferred",
        "won't",
        "wontfix",
        "obsolete",
        "cancelled",
        "canceled",
        "n/a",
        "不适用",
        "跳过",
        "取消",
        "見送り",
        "スキップ",
        "対象外",
    ];
    says_any(description, WORDS)
}

/// Whether a task changes what exists rather than adding to it, so that a
/// path it names may rightly be gone.
pub fn removes_something(description: &str) -> bool {
    const WORDS: &[&str] = &[
        "remove",
        "delete",
        "drop",
        "rename",
        "move",
        "deprecat",
        "retire",
        "clean up",
        "cleanup",
        "replace",
        "migrate",
        "merge",
        "consolidat",
        "extract",
        "split",
        "relocat",
        "archive",
        "supersed",
        "删除",
        "移除",
        "删掉",
        "重命名",
        "移动",
        "迁移",
        "合并",
        "刪除",
        "移動",
        "遷移",
        "削除",
        "廃止",
        "名前変更",
        "統合",
        "移行",
        "除去",
    ];
    says_any(description, WORDS)
}

/// Spec-Kit's own placeholders, matched exactly (bracketed) or, for
/// template instructions, by how they begin.
const PLACEHOLDERS: &[&str] = &[
    "[FEATURE NAME]",
    "[FEATURE]",
    "[PROJECT NAME]",
    "[REMOVE IF UNUSED]",
    "[DATE]",
    "[###-feature-name]",
    "[###-feature]",
    "[link]",
    "[Brief Title]",
    "[Title]",
    "[initial state]",
    "[action]",
    "[expected outcome]",
    "[boundary condition]",
    "[error scenario]",
    "[Entity 1]",
    "[Entity 2]",
    "[language]",
    "[framework]",
];

const INSTRUCTION_PREFIXES: &[&str] = &[
    "[e.g., ",
    "[Describe ",
    "[Explain ",
    "[Extract from ",
    "[Measurable metric",
    "[User satisfaction metric",
    "[Business metric",
    "[Assumption about ",
    "[Dependency on existing",
    "[Gates determined",
    "[Add more user stories",
    "[specific capability",
    "[key interaction",
    "[data requirement",
    "[What it represents",
    "[Brief description of",
    "[Document the selected structure",
    "[if applicable, e.g.",
    "[domain-specific, e.g.",
];

/// A placeholder the template writes as a field's inline code
/// (`**Feature Branch**: `[###-feature-name]``), at `offset` of `text`
/// (just inside the backtick): its length, or `None`.
pub fn field_placeholder_at(text: &str, offset: usize) -> Option<usize> {
    let len = PLACEHOLDERS.iter().find(|p| text[offset..].starts_with(**p))?.len();
    let field = text[..offset].ends_with("**: `") || text[..offset].ends_with("**：`");
    (field && text[offset + len..].starts_with('`')).then_some(len)
}

/// A template placeholder at `offset` of `text`: its length, or `None`.
/// Not placeholders: story and parallel markers, requirement and task ids,
/// single upper-case words (`[HUE]`), brackets attached to code (`X[]`,
/// `bg-[#202530]`), links, and `[NEEDS CLARIFICATION …]` (its own rule).
pub fn placeholder_at(text: &str, offset: usize) -> Option<usize> {
    let rest = &text[offset..];
    if rest.starts_with("$ARGUMENTS") {
        return Some("$ARGUMENTS".len());
    }
    if rest.starts_with("{{") {
        let close = rest.find("}}")?;
        let inner = &rest[2..close];
        let plain = !inner.is_empty()
            && inner.starts_with(|c: char| c.is_ascii_alphabetic())
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        return plain.then_some(close + 2);
    }
    if !rest.starts_with('[') {
        return None;
    }
    let before = text[..offset].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ']' | ')' | '!' | '`' | '\\')) {
        return None;
    }
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let close = rest[..line_end].find(']')?;
    let token = &rest[..close + 1];
    if rest[close + 1..].starts_with(['(', '[', ':']) {
        return None;
    }
    if PLACEHOLDERS.contains(&token) || INSTRUCTION_PREFIXES.iter().any(|p| token.starts_with(p)) {
        return Some(token.len());
    }
    // The constitution template's names: `[PROJECT_NAME]`, `[PRINCIPLE_1_NAME]`.
    // Upper-case words with spaces are emphasis as often as placeholders
    // (`[DEFERRED TO PHASE 2]`): only the template's own are listed above.
    let inner = &token[1..token.len() - 1];
    let name = inner.len() >= 3
        && inner.starts_with(|c: char| c.is_ascii_uppercase())
        && inner.contains('_')
        && inner.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    name.then_some(token.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_kit_task_lines() {
        let t = parse_task("- [X] T012 [P] [US1] Create User model in src/models/user.py").unwrap();
        assert!(t.done && t.parallel);
        assert_eq!((t.id.as_str(), t.number, t.stories.clone()), ("T012", 12, vec![1]));
        assert_eq!(t.paths, vec!["src/models/user.py"]);
        assert_eq!(t.description, "Create User model in src/models/user.py");
        let t = parse_task("- [x] **T003 [P]** Add `LocationNode[]` to `web/src/tree.ts`").unwrap();
        assert_eq!(t.paths, vec!["web/src/tree.ts"]);
        assert!(t.refs.is_empty());
        let t = parse_task("- [ ] T012a [US2] Style it with `bg-[#202530]` in `ui/theme.css`").unwrap();
        assert_eq!((t.id.as_str(), t.number), ("T012a", 12));
        assert_eq!(t.paths, vec!["ui/theme.css"]);
        assert!(parse_task("- [x] Not a task").is_none());
        assert!(parse_task("- [x] Tables are nice").is_none());
    }

    #[test]
    fn requirement_citing_task_lines() {
        let t = parse_task("- [x] T012 Issue tokens [FR-011, SC-002] api-server/src/auth.rs").unwrap();
        assert_eq!(t.refs, vec!["FR-011", "SC-002"]);
        assert_eq!(t.paths, vec!["api-server/src/auth.rs"]);
        assert_eq!(t.produces.as_deref(), Some("api-server/src/auth.rs"));
        let t = parse_task("- [ ] T3 Write [docs] later").unwrap();
        assert!(!t.done && t.refs.is_empty() && t.paths.is_empty());
    }

    #[test]
    fn paths_are_not_words() {
        let t = parse_task("- [x] T001 Support read/write and client/server in Node.js").unwrap();
        assert!(t.paths.is_empty(), "{:?}", t.paths);
        let t =
            parse_task("- [x] T002 Set `Cargo.toml`, see https://x.y/z.md and `serde_json::Value`").unwrap();
        assert_eq!(t.paths, vec!["Cargo.toml"]);
        let t = parse_task("- [x] T003 Tests in tests/contract/ and `src/lib.rs:42`").unwrap();
        assert_eq!(t.paths, vec!["src/lib.rs", "tests/contract/"]);
        let t =
            parse_task("- [x] T004 Call `cmd.Execute()`, write `.gitignore` and `site.github.io/index.ts`")
                .unwrap();
        assert_eq!(t.paths, vec![".gitignore"]);
        let t = parse_task("- [x] T005 Add `alembic/versions/00xx_add.py`, `specs/NNN-name/spec.md`, `../x/y.ts`, `o/r.git`, `a/b.dismiss`").unwrap();
        assert!(t.paths.is_empty(), "{:?}", t.paths);
    }

    #[test]
    fn placeholders() {
        fn found(s: &str) -> Vec<&str> {
            (0..s.len())
                .filter(|&i| s.is_char_boundary(i))
                .filter_map(|i| placeholder_at(s, i).map(|n| &s[i..i + n]))
                .collect()
        }
        assert_eq!(
            found("# Spec: [FEATURE NAME] on [DATE] for $ARGUMENTS"),
            vec!["[FEATURE NAME]", "[DATE]", "$ARGUMENTS"]
        );
        assert_eq!(
            found("Branch `x` [###-feature-name] and [PROJECT_NAME], {{things}}"),
            vec!["[###-feature-name]", "[PROJECT_NAME]", "{{things}}"]
        );
        assert!(found("- [x] T006 [US1] [P] set X[] and bg-[#202530] in [HUE] [link](x.md)").is_empty());
        assert!(found("## Format: `[ID] [P?] [Story] Description` and [ID] [P?] [Story]").is_empty());
        assert!(
            found("[NEEDS CLARIFICATION: which?] {{ .Name }} arr[INDEX_NAME] **[DEFERRED TO PHASE 2]**")
                .is_empty()
        );
        assert_eq!(found("**Language**: [e.g., Python 3.11 or NEEDS CLARIFICATION]").len(), 1);
    }

    #[test]
    fn headings_and_stories() {
        assert!(Section::Requirements.matches("Requirements *(mandatory)*"));
        assert!(Section::SuccessCriteria.matches("5. Success Criteria"));
        assert!(Section::Requirements.matches("需求 *(必填)*"));
        assert!(Section::Requirements.matches("要件 *(必須)*"));
        assert!(Section::ConstitutionCheck.matches("宪法检查（Phase 1 设计后复查）"));
        assert!(Section::UserStories.matches("User Scenarios & Testing *(mandatory)*"));
        assert!(!Section::SuccessCriteria.matches("Requirements"));
        let doc = Doc::parse(
            "spec.md",
            "## User Scenarios\n\n### User Story 2 - Pay (Priority: P1)\n\n### US3: Ship (Priority: P2)\n\n### 用户故事 4 — 查询（优先级：P3）\n\n### Edge Cases\n".into(),
        );
        let numbers: Vec<u32> = stories(&doc).iter().map(|s| s.number).collect();
        assert_eq!(numbers, vec![2, 3, 4]);
    }
}
