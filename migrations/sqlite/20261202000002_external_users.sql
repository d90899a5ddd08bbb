-- no-transaction
-- Users an identity provider's token creates (007-better-auth-backend
-- FR-005): no password, and an email only when the token carries one no
-- other account has. SQLite cannot drop NOT NULL in place, so the table is
-- rebuilt (SQLite's "generalized ALTER TABLE procedure"), with foreign keys
-- off so that dropping the old table deletes nothing that references it;
-- hence no transaction around the migration, but one inside it. Keep in
-- step with migrations/postgres and specs/database/schema.md.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_rebuilt (
    id                 TEXT    NOT NULL PRIMARY KEY,
    email              TEXT    NULL UNIQUE,
    name               TEXT    NOT NULL,
    password_hash      TEXT    NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    change_seq         BIGINT  NOT NULL DEFAULT 0,
    changes_pruned_seq BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO users_rebuilt (id, email, name, password_hash, created_at, updated_at, change_seq, changes_pruned_seq)
    SELECT id, email, name, password_hash, created_at, updated_at, change_seq, changes_pruned_seq FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
