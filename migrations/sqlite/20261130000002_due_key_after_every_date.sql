-- Undated tasks sort after dated ones by a due_key of '~' (after every
-- 'YYYY-MM-DD', bytewise) instead of '9999-12-31', so that 9999-12-31 can
-- be a due date like any other (001-task-service FR-017).
UPDATE tasks SET due_key = '~' WHERE due_date IS NULL;
