"""6. Vector tiles, decoded by the independent `mapbox-vector-tile` package.

Every hexagon feature's count (and per-sector counts and dominant sector)
equals the h3 reference tally of parent(latlng_to_cell(lat, lon, 15), res);
whole-world tiles at z 0, 1 and 2 hold every visible cell; geometry stays
within extent + buffer, exterior rings are clockwise with y down (MVT 2.1),
no ring is degenerate; adjacent tiles together cover each cell exactly once
(also across the antimeridian); appeal points are where they belong.
"""

from __future__ import annotations

import math
import urllib.parse
from collections import Counter

import h3
import mapbox_vector_tile
import pytest
from shapely.geometry import Polygon, box

import hexref

EXTENT, BUFFER = 4096, 64
MAX_LAT = 85.05112877980659
# The zoom → resolution table the server documents (src/tiles/zoom.rs).
ZOOM_RES = [1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15, 15, 15, 15, 15, 15]
SECTOR_ID = {s: i + 1 for i, s in enumerate(hexref.SECTORS)}


# -- tile math (independent of the server) ---------------------------------

def world(lat: float, lon: float) -> tuple[float, float]:
    s = math.sin(math.radians(max(-MAX_LAT, min(MAX_LAT, lat))))
    return (lon + 180.0) / 360.0, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    wx, wy = world(lat, lon)
    return min(n - 1, int(wx * n)), min(n - 1, max(0, int(wy * n)))


def cell_ring_world(h: str) -> list[tuple[float, float]]:
    """The cell's ring in world units with unwrapped longitudes."""
    out, prev = [], None
    for lat, lon in h3.cell_to_boundary(h):
        if prev is not None:
            lon += 360.0 * round((prev - lon) / 360.0)
        prev = lon
        out.append(world(lat, lon))
    return out


# -- fetching and decoding ---------------------------------------------------

_TILES: dict = {}


def fetch(server, layer: str, z: int, x: int, y: int, params=None) -> bytes:
    key = (layer, z, x, y, tuple(sorted((params or {}).items())))
    if key not in _TILES:
        r = server.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt", params)
        assert r.status == 200, f"{key}: {r}"
        assert r.content_type == "application/vnd.mapbox-vector-tile", r.content_type
        _TILES[key] = r.body
    return _TILES[key]


def decode(body: bytes, layer: str) -> list[dict]:
    d = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True, "geojson": False})
    assert list(d) == [layer], f"layers {list(d)}"
    assert d[layer]["extent"] == EXTENT and d[layer]["version"] == 2
    return d[layer]["features"]


def shoelace(ring) -> float:
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


def polygons(f) -> list[list]:
    g = f["geometry"]
    return [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]


def check_geometry(feats, what: str):
    problems = []
    for f in feats:
        assert f["type"] == 3, f"{what}: feature type {f['type']}"
        for poly in polygons(f):
            if len(poly) != 1:
                problems.append(f"{f['properties'].get('h3')}: {len(poly)} rings (a hole?)")
            for ring in poly:
                if len(ring) < 4 or len({tuple(p) for p in ring}) < 3:
                    problems.append(f"{f['properties'].get('h3')}: degenerate ring {ring}")
                if shoelace(ring) <= 0:
                    problems.append(f"{f['properties'].get('h3')}: exterior ring not clockwise (y down): {ring}")
                for x, y in ring:
                    if not (-BUFFER <= x <= EXTENT + BUFFER and -BUFFER <= y <= EXTENT + BUFFER):
                        problems.append(f"{f['properties'].get('h3')}: ({x}, {y}) beyond extent + buffer")
    assert not problems, f"{what}: " + "; ".join(problems[:5])


def hex_tile(server, z, x, y, params=None) -> dict[str, dict]:
    feats = decode(fetch(server, "hexagons", z, x, y, params), "hexagons")
    check_geometry(feats, f"hexagons {z}/{x}/{y} {params or ''}")
    out = {}
    for f in feats:
        h = f["properties"]["h3"]
        assert h not in out, f"{h} twice in {z}/{x}/{y}"
        assert f["id"] == int(h, 16)
        out[h] = f
    return out


def check_counts(got: dict[str, dict], expected: dict[str, Counter], what: str):
    bad = []
    for h, f in got.items():
        p, exp = f["properties"], expected.get(h)
        if exp is None:
            bad.append(f"{h}: count {p['count']} but no appeal in the reference")
            continue
        by = {k[len("count_"):]: v for k, v in p.items() if k.startswith("count_")}
        if p["count"] != sum(exp.values()) or by != dict(exp):
            bad.append(f"{h}: got {p['count']} {by}, expected {sum(exp.values())} {dict(exp)}")
            continue
        top = max(exp.values())
        if p.get("sector") not in {s for s, n in exp.items() if n == top}:
            bad.append(f"{h}: dominant {p.get('sector')!r} of {dict(exp)}")
    assert not bad, f"{what}: {len(bad)} wrong cells: " + "; ".join(bad[:5])


# -- tests -------------------------------------------------------------------

@pytest.mark.parametrize("z", [0, 1, 2])
def test_whole_world_tiles_hold_every_visible_cell(server, dataset, z):
    res = ZOOM_RES[z]
    expected = hexref.tally_cells(dataset, res)
    seen: dict[str, int] = {}
    for x in range(2 ** z):
        for y in range(2 ** z):
            got = hex_tile(server, z, x, y)
            check_counts(got, expected, f"z {z} tile {x}/{y}")
            for h, f in got.items():
                # A cell in several tiles carries its full count in each.
                assert seen.setdefault(h, f["properties"]["count"]) == f["properties"]["count"], h
    # Cells with a vertex comfortably inside Web Mercator's square must show.
    must = {h for h in expected if any(abs(lat) < MAX_LAT - 0.5 for lat, _ in h3.cell_to_boundary(h))}
    missing = sorted(must - set(seen))
    assert not missing, f"z {z}: {len(missing)} cells missing, e.g. {missing[:5]}"
    beyond = {h for h in seen if all(abs(lat) > MAX_LAT for lat, _ in h3.cell_to_boundary(h))}
    assert not beyond, f"cells wholly beyond ±{MAX_LAT}° drawn: {sorted(beyond)[:5]}"
    hexref.REPORT.append(f"tiles z {z} (res {res}): {len(seen)} cells in {4 ** z} tiles, "
                         f"{len(expected) - len(seen)} polar cells beyond Web Mercator")


BLOCKS = [
    # (name, lat, lon, zooms, params)
    ("moscow", 55.7558, 37.6173, [8, 12, 14], None),
    ("moscow-roads-2025", 55.7558, 37.6173, [10], {"sector": "roads,health", "from": "2025-01-01", "to": "2025-07-01"}),
    ("moscow-res-override", 55.7558, 37.6173, [9], {"res": "10"}),
    ("chukotka-east", 65.0, 179.99, [5, 7, 9], None),
    ("chukotka-west", 65.0, -179.99, [5, 7, 9], None),
    ("equator-greenwich", 0.0, 0.0, [6, 10], None),
]


@pytest.mark.parametrize("name,lat,lon,zooms,params", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_tile_blocks_match_the_reference(server, dataset, name, lat, lon, zooms, params):
    for z in zooms:
        res = int(params["res"]) if params and "res" in params else ZOOM_RES[z]
        pred = hexref.params_pred({k: v for k, v in (params or {}).items() if k != "res"})
        expected = hexref.tally_cells(dataset, res, pred)
        cx, cy = tile_of(lat, lon, z)
        n = 2 ** z
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                if 0 <= cy + dy < n:
                    got = hex_tile(server, z, (cx + dx) % n, cy + dy, params)
                    check_counts(got, expected, f"{name} z {z} {(cx + dx) % n}/{cy + dy}")
        centre = hex_tile(server, z, cx, cy, params)
        # The cell of the block's own point is in the centre tile when it has appeals.
        own = h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 15), res)
        if own in expected:
            assert own in centre, f"{name} z {z}: {own} missing from its tile"


def test_street_level_z18(server, dataset):
    """z 18 (res 14) at the repeated addresses: many appeals in one cell."""
    spots = Counter((p.lat, p.lon) for p in dataset if p.kind == "repeat")
    (lat, lon), n = spots.most_common(1)[0]
    x, y = tile_of(lat, lon, 18)
    got = hex_tile(server, 18, x, y)
    expected = hexref.tally_cells(dataset, 14)
    check_counts(got, expected, "z 18")
    own = h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 15), 14)
    assert got[own]["properties"]["count"] >= n


@pytest.mark.parametrize("z,lat,lon", [(12, 55.7558, 37.6173), (9, 65.0, 179.99), (3, 65.0, 179.99), (2, 60.0, 100.0)])
def test_adjacent_tiles_cover_each_cell_once(server, z, lat, lon):
    """For cells of the centre tile that lie inside a 3×3 block, the parts
    the nine tiles draw inside their own squares add up to the whole cell
    (no gap, no overlap); across ±180 the block wraps around."""
    n = 2 ** z
    cx, cy = tile_of(lat, lon, z)
    pieces: dict[str, float] = Counter()
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if not 0 <= cy + dy < n:
                continue
            x = (cx + dx) % n
            square = box(0, 0, EXTENT, EXTENT)
            for h, f in hex_tile(server, z, x, cy + dy).items():
                for poly in polygons(f):
                    pieces[h] += Polygon(poly[0]).intersection(square).area
    checked = 0
    for h in hex_tile(server, z, cx, cy):
        ring = cell_ring_world(h)
        # The cell in block units, copied by a world if that puts it nearer the centre.
        ref = Polygon([((wx * n - cx) * EXTENT, (wy * n - cy) * EXTENT) for wx, wy in ring])
        for shift in (-n * EXTENT, n * EXTENT):
            moved = Polygon([(px + shift, py) for px, py in ref.exterior.coords])
            if abs(moved.centroid.x - EXTENT / 2) < abs(ref.centroid.x - EXTENT / 2):
                ref = moved
        minx, miny, maxx, maxy = ref.bounds
        if minx < -EXTENT or maxx > 2 * EXTENT or miny < -EXTENT or maxy > 2 * EXTENT:
            continue    # not wholly inside the block
        if any(abs(la) > MAX_LAT for la, _ in h3.cell_to_boundary(h)):
            continue
        tol = max(2.0, ref.length * 1.0)   # rounding to whole units along the edges
        assert abs(pieces[h] - ref.area) <= tol, f"{h}: parts {pieces[h]:.1f} vs cell {ref.area:.1f}"
        checked += 1
    assert checked > 0


def test_antimeridian_cells_on_both_sides(server, dataset):
    for z in (4, 6, 8):
        res = ZOOM_RES[z]
        expected = hexref.tally_cells(dataset, res)
        (ex, ey), (wx, wy) = tile_of(65.0, 179.99, z), tile_of(65.0, -179.99, z)
        assert (ex, wx) == (2 ** z - 1, 0)
        east, west = hex_tile(server, z, ex, ey), hex_tile(server, z, wx, wy)
        for side, lon in ((east, 179.99), (west, -179.99)):
            c = h3.cell_to_parent(h3.latlng_to_cell(65.0, lon, 15), res)
            assert side[c]["properties"]["count"] == sum(expected[c].values()), (z, c)
        straddling = [h for h in expected if max(l for _, l in h3.cell_to_boundary(h)) - min(l for _, l in h3.cell_to_boundary(h)) > 180
                      and any(60 < la < 70 for la, _ in h3.cell_to_boundary(h))]
        for h in straddling:
            if h in east or h in west:
                assert h in east and h in west, f"z {z}: {h} straddles 180° but is drawn on one side only"
                assert east[h]["properties"]["count"] == west[h]["properties"]["count"]


def test_appeal_points(server, dataset):
    for lat, lon, z in [(55.7558, 37.6173, 13), (55.7558, 37.6173, 16), (65.0, 179.99, 14), (65.0, -179.99, 14)]:
        x, y = tile_of(lat, lon, z)
        feats = decode(fetch(server, "appeals", z, x, y), "appeals")
        n = 2 ** z
        inside = margin = 0
        for p in dataset:
            wx, wy = world(p.lat, p.lon)
            best = None
            for shift in (0, -1, 1):
                tx, ty = ((wx + shift) * n - x) * EXTENT, (wy * n - y) * EXTENT
                if -BUFFER - 1 <= tx <= EXTENT + BUFFER + 1 and -BUFFER - 1 <= ty <= EXTENT + BUFFER + 1:
                    best = (tx, ty)
            if best is None:
                continue
            tx, ty = best
            if -BUFFER + 1 <= tx <= EXTENT + BUFFER - 1 and -BUFFER + 1 <= ty <= EXTENT + BUFFER - 1:
                inside += 1
            else:
                margin += 1
        assert inside <= len(feats) <= inside + margin, (lat, lon, z, len(feats), inside, margin)
        for f in feats:
            assert f["type"] == 1
            assert set(f["properties"]) == {"sector", "status", "created_at"}, f["properties"]
            assert f["properties"]["sector"] in SECTOR_ID and f["properties"]["status"] in hexref.STATUSES
            px, py = f["geometry"]["coordinates"]
            assert -BUFFER <= px <= EXTENT + BUFFER and -BUFFER <= py <= EXTENT + BUFFER
    low = decode(fetch(server, "appeals", 12, *tile_of(55.7558, 37.6173, 12)), "appeals")
    assert low == []


def test_tilejson_carries_filters(server):
    r = server.get("/tiles/hexagons.json", {"sector": "roads", "from": "2025-01-01"})
    assert r.status == 200, r
    tj = r.json()
    assert tj["tilejson"] == "3.0.0"
    url = urllib.parse.urlsplit(tj["tiles"][0])
    assert url.path == "/tiles/hexagons/{z}/{x}/{y}.mvt"
    assert urllib.parse.parse_qs(url.query) == {"sector": ["roads"], "from": ["2025-01-01"]}
    assert tj["minzoom"] == 0 and tj["maxzoom"] >= 18
    assert len(tj["bounds"]) == 4
    fields = tj["vector_layers"][0]["fields"]
    assert {"h3", "count", "sector"} <= set(fields)
    assert {f"count_{s}" for s in hexref.SECTORS} <= set(fields)
    cat = server.get("/tiles").json()
    assert [s["id"] for s in cat["sources"]] == ["hexagons", "appeals", "fixes", "hotspots", "change"]
