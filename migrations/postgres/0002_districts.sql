-- Districts (city districts, municipalities): named polygons or multipolygons,
-- as migrations/sqlite/0002. The geometry is kept as the GeoJSON text of a
-- Polygon or MultiPolygon, as validated on the way in; every server instance
-- rebuilds its masks from it.

CREATE TABLE districts (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT   NOT NULL,
    code       TEXT,
    geometry   TEXT   NOT NULL, -- GeoJSON geometry (Polygon or MultiPolygon), WGS84
    created_at BIGINT NOT NULL  -- Unix seconds
);
