-- hexwatch schema v1 (PostgreSQL), the same tables as migrations/sqlite/0001.
-- Never edit once released: add a new migration.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The identity of this database, so an index snapshot is never applied to another one.
INSERT INTO meta (key, value) VALUES ('db_uuid', replace(gen_random_uuid()::text, '-', ''));
-- The change sequence: bumped by every write, stamped on every changed appeal.
-- Writers lock this row (SELECT … FOR UPDATE) for their whole transaction, so
-- sequence numbers follow commit order across server instances, without gaps.
INSERT INTO meta (key, value) VALUES ('seq', '0');

CREATE TABLE sectors (
    id      BIGINT PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
    code    TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    color   TEXT NOT NULL
);

INSERT INTO sectors (id, code, name_ru, name_en, color) VALUES
    (1,  'housing',      'ЖКХ',                          'Housing and utilities',     '#e6550d'),
    (2,  'roads',        'Дорожное хозяйство',           'Roads',                     '#636363'),
    (3,  'transport',    'Общественный транспорт',       'Public transport',          '#3182bd'),
    (4,  'improvement',  'Благоустройство',              'Yards and parks',           '#31a354'),
    (5,  'social',       'Социальная защита',            'Social protection',         '#756bb1'),
    (6,  'health',       'Здравоохранение',              'Health care',               '#de2d26'),
    (7,  'education',    'Образование',                  'Education',                 '#fdae6b'),
    (8,  'labour',       'Труд и занятость',             'Labour and employment',     '#9e9ac8'),
    (9,  'ecology',      'Экология',                     'Ecology and waste',         '#74c476'),
    (10, 'construction', 'Строительство',                'Construction',              '#8c6d31'),
    (11, 'energy',       'Энергетика и промышленность',  'Energy and industry',       '#fd8d3c');

CREATE TABLE appeals (
    -- Assigned by the writer under the meta.seq lock, as in SQLite.
    id          BIGINT PRIMARY KEY,
    -- Byte order ("C"), as SQLite's BINARY: the keys are identifiers, and the
    -- unique index on them is then compared with memcmp, not the locale.
    source      TEXT COLLATE "C" NOT NULL,
    external_id TEXT COLLATE "C" NOT NULL,
    sector_id   BIGINT           NOT NULL REFERENCES sectors (id),
    category    TEXT,
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    -- The finest H3 cell (resolution 15) as a signed 64-bit integer, computed once at ingest.
    cell        BIGINT           NOT NULL,
    created_at  BIGINT           NOT NULL, -- Unix seconds
    status      BIGINT           NOT NULL, -- 0 new, 1 in_progress, 2 resolved, 3 rejected
    resolved_at BIGINT,                    -- Unix seconds
    address     TEXT,
    text        TEXT,
    seq         BIGINT           NOT NULL, -- meta.seq of the write that last changed this row
    UNIQUE (source, external_id)
);

CREATE INDEX appeals_seq ON appeals (seq);
