//! Markdown documents with source positions: every heading, table row and
//! code span keeps the byte offset it came from, so a finding can point at a
//! `line:column`.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::Error;

/// A heading: level, text and where it starts.
#[derive(Debug, Clone)]
pub struct Heading {
    pub level: usize,
    pub text: String,
    pub offset: usize,
}

/// One table cell: its text (inline code included, without backticks) and
/// the inline code spans it holds.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub code: Vec<String>,
}

/// A table row with the offset of its first byte.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub offset: usize,
}

impl Row {
    /// The trimmed text of cell `i`, or `""`.
    pub fn text(&self, i: usize) -> &str {
        self.cells.get(i).map(|c| c.text.trim()).unwrap_or("")
    }
}

/// A table, the heading it sits under and its rows (header excluded).
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub offset: usize,
    /// Text of the nearest heading above the table.
    pub section: String,
}

impl Table {
    /// Whether the header's first cells are `names`, compared case-insensitively.
    pub fn has_header(&self, names: &[&str]) -> bool {
        names.len() <= self.header.len()
            && names.iter().zip(&self.header).all(|(a, b)| a.eq_ignore_ascii_case(b.trim()))
    }
}

/// A parsed Markdown file.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
    pub headings: Vec<Heading>,
    pub tables: Vec<Table>,
    /// Byte ranges of inline code, code blocks and HTML comments: text that
    /// is quoted or hidden rather than written.
    pub code: Vec<Range<usize>>,
}

impl Doc {
    /// Reads and parses `root/rel`.
    pub fn load(root: &Path, rel: &str) -> Result<Doc, Error> {
        let path = root.join(rel);
        let bytes = std::fs::read(&path).map_err(|source| Error::Read { path, source })?;
        // A document with a stray non-UTF-8 byte is still checked; the
        // byte shows as U+FFFD in a finding's snippet.
        Ok(Doc::parse(rel, String::from_utf8_lossy(&bytes).into_owned()))
    }

    pub fn parse(rel: &str, text: String) -> Doc {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut doc = Doc {
            path: rel.to_string(),
            text,
            line_starts,
            headings: Vec::new(),
            tables: Vec::new(),
            code: Vec::new(),
        };
        doc.scan();
        doc
    }

    fn scan(&mut self) {
        let mut headings = Vec::new();
        let mut tables: Vec<Table> = Vec::new();
        let mut code = Vec::new();
        let mut heading: Option<Heading> = None;
        let mut section = String::new();
        let mut row: Option<Row> = None;
        let mut cell: Option<Cell> = None;
        let mut in_head = false;
        let parser = Parser::new_ext(&self.text, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS);
        for (event, range) in parser.into_offset_iter() {
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    heading =
                        Some(Heading { level: level as usize, text: String::new(), offset: range.start })
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some(h) = heading.take() {
                        section = h.text.clone();
                        headings.push(h);
                    }
                }
                Event::Start(Tag::Table(_)) => tables.push(Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    offset: range.start,
                    section: section.clone(),
                }),
                Event::Start(Tag::TableHead) => {
                    in_head = true;
                    row = Some(Row { cells: Vec::new(), offset: range.start });
                }
                Event::End(TagEnd::TableHead) => {
                    in_head = false;
                    if let (Some(r), Some(t)) = (row.take(), tables.last_mut()) {
                        t.header = r.cells.into_iter().map(|c| c.text.trim().to_string()).collect();
                    }
                }
                Event::Start(Tag::TableRow) => row = Some(Row { cells: Vec::new(), offset: range.start }),
                Event::End(TagEnd::TableRow) if !in_head => {
                    if let (Some(r), Some(t)) = (row.take(), tables.last_mut()) {
                        t.rows.push(r);
                    }
                }
                Event::Start(Tag::TableCell) => cell = Some(Cell::default()),
                Event::End(TagEnd::TableCell) => {
                    if let (Some(c), Some(r)) = (cell.take(), row.as_mut()) {
                        r.cells.push(c);
                    }
                }
                Event::Start(Tag::CodeBlock(_)) => code.push(range),
                Event::Html(html) | Event::InlineHtml(html) if html.trim_start().starts_with("<!--") => {
                    // A comment block's lines come one event each: the
                    // comment ends at its `-->`, wherever that is.
                    let end =
                        self.text[range.start..].find("-->").map_or(self.text.len(), |e| range.start + e + 3);
                    code.push(range.start..end);
                }
                Event::Code(text) => {
                    code.push(range);
                    if let Some(c) = cell.as_mut() {
                        c.text.push_str(&text);
                        c.code.push(text.to_string());
                    }
                    if let Some(h) = heading.as_mut() {
                        h.text.push_str(&text);
                    }
                }
                Event::Text(text) => {
                    if let Some(c) = cell.as_mut() {
                        c.text.push_str(&text);
                    }
                    if let Some(h) = heading.as_mut() {
                        h.text.push_str(&text);
                    }
                }
                _ => {}
            }
        }
        self.headings = headings;
        self.tables = tables;
        self.code = code;
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset.min(self.text.len())].chars().count() + 1;
        (line, column)
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line(&self, line: usize) -> &str {
        line_of(&self.text, line)
    }

    /// Whether `offset` falls inside inline code, a code block or an HTML comment.
    pub fn in_code(&self, offset: usize) -> bool {
        self.code.iter().any(|r| r.contains(&offset))
    }

    /// Lines with their 1-based number and byte offset.
    pub fn lines(&self) -> impl Iterator<Item = (usize, usize, &str)> {
        self.text.split('\n').enumerate().scan(0usize, |offset, (i, line)| {
            let start = *offset;
            *offset += line.len() + 1;
            Some((i + 1, start, line.strip_suffix('\r').unwrap_or(line)))
        })
    }

    /// The first heading whose text equals `title` (case-insensitive).
    pub fn heading(&self, title: &str) -> Option<&Heading> {
        self.headings.iter().find(|h| h.text.trim().eq_ignore_ascii_case(title))
    }

    /// The first table under the heading `section` whose header starts with `names`.
    pub fn table(&self, section: Option<&str>, names: &[&str]) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.has_header(names) && section.is_none_or(|s| t.section.trim().eq_ignore_ascii_case(s)))
    }

    /// The value after `**label**:` on the first line that has one, with the
    /// offset where the value starts; stops at ` | ` so that several
    /// `**a**: x | **b**: y` fields can share a line.
    pub fn field(&self, label: &str) -> Option<(String, usize)> {
        let needle = format!("**{label}**:");
        for (_, start, line) in self.lines() {
            if let Some(i) = line.find(&needle) {
                let rest = &line[i + needle.len()..];
                let trimmed = rest.trim_start();
                let value_start = start + i + needle.len() + (rest.len() - trimmed.len());
                let value = trimmed.split(" | ").next().unwrap_or("").trim().to_string();
                return Some((value, value_start));
            }
        }
        None
    }
}

/// Line `line` (1-based) of `text`.
pub fn line_of(text: &str, line: usize) -> &str {
    text.split('\n').nth(line.saturating_sub(1)).map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or("")
}

/// Parses `[text](target)` at the start of `s`, returning the target.
pub fn link_target(s: &str) -> Option<&str> {
    let s = s.trim();
    let close = s.find("](")?;
    if !s.starts_with('[') {
        return None;
    }
    let rest = &s[close + 2..];
    let end = rest.find(')')?;
    Some(rest[..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let doc = Doc::parse("a.md", "# T\n\né – [X_Y]\n".to_string());
        let offset = doc.text.find("[X_Y]").unwrap();
        assert_eq!(doc.position(offset), (3, 5));
        assert_eq!(doc.line(3), "é – [X_Y]");
        assert_eq!(doc.position(0), (1, 1));
    }

    #[test]
    fn tables_keep_cells_code_and_sections() {
        let text = "## Owners\n\n| Agent | Owns |\n| --- | --- |\n| a | `x/`, `y` |\n".to_string();
        let doc = Doc::parse("a.md", text);
        let table = doc.table(Some("Owners"), &["Agent"]).unwrap();
        assert_eq!(table.rows[0].cells[1].code, vec!["x/", "y"]);
        assert_eq!(doc.position(table.rows[0].offset), (5, 1));
        assert!(doc.in_code(doc.text.find("x/").unwrap()));
    }

    #[test]
    fn fields_and_links() {
        let doc = Doc::parse("a.md", "**Version**: 1.2.3 | **Ratified**: 2026-01-01\n".to_string());
        assert_eq!(doc.field("Version").unwrap().0, "1.2.3");
        assert_eq!(doc.field("Ratified").unwrap(), ("2026-01-01".to_string(), 35));
        assert_eq!(link_target("[plan](plan.md)"), Some("plan.md"));
        assert_eq!(link_target("plan.md"), None);
    }
}
