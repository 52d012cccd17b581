-- API tokens: only the SHA-256 of each token is kept, so a copy of the
-- database does not hand out access. The same table as SQLite's 0005 (0004
-- is kept for issue 8 in both folders). Never edit once released: add a new
-- migration.

CREATE TABLE tokens (
    id         BIGSERIAL PRIMARY KEY,
    -- Lower-case hex SHA-256 of the token text the client sends.
    hash       TEXT   NOT NULL UNIQUE,
    name       TEXT,
    -- viewer, analyst, operator or admin.
    role       TEXT   NOT NULL CHECK (role IN ('viewer', 'analyst', 'operator', 'admin')),
    -- Comma list of district ids the token is limited to; NULL: every district.
    districts  TEXT,
    created_at BIGINT NOT NULL, -- Unix seconds
    revoked_at BIGINT           -- Unix seconds; NULL while valid
);
