-- Resolution performance: who is responsible for an appeal, its deadline and
-- its first answer; recorded process changes. Never edit once released: add a
-- new migration.

-- Responsible units (district administrations, utility companies, ...): a
-- catalogue like sectors. Ids fit the index's 16-bit column; 0 means "none".
CREATE TABLE responsible (
    id      INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 65535),
    code    TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL
);

ALTER TABLE appeals ADD COLUMN responsible_id    INTEGER REFERENCES responsible (id);
ALTER TABLE appeals ADD COLUMN due_at            INTEGER; -- Unix seconds
ALTER TABLE appeals ADD COLUMN first_response_at INTEGER; -- Unix seconds

-- A change of how appeals are handled (a "lean" redesign), judged by the time
-- to resolve before and after `changed_at` within its scope.
CREATE TABLE process_changes (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    changed_at     INTEGER NOT NULL, -- Unix seconds
    -- The scope; every part is optional, all given parts must hold.
    sector_id      INTEGER REFERENCES sectors (id),
    responsible_id INTEGER REFERENCES responsible (id),
    district_id    INTEGER REFERENCES districts (id),
    created_at     INTEGER NOT NULL, -- Unix seconds
    seq            INTEGER NOT NULL  -- meta.seq of the write that stored it
);
