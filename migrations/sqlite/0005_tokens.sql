-- API tokens: only the SHA-256 of each token is kept, so a copy of the
-- database does not hand out access. Never edit once released: add a new
-- migration.

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    -- Lower-case hex SHA-256 of the token text the client sends.
    hash       TEXT    NOT NULL UNIQUE,
    name       TEXT,
    -- viewer, analyst, operator or admin.
    role       TEXT    NOT NULL CHECK (role IN ('viewer', 'analyst', 'operator', 'admin')),
    -- Comma list of district ids the token is limited to; NULL: every district.
    districts  TEXT,
    created_at INTEGER NOT NULL, -- Unix seconds
    revoked_at INTEGER           -- Unix seconds; NULL while valid
);
