-- Hardening (001-task-service FR-008, FR-045 to FR-047). Keep in step with
-- migrations/sqlite and specs/database/schema.md.

-- Refresh tokens: every token a session issued works until it is
-- exchanged (used_at), and for the grace period after; a session no longer
-- has one current token. Tokens that were not current had been exchanged.
ALTER TABLE session_tokens ADD COLUMN used_at BIGINT NULL;
UPDATE session_tokens SET used_at = created_at
    WHERE token_hash NOT IN (SELECT refresh_token_hash FROM sessions);
ALTER TABLE sessions DROP COLUMN refresh_token_hash;

-- Fixed-window throttling counters, shared by every server on the database.
-- The key is a SHA-256, so no email or address is stored.
CREATE TABLE rate_limits (
    key          TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);
