-- Idempotency keys (006-safe-writes-and-sync FR-005, FR-006): the first
-- answer to a request sent with an Idempotency-Key, per user, kept 24
-- hours. Keep in step with migrations/sqlite and specs/database/schema.md.
CREATE TABLE idempotency_keys (
    -- SHA-256 of the user id and the key: the key itself is not stored.
    id           TEXT COLLATE "C"   NOT NULL PRIMARY KEY,
    user_id      TEXT COLLATE "C"   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the operation and its request body.
    request_hash TEXT COLLATE "C"   NOT NULL,
    -- NULL while the first request is running.
    status       BIGINT NULL,
    body         TEXT   NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
