-- Organise and plan (005-organise-and-plan): priorities, tags, search,
-- repeating tasks and reminders. Keep in step with migrations/sqlite and
-- specs/database/schema.md.

-- Trigram indexes make `LIKE '% word %'` on the folded words fast.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE tasks
    ADD COLUMN priority BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN tags TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN recurrence TEXT NULL,
    ADD COLUMN remind_at BIGINT NULL,
    ADD COLUMN occurrences_completed BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN version BIGINT NOT NULL DEFAULT 1,
    ADD COLUMN search_text TEXT COLLATE "C" NULL;

CREATE INDEX tasks_user_priority ON tasks (user_id, priority, id);
-- The tasks written before search, which the server folds at start-up:
-- a partial index, empty once they are folded, so that start-up does not
-- scan every task to find none.
CREATE INDEX tasks_unsearchable ON tasks (id) WHERE search_text IS NULL;
-- With due_date last, the summary's counts read this index alone.
CREATE INDEX tasks_user_completed_priority ON tasks (user_id, completed, priority, id, due_date);
CREATE INDEX tasks_search ON tasks USING gin (search_text gin_trgm_ops);

-- A user's tags: the key (the name lower-cased) and the first spelling.
CREATE TABLE tags (
    id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key     TEXT COLLATE "C" NOT NULL,
    name    TEXT NOT NULL
);
CREATE UNIQUE INDEX tags_user_key ON tags (user_id, key);

-- Which task has which tag, and whether that task is completed (kept in
-- step by every write of the task), so counting a tag's pending tasks
-- reads this table alone.
CREATE TABLE task_tags (
    task_id TEXT COLLATE "C" NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id  TEXT COLLATE "C" NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    completed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX task_tags_task_tag ON task_tags (task_id, tag_id);
CREATE INDEX task_tags_tag ON task_tags (tag_id, completed);
