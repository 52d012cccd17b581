-- Districts (city districts, municipalities): named polygons or multipolygons.
-- The geometry is kept as the GeoJSON text of a Polygon or MultiPolygon, as
-- validated on the way in; the server rebuilds its masks from it at start.

CREATE TABLE districts (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    code       TEXT,
    geometry   TEXT    NOT NULL, -- GeoJSON geometry (Polygon or MultiPolygon), WGS84
    created_at INTEGER NOT NULL  -- Unix seconds
);
