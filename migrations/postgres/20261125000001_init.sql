-- Charter's first schema (PostgreSQL). Keep in step with migrations/sqlite and
-- specs/database/schema.md.
--
-- Same column types as the SQLite schema so that one set of runtime queries
-- serves both. Text keys use the "C" collation: byte order, like SQLite, so
-- sorting and keyset pagination agree on both backends whatever the
-- database's default locale.

CREATE TABLE users (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    email         TEXT COLLATE "C" NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
    id                  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id             TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_token_hash  TEXT COLLATE "C" NOT NULL UNIQUE,
    previous_token_hash TEXT COLLATE "C" NULL,
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    revoked_at          BIGINT NULL
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_previous_token_hash ON sessions (previous_token_hash);

CREATE TABLE tasks (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    title_key    TEXT COLLATE "C" NOT NULL,
    description  TEXT    NULL,
    completed    BOOLEAN NOT NULL DEFAULT FALSE,
    due_date     TEXT COLLATE "C" NULL,
    due_key      TEXT COLLATE "C" NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    completed_at BIGINT  NULL
);

CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_title ON tasks (user_id, title_key, id);
CREATE INDEX tasks_user_due ON tasks (user_id, due_key, id);
CREATE INDEX tasks_user_completed ON tasks (user_id, completed, created_at, id);
