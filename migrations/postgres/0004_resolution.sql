-- Resolution performance, as migrations/sqlite/0004: who is responsible for
-- an appeal, its deadline and its first answer; recorded process changes.
-- Never edit once released: add a new migration.

-- Responsible units: a catalogue like sectors. Ids fit the index's 16-bit
-- column (0 means "none"), so they are assigned by the writer as MAX + 1
-- under the meta.seq lock, not by a sequence (ON CONFLICT DO NOTHING would
-- burn a sequence value for every code a batch re-names).
CREATE TABLE responsible (
    id      BIGINT PRIMARY KEY CHECK (id BETWEEN 1 AND 65535),
    code    TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL
);

ALTER TABLE appeals ADD COLUMN responsible_id    BIGINT REFERENCES responsible (id);
ALTER TABLE appeals ADD COLUMN due_at            BIGINT; -- Unix seconds
ALTER TABLE appeals ADD COLUMN first_response_at BIGINT; -- Unix seconds

-- A change of how appeals are handled, judged by the time to resolve before
-- and after `changed_at` within its scope.
CREATE TABLE process_changes (
    id             BIGSERIAL PRIMARY KEY,
    title          TEXT   NOT NULL,
    changed_at     BIGINT NOT NULL, -- Unix seconds
    -- The scope; every part is optional, all given parts must hold.
    sector_id      BIGINT REFERENCES sectors (id),
    responsible_id BIGINT REFERENCES responsible (id),
    district_id    BIGINT REFERENCES districts (id),
    created_at     BIGINT NOT NULL, -- Unix seconds
    seq            BIGINT NOT NULL  -- meta.seq of the write that stored it
);
