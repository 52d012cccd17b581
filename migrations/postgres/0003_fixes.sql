-- Fixes (interventions) and the H3 cells their areas cover, as
-- migrations/sqlite/0003. Never edit once released: add a new migration.

CREATE TABLE fixes (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT   NOT NULL,
    sector_id  BIGINT NOT NULL REFERENCES sectors (id),
    done_at    BIGINT NOT NULL, -- Unix seconds
    -- The area as the client defined it, as JSON text:
    -- {"kind":"circle","lat","lon","radius_m"} | {"kind":"polygon","geometry"} | {"kind":"cells","cells"}.
    area       TEXT   NOT NULL,
    -- The H3 resolution of fix_cells (analysis::fixes::AREA_RES when written).
    area_res   BIGINT NOT NULL,
    created_at BIGINT NOT NULL, -- Unix seconds
    seq        BIGINT NOT NULL  -- meta.seq of the write that stored it
);

-- The cells covering each fix's area, so the area is what was judged even if
-- the rule turning definitions into cells changes later.
CREATE TABLE fix_cells (
    fix_id BIGINT NOT NULL REFERENCES fixes (id) ON DELETE CASCADE,
    -- Raw H3 index as a signed 64-bit integer, as appeals.cell.
    cell   BIGINT NOT NULL,
    PRIMARY KEY (fix_id, cell)
);

-- "Which fixes touch this cell": the cell page and the district summary.
CREATE INDEX fix_cells_cell ON fix_cells (cell);
