//! Storage: every SQL statement, over sqlx's typed pools — `SqlitePool` or
//! `PgPool`, chosen once at start-up. On SQLite there are two pools on the
//! one file: read-only readers, and a single writer connection every write
//! takes ([`on_writer!`]), so writers wait their turn in the process.
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
use tokio::sync::broadcast;

use charter_domain::listing::{SortOrder, TaskCursor, TaskFilter, TaskSort, TaskStatusFilter};
use charter_domain::organise::{search_text, tag_key};
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
    /// Notices of committed changes, for the event streams.
    changes: broadcast::Sender<ChangeNotice>,
}

#[derive(Clone)]
enum Pool {
    /// Two pools on one file: readers, and the one connection every write
    /// takes. Writers then queue on the pool, in the process and in order,
    /// instead of in SQLite's busy handler, which sleeps (up to 100 ms at
    /// a time) between tries for the file's write lock; readers never wait
    /// for the writer in WAL mode. (An in-memory database is one pool:
    /// another connection would open another database.)
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the typed pool of whichever backend
/// the store has: the body is compiled once per backend, so one query text
/// serves both. On SQLite this is the readers' pool: a statement that
/// writes runs in [`on_writer!`].
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite { read: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// [`on_pool!`] for statements that write: on SQLite, the writer's pool of
/// one connection (readers are opened read-only, so a write routed to them
/// fails at once rather than contending for the lock).
macro_rules! on_writer {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite { write: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// Gives the task `$id` the tags `$names` (checked names, one per key),
/// recording each new tag's spelling for the user; an existing tag keeps
/// the spelling it has.
macro_rules! tag_task {
    ($tx:ident, $user:expr, $id:expr, $names:expr) => {
        for name in $names {
            let key = tag_key(name);
            sqlx::query(INSERT_TAG)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind($user)
                .bind(&key)
                .bind(name)
                .execute(&mut *$tx)
                .await?;
            sqlx::query(
                "INSERT INTO task_tags (task_id, tag_id, completed) \
                 SELECT $1, id, (SELECT completed FROM tasks WHERE id = $1) FROM tags WHERE user_id = $2 AND key = $3",
            )
            .bind($id)
            .bind($user)
            .bind(&key)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

/// The ids of the user's tasks with the tag `$key`, as a JSON array.
macro_rules! affected_tasks {
    ($tx:ident, $user:expr, $key:expr) => {{
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT tt.task_id FROM task_tags tt JOIN tags g ON g.id = tt.tag_id \
                 WHERE g.user_id = $1 AND g.key = $2",
        )
        .bind($user)
        .bind($key)
        .fetch_all(&mut *$tx)
        .await?;
        serde_json::to_string(&ids).map_err(|e| StoreError::Decode(e.to_string()))?
    }};
}

/// Rewrites the stored tag names of the tasks in `$scope` from
/// `task_tags`; with `Some((now, seq))`, as a change of those tasks (their
/// version grows, `updated_at` becomes `now` and `change_seq` `seq`).
macro_rules! refresh_tags {
    ($tx:ident, $sql:expr, $user:expr, $scope:expr, $change:expr) => {{
        let (one, many) = match $scope {
            TaskScope::One(id) => (Some(id), None),
            TaskScope::Many(ids) => (None, Some(ids)),
        };
        let mut query = sqlx::query($sql).bind($user).bind(one).bind(many);
        let change: Option<(i64, i64)> = $change;
        if let Some((now, seq)) = change {
            query = query.bind(now).bind(seq);
        }
        query.execute(&mut *$tx).await?;
    }};
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    /// `None` for a user an identity provider's token created without one.
    pub email: Option<String>,
    pub name: String,
    /// `None` for a user an identity provider's token created: no password
    /// signs them in.
    pub password_hash: Option<String>,
    pub created_at: i64,
}

/// A task as stored. Lists read it from JSON (an array in column order,
/// see [`list_sql`]), everything else from a row.
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
    pub priority: i64,
    /// JSON array of the tag names, sorted by key.
    pub tags: String,
    pub recurrence: Option<String>,
    pub remind_at: Option<i64>,
    pub occurrences_completed: i64,
    pub version: i64,
}

/// Everything about a task a write decides, besides its tags.
pub struct TaskFields<'a> {
    pub title: &'a str,
    pub title_key: &'a str,
    pub description: Option<&'a str>,
    pub due_date: Option<&'a str>,
    pub due_key: &'a str,
    pub search_text: &'a str,
    pub priority: i64,
    pub recurrence: Option<&'a str>,
    pub remind_at: Option<i64>,
    pub completed: bool,
    pub completed_at: Option<i64>,
    pub occurrences_completed: i64,
}

const TASK_COLUMNS: &str = "id, user_id, title, description, completed, due_date, created_at, updated_at, \
     completed_at, priority, tags, recurrence, remind_at, occurrences_completed, version";

/// A bound value of a statement assembled at run time.
enum Arg {
    Text(String),
    Int(i64),
}

/// The tasks a refresh of the stored tag names applies to.
enum TaskScope<'a> {
    One(&'a str),
    /// A JSON array of task ids.
    Many(&'a str),
}

/// What an idempotency key holds when a request claims it.
pub enum KeyClaim {
    /// The key is this request's now.
    Claimed,
    /// Another request has (or had) it.
    Stored { request_hash: String, status: Option<i64>, body: Option<String>, created_at: i64 },
    /// It vanished between the claim and the read.
    Gone,
}

/// Counts of a user's tasks, as `task_summary` reports them.
pub struct SummaryRow {
    pub total: i64,
    pub pending: i64,
    pub overdue: i64,
    pub due_today: i64,
    /// Per priority rank 0 to 3: (pending, total).
    pub priorities: [(i64, i64); 4],
}

/// A tag with how many of the user's tasks have it.
#[derive(sqlx::FromRow)]
pub struct TagRow {
    pub name: String,
    pub pending: i64,
    pub total: i64,
}

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
                    // sqlx would ping every connection it hands out: one
                    // round trip of a list's two. A connection in use a
                    // moment ago is alive; one that sat idle (a database
                    // restart, or a serverless proxy closing idle
                    // connections, leaves dead ones behind) is pinged, and
                    // replaced if it does not answer.
                    .test_before_acquire(false)
                    .before_acquire(|connection, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= PING_AFTER_IDLE {
                                sqlx::Connection::ping(connection).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(|source| StoreError::Connect { target: redact_url(url), source })?;
                let store = Store { pool: Pool::Postgres(pool), sqlite_file: None, changes: notices() };
                store.migrate().await?;
                store.index_unsearchable_tasks().await?;
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
        let pool = |size: u32| {
            SqlitePoolOptions::new()
                .max_connections(size)
                .acquire_timeout(std::time::Duration::from_secs(5))
                // sqlx pings every connection it hands out by default; an
                // SQLite connection is an open file in this process, so the
                // ping only cost a round trip to its worker thread per query.
                // (PostgreSQL keeps the check: a server can go away.)
                .test_before_acquire(false)
        };
        // The writer first: it creates the file and turns WAL on, which
        // read-only connections cannot.
        let write = pool(1).connect_with(options.clone()).await.map_err(connect)?;
        let read = if in_memory {
            write.clone()
        } else {
            pool(sqlite_readers(max_connections))
                .connect_with(options.read_only(true))
                .await
                .map_err(connect)?
        };
        let store = Store { pool: Pool::Sqlite { read, write }, sqlite_file, changes: notices() };
        store.migrate().await?;
        store.index_unsearchable_tasks().await?;
        // A log left by a server that was killed is folded in now, not
        // carried until the next idle moment.
        store.checkpoint_wal().await?;
        Ok(store)
    }

    /// How a transaction that writes starts. SQLite's default (deferred)
    /// transaction takes the write lock only at its first write, and when
    /// another connection wrote in between, SQLite refuses at once
    /// (`SQLITE_BUSY`) instead of waiting; `IMMEDIATE` takes the lock at
    /// the start, where the busy timeout waits for it.
    fn begin_write(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite { .. } => "BEGIN IMMEDIATE",
            Pool::Postgres(_) => "BEGIN",
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite { write, .. } => sqlx::migrate!("../migrations/sqlite").run(write).await?,
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
        on_writer!(self, pool => pool.close().await);
        checkpointed
    }

    /// SQLite: copies the write-ahead log into the database and truncates
    /// it to nothing (a no-op on PostgreSQL). Readers still holding an old
    /// snapshot make it stop short; the next call finishes the job.
    pub async fn checkpoint_wal(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite { write, .. } = &self.pool {
            write.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
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
        on_writer!(self, pool => sqlx::query(sql)
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

    /// Creates the user of an identity provider's token unless they exist:
    /// with the token's email, or without one when another account has it.
    /// Two first requests at once create one user.
    pub async fn provision_user(
        &self,
        id: &str,
        email: Option<&str>,
        name: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
                   VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT DO NOTHING";
        let exists = "SELECT COUNT(*) FROM users WHERE id = $1";
        for email in [email, None] {
            let inserted = on_writer!(self, pool => sqlx::query(sql)
                .bind(id).bind(email).bind(name).bind(now)
                .execute(pool).await.map(|r| r.rows_affected()))?;
            let found: i64 =
                on_writer!(self, pool => sqlx::query_scalar(exists).bind(id).fetch_one(pool).await)?;
            if inserted > 0 || found > 0 {
                return Ok(());
            }
            // Not inserted and not there: the email is another account's.
        }
        Err(StoreError::Conflict)
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
        on_writer!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
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
        on_writer!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
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
        let revoked = on_writer!(self, pool => sqlx::query(sql)
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
        let counted = on_writer!(self, pool => sqlx::query_as(sql)
            .bind(key)
            .bind(now)
            .bind(now - window_ms)
            .fetch_one(pool)
            .await)?;
        Ok(counted)
    }

    /// Forgets the hits counted against `key`.
    pub async fn rate_limit_clear(&self, key: &str) -> Result<(), StoreError> {
        on_writer!(self, pool => sqlx::query("DELETE FROM rate_limits WHERE key = $1").bind(key).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Deletes the counters of windows that started before `before`.
    pub async fn rate_limits_expire(&self, before: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM rate_limits WHERE window_start < $1";
        on_writer!(self, pool => sqlx::query(sql).bind(before).execute(pool).await.map(drop))?;
        Ok(())
    }

    // ---- idempotency keys ----

    /// Records `id` as running for `user_id`'s request `request_hash`, or
    /// answers what is stored under it.
    pub async fn claim_idempotency_key(
        &self,
        id: &str,
        user_id: &str,
        request_hash: &str,
        now: i64,
    ) -> Result<KeyClaim, StoreError> {
        let claim = "INSERT INTO idempotency_keys (id, user_id, request_hash, status, body, created_at) \
                     VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT (id) DO NOTHING";
        let read = "SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE id = $1";
        on_writer!(self, pool => {
            let claimed =
                sqlx::query(claim).bind(id).bind(user_id).bind(request_hash).bind(now).execute(pool).await?;
            if claimed.rows_affected() == 1 {
                return Ok(KeyClaim::Claimed);
            }
            let stored: Option<(String, Option<i64>, Option<String>, i64)> =
                sqlx::query_as(read).bind(id).fetch_optional(pool).await?;
            Ok(match stored {
                Some((request_hash, status, body, created_at)) => {
                    KeyClaim::Stored { request_hash, status, body, created_at }
                }
                // Deleted in between (released or expired): try again.
                None => KeyClaim::Gone,
            })
        })
    }

    /// Takes over a key whose record (created at `created_at`) expired or
    /// was abandoned; false when another request took it first.
    pub async fn take_over_idempotency_key(
        &self,
        id: &str,
        created_at: i64,
        request_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE idempotency_keys SET request_hash = $3, status = NULL, body = NULL, created_at = $4 \
                   WHERE id = $1 AND created_at = $2";
        let taken = on_writer!(self, pool => sqlx::query(sql)
            .bind(id)
            .bind(created_at)
            .bind(request_hash)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(taken == 1)
    }

    /// Stores the answer of the request running under `id`.
    pub async fn finish_idempotency_key(&self, id: &str, status: i64, body: &str) -> Result<(), StoreError> {
        let sql = "UPDATE idempotency_keys SET status = $2, body = $3 WHERE id = $1";
        on_writer!(self, pool => sqlx::query(sql).bind(id).bind(status).bind(body).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Forgets a key whose request failed, so that it can be sent again.
    pub async fn release_idempotency_key(&self, id: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM idempotency_keys WHERE id = $1 AND status IS NULL";
        on_writer!(self, pool => sqlx::query(sql).bind(id).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Deletes the keys recorded before `before`.
    pub async fn idempotency_keys_expire(&self, before: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM idempotency_keys WHERE created_at < $1";
        on_writer!(self, pool => sqlx::query(sql).bind(before).execute(pool).await.map(drop))?;
        Ok(())
    }

    // ---- tasks ----

    /// Folds the words of tasks written before search existed (their
    /// `search_text` is NULL), a batch at a time, so every task can be
    /// found.
    async fn index_unsearchable_tasks(&self) -> Result<(), StoreError> {
        let select = "SELECT id, title, description FROM tasks WHERE search_text IS NULL LIMIT 500";
        let update = "UPDATE tasks SET search_text = $1 WHERE id = $2 AND search_text IS NULL";
        on_writer!(self, pool => loop {
            let batch: Vec<(String, String, Option<String>)> = sqlx::query_as(select).fetch_all(pool).await?;
            if batch.is_empty() {
                break;
            }
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for (id, title, description) in &batch {
                let text = search_text(title, description.as_deref());
                sqlx::query(update).bind(text).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Up to `limit` of the user's tasks that pass `filter`, in `sort` and
    /// `order`, after `cursor`; `today` decides `overdue`.
    ///
    /// The page comes back as one row holding a JSON array of rows (see
    /// [`list_sql`]): sqlx's SQLite driver hands every row from its
    /// worker thread to the caller through a channel, one wake-up and one
    /// copy of every value per row, which cost more than everything else
    /// in a list of 50. One row per page keeps that to one.
    pub async fn list_tasks(&self, user_id: &str, list: &TaskList<'_>) -> Result<Vec<TaskRow>, StoreError> {
        if list.after.is_some_and(|cursor| cursor.sort() != list.sort) {
            return Err(StoreError::Decode("a page cursor of another sort than its scan".into()));
        }
        let (sql, args) = list_sql(self.backend(), user_id, list);
        let page = on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id);
            for arg in args {
                query = match arg {
                    Arg::Text(text) => query.bind(text),
                    Arg::Int(n) => query.bind(n),
                };
            }
            let row = query.fetch_one(pool).await?;
            serde_json::from_str(row.try_get::<&str, _>(0)?)
        });
        page.map_err(|e| StoreError::Decode(e.to_string()))
    }

    /// The user's tasks counted, and their tags with their counts, in one
    /// statement: `today` decides overdue and due today. The tasks are
    /// grouped by state, priority and due date against today (at most 24
    /// groups, read from the `tasks_user_completed_priority` index alone),
    /// the tags by tag and state (from `task_tags` alone); Rust adds up.
    pub async fn summary(&self, user_id: &str, today: &str) -> Result<(SummaryRow, Vec<TagRow>), StoreError> {
        let sql = "SELECT CAST(NULL AS TEXT) AS tag, CAST(NULL AS TEXT) AS tag_key, completed, priority, \
                   CAST(CASE WHEN due_date < $2 THEN 0 WHEN due_date = $2 THEN 1 ELSE 2 END AS BIGINT) AS due, \
                   COUNT(*) AS n FROM tasks WHERE user_id = $1 GROUP BY completed, priority, due \
                   UNION ALL \
                   SELECT g.name, g.key, tt.completed, CAST(0 AS BIGINT), CAST(2 AS BIGINT), COUNT(*) \
                   FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.user_id = $1 \
                   GROUP BY g.key, g.name, tt.completed";
        type Group = (Option<String>, Option<String>, bool, i64, i64, i64);
        let groups: Vec<Group> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(user_id).bind(today).fetch_all(pool).await)?;
        let mut counts =
            SummaryRow { total: 0, pending: 0, overdue: 0, due_today: 0, priorities: [(0, 0); 4] };
        let mut tags: std::collections::BTreeMap<String, TagRow> = std::collections::BTreeMap::new();
        for (tag, key, completed, priority, due, n) in groups {
            let pending = if completed { 0 } else { n };
            match (tag, key) {
                (Some(name), Some(key)) => {
                    let row = tags.entry(key).or_insert(TagRow { name, pending: 0, total: 0 });
                    row.pending += pending;
                    row.total += n;
                }
                _ => {
                    counts.total += n;
                    counts.pending += pending;
                    match due {
                        0 => counts.overdue += pending,
                        1 => counts.due_today += pending,
                        _ => {}
                    }
                    let slot = usize::try_from(priority)
                        .ok()
                        .and_then(|p| counts.priorities.get_mut(p))
                        .ok_or_else(|| StoreError::Decode(format!("a task has priority {priority}")))?;
                    slot.0 += pending;
                    slot.1 += n;
                }
            }
        }
        Ok((counts, tags.into_values().collect()))
    }

    /// Every tag some task of the user has, with its counts, by key.
    pub async fn tags(&self, user_id: &str) -> Result<Vec<TagRow>, StoreError> {
        let sql = format!("{TAG_COUNTS} GROUP BY g.key, g.name ORDER BY g.key");
        Ok(
            on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id).fetch_all(pool).await)?,
        )
    }

    pub async fn task(&self, user_id: &str, id: &str) -> Result<Option<TaskRow>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as(task_sql()).bind(id).bind(user_id).fetch_optional(pool).await)?,
        )
    }

    /// Begins a write of the user's tasks: a transaction that first takes
    /// the user's next change number. On PostgreSQL that row lock orders
    /// the user's writes, on SQLite the write lock does, so change numbers
    /// commit in the order they are taken and a reader of the change log
    /// never passes one that commits later. `UnknownUser` when the user
    /// does not exist.
    pub async fn write(&self, user_id: &str) -> Result<UserWrite, StoreError> {
        let bump = "UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq";
        let (tx, seq): (WriteTx, Option<i64>) = match &self.pool {
            Pool::Sqlite { write, .. } => {
                let mut tx = write.begin_with(self.begin_write()).await?;
                let seq = sqlx::query_scalar(bump).bind(user_id).fetch_optional(&mut *tx).await?;
                (WriteTx::Sqlite(tx), seq)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin_with(self.begin_write()).await?;
                let seq = sqlx::query_scalar(bump).bind(user_id).fetch_optional(&mut *tx).await?;
                (WriteTx::Postgres(tx), seq)
            }
        };
        let seq = seq.ok_or(StoreError::UnknownUser)?;
        Ok(UserWrite { tx, user_id: user_id.to_owned(), seq, changes: self.changes.clone(), wrote: false })
    }

    // ---- the change log ----

    /// The user's latest change number and the newest one forgotten, or
    /// `None` for an unknown user.
    pub async fn change_head(&self, user_id: &str) -> Result<Option<ChangeHead>, StoreError> {
        let sql = "SELECT change_seq AS seq, changes_pruned_seq AS pruned FROM users WHERE id = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(user_id).fetch_optional(pool).await)?)
    }

    /// Up to `limit` of the user's tasks whose latest change is after
    /// `after` and at most `head`, in change order.
    pub async fn changed_tasks(
        &self,
        user_id: &str,
        after: &LogPosition,
        head: i64,
        limit: i64,
    ) -> Result<Vec<ChangedTask>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT change_seq AS logged_seq, {TASK_COLUMNS} FROM tasks WHERE user_id = $1 \
                 AND (change_seq > $2 OR (change_seq = $2 AND id > $3)) AND change_seq <= $4 \
                 ORDER BY change_seq, id LIMIT $5"
            )
        });
        Ok(on_pool!(self, pool => sqlx::query_as(sql.as_str())
            .bind(user_id).bind(after.seq).bind(&after.id).bind(head).bind(limit)
            .fetch_all(pool).await)?)
    }

    /// Up to `limit` of the user's tombstones after `after`, at most `head`.
    pub async fn tombstones(
        &self,
        user_id: &str,
        after: &LogPosition,
        head: i64,
        limit: i64,
    ) -> Result<Vec<TombstoneRow>, StoreError> {
        let sql = "SELECT task_id, change_seq AS logged_seq, deleted_at FROM task_tombstones WHERE user_id = $1 \
                   AND (change_seq > $2 OR (change_seq = $2 AND task_id > $3)) AND change_seq <= $4 \
                   ORDER BY change_seq, task_id LIMIT $5";
        Ok(on_pool!(self, pool => sqlx::query_as(sql)
            .bind(user_id).bind(after.seq).bind(&after.id).bind(head).bind(limit)
            .fetch_all(pool).await)?)
    }

    /// Up to `limit` of the user's reminders that came due after `after`,
    /// at most `head`, with their tasks as they are (a deleted task's are
    /// skipped).
    pub async fn reminder_events(
        &self,
        user_id: &str,
        after: &LogPosition,
        head: i64,
        limit: i64,
    ) -> Result<Vec<ReminderRow>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let columns: Vec<String> = TASK_COLUMNS.split(", ").map(|c| format!("t.{c}")).collect();
            format!(
                "SELECT r.change_seq AS logged_seq, r.remind_at AS due_at, {} FROM reminder_events r \
                 JOIN tasks t ON t.id = r.task_id AND t.user_id = r.user_id WHERE r.user_id = $1 \
                 AND (r.change_seq > $2 OR (r.change_seq = $2 AND r.task_id > $3)) AND r.change_seq <= $4 \
                 ORDER BY r.change_seq, r.task_id LIMIT $5",
                columns.join(", ")
            )
        });
        Ok(on_pool!(self, pool => sqlx::query_as(sql.as_str())
            .bind(user_id).bind(after.seq).bind(&after.id).bind(head).bind(limit)
            .fetch_all(pool).await)?)
    }

    /// Forgets tombstones and reminder events recorded before `before`,
    /// raising each user's `changes_pruned_seq` past them first, so a
    /// cursor that would need them is refused rather than misled.
    pub async fn prune_changes(&self, before: i64) -> Result<(), StoreError> {
        let raise = |table: &str| {
            format!(
                "UPDATE users SET changes_pruned_seq = (SELECT CASE WHEN MAX(l.change_seq) > users.changes_pruned_seq \
                 THEN MAX(l.change_seq) ELSE users.changes_pruned_seq END FROM {table} l \
                 WHERE l.user_id = users.id AND l.{at} < $1) \
                 WHERE id IN (SELECT user_id FROM {table} WHERE {at} < $1)",
                at = if table == "task_tombstones" { "deleted_at" } else { "created_at" }
            )
        };
        let statements = [
            raise("task_tombstones"),
            raise("reminder_events"),
            "DELETE FROM task_tombstones WHERE deleted_at < $1".to_owned(),
            "DELETE FROM reminder_events WHERE created_at < $1".to_owned(),
        ];
        for sql in &statements {
            on_writer!(self, pool => sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(before).execute(pool).await.map(drop))?;
        }
        Ok(())
    }

    /// Users with a reminder due at `now` not yet claimed (a few at a time).
    pub async fn users_with_due_reminders(&self, now: i64) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT DISTINCT user_id FROM tasks WHERE reminder_due_at <= $1 LIMIT 100";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).bind(now).fetch_all(pool).await)?)
    }

    /// Claims the user's reminders due at `now`, once across every server
    /// on the database: under the user's row lock (skipped, on PostgreSQL,
    /// when another holds it: that one is at work, or this is retried in a
    /// moment), they are cleared, recorded under a new change number and
    /// announced, in one transaction. Answers how many were claimed.
    pub async fn claim_reminders(&self, user_id: &str, now: i64) -> Result<usize, StoreError> {
        let lock = match self.backend() {
            Backend::Sqlite => "SELECT change_seq FROM users WHERE id = $1",
            Backend::Postgres => "SELECT change_seq FROM users WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED",
        };
        let claim = "UPDATE tasks SET reminder_due_at = NULL WHERE user_id = $1 AND reminder_due_at <= $2 \
                     RETURNING id, remind_at, completed";
        let record = "INSERT INTO reminder_events (user_id, change_seq, task_id, remind_at, created_at) \
                      VALUES ($1, $2, $3, $4, $5)";
        let bump = "UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq";
        let write = on_writer!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let locked: Option<i64> = sqlx::query_scalar(lock).bind(user_id).fetch_optional(&mut *tx).await?;
            let Some(_) = locked else { return Ok(0) };
            let claimed: Vec<(String, Option<i64>, bool)> =
                sqlx::query_as(claim).bind(user_id).bind(now).fetch_all(&mut *tx).await?;
            let due: Vec<(String, i64)> = claimed
                .into_iter()
                .filter_map(|(id, at, completed)| at.filter(|_| !completed).map(|at| (id, at)))
                .collect();
            if due.is_empty() {
                tx.commit().await?;
                return Ok(0);
            }
            let seq: i64 = sqlx::query_scalar(bump).bind(user_id).fetch_one(&mut *tx).await?;
            for (task_id, at) in &due {
                sqlx::query(record).bind(user_id).bind(seq).bind(task_id).bind(at).bind(now).execute(&mut *tx).await?;
            }
            (UserWrite { tx: tx.into(), user_id: user_id.to_owned(), seq, changes: self.changes.clone(), wrote: true }, due.len())
        });
        let (write, claimed) = write;
        write.commit().await?;
        Ok(claimed)
    }

    /// Subscribes to the notices of committed changes: every server's on
    /// PostgreSQL (through [`Store::relay_notifications`]), this process's
    /// on SQLite.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeNotice> {
        self.changes.subscribe()
    }

    /// On PostgreSQL, LISTENs for the notices every server's writes send
    /// and passes them to this process's subscribers, until the store is
    /// dropped; after the connection is lost and made again, it tells every
    /// subscriber to read the log (a notice may have been missed). On
    /// SQLite, where writes notify in process, it returns at once.
    pub async fn relay_notifications(&self, on_error: impl Fn(&StoreError)) {
        let Pool::Postgres(pool) = &self.pool else { return };
        loop {
            let relayed = async {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(CHANGES_CHANNEL).await?;
                let _ = self.changes.send(ChangeNotice::Everyone);
                loop {
                    match listener.try_recv().await? {
                        Some(notification) => {
                            let user = notification.payload().split(' ').next().unwrap_or_default();
                            let _ = self.changes.send(ChangeNotice::User(user.into()));
                        }
                        // The connection was lost and made again.
                        None => {
                            let _ = self.changes.send(ChangeNotice::Everyone);
                        }
                    }
                }
                #[allow(unreachable_code)]
                Ok::<(), sqlx::Error>(())
            };
            if let Err(e) = relayed.await {
                on_error(&StoreError::from(e));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// The channel of change notices: a subscriber that falls this far
/// behind is told it lagged, and reads the log of every user it serves.
fn notices() -> broadcast::Sender<ChangeNotice> {
    broadcast::channel(1024).0
}

/// The PostgreSQL channel committed changes are announced on; the payload
/// is `<user id> <change number>`.
const CHANGES_CHANNEL: &str = "charter_changes";

/// A committed change: whose, so that only that user's streams read the
/// log; or everyone's, after notices may have been missed.
#[derive(Clone, Debug)]
pub enum ChangeNotice {
    User(std::sync::Arc<str>),
    Everyone,
}

/// A user's latest change number, and the newest one forgotten.
#[derive(sqlx::FromRow, Clone, Copy, Debug)]
pub struct ChangeHead {
    pub seq: i64,
    pub pruned: i64,
}

/// A place in a user's change log: after the entry `(seq, id)`. The
/// position after every entry of `seq` is `(seq + 1, "")`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogPosition {
    pub seq: i64,
    pub id: String,
}

/// A task and the change number of its latest change.
#[derive(sqlx::FromRow)]
pub struct ChangedTask {
    pub logged_seq: i64,
    #[sqlx(flatten)]
    pub task: TaskRow,
}

#[derive(sqlx::FromRow)]
pub struct TombstoneRow {
    pub task_id: String,
    pub logged_seq: i64,
    pub deleted_at: i64,
}

/// A reminder that came due, with its task as it is now.
#[derive(sqlx::FromRow)]
pub struct ReminderRow {
    pub logged_seq: i64,
    pub due_at: i64,
    #[sqlx(flatten)]
    pub task: TaskRow,
}

enum WriteTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl From<sqlx::Transaction<'static, sqlx::Sqlite>> for WriteTx {
    fn from(tx: sqlx::Transaction<'static, sqlx::Sqlite>) -> Self {
        WriteTx::Sqlite(tx)
    }
}

impl From<sqlx::Transaction<'static, sqlx::Postgres>> for WriteTx {
    fn from(tx: sqlx::Transaction<'static, sqlx::Postgres>) -> Self {
        WriteTx::Postgres(tx)
    }
}

/// Runs `$body` with `$conn` bound to the write's connection, once per
/// backend, as [`on_pool!`] does for the pool.
macro_rules! on_tx {
    ($write:expr, $conn:ident => $body:expr) => {
        match &mut $write.tx {
            WriteTx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            WriteTx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// One write of a user's tasks, in one transaction under one change
/// number (see [`Store::write`]). Dropped without [`UserWrite::commit`],
/// nothing of it is written.
pub struct UserWrite {
    tx: WriteTx,
    user_id: String,
    seq: i64,
    changes: broadcast::Sender<ChangeNotice>,
    /// Whether anything was written: a write that wrote nothing is rolled
    /// back at commit, so it spends no change number and wakes no stream.
    wrote: bool,
}

impl UserWrite {
    fn backend(&self) -> Backend {
        match self.tx {
            WriteTx::Sqlite(_) => Backend::Sqlite,
            WriteTx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commits, and announces the change to every stream of the user.
    pub async fn commit(self) -> Result<(), StoreError> {
        let UserWrite { tx, user_id, seq, changes, wrote } = self;
        if !wrote {
            return Ok(());
        }
        match tx {
            WriteTx::Sqlite(tx) => {
                tx.commit().await?;
                let _ = changes.send(ChangeNotice::User(user_id.into()));
            }
            WriteTx::Postgres(mut tx) => {
                // Delivered when the transaction commits, in commit order.
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANGES_CHANNEL)
                    .bind(format!("{user_id} {seq}"))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    pub async fn task(&mut self, id: &str) -> Result<Option<TaskRow>, StoreError> {
        let user_id = &self.user_id;
        Ok(
            on_tx!(self, conn => sqlx::query_as(task_sql()).bind(id).bind(user_id).fetch_optional(&mut *conn).await)?,
        )
    }

    /// Inserts a task with its tags (names already checked, one per key)
    /// and answers it as stored.
    pub async fn insert_task(
        &mut self,
        id: &str,
        fields: &TaskFields<'_>,
        tags: &[String],
        now: i64,
    ) -> Result<TaskRow, StoreError> {
        // Without tags the inserted row is the task as stored (`tags` is
        // `[]` by default), so it comes back with the insert: one round trip
        // to the database less for the write that holds SQLite's writer.
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "INSERT INTO tasks (id, user_id, title, title_key, description, completed, due_date, due_key, \
                 created_at, updated_at, completed_at, priority, recurrence, remind_at, occurrences_completed, \
                 search_text, version, change_seq, reminder_due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17) \
                 RETURNING {TASK_COLUMNS}"
            )
        });
        let refresh = refresh_tags_sql(self.backend(), false);
        let read = task_sql();
        let (user_id, seq) = (self.user_id.as_str(), self.seq);
        let reminder_due = fields.remind_at.filter(|_| !fields.completed);
        on_tx!(self, conn => {
            let inserted: TaskRow = sqlx::query_as(sql.as_str())
                .bind(id)
                .bind(user_id)
                .bind(fields.title)
                .bind(fields.title_key)
                .bind(fields.description)
                .bind(fields.completed)
                .bind(fields.due_date)
                .bind(fields.due_key)
                .bind(now)
                .bind(fields.completed_at)
                .bind(fields.priority)
                .bind(fields.recurrence)
                .bind(fields.remind_at)
                .bind(fields.occurrences_completed)
                .bind(fields.search_text)
                .bind(seq)
                .bind(reminder_due)
                .fetch_one(&mut *conn)
                .await?;
            self.wrote = true;
            if tags.is_empty() {
                return Ok(inserted);
            }
            tag_task!(conn, user_id, id, tags);
            refresh_tags!(conn, refresh, user_id, TaskScope::One(id), None);
            Ok(sqlx::query_as(read).bind(id).bind(user_id).fetch_one(&mut *conn).await?)
        })
    }

    /// Writes a task's fields, and its tags when given, if its version is
    /// still `version`. Answers the task as stored, or `None` when it
    /// changed or is gone.
    pub async fn write_task(
        &mut self,
        id: &str,
        version: i64,
        was_completed: bool,
        fields: &TaskFields<'_>,
        tags: Option<&[String]>,
        now: i64,
    ) -> Result<Option<TaskRow>, StoreError> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            // A reminder is armed again when `remind_at` moves, and
            // disarmed when the task is done.
            format!(
                "UPDATE tasks SET title = $1, title_key = $2, description = $3, due_date = $4, due_key = $5, \
                 search_text = $6, priority = $7, recurrence = $8, \
                 reminder_due_at = CASE WHEN $10 THEN NULL WHEN remind_at IS DISTINCT FROM $9 THEN $9 \
                 ELSE reminder_due_at END, \
                 remind_at = $9, completed = $10, \
                 completed_at = $11, occurrences_completed = $12, updated_at = $13, version = version + 1, \
                 change_seq = $17 \
                 WHERE id = $14 AND user_id = $15 AND version = $16 RETURNING {TASK_COLUMNS}"
            )
        });
        let refresh = refresh_tags_sql(self.backend(), false);
        let read = task_sql();
        let (user_id, seq) = (self.user_id.as_str(), self.seq);
        on_tx!(self, conn => {
            let written: Option<TaskRow> = sqlx::query_as(sql.as_str())
                .bind(fields.title)
                .bind(fields.title_key)
                .bind(fields.description)
                .bind(fields.due_date)
                .bind(fields.due_key)
                .bind(fields.search_text)
                .bind(fields.priority)
                .bind(fields.recurrence)
                .bind(fields.remind_at)
                .bind(fields.completed)
                .bind(fields.completed_at)
                .bind(fields.occurrences_completed)
                .bind(now)
                .bind(id)
                .bind(user_id)
                .bind(version)
                .bind(seq)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(written) = written else { return Ok(None) };
            self.wrote = true;
            if fields.completed != was_completed {
                sqlx::query("UPDATE task_tags SET completed = $2 WHERE task_id = $1")
                    .bind(id)
                    .bind(fields.completed)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(Some(match tags {
                None => written,
                Some(tags) => {
                    sqlx::query("DELETE FROM task_tags WHERE task_id = $1").bind(id).execute(&mut *conn).await?;
                    tag_task!(conn, user_id, id, tags);
                    refresh_tags!(conn, refresh, user_id, TaskScope::One(id), None);
                    sqlx::query_as(read).bind(id).bind(user_id).fetch_one(&mut *conn).await?
                }
            }))
        })
    }

    /// Deletes the task, at `version` only when one is given, leaving its
    /// tombstone. Answers whether it was deleted.
    pub async fn delete_task(
        &mut self,
        id: &str,
        version: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let delete = "DELETE FROM tasks WHERE id = $1 AND user_id = $2 AND ($3 IS NULL OR version = $3)";
        let tombstone =
            "INSERT INTO task_tombstones (task_id, user_id, change_seq, deleted_at) VALUES ($1, $2, $3, $4)";
        let (user_id, seq) = (self.user_id.as_str(), self.seq);
        on_tx!(self, conn => {
            let deleted = sqlx::query(delete).bind(id).bind(user_id).bind(version).execute(&mut *conn).await?;
            if deleted.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query(tombstone).bind(id).bind(user_id).bind(seq).bind(now).execute(&mut *conn).await?;
            self.wrote = true;
            Ok(true)
        })
    }

    /// Renames the tag `key` to `name` (whose key is `new_key`) on every
    /// task that has it, merging into an existing `new_key`. Answers the
    /// tag as it is afterwards, or `None` when the user has no tag `key`.
    pub async fn rename_tag(
        &mut self,
        key: &str,
        name: &str,
        new_key: &str,
        now: i64,
    ) -> Result<Option<TagRow>, StoreError> {
        let refresh = refresh_tags_sql(self.backend(), true);
        let counts = format!("{TAG_COUNTS} AND g.key = $2 GROUP BY g.key, g.name");
        let (user_id, seq) = (self.user_id.as_str(), self.seq);
        on_tx!(self, conn => {
            let spelt = if key == new_key { name } else { "" };
            let found = sqlx::query(
                "UPDATE tags SET name = CASE WHEN $3 = '' THEN name ELSE $3 END WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .bind(spelt)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if found == 0 {
                return Ok(None);
            }
            self.wrote = true;
            let affected = affected_tasks!(conn, user_id, key);
            if key != new_key {
                sqlx::query(INSERT_TAG)
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(user_id)
                    .bind(new_key)
                    .bind(name)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO task_tags (task_id, tag_id, completed) \
                     SELECT tt.task_id, (SELECT id FROM tags WHERE user_id = $1 AND key = $3), tt.completed \
                     FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.user_id = $1 AND g.key = $2 \
                     ON CONFLICT (task_id, tag_id) DO NOTHING",
                )
                .bind(user_id)
                .bind(key)
                .bind(new_key)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM tags WHERE user_id = $1 AND key = $2").bind(user_id).bind(key).execute(&mut *conn).await?;
            }
            refresh_tags!(conn, refresh, user_id, TaskScope::Many(&affected), Some((now, seq)));
            let tag: Option<TagRow> = sqlx::query_as(sqlx::AssertSqlSafe(counts.as_str()))
                .bind(user_id)
                .bind(new_key)
                .fetch_optional(&mut *conn)
                .await?;
            let name: String = sqlx::query_scalar("SELECT name FROM tags WHERE user_id = $1 AND key = $2")
                .bind(user_id)
                .bind(new_key)
                .fetch_one(&mut *conn)
                .await?;
            Ok(Some(tag.unwrap_or(TagRow { name, pending: 0, total: 0 })))
        })
    }

    /// Removes the tag `key` from every task of the user that has it.
    /// Answers whether the user had such a tag.
    pub async fn delete_tag(&mut self, key: &str, now: i64) -> Result<bool, StoreError> {
        let refresh = refresh_tags_sql(self.backend(), true);
        let (user_id, seq) = (self.user_id.as_str(), self.seq);
        on_tx!(self, conn => {
            let found = sqlx::query("UPDATE tags SET name = name WHERE user_id = $1 AND key = $2")
                .bind(user_id)
                .bind(key)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if found == 0 {
                return Ok(false);
            }
            self.wrote = true;
            let affected = affected_tasks!(conn, user_id, key);
            sqlx::query("DELETE FROM tags WHERE user_id = $1 AND key = $2").bind(user_id).bind(key).execute(&mut *conn).await?;
            refresh_tags!(conn, refresh, user_id, TaskScope::Many(&affected), Some((now, seq)));
            Ok(true)
        })
    }
}

/// Counts per tag; `$1` is the user. Tags no task has are not joined, so
/// they are not listed (their spelling stays remembered).
const TAG_COUNTS: &str = "SELECT g.name AS name, COUNT(*) FILTER (WHERE NOT tt.completed) AS pending, \
     COUNT(*) AS total FROM tags g JOIN task_tags tt ON tt.tag_id = g.id WHERE g.user_id = $1";

/// Records a tag's first spelling: `$1` a new id, `$2` the user, `$3` the
/// key, `$4` the name. A tag the user has keeps its spelling.
const INSERT_TAG: &str =
    "INSERT INTO tags (id, user_id, key, name) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING";

/// Reads one task: `$1` the id, `$2` the user.
fn task_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2"))
}

/// The statement behind [`refresh_tags!`]: `$1` the user, `$2` one task
/// id or NULL, `$3` a JSON array of task ids or NULL; `as_change` adds
/// the version, `$4` the time and `$5` the change number.
fn refresh_tags_sql(backend: Backend, as_change: bool) -> &'static str {
    static BUILT: [OnceLock<String>; 4] = [const { OnceLock::new() }; 4];
    let index = match backend {
        Backend::Sqlite => 0,
        Backend::Postgres => 2,
    } + usize::from(as_change);
    BUILT[index].get_or_init(|| {
        let names = match backend {
            Backend::Sqlite => {
                "SELECT json_group_array(g.name ORDER BY g.key) FROM task_tags tt \
                 JOIN tags g ON g.id = tt.tag_id WHERE tt.task_id = tasks.id"
            }
            Backend::Postgres => {
                "SELECT COALESCE(json_agg(g.name ORDER BY g.key), '[]')::text FROM task_tags tt \
                 JOIN tags g ON g.id = tt.tag_id WHERE tt.task_id = tasks.id"
            }
        };
        let ids = match backend {
            Backend::Sqlite => "SELECT value FROM json_each($3)",
            Backend::Postgres => "SELECT json_array_elements_text($3::text::json)",
        };
        // Both $2 and $3 appear whatever the scope, so one statement
        // serves both; $4 appears only in a change.
        let change = if as_change { ", version = version + 1, updated_at = $4, change_seq = $5" } else { "" };
        format!("UPDATE tasks SET tags = ({names}){change} WHERE user_id = $1 AND (id = $2 OR id IN ({ids}))")
    })
}

/// One page of a list: which tasks, in what order, after which one.
pub struct TaskList<'a> {
    pub filter: &'a TaskFilter,
    pub sort: TaskSort,
    pub order: SortOrder,
    pub after: Option<&'a TaskCursor>,
    pub limit: u32,
    /// `YYYY-MM-DD`: what `overdue` compares with.
    pub today: &'a str,
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

/// How long a PostgreSQL connection may sit idle and still be handed out
/// without a ping first.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// How many read-only connections SQLite gets: `max_connections` counts
/// the writer too, and beyond two per core readers add threads, page
/// caches and allocator heaps, not throughput. A read runs in the process
/// on its connection's thread, so it is CPU that bounds reads, not
/// connections (measured on 2 cores: 4 readers serve the benchmark's list
/// as fast as 7, with 57 MiB of peak memory instead of 65).
fn sqlite_readers(max_connections: u32) -> u32 {
    let cores =
        std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX));
    max_connections.saturating_sub(1).min(cores.saturating_mul(2)).max(1)
}

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

/// One list scan: the SQL and the values it binds after the user (`$1`).
/// The page's rows come back in order as a JSON array of arrays in
/// [`TASK_COLUMNS`] order, in a single row and column (an empty page is
/// `[]`). The scan is the same on both backends but for search; only the
/// JSON functions differ. Every piece of SQL comes from a `match` on the
/// list's enums; every value from the request is bound.
fn list_sql(backend: Backend, user_id: &str, list: &TaskList<'_>) -> (String, Vec<Arg>) {
    let mut args = Vec::new();
    // `$1` is the user; every other value gets the next number.
    fn param(arg: Arg, args: &mut Vec<Arg>) -> String {
        args.push(arg);
        format!("${}", args.len() + 1)
    }
    let filter = list.filter;
    let mut conditions = String::new();
    conditions.push_str(match filter.status {
        TaskStatusFilter::All => "",
        TaskStatusFilter::Pending => " AND completed = FALSE",
        TaskStatusFilter::Completed => " AND completed = TRUE",
    });
    if let Some(search) = &filter.search {
        // Words are letters and digits only (the domain folds them so);
        // anything else, as a forged page token could hold, is dropped
        // rather than given to FTS5's query syntax.
        let clean = |w: &String| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        let (whole, prefix) = search.split();
        let whole: Vec<String> = whole.iter().map(clean).filter(|w| !w.is_empty()).collect();
        let prefix = clean(&prefix.to_owned());
        match backend {
            Backend::Sqlite => {
                let mut query = format!("owner : u{}", hex_upper(user_id));
                for word in &whole {
                    query.push_str(&format!(" AND words : \"{word}\""));
                }
                if !prefix.is_empty() {
                    query.push_str(&format!(" AND words : \"{prefix}\"*"));
                }
                let p = param(Arg::Text(query), &mut args);
                conditions.push_str(&format!(
                    " AND id IN (SELECT task_id FROM task_search WHERE task_search MATCH {p})"
                ));
            }
            Backend::Postgres => {
                for word in &whole {
                    let p = param(Arg::Text(format!("% {word} %")), &mut args);
                    conditions.push_str(&format!(" AND search_text LIKE {p}"));
                }
                if !prefix.is_empty() {
                    let p = param(Arg::Text(format!("% {prefix}%")), &mut args);
                    conditions.push_str(&format!(" AND search_text LIKE {p}"));
                }
            }
        }
    }
    if !filter.priorities.is_empty() {
        let ranks: Vec<String> =
            filter.priorities.iter().map(|p| param(Arg::Int(p.rank()), &mut args)).collect();
        conditions.push_str(&format!(" AND priority IN ({})", ranks.join(", ")));
    }
    for key in &filter.tags {
        let p = param(Arg::Text(key.clone()), &mut args);
        conditions.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM task_tags tt JOIN tags g ON g.id = tt.tag_id \
             WHERE tt.task_id = tasks.id AND g.user_id = $1 AND g.key = {p})"
        ));
    }
    if let Some(before) = filter.due_before {
        let p = param(Arg::Text(before.format("%Y-%m-%d").to_string()), &mut args);
        conditions.push_str(&format!(" AND due_date <= {p}"));
    }
    if let Some(after) = filter.due_after {
        let p = param(Arg::Text(after.format("%Y-%m-%d").to_string()), &mut args);
        conditions.push_str(&format!(" AND due_date >= {p}"));
    }
    if filter.overdue {
        let p = param(Arg::Text(list.today.to_owned()), &mut args);
        conditions.push_str(&format!(" AND completed = FALSE AND due_date < {p}"));
    }
    let key = sort_column(list.sort);
    let (direction, comparison) = match list.order {
        SortOrder::Asc => ("ASC", ">"),
        SortOrder::Desc => ("DESC", "<"),
    };
    match list.after {
        None => {}
        // Titles are too long for a page token: it carries the id, and the
        // key is read back from the row.
        Some(TaskCursor::Title { id }) => {
            let p = param(Arg::Text(id.to_string()), &mut args);
            conditions.push_str(&format!(
                " AND ({key}, id) {comparison} (SELECT {key}, id FROM tasks WHERE id = {p} AND user_id = $1)"
            ));
        }
        Some(cursor) => {
            let (value, id) = match cursor {
                TaskCursor::Created { at, id } | TaskCursor::Updated { at, id } => {
                    (Arg::Int(at.timestamp_millis()), id)
                }
                TaskCursor::DueDate { due, id } => (Arg::Text(due_key(*due)), id),
                TaskCursor::Priority { priority, id } => (Arg::Int(priority.rank()), id),
                TaskCursor::Title { id } => (Arg::Text(String::new()), id),
            };
            let v = param(value, &mut args);
            let i = param(Arg::Text(id.to_string()), &mut args);
            conditions.push_str(&format!(" AND ({key}, id) {comparison} ({v}, {i})"));
        }
    }
    let limit = param(Arg::Int(i64::from(list.limit)), &mut args);
    let order_by = format!("ORDER BY {key} {direction}, id {direction}");
    // `LIMIT +$n`, not `LIMIT $n`: SQLite plans a bare parameter in LIMIT
    // with its bound value, so binding it again (as every run does)
    // expires the prepared statement and every list was parsed and
    // planned anew. The unary plus keeps the value out of the plan.
    let scan = format!("SELECT * FROM tasks WHERE user_id = $1{conditions} {order_by} LIMIT +{limit}");
    // The aggregate orders its input itself: the order of a subquery's
    // rows is not promised to survive into the aggregate.
    let sql = match backend {
        Backend::Sqlite => {
            format!("SELECT json_group_array(json_array({TASK_COLUMNS}) {order_by}) FROM ({scan}) AS page")
        }
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({TASK_COLUMNS}) {order_by}), '[]')::text FROM ({scan}) AS page"
        ),
    };
    (sql, args)
}

/// The upper-case hex of a text's bytes, as SQLite's `hex()` writes it
/// (the search index's owner token).
fn hex_upper(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02X}")).collect()
}

/// The column a sort orders by.
pub fn sort_column(sort: TaskSort) -> &'static str {
    match sort {
        TaskSort::Created => "created_at",
        TaskSort::Updated => "updated_at",
        TaskSort::Title => "title_key",
        TaskSort::DueDate => "due_key",
        TaskSort::Priority => "priority",
    }
}
