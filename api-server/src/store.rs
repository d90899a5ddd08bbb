//! Storage: one set of runtime queries over sqlx's `AnyPool`, for SQLite
//! and PostgreSQL alike.
//!
//! Both schemas use the same column types (TEXT ids, BIGINT epoch
//! milliseconds, BOOLEAN), so every query here runs unchanged on either
//! backend with `$n` placeholders. Migrations differ per backend and live in
//! `migrations/sqlite` and `migrations/postgres`; they run at start-up.

use std::path::Path;
use std::sync::OnceLock;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use charter_api::types::{SortOrder, TaskSort, TaskStatusFilter};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is not reachable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("unsupported DATABASE_URL scheme (expected postgres:// or sqlite://)")]
    UnsupportedUrl,
    #[error("unique constraint violated")]
    Conflict,
    #[error("cannot open the database at {target}: {source}")]
    Connect { target: String, source: sqlx::Error },
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
    pool: AnyPool,
    backend: Backend,
}

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: i64,
}

pub struct TaskRow {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
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

/// Where a page starts: strictly after this (key, id) in the scan's order.
pub enum Cursor {
    Millis(i64, String),
    Text(String, String),
    /// After the task with this id, reading its key from the table: for
    /// keys too long to carry in a page token (titles).
    Task(String),
}

/// sqlx's Any driver cannot decode SQLite's BOOLEAN, so `completed` is read
/// as a number on both backends (PostgreSQL casts a boolean to INTEGER but
/// not to BIGINT, hence the CASE).
const TASK_COLUMNS: &str = "id, user_id, title, description, CAST(CASE WHEN completed THEN 1 ELSE 0 END AS BIGINT) AS completed, due_date, \
                            created_at, updated_at, completed_at";

impl Store {
    /// Opens the database `url` names, or SQLite in `data_dir`, and
    /// migrates it.
    pub async fn open(url: Option<&str>, data_dir: &Path, max_connections: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                (url.to_owned(), Backend::Postgres)
            }
            Some(url) if url.starts_with("sqlite:") => (url.to_owned(), Backend::Sqlite),
            Some(_) => return Err(StoreError::UnsupportedUrl),
            None => {
                let file = data_dir.join("charter.db");
                (format!("sqlite://{}?mode=rwc", file.display()), Backend::Sqlite)
            }
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            // Fail a request (503) rather than hang when the database is gone.
            .acquire_timeout(std::time::Duration::from_secs(5));
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL makes readers and the writer not block each other;
                    // with it, NORMAL sync is durable across crashes of the
                    // process (not of the machine), the usual trade.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect { target: redact_url(&url), source })?;
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.pool.execute("SELECT 1").await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- users ----

    pub async fn insert_user(&self, user: &UserRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let row =
            sqlx::query("SELECT id, email, name, password_hash, created_at FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| user_row(&r)).transpose()
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query("SELECT id, email, name, password_hash, created_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_row(&r)).transpose()
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, refresh_token_hash, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, NULL)",
        )
        .bind(id)
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        record_token(&mut tx, token_hash, id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a live session's refresh token hash in one statement, so
    /// two requests racing with the same token cannot both win, and records
    /// the new one. Answers the session's user, or `None` when the token is
    /// not the current one of a live session.
    pub async fn rotate_session(
        &self,
        old_hash: &str,
        new_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE sessions SET refresh_token_hash = $1, expires_at = $2 \
             WHERE refresh_token_hash = $3 AND revoked_at IS NULL AND expires_at > $4 RETURNING id, user_id",
        )
        .bind(new_hash)
        .bind(expires_at)
        .bind(old_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let session_id: String = row.try_get(0)?;
        let user_id: String = row.try_get(1)?;
        record_token(&mut tx, new_hash, &session_id, now).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Revokes the session that issued this refresh token, current or
    /// rotated. Answers whether a live session was revoked.
    pub async fn revoke_session_of(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
             AND id = (SELECT session_id FROM session_tokens WHERE token_hash = $2)",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    // ---- tasks ----

    pub async fn insert_task(&self, task: &TaskRow, fields: &TaskFields<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tasks (id, user_id, title, title_key, description, completed, due_date, due_key, \
             created_at, updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn task(&self, user_id: &str, id: &str) -> Result<Option<TaskRow>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql =
            SQL.get_or_init(|| format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2"));
        let row = sqlx::query(sql.as_str()).bind(id).bind(user_id).fetch_optional(&self.pool).await?;
        row.map(|r| task_row(&r)).transpose()
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
        let row = sqlx::query(sql.as_str())
            .bind(fields.title)
            .bind(fields.title_key)
            .bind(fields.description)
            .bind(fields.due_date)
            .bind(fields.due_key)
            .bind(completed)
            .bind(now)
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| task_row(&r)).transpose()
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
        let row = sqlx::query(sql.as_str())
            .bind(completed)
            .bind(now)
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| task_row(&r)).transpose()
    }

    pub async fn delete_task(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM tasks WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Up to `limit` of the user's tasks in the scan's order, after `cursor`.
    pub async fn list_tasks(
        &self,
        user_id: &str,
        status: TaskStatusFilter,
        sort: TaskSort,
        order: SortOrder,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<TaskRow>, StoreError> {
        let sql = list_sql(status, sort, order, cursor.is_some());
        let mut query = sqlx::query(sql).bind(user_id);
        query = match cursor {
            None => query,
            Some(Cursor::Millis(key, id)) => query.bind(*key).bind(id.as_str()),
            Some(Cursor::Text(key, id)) => query.bind(key.as_str()).bind(id.as_str()),
            Some(Cursor::Task(id)) => query.bind(id.as_str()),
        };
        let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(task_row).collect()
    }
}

/// The SQL of one list scan. There are 48 shapes; each is built once and
/// reused, so sqlx's per-connection statement cache sees the same text.
fn list_sql(status: TaskStatusFilter, sort: TaskSort, order: SortOrder, has_cursor: bool) -> &'static str {
    static SHAPES: OnceLock<Vec<String>> = OnceLock::new();
    let statuses = [TaskStatusFilter::All, TaskStatusFilter::Pending, TaskStatusFilter::Completed];
    let sorts = [TaskSort::Created, TaskSort::Updated, TaskSort::Title, TaskSort::DueDate];
    let orders = [SortOrder::Asc, SortOrder::Desc];
    let shapes = SHAPES.get_or_init(|| {
        let mut all = Vec::with_capacity(48);
        for status in statuses {
            for sort in sorts {
                for order in orders {
                    for cursor in [false, true] {
                        all.push(build_list_sql(status, sort, order, cursor));
                    }
                }
            }
        }
        all
    });
    let i = ((position(status, &statuses) * 4 + position(sort, &sorts)) * 2 + position(order, &orders)) * 2
        + usize::from(has_cursor);
    &shapes[i]
}

/// A database URL as it may be shown: without user or password.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

async fn record_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    token_hash: &str,
    session_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO session_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(session_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn position<T: PartialEq>(value: T, all: &[T]) -> usize {
    all.iter().position(|x| *x == value).unwrap_or(0)
}

fn build_list_sql(status: TaskStatusFilter, sort: TaskSort, order: SortOrder, has_cursor: bool) -> String {
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
    format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE user_id = $1{filter}{after} \
         ORDER BY {key} {direction}, id {direction} LIMIT {limit}"
    )
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

fn user_row(row: &AnyRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        name: row.try_get(2)?,
        password_hash: row.try_get(3)?,
        created_at: row.try_get(4)?,
    })
}

fn task_row(row: &AnyRow) -> Result<TaskRow, StoreError> {
    Ok(TaskRow {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        title: row.try_get(2)?,
        description: row.try_get(3)?,
        completed: row.try_get::<i64, _>(4)? != 0,
        due_date: row.try_get(5)?,
        created_at: row.try_get(6)?,
        updated_at: row.try_get(7)?,
        completed_at: row.try_get(8)?,
    })
}
