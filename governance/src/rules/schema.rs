//! `GOV-SCHEMA-*`: `specs/database/schema.md` agrees with the SQLite
//! migrations, applied in file-name order to a fresh in-memory database.
//!
//! The document has one `## Table: name` section per table, each with a
//! `| Column | Type | Nullable | Key | Notes |` table (Nullable `yes`/`no`;
//! Key `PK`, `UNIQUE`, `FK table.column` or empty) and an
//! `| Index | Columns | Unique |` table of the explicit `CREATE INDEX`es.
//!
//! - `GOV-SCHEMA-001` a table is in the migrations but not the document, or
//!   the other way round.
//! - `GOV-SCHEMA-002` a column is in one but not the other.
//! - `GOV-SCHEMA-003` a column's type, nullability or key differs.
//! - `GOV-SCHEMA-004` an index is missing, extra, or has other columns or
//!   uniqueness.
//! - `GOV-SCHEMA-005` a migration does not apply.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use crate::markdown::Doc;
use crate::{Error, Finding, paths};

/// A column as the database reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: String,
    pub nullable: bool,
    pub keys: Vec<String>,
}

/// An explicit index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

/// A table as the database reports it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
}

/// Applies the `.sql` files of `dir` (sorted by name) to a fresh in-memory
/// database; on failure, the file and the error.
pub fn apply(root: &Path, dir: &str) -> Result<Result<Connection, (String, String)>, Error> {
    let conn = Connection::open_in_memory()?;
    let mut files = Vec::new();
    super::walk(root, &root.join(dir), &mut |p| p.extension().is_some_and(|e| e == "sql"), &mut files);
    files.sort();
    for file in files {
        let sql = crate::read(root, &file)?;
        if let Err(e) = conn.execute_batch(&sql) {
            return Ok(Err((file, e.to_string())));
        }
    }
    Ok(Ok(conn))
}

/// The tables of a database, except SQLite's and sqlx's own.
pub fn introspect(conn: &Connection) -> Result<BTreeMap<String, Table>, Error> {
    let mut out = BTreeMap::new();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        let mut table = Table::default();
        let mut columns: Vec<(String, String, bool, bool)> = conn
            .prepare(&format!("PRAGMA table_info(\"{name}\")"))?
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 0, r.get::<_, i64>(5)? > 0)))?
            .collect::<Result<_, _>>()?;
        let fks: Vec<(String, String, String)> = conn
            .prepare(&format!("PRAGMA foreign_key_list(\"{name}\")"))?
            .query_map([], |r| {
                Ok((r.get(3)?, r.get(2)?, r.get::<_, Option<String>>(4)?.unwrap_or_default()))
            })?
            .collect::<Result<_, _>>()?;
        let index_list: Vec<(String, bool, String)> = conn
            .prepare(&format!("PRAGMA index_list(\"{name}\")"))?
            .query_map([], |r| Ok((r.get(1)?, r.get::<_, i64>(2)? != 0, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut unique_columns = Vec::new();
        for (index, unique, origin) in index_list {
            let cols: Vec<String> = conn
                .prepare(&format!("PRAGMA index_info(\"{index}\")"))?
                .query_map([], |r| r.get(2))?
                .collect::<Result<_, _>>()?;
            match origin.as_str() {
                "c" => table.indexes.push(Index { name: index, columns: cols, unique }),
                "u" if cols.len() == 1 => unique_columns.push(cols[0].clone()),
                _ => {}
            }
        }
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        for (col, ty, nullable, pk) in columns.drain(..) {
            let mut keys = Vec::new();
            if pk {
                keys.push("PK".to_string());
            }
            if unique_columns.contains(&col) {
                keys.push("UNIQUE".to_string());
            }
            for (from, to_table, to_col) in &fks {
                if *from == col {
                    keys.push(format!("FK {to_table}.{to_col}"));
                }
            }
            table.columns.push(Column { name: col, ty: ty.to_uppercase(), nullable, keys });
        }
        out.insert(name, table);
    }
    Ok(out)
}

fn doc_keys(s: &str) -> Vec<String> {
    let mut keys: Vec<String> = s
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| match k.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("FK ") => format!("FK {}", k[3..].trim()),
            _ => k.to_uppercase(),
        })
        .collect();
    keys.sort();
    keys
}

pub fn check(root: &Path) -> Result<Vec<Finding>, Error> {
    if !root.join(paths::SCHEMA).is_file() || !root.join(paths::MIGRATIONS_SQLITE).is_dir() {
        return Ok(Vec::new());
    }
    let doc = Doc::load(root, paths::SCHEMA)?;
    let conn = match apply(root, paths::MIGRATIONS_SQLITE)? {
        Ok(c) => c,
        Err((file, message)) => {
            return Ok(vec![
                Finding::error(
                    "GOV-SCHEMA-005",
                    file,
                    format!("the migration does not apply to SQLite: {message}"),
                )
                .help("fix the SQL; migrations are applied in file-name order to an empty database"),
            ]);
        }
    };
    Ok(compare(&doc, &introspect(&conn)?))
}

/// The document against the database's tables.
pub fn compare(doc: &Doc, db: &BTreeMap<String, Table>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let sections: Vec<(String, usize)> = doc
        .headings
        .iter()
        .filter_map(|h| {
            h.text.trim().strip_prefix("Table:").map(|n| (n.trim().trim_matches('`').to_string(), h.offset))
        })
        .collect();
    let migrations = "the migrations (migrations/sqlite)";
    for (name, offset) in &sections {
        let Some(table) = db.get(name) else {
            findings.push(
                Finding::at(
                    "GOV-SCHEMA-001",
                    doc,
                    *offset,
                    format!("table `{name}` is documented but not created by {migrations}"),
                )
                .help("add the table to a new migration, or remove its section"),
            );
            continue;
        };
        let heading = format!("Table: {name}");
        let columns = doc
            .tables
            .iter()
            .find(|t| t.section.trim() == heading && t.has_header(&["Column", "Type", "Nullable"]));
        let Some(columns) = columns else {
            findings.push(
                Finding::at(
                    "GOV-SCHEMA-002",
                    doc,
                    *offset,
                    format!("table `{name}` has no `| Column | Type | Nullable | Key |` table"),
                )
                .help("document each column: name, type, nullability, key"),
            );
            continue;
        };
        for row in &columns.rows {
            let col = row.text(0);
            let Some(actual) = table.columns.iter().find(|c| c.name == col) else {
                findings.push(
                    Finding::at(
                        "GOV-SCHEMA-002",
                        doc,
                        row.offset,
                        format!("column `{name}.{col}` is documented but not in {migrations}"),
                    )
                    .help("add the column in a new migration, or remove the row"),
                );
                continue;
            };
            let mut diffs = Vec::new();
            if !row.text(1).eq_ignore_ascii_case(&actual.ty) {
                diffs.push(format!("type {} (migrations: {})", row.text(1), actual.ty));
            }
            let nullable = row.text(2).eq_ignore_ascii_case("yes");
            if nullable != actual.nullable {
                diffs.push(format!(
                    "nullable {} (migrations: {})",
                    row.text(2),
                    if actual.nullable { "yes" } else { "no" }
                ));
            }
            let mut keys = actual.keys.clone();
            keys.sort();
            let documented = doc_keys(row.text(3));
            if documented != keys {
                diffs.push(format!("key `{}` (migrations: `{}`)", row.text(3), keys.join(", ")));
            }
            if !diffs.is_empty() {
                findings.push(
                    Finding::at(
                        "GOV-SCHEMA-003",
                        doc,
                        row.offset,
                        format!("column `{name}.{col}` differs: {}", diffs.join("; ")),
                    )
                    .help(
                        "make the document and the migrations agree (a schema change needs a new migration)",
                    ),
                );
            }
        }
        for actual in &table.columns {
            if !columns.rows.iter().any(|r| r.text(0) == actual.name) {
                findings.push(
                    Finding::at(
                        "GOV-SCHEMA-002",
                        doc,
                        columns.offset,
                        format!(
                            "column `{name}.{}` is created by {migrations} but not documented",
                            actual.name
                        ),
                    )
                    .help(format!(
                        "add a row for `{}` to the columns table of `{name}` (Specs Agent)",
                        actual.name
                    )),
                );
            }
        }
        let indexes =
            doc.tables.iter().find(|t| t.section.trim() == heading && t.has_header(&["Index", "Columns"]));
        let documented: Vec<(Index, usize)> = indexes
            .map(|t| {
                t.rows
                    .iter()
                    .map(|r| {
                        (
                            Index {
                                name: r.text(0).to_string(),
                                columns: r
                                    .text(1)
                                    .split(',')
                                    .map(|c| c.trim().to_string())
                                    .filter(|c| !c.is_empty())
                                    .collect(),
                                unique: r.text(2).eq_ignore_ascii_case("yes"),
                            },
                            r.offset,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let index_offset = indexes.map(|t| t.offset).unwrap_or(*offset);
        for (index, row_offset) in &documented {
            match table.indexes.iter().find(|i| i.name == index.name) {
                None => findings.push(
                    Finding::at(
                        "GOV-SCHEMA-004",
                        doc,
                        *row_offset,
                        format!("index `{}` is documented but not created by {migrations}", index.name),
                    )
                    .help("create it in a new migration, or remove the row"),
                ),
                Some(actual) if actual != index => findings.push(
                    Finding::at(
                        "GOV-SCHEMA-004",
                        doc,
                        *row_offset,
                        format!(
                            "index `{}` differs: documented ({}; unique {}), migrations ({}; unique {})",
                            index.name,
                            index.columns.join(", "),
                            index.unique,
                            actual.columns.join(", "),
                            actual.unique
                        ),
                    )
                    .help("make the index row and the migrations agree"),
                ),
                _ => {}
            }
        }
        for actual in &table.indexes {
            if !documented.iter().any(|(i, _)| i.name == actual.name) {
                findings.push(
                    Finding::at(
                        "GOV-SCHEMA-004",
                        doc,
                        index_offset,
                        format!(
                            "index `{}` on `{name}` is created by {migrations} but not documented",
                            actual.name
                        ),
                    )
                    .help(format!(
                        "add `| {} | {} | {} |` to the index table of `{name}` (Specs Agent)",
                        actual.name,
                        actual.columns.join(", "),
                        if actual.unique { "yes" } else { "no" }
                    )),
                );
            }
        }
    }
    for name in db.keys() {
        if !sections.iter().any(|(n, _)| n == name) {
            findings.push(
                Finding::at(
                    "GOV-SCHEMA-001",
                    doc,
                    0,
                    format!("table `{name}` is created by {migrations} but not documented"),
                )
                .help(format!("add a `## Table: {name}` section with its columns and indexes (Specs Agent)")),
            );
        }
    }
    findings
}
