-- hexwatch schema v1 (SQLite). Never edit once released: add a new migration.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The identity of this database, so an index snapshot is never applied to another one.
INSERT INTO meta (key, value) VALUES ('db_uuid', lower(hex(randomblob(16))));
-- The change sequence: bumped by every write, stamped on every changed appeal.
INSERT INTO meta (key, value) VALUES ('seq', '0');

CREATE TABLE sectors (
    id      INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
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
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    sector_id   INTEGER NOT NULL REFERENCES sectors (id),
    category    TEXT,
    lat         REAL    NOT NULL,
    lon         REAL    NOT NULL,
    -- The finest H3 cell (resolution 15) as a signed 64-bit integer, computed once at ingest.
    cell        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL, -- Unix seconds
    status      INTEGER NOT NULL, -- 0 new, 1 in_progress, 2 resolved, 3 rejected
    resolved_at INTEGER,          -- Unix seconds
    address     TEXT,
    text        TEXT,
    seq         INTEGER NOT NULL, -- meta.seq of the write that last changed this row
    UNIQUE (source, external_id)
);

CREATE INDEX appeals_seq ON appeals (seq);
