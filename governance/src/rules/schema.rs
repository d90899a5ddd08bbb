//! `GOV-SCHEMA-*`: the schema document (`[schema] document`) agrees with the
//! SQLite migrations, applied in file-name order to a fresh in-memory database.
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
//!
//! With a PostgreSQL server ([`check_postgres`]), the PostgreSQL migrations are
//! applied to a scratch database (created and dropped on that server) and
//! compared the same way, through `information_schema` and `pg_index`.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use crate::config::Schema;
use crate::markdown::Doc;
use crate::{Error, Finding, Repository};

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
    crate::repository::walk(
        root,
        &root.join(dir),
        &mut |p| p.extension().is_some_and(|e| e == "sql"),
        &mut files,
    );
    files.sort();
    for file in files {
        let sql = crate::read(root, &file)?;
        if let Err(e) = conn.execute_batch(&sql) {
            return Ok(Err((file, e.to_string())));
        }
    }
    Ok(Ok(conn))
}

/// The ordinary tables of a database, except SQLite's and sqlx's own.
/// Virtual tables (a full-text index) and the shadow tables that hold
/// their data are the module's storage, not a schema to document column by
/// column.
pub fn introspect(conn: &Connection) -> Result<BTreeMap<String, Table>, Error> {
    let mut out = BTreeMap::new();
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
        )?
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

pub fn check(repo: &Repository, schema: &Schema) -> Result<Vec<Finding>, Error> {
    let root = repo.root;
    let Some(sqlite) = schema.sqlite.as_deref() else { return Ok(Vec::new()) };
    if !repo.is_file(&schema.document) || !root.join(sqlite).is_dir() {
        return Ok(Vec::new());
    }
    let doc = Doc::load(root, &schema.document)?;
    let conn = match apply(root, sqlite)? {
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
    Ok(compare_with(&doc, &introspect(&conn)?, sqlite, Backend::Sqlite))
}

/// Which database a comparison is about: an index row marked
/// `(SQLite only)` or `(PostgreSQL only)` is expected on that one alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An index row's name without its `(… only)` marker, and whether the
/// index belongs on `backend`.
fn index_name(cell: &str, backend: Backend) -> (&str, bool) {
    let Some((name, marker)) = cell.split_once('(') else { return (cell.trim(), true) };
    let marker = marker.trim_end_matches(')').trim().to_ascii_lowercase();
    let Some(only) = marker.strip_suffix(" only") else { return (cell.trim(), true) };
    let on = match only.trim() {
        "sqlite" => backend == Backend::Sqlite,
        "postgresql" | "postgres" => backend == Backend::Postgres,
        _ => true,
    };
    (name.trim().trim_matches('`'), on)
}

/// The document against the tables `dir`'s migrations created.
pub fn compare_with(doc: &Doc, db: &BTreeMap<String, Table>, dir: &str, backend: Backend) -> Vec<Finding> {
    let mut findings = Vec::new();
    let sections: Vec<(String, usize)> = doc
        .headings
        .iter()
        .filter_map(|h| {
            h.text.trim().strip_prefix("Table:").map(|n| (n.trim().trim_matches('`').to_string(), h.offset))
        })
        .collect();
    let migrations = format!("the migrations ({dir})");
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
                    .filter(|r| index_name(r.text(0), backend).1)
                    .map(|r| {
                        (
                            Index {
                                name: index_name(r.text(0), backend).0.to_string(),
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

/// Applies the PostgreSQL migrations (`*.sql`) to a scratch database on the
/// server at `url` and compares the result with the schema document.
pub fn check_postgres(repo: &Repository, schema: &Schema, url: &str) -> Result<Vec<Finding>, Error> {
    let root = repo.root;
    let Some(postgres) = schema.postgres.as_deref() else { return Ok(Vec::new()) };
    if !repo.is_file(&schema.document) || !root.join(postgres).is_dir() {
        return Ok(Vec::new());
    }
    let doc = Doc::load(root, &schema.document)?;
    let mut files = Vec::new();
    crate::repository::walk(
        root,
        &root.join(postgres),
        &mut |p| p.extension().is_some_and(|e| e == "sql"),
        &mut files,
    );
    files.sort();
    let mut scripts = Vec::new();
    for file in files {
        let sql = crate::read(root, &file)?;
        scripts.push((file, sql));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Postgres(e.to_string()))?;
    let applied = runtime.block_on(postgres::apply(url, &scripts))?;
    Ok(match applied {
        Ok(tables) => compare_with(&doc, &tables, postgres, Backend::Postgres),
        Err((file, message)) => vec![
            Finding::error(
                "GOV-SCHEMA-005",
                file,
                format!("the migration does not apply to PostgreSQL: {message}"),
            )
            .help("fix the SQL; migrations are applied in file-name order to an empty database"),
        ],
    })
}

mod postgres {
    use std::collections::BTreeMap;

    use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

    use super::{Column, Index, Table};
    use crate::Error;

    fn pg(e: sqlx::Error) -> Error {
        Error::Postgres(e.to_string())
    }

    /// `url` with its database name replaced by `name`.
    fn with_database(url: &str, name: &str) -> Result<String, Error> {
        let (prefix, rest) = url
            .split_once("://")
            .and_then(|(scheme, rest)| {
                rest.split_once('/').map(|(host, db)| (format!("{scheme}://{host}"), db))
            })
            .unwrap_or((url.trim_end_matches('/').to_string(), ""));
        if !prefix.contains("://") {
            return Err(Error::Postgres("DATABASE_URL is not a postgres:// URL".into()));
        }
        let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
        Ok(format!("{prefix}/{name}{query}"))
    }

    pub type Applied = Result<BTreeMap<String, Table>, (String, String)>;

    /// Creates a scratch database, applies the scripts, introspects it and
    /// drops it again.
    pub async fn apply(url: &str, scripts: &[(String, String)]) -> Result<Applied, Error> {
        let mut admin = PgConnection::connect(url).await.map_err(pg)?;
        drop_abandoned(&mut admin).await;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("check_specs_scratch_{}_{nanos}", std::process::id());
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .map_err(pg)?;
        let result = async {
            let mut conn = PgConnection::connect(&with_database(url, &name)?).await.map_err(pg)?;
            for (file, sql) in scripts {
                if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.clone())).execute(&mut conn).await {
                    let _ = conn.close().await;
                    return Ok(Err((file.clone(), e.to_string())));
                }
            }
            let tables = introspect(&mut conn).await;
            let _ = conn.close().await;
            tables.map(Ok)
        }
        .await;
        let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut admin)
            .await;
        let _ = admin.close().await;
        result
    }

    /// Scratch databases are named after the process that made them; those
    /// whose process is gone (a run killed mid-way) are dropped.
    async fn drop_abandoned(admin: &mut PgConnection) {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'check\\_specs\\_scratch\\_%'",
        )
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
        for name in names {
            let pid = name.trim_start_matches("check_specs_scratch_").split('_').next().unwrap_or("");
            let alive = !pid.is_empty() && std::path::Path::new("/proc").join(pid).exists();
            if !alive && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut *admin)
                    .await;
            }
        }
    }

    async fn introspect(conn: &mut PgConnection) -> Result<BTreeMap<String, Table>, Error> {
        let mut tables: BTreeMap<String, Table> = BTreeMap::new();
        let columns = sqlx::query(
            "SELECT table_name::text, column_name::text, upper(data_type::text), is_nullable::text = 'YES' \
             FROM information_schema.columns WHERE table_schema = 'public' \
             ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(pg)?;
        for row in columns {
            let table: String = row.get(0);
            tables.entry(table).or_default().columns.push(Column {
                name: row.get(1),
                ty: row.get(2),
                nullable: row.get(3),
                keys: Vec::new(),
            });
        }
        // Single-column primary keys, unique constraints and foreign keys.
        let keys = sqlx::query(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.contype::text, \
                    coalesce(c.confrelid::regclass::text, ''), coalesce(fa.attname::text, '') \
             FROM pg_constraint c \
             JOIN pg_namespace n ON n.oid = c.connamespace \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             LEFT JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] \
             WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f') AND array_length(c.conkey, 1) = 1",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(pg)?;
        for row in keys {
            let (table, column, kind, to_table, to_column): (String, String, String, String, String) =
                (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
            let key = match kind.as_str() {
                "p" => "PK".to_string(),
                "u" => "UNIQUE".to_string(),
                _ => format!("FK {to_table}.{to_column}"),
            };
            if let Some(c) =
                tables.get_mut(&table).and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
            {
                c.keys.push(key);
            }
        }
        // Explicit indexes: those no constraint owns.
        let indexes = sqlx::query(
            "SELECT t.relname::text, i.relname::text, ix.indisunique, \
                    array_to_string(array(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
                        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord), ',') \
             FROM pg_index ix \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public' \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) \
             ORDER BY 1, 2",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(pg)?;
        for row in indexes {
            let table: String = row.get(0);
            let columns: String = row.get(3);
            tables.entry(table).or_default().indexes.push(Index {
                name: row.get(1),
                columns: columns.split(',').map(String::from).collect(),
                unique: row.get(2),
            });
        }
        tables.remove("_sqlx_migrations");
        Ok(tables)
    }
}
