-- Every refresh token a session has issued, by hash, so that replaying any
-- rotated token (not only the one just before the current) revokes the
-- session, and signing out with a stale token still ends it.
CREATE TABLE session_tokens (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    session_id TEXT   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

CREATE INDEX session_tokens_session_id ON session_tokens (session_id);

-- Superseded by session_tokens.
DROP INDEX sessions_previous_token_hash;
ALTER TABLE sessions DROP COLUMN previous_token_hash;

-- A status filter with any sort walks an index in order, not the user's
-- whole list (the created sort had one already).
CREATE INDEX tasks_user_completed_updated ON tasks (user_id, completed, updated_at, id);
CREATE INDEX tasks_user_completed_title ON tasks (user_id, completed, title_key, id);
CREATE INDEX tasks_user_completed_due ON tasks (user_id, completed, due_key, id);
