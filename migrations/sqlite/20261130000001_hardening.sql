-- no-transaction
-- Hardening (001-task-service FR-008, FR-045 to FR-047). Keep in step with
-- migrations/postgres and specs/database/schema.md.
--
-- Without sqlx's transaction, because dropping sessions.refresh_token_hash
-- (a UNIQUE column) means rebuilding the table, which SQLite allows only
-- with foreign keys off, and that pragma does nothing inside a transaction.

PRAGMA foreign_keys = OFF;
BEGIN;

-- Refresh tokens: every token a session issued works until it is
-- exchanged (used_at), and for the grace period after; a session no longer
-- has one current token. Tokens that were not current had been exchanged.
ALTER TABLE session_tokens ADD COLUMN used_at BIGINT NULL;
UPDATE session_tokens SET used_at = created_at
    WHERE token_hash NOT IN (SELECT refresh_token_hash FROM sessions);

CREATE TABLE sessions_rebuilt (
    id         TEXT   NOT NULL PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);
INSERT INTO sessions_rebuilt (id, user_id, created_at, expires_at, revoked_at)
    SELECT id, user_id, created_at, expires_at, revoked_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_rebuilt RENAME TO sessions;
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Fixed-window throttling counters, shared by every server on the database.
-- The key is a SHA-256, so no email or address is stored.
CREATE TABLE rate_limits (
    key          TEXT   NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);

COMMIT;
PRAGMA foreign_keys = ON;
