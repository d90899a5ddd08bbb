-- Charter's first schema (SQLite). Keep in step with migrations/postgres and
-- specs/database/schema.md.
--
-- Ids are UUID text, timestamps are Unix epoch milliseconds (BIGINT), and
-- due dates are ISO 8601 dates ('YYYY-MM-DD'): the same column types on both
-- backends, so one set of runtime queries serves both.

CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,
    -- Stored trimmed and lower-cased: uniqueness is case-insensitive.
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    -- Argon2id PHC string; never the password.
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

-- One row per signed-in device. The refresh token itself is never stored,
-- only its SHA-256; rotation replaces the hash and keeps the one before it so
-- that a replayed old token can be recognised and the session revoked.
CREATE TABLE sessions (
    id                  TEXT   NOT NULL PRIMARY KEY,
    user_id             TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_token_hash  TEXT   NOT NULL UNIQUE,
    previous_token_hash TEXT   NULL,
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    revoked_at          BIGINT NULL
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_previous_token_hash ON sessions (previous_token_hash);

CREATE TABLE tasks (
    id           TEXT    NOT NULL PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    -- Lower-cased title: the key of the case-insensitive title sort.
    title_key    TEXT    NOT NULL,
    description  TEXT    NULL,
    completed    BOOLEAN NOT NULL DEFAULT FALSE,
    due_date     TEXT    NULL,
    -- The sort key for due dates: due_date, or '9999-12-31' when there is
    -- none, so that undated tasks sort after dated ones on both backends.
    due_key      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    completed_at BIGINT  NULL
);

-- Every list query is `WHERE user_id = ? [AND completed = ?] ORDER BY <key>, id`
-- with a keyset condition on (<key>, id): one index per sort key.
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_title ON tasks (user_id, title_key, id);
CREATE INDEX tasks_user_due ON tasks (user_id, due_key, id);
CREATE INDEX tasks_user_completed ON tasks (user_id, completed, created_at, id);
