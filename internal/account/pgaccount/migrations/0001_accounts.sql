-- Accounts and login throttling. Run by migrate.go with search_path set to
-- the store's schema, so names here are unqualified.

-- Names compare and sort byte-wise (COLLATE "C"), as the Store contract
-- requires: a locale-aware collation would fold or reorder them.
CREATE TABLE sessiond_users (
    name                text COLLATE "C" PRIMARY KEY CHECK (name <> ''),
    password_hash       text NOT NULL,
    disabled            boolean NOT NULL,
    created_at          timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL
);

-- One row per throttling key ("user:alice", "ip:192.0.2.1").
CREATE TABLE sessiond_login_failures (
    key   text COLLATE "C" PRIMARY KEY,
    count integer NOT NULL CHECK (count > 0),
    last  timestamptz NOT NULL
);

-- The sweeper finds forgotten rows by their latest failure.
CREATE INDEX sessiond_login_failures_last ON sessiond_login_failures (last);
