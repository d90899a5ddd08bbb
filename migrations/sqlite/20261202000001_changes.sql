-- Safe writes and live sync (006-safe-writes-and-sync FR-008 to FR-011):
-- change numbers, tombstones and reminder events. Keep in step with
-- migrations/postgres and specs/database/schema.md.

-- The user's latest change number; every write of the user's tasks takes
-- the next one first, in its transaction.
ALTER TABLE users ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
-- Tombstones and reminder events up to this number were forgotten.
ALTER TABLE users ADD COLUMN changes_pruned_seq BIGINT NOT NULL DEFAULT 0;

ALTER TABLE tasks ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
-- A reminder not yet sent; NULL once claimed.
ALTER TABLE tasks ADD COLUMN reminder_due_at BIGINT NULL;
-- Reminders still ahead are armed; those already past were shown (or not)
-- by the app before this migration and are not sent now.
UPDATE tasks SET reminder_due_at = remind_at WHERE remind_at > unixepoch() * 1000 AND NOT completed;

CREATE INDEX tasks_user_change ON tasks (user_id, change_seq, id);
-- Only the reminders still to send: what housekeeping scans every second.
CREATE INDEX tasks_reminder_due ON tasks (reminder_due_at) WHERE reminder_due_at IS NOT NULL;

CREATE TABLE task_tombstones (
    task_id    TEXT   NOT NULL PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    change_seq BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL
);
CREATE INDEX task_tombstones_user_change ON task_tombstones (user_id, change_seq, task_id);
CREATE INDEX task_tombstones_deleted_at ON task_tombstones (deleted_at);

CREATE TABLE reminder_events (
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    change_seq BIGINT NOT NULL,
    task_id    TEXT   NOT NULL,
    remind_at  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX reminder_events_user_change ON reminder_events (user_id, change_seq, task_id);
CREATE INDEX reminder_events_created_at ON reminder_events (created_at);
