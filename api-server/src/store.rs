//! Storage: every SQL statement, over sqlx's typed pools — `SqlitePool` or
//! `PgPool`, chosen once at start-up.
//!
//! Both schemas use the same column types (TEXT ids, BIGINT epoch
//! milliseconds, BOOLEAN), so every query here is one SQL text with `$n`
//! placeholders that runs unchanged on either backend: [`on_pool!`] expands
//! a query once per backend, and rows decode straight into the structs below
//! (`sqlx::FromRow`), without sqlx's `Any` layer converting every value on
//! the way. Lists are the exception on both counts: a page is read as one
//! row holding a JSON array, built around the shared scan by each
//! backend's own JSON functions (see [`Store::list_tasks`]), because the
//! SQLite driver's per-row hand-over between threads cost more than
//! everything else in a list. The typed SQLite options also let the store tune SQLite (see
//! [`sqlite_options`]). Migrations differ per backend and live in
//! `migrations/sqlite` and `migrations/postgres`; they run at start-up.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Executor, Row};

use charter_domain::listing::{SortOrder, TaskCursor, TaskScanParams, TaskSort, TaskStatusFilter};
use charter_domain::task::due_key;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is not reachable")]
    Unavailable(#[source] sqlx::Error),
    #[error("a database statement failed")]
    Database(#[source] sqlx::Error),
    #[error("migrating the database failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot prepare the data directory {path}")]
    DataDir { path: String, source: std::io::Error },
    #[error("unsupported DATABASE_URL scheme (expected postgres:// or sqlite://)")]
    UnsupportedUrl,
    #[error("unique constraint violated")]
    Conflict,
    #[error("cannot open the database at {target}")]
    Connect { target: String, source: sqlx::Error },
    /// A list's JSON did not have the shape the store asked for.
    #[error("cannot read a list from the database: {0}")]
    Decode(String),
    /// A row names a user that does not exist (a valid token for a user
    /// who is gone, or minted elsewhere for a made-up id).
    #[error("no such user")]
    UnknownUser,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::UnknownUser,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(e),
            _ => StoreError::Database(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_are_shown_without_credentials() {
        assert_eq!(
            super::redact_url("postgres://user:secret@db.example:5432/charter"),
            "postgres://db.example:5432/charter"
        );
        assert_eq!(
            super::redact_url("sqlite://data/charter.db?mode=rwc"),
            "sqlite://data/charter.db?mode=rwc"
        );
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database, shared by every request.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite's database file, whose write-ahead log the store bounds;
    /// `None` on PostgreSQL and for an in-memory SQLite database.
    sqlite_file: Option<PathBuf>,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the typed pool of whichever backend
/// the store has: the body is compiled once per backend, so one query text
/// serves both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: i64,
}

/// A task as stored. Lists read it from JSON (an array in column order,
/// see [`build_list_sql`]), everything else from a row.
#[derive(sqlx::FromRow, serde::Deserialize)]
pub struct TaskRow {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    #[serde(deserialize_with = "json_flag")]
    pub completed: bool,
    pub due_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
}

/// The fields of a task the caller decides.
pub struct TaskFields<'a> {
    pub title: &'a str,
    pub title_key: &'a str,
    pub description: Option<&'a str>,
    pub due_date: Option<&'a str>,
    pub due_key: &'a str,
}

const TASK_COLUMNS: &str =
    "id, user_id, title, description, completed, due_date, created_at, updated_at, completed_at";

impl Store {
    /// Opens the database `url` names, or SQLite in `data_dir`, and
    /// migrates it.
    pub async fn open(url: Option<&str>, data_dir: &Path, max_connections: u32) -> Result<Store, StoreError> {
        let url = match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    // Fail a request (503) rather than hang when the database is gone.
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect(url)
                    .await
                    .map_err(|source| StoreError::Connect { target: redact_url(url), source })?;
                let store = Store { pool: Pool::Postgres(pool), sqlite_file: None };
                store.migrate().await?;
                return Ok(store);
            }
            Some(url) if url.starts_with("sqlite:") => url.to_owned(),
            Some(_) => return Err(StoreError::UnsupportedUrl),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("charter.db").display()),
        };
        let connect = |source| StoreError::Connect { target: redact_url(&url), source };
        let options = sqlite_options(SqliteConnectOptions::from_str(&url).map_err(connect)?);
        let file = options.get_filename();
        let in_memory = file.as_os_str() == ":memory:" || url.contains("mode=memory");
        let sqlite_file = (!in_memory && !file.as_os_str().is_empty()).then(|| file.to_path_buf());
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(std::time::Duration::from_secs(5))
            // sqlx pings every connection it hands out by default; an
            // SQLite connection is an open file in this process, so the
            // ping only cost a round trip to its worker thread per query.
            // (PostgreSQL keeps the check: a server can go away.)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(connect)?;
        let store = Store { pool: Pool::Sqlite(pool), sqlite_file };
        store.migrate().await?;
        // A log left by a server that was killed is folded in now, not
        // carried until the next idle moment.
        store.checkpoint_wal().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => pool.execute("SELECT 1").await.map(drop))?;
        Ok(())
    }

    /// Folds SQLite's write-ahead log into the database and closes every
    /// connection.
    pub async fn close(&self) -> Result<(), StoreError> {
        let checkpointed = self.checkpoint_wal().await;
        on_pool!(self, pool => pool.close().await);
        checkpointed
    }

    /// SQLite: copies the write-ahead log into the database and truncates
    /// it to nothing (a no-op on PostgreSQL). Readers still holding an old
    /// snapshot make it stop short; the next call finishes the job.
    pub async fn checkpoint_wal(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite(pool) = &self.pool {
            pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
        }
        Ok(())
    }

    /// Whether SQLite's write-ahead log holds pages and has not been
    /// written for `idle`: the moment to checkpoint it without getting in
    /// the way of writers. Always false on PostgreSQL.
    pub fn wal_is_idle(&self, idle: Duration) -> bool {
        let Some(file) = &self.sqlite_file else { return false };
        let mut wal = file.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).is_ok_and(|meta| {
            meta.len() > 0
                && meta
                    .modified()
                    .ok()
                    .and_then(|at| SystemTime::now().duration_since(at).ok())
                    .is_some_and(|quiet| quiet >= idle)
        })
    }

    // ---- users ----

    pub async fn insert_user(&self, user: &UserRow) -> Result<(), StoreError> {
        let sql = "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $5)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&user.id)
            .bind(&user.email)
            .bind(&user.name)
            .bind(&user.password_hash)
            .bind(user.created_at)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = "SELECT id, email, name, password_hash, created_at FROM users WHERE email = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(email).fetch_optional(pool).await)?)
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = "SELECT id, email, name, password_hash, created_at FROM users WHERE id = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?)
    }

    // ---- sessions ----

    pub async fn insert_session(
        &self,
        id: &str,
        user_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at) \
                   VALUES ($1, $2, $3, $4, NULL)";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(sql)
                .bind(id)
                .bind(user_id)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(RECORD_TOKEN).bind(token_hash).bind(id).bind(now).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Exchanges a refresh token of a live session for a new one: the
    /// presented token is marked used (in the statement that checks it, so
    /// two racing requests cannot both take the first exchange) and the new
    /// one recorded. A token already used less than `grace_ms` ago is
    /// exchanged again, for a client that raced another holder of the
    /// session; one used longer ago is not. Answers the session's user, or
    /// `None` when the token cannot be exchanged.
    pub async fn exchange_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        now: i64,
        expires_at: i64,
        grace_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let claim = "UPDATE session_tokens SET used_at = COALESCE(used_at, $1) \
                     WHERE token_hash = $2 AND (used_at IS NULL OR ($3 > 0 AND used_at > $1 - $3)) \
                     AND session_id IN (SELECT id FROM sessions WHERE revoked_at IS NULL AND expires_at > $1) \
                     RETURNING session_id";
        let extend = "UPDATE sessions SET expires_at = $1 WHERE id = $2 RETURNING user_id";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row = sqlx::query(claim)
                .bind(now)
                .bind(old_hash)
                .bind(grace_ms)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let session_id: String = row.try_get(0)?;
            let user_id: String =
                sqlx::query_scalar(extend).bind(expires_at).bind(&session_id).fetch_one(&mut *tx).await?;
            sqlx::query(RECORD_TOKEN).bind(new_hash).bind(&session_id).bind(now).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(user_id))
        })
    }

    /// Revokes the session that issued this refresh token, current or
    /// rotated. Answers whether a live session was revoked.
    pub async fn revoke_session_of(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
                   AND id = (SELECT session_id FROM session_tokens WHERE token_hash = $2)";
        let revoked = on_pool!(self, pool => sqlx::query(sql)
            .bind(now)
            .bind(token_hash)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(revoked > 0)
    }

    // ---- throttling ----

    /// Counts one hit against `key` in a fixed window of `window_ms`: the
    /// stored window goes on while it lasts, and a new one starts once it
    /// has ended. One statement, so servers sharing the database count
    /// together. Answers the hits in the window, this one included, and
    /// when the window started.
    pub async fn rate_limit_hit(
        &self,
        key: &str,
        now: i64,
        window_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        let sql = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
                   ON CONFLICT (key) DO UPDATE SET \
                   hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
                   window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
                   RETURNING hits, window_start";
        let counted = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(key)
            .bind(now)
            .bind(now - window_ms)
            .fetch_one(pool)
            .await)?;
        Ok(counted)
    }

    /// Forgets the hits counted against `key`.
    pub async fn rate_limit_clear(&self, key: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("DELETE FROM rate_limits WHERE key = $1").bind(key).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Deletes the counters of windows that started before `before`.
    pub async fn rate_limits_expire(&self, before: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM rate_limits WHERE window_start < $1";
        on_pool!(self, pool => sqlx::query(sql).bind(before).execute(pool).await.map(drop))?;
        Ok(())
    }

    // ---- tasks ----

    pub async fn insert_task(&self, task: &TaskRow, fields: &TaskFields<'_>) -> Result<(), StoreError> {
        let sql = "INSERT INTO tasks (id, user_id, title, title_key, description, completed, due_date, due_key, \
                   created_at, updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&task.id)
            .bind(&task.user_id)
            .bind(fields.title)
            .bind(fields.title_key)
            .bind(fields.description)
            .bind(task.completed)
            .bind(fields.due_date)
            .bind(fields.due_key)
            .bind(task.created_at)
            .bind(task.updated_at)
            .bind(task.completed_at)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    pub async fn task(&self, user_id: &str, id: &str) -> Result<Option<TaskRow>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql =
            SQL.get_or_init(|| format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2"));
        Ok(
            on_pool!(self, pool => sqlx::query_as(sql.as_str()).bind(id).bind(user_id).fetch_optional(pool).await)?,
        )
    }

    /// Replaces the editable fields; `completed: None` keeps the state.
    pub async fn update_task(
        &self,
        user_id: &str,
        id: &str,
        fields: &TaskFields<'_>,
        completed: Option<bool>,
        now: i64,
    ) -> Result<Option<TaskRow>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        // Right-hand sides read the row as it was before the update.
        let sql = SQL.get_or_init(|| {
            format!(
                "UPDATE tasks SET title = $1, title_key = $2, description = $3, due_date = $4, due_key = $5, \
                 completed = COALESCE($6, completed), \
                 completed_at = CASE WHEN COALESCE($6, completed) = completed THEN completed_at \
                                     WHEN COALESCE($6, completed) THEN $7 ELSE NULL END, \
                 updated_at = $7 \
                 WHERE id = $8 AND user_id = $9 RETURNING {TASK_COLUMNS}"
            )
        });
        Ok(on_pool!(self, pool => sqlx::query_as(sql.as_str())
            .bind(fields.title)
            .bind(fields.title_key)
            .bind(fields.description)
            .bind(fields.due_date)
            .bind(fields.due_key)
            .bind(completed)
            .bind(now)
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Sets `completed`, or toggles it with `None`. Setting the state a
    /// task already has changes nothing, so a retried request is harmless.
    pub async fn complete_task(
        &self,
        user_id: &str,
        id: &str,
        completed: Option<bool>,
        now: i64,
    ) -> Result<Option<TaskRow>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "UPDATE tasks SET completed = COALESCE($1, NOT completed), \
                 completed_at = CASE WHEN COALESCE($1, NOT completed) = completed THEN completed_at \
                                     WHEN COALESCE($1, NOT completed) THEN $2 ELSE NULL END, \
                 updated_at = CASE WHEN COALESCE($1, NOT completed) = completed THEN updated_at ELSE $2 END \
                 WHERE id = $3 AND user_id = $4 RETURNING {TASK_COLUMNS}"
            )
        });
        Ok(on_pool!(self, pool => sqlx::query_as(sql.as_str())
            .bind(completed)
            .bind(now)
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn delete_task(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM tasks WHERE id = $1 AND user_id = $2";
        let deleted = on_pool!(self, pool => sqlx::query(sql).bind(id).bind(user_id).execute(pool).await?.rows_affected());
        Ok(deleted > 0)
    }

    /// Up to `limit` of the user's tasks in the scan's order, after `cursor`.
    ///
    /// The page comes back as one row holding a JSON array of rows (see
    /// [`build_list_sql`]): sqlx's SQLite driver hands every row from its
    /// worker thread to the caller through a channel, one wake-up and one
    /// copy of every value per row, which cost more than everything else
    /// in a list of 50. One row per page keeps that to one.
    pub async fn list_tasks(
        &self,
        user_id: &str,
        scan: TaskScanParams,
        after: Option<&TaskCursor>,
        limit: u32,
    ) -> Result<Vec<TaskRow>, StoreError> {
        if after.is_some_and(|cursor| cursor.sort() != scan.sort) {
            return Err(StoreError::Decode("a page cursor of another sort than its scan".into()));
        }
        let sql = list_sql(self.backend(), scan, after.is_some());
        let page = on_pool!(self, pool => {
            let mut query = sqlx::query(sql).bind(user_id);
            query = match after {
                None => query,
                Some(TaskCursor::Created { at, id } | TaskCursor::Updated { at, id }) => {
                    query.bind(at.timestamp_millis()).bind(id.to_string())
                }
                Some(TaskCursor::Title { id }) => query.bind(id.to_string()),
                Some(TaskCursor::DueDate { due, id }) => query.bind(due_key(*due)).bind(id.to_string()),
            };
            let row = query.bind(i64::from(limit)).fetch_one(pool).await?;
            serde_json::from_str(row.try_get::<&str, _>(0)?)
        });
        page.map_err(|e| StoreError::Decode(e.to_string()))
    }
}

/// The SQL of one list scan. There are 48 shapes per backend; each is
/// built once, on first use, and reused, so sqlx's per-connection statement
/// cache sees the same text. Every part of the shape's index comes from an
/// exhaustive `match`, so a new filter, sort key or direction does not
/// compile until it has its place here and its SQL in [`build_list_sql`].
fn list_sql(backend: Backend, scan: TaskScanParams, has_cursor: bool) -> &'static str {
    const BACKENDS: usize = 2;
    const STATUSES: usize = 3;
    const SORTS: usize = 4;
    const ORDERS: usize = 2;
    const SHAPES: usize = BACKENDS * STATUSES * SORTS * ORDERS * 2;
    static BUILT: [OnceLock<String>; SHAPES] = [const { OnceLock::new() }; SHAPES];
    let backend_index = match backend {
        Backend::Sqlite => 0,
        Backend::Postgres => 1,
    };
    let status = match scan.status {
        TaskStatusFilter::All => 0,
        TaskStatusFilter::Pending => 1,
        TaskStatusFilter::Completed => 2,
    };
    let sort = match scan.sort {
        TaskSort::Created => 0,
        TaskSort::Updated => 1,
        TaskSort::Title => 2,
        TaskSort::DueDate => 3,
    };
    let order = match scan.order {
        SortOrder::Asc => 0,
        SortOrder::Desc => 1,
    };
    let index =
        (((backend_index * STATUSES + status) * SORTS + sort) * ORDERS + order) * 2 + usize::from(has_cursor);
    BUILT[index].get_or_init(|| build_list_sql(backend, scan, has_cursor))
}

/// A database URL as it may be shown: without user or password.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// A boolean in a list's JSON: SQLite's JSON functions write a BOOLEAN
/// column as 0 or 1, PostgreSQL's as false or true.
fn json_flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Flag;
    impl serde::de::Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean, 0 or 1")
        }
        fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<bool, E> {
            Ok(n != 0)
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<bool, E> {
            Ok(n != 0)
        }
    }
    deserializer.deserialize_any(Flag)
}

/// Records a refresh token hash as issued by a session, inside the
/// transaction that issues it.
const RECORD_TOKEN: &str =
    "INSERT INTO session_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)";

/// The size SQLite truncates its write-ahead log to after a checkpoint.
const WAL_SIZE_LIMIT_BYTES: u64 = 16 * 1024 * 1024;

/// SQLite's connection settings.
fn sqlite_options(options: SqliteConnectOptions) -> SqliteConnectOptions {
    // WAL makes readers and the writer not block each other; with it,
    // NORMAL sync is durable across crashes of the process (not of the
    // machine), the usual trade.
    //
    // The log is truncated to `journal_size_limit` whenever a checkpoint
    // resets it, so a burst of writes does not leave a large file behind
    // (the store also truncates it when writes stop, see `checkpoint_wal`).
    options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("journal_size_limit", WAL_SIZE_LIMIT_BYTES.to_string())
}

/// One list scan: the page's rows, in order, as a JSON array of
/// `[id, user_id, title, description, completed, due_date, created_at,
/// updated_at, completed_at]` arrays, in a single row and column (an empty
/// page is `[]`). The scan itself is the same on both backends; only the
/// JSON functions differ.
fn build_list_sql(backend: Backend, scan: TaskScanParams, has_cursor: bool) -> String {
    let TaskScanParams { status, sort, order } = scan;
    let key = sort_column(sort);
    let (direction, comparison) = match order {
        SortOrder::Asc => ("ASC", ">"),
        SortOrder::Desc => ("DESC", "<"),
    };
    let filter = match status {
        TaskStatusFilter::All => "",
        TaskStatusFilter::Pending => " AND completed = FALSE",
        TaskStatusFilter::Completed => " AND completed = TRUE",
    };
    let (after, limit) = match (has_cursor, sort) {
        (false, _) => (String::new(), "$2"),
        // Titles are too long for a page token: it carries the id, and the
        // key is read back from the row.
        (true, TaskSort::Title) => (
            format!(
                " AND ({key}, id) {comparison} (SELECT {key}, id FROM tasks WHERE id = $2 AND user_id = $1)"
            ),
            "$3",
        ),
        (true, _) => (format!(" AND ({key}, id) {comparison} ($2, $3)"), "$4"),
    };
    let order_by = format!("ORDER BY {key} {direction}, id {direction}");
    // `LIMIT +$n`, not `LIMIT $n`: SQLite plans a bare parameter in LIMIT
    // with its bound value, so binding it again (as every run does)
    // expires the prepared statement and every list was parsed and
    // planned anew. The unary plus keeps the value out of the plan.
    let scan = format!("SELECT * FROM tasks WHERE user_id = $1{filter}{after} {order_by} LIMIT +{limit}");
    // The aggregate orders its input itself: the order of a subquery's
    // rows is not promised to survive into the aggregate.
    match backend {
        Backend::Sqlite => {
            format!("SELECT json_group_array(json_array({TASK_COLUMNS}) {order_by}) FROM ({scan}) AS page")
        }
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({TASK_COLUMNS}) {order_by}), '[]')::text FROM ({scan}) AS page"
        ),
    }
}

/// The column a sort orders by.
pub fn sort_column(sort: TaskSort) -> &'static str {
    match sort {
        TaskSort::Created => "created_at",
        TaskSort::Updated => "updated_at",
        TaskSort::Title => "title_key",
        TaskSort::DueDate => "due_key",
    }
}
