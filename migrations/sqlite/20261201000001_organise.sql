-- Organise and plan (005-organise-and-plan): priorities, tags, search,
-- repeating tasks and reminders. Keep in step with migrations/postgres and
-- specs/database/schema.md.

-- 0 none, 1 low, 2 medium, 3 high: the priority sort orders by it.
ALTER TABLE tasks ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
-- The task's tag names as a JSON array, sorted by key: what a task shows.
-- task_tags below is what filters and counts use.
ALTER TABLE tasks ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN recurrence TEXT NULL;
ALTER TABLE tasks ADD COLUMN remind_at BIGINT NULL;
ALTER TABLE tasks ADD COLUMN occurrences_completed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- The folded words of title and description (charter_domain::organise::
-- search_text). NULL until the server has folded them: it does so at
-- start-up for the tasks written before this migration.
ALTER TABLE tasks ADD COLUMN search_text TEXT NULL;

CREATE INDEX tasks_user_priority ON tasks (user_id, priority, id);
-- The tasks written before search, which the server folds at start-up:
-- a partial index, empty once they are folded, so that start-up does not
-- scan every task to find none.
CREATE INDEX tasks_unsearchable ON tasks (id) WHERE search_text IS NULL;
-- With due_date last, the summary's counts read this index alone.
CREATE INDEX tasks_user_completed_priority ON tasks (user_id, completed, priority, id, due_date);

-- A user's tags: the key (the name lower-cased) and the first spelling.
CREATE TABLE tags (
    id      TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    name    TEXT NOT NULL
);
CREATE UNIQUE INDEX tags_user_key ON tags (user_id, key);

-- Which task has which tag, and whether that task is completed (kept in
-- step by every write of the task), so counting a tag's pending tasks
-- reads this table alone.
CREATE TABLE task_tags (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id  TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    completed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX task_tags_task_tag ON task_tags (task_id, tag_id);
CREATE INDEX task_tags_tag ON task_tags (tag_id, completed);

-- Search: the folded words, tokenised on spaces only ('ascii' keeps every
-- non-ASCII character in its word), so FTS5 sees the words Rust folded.
-- `owner` and `task` are the hex of the user and task ids, one token each:
-- a search looks only at its user's rows, and a row is found to delete it.
CREATE VIRTUAL TABLE task_search USING fts5(owner, task, words, task_id UNINDEXED, tokenize = 'ascii');

CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks WHEN new.search_text IS NOT NULL
BEGIN
    INSERT INTO task_search (owner, task, words, task_id)
        VALUES ('u' || hex(new.user_id), 't' || hex(new.id), new.search_text, new.id);
END;

CREATE TRIGGER tasks_search_update AFTER UPDATE OF search_text ON tasks
BEGIN
    DELETE FROM task_search WHERE rowid IN
        (SELECT rowid FROM task_search WHERE task_search MATCH 'task : t' || hex(old.id));
    INSERT INTO task_search (owner, task, words, task_id)
        SELECT 'u' || hex(new.user_id), 't' || hex(new.id), new.search_text, new.id
        WHERE new.search_text IS NOT NULL;
END;

CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks
BEGIN
    DELETE FROM task_search WHERE rowid IN
        (SELECT rowid FROM task_search WHERE task_search MATCH 'task : t' || hex(old.id));
END;
