-- Users an identity provider's token creates (007-better-auth-backend
-- FR-005): no password, and an email only when the token carries one no
-- other account has. Keep in step with migrations/sqlite and
-- specs/database/schema.md.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
