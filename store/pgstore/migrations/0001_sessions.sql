-- The sessions table. Placeholders in braces are replaced by quoted
-- identifiers before the migration runs; see migrate.go.
--
-- key is the SHA-256 of the session token, never the token itself.
-- user_id is bytea, not text: user IDs are opaque bytes to the store, and
-- text cannot hold every Go string (a NUL byte, invalid UTF-8). The empty
-- user_id marks an anonymous session, which the user index leaves out.
CREATE TABLE {table} (
	key        bytea       PRIMARY KEY CHECK (length(key) = 32),
	user_id    bytea       NOT NULL,
	version    bigint      NOT NULL CHECK (version >= 1),
	expires_at timestamptz NOT NULL,
	data       bytea       NOT NULL
);

-- ListUser and DeleteUser. Queries repeat the predicate user_id <> '' so
-- the planner can use this index with a generic plan too.
CREATE INDEX {user_id_idx} ON {table} (user_id) WHERE user_id <> '';

-- The collector walks expired rows oldest first.
CREATE INDEX {expires_at_idx} ON {table} (expires_at);
