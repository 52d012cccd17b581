"""4. GeoJSON geometry of /api/v1/hexagons: every polygon's vertices (after
un-splitting at ±180) match h3.cell_to_boundary within 1e-6 degrees; cells
crossing the antimeridian are MultiPolygons with all longitudes in
[-180, 180]; each cell's centre lies inside its geometry."""

from __future__ import annotations

import h3
import pytest

import hexref
from test_cells import RESOLUTIONS

TOL = 1e-6


def lon_close(a: float, b: float) -> bool:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d) <= TOL


def vclose(p, q) -> bool:
    """(lon, lat) vertices equal within TOL; at a pole longitude is moot."""
    if abs(p[1] - q[1]) > TOL:
        return False
    return abs(abs(p[1]) - 90.0) <= TOL or lon_close(p[0], q[0])


def cyclic_match(ring, bnd) -> bool:
    """ring (without its closing position) is bnd up to rotation and direction."""
    n = len(bnd)
    if len(ring) != n:
        return False
    for seq in (bnd, bnd[::-1]):
        for k in range(n):
            if all(vclose(ring[i], seq[(i + k) % n]) for i in range(n)):
                return True
    return False


def inside(polys, lon, lat) -> bool:
    """Even-odd ray casting over every ring of every part (planar lon/lat)."""
    c = False
    for poly in polys:
        for ring in poly:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > lat) != (y2 > lat):
                    x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
                    if x > lon:
                        c = not c
    return c


def check_cell(h: str, geom: dict, res: int) -> list[str]:
    errs = []
    bnd = [(lng, lat) for lat, lng in h3.cell_to_boundary(h)]
    polar = h in (h3.latlng_to_cell(90.0, 0.0, res), h3.latlng_to_cell(-90.0, 0.0, res))
    lons = [x for x, _ in bnd]
    crosses = polar or max(lons) - min(lons) > 180.0
    t = geom.get("type")
    if t == "Polygon":
        polys = [geom["coordinates"]]
    elif t == "MultiPolygon":
        polys = geom["coordinates"]
    else:
        return [f"{h}: geometry type {t!r}"]
    for poly in polys:
        if not poly:
            errs.append(f"{h}: empty polygon")
        for ring in poly:
            if len(ring) < 4 or ring[0] != ring[-1]:
                errs.append(f"{h}: ring not closed or too short: {ring}")
            for x, y in ring:
                if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
                    errs.append(f"{h}: position ({x}, {y}) out of range")
    if errs:
        return errs
    verts = [tuple(p) for poly in polys for ring in poly for p in ring[:-1]]
    if not crosses:
        if t != "Polygon" or len(polys[0]) != 1:
            return [f"{h}: a cell away from ±180 should be one Polygon with one ring, got {t} "
                    f"with {sum(len(p) for p in polys)} rings"]
        if not cyclic_match(verts, bnd):
            return [f"{h}: vertices {verts} != cell_to_boundary {bnd}"]
    else:
        if not polar and t != "MultiPolygon":
            errs.append(f"{h}: crosses the antimeridian (boundary lons {lons}) but is a {t}")
        if not polar:
            for poly in polys:
                xs = [x for ring in poly for x, _ in ring]
                if not (min(xs) >= 0.0 or max(xs) <= 0.0):
                    errs.append(f"{h}: a part spans both sides of ±180: {poly}")
        # Un-split: vertices on ±180 (and at the pole for polar cells) are
        # cut points; the rest must be exactly the cell's vertices.
        def cut(v):
            return abs(abs(v[0]) - 180.0) <= TOL or (polar and abs(abs(v[1]) - 90.0) <= TOL)
        real = [v for v in verts if not cut(v)]
        for v in real:
            if not any(vclose(v, b) for b in bnd):
                errs.append(f"{h}: vertex {v} is not a vertex of the cell {bnd}")
        for b in bnd:
            if not any(vclose(v, b) for v in verts):
                errs.append(f"{h}: cell vertex {b} missing from {polys}")
        lats = [y for _, y in bnd]
        for v in verts:
            if cut(v) and not polar and not (min(lats) - TOL <= v[1] <= max(lats) + TOL):
                errs.append(f"{h}: cut point {v} outside the cell's latitude range")
    # The centre (and, for a polar cell, a point by the pole) is inside.
    lat, lng = h3.cell_to_latlng(h)
    probes = [(lng, lat)]
    if polar:
        # Points 1 cm from the pole that h3 puts in this cell (at res 15 the
        # south pole is a cell vertex, so there may be fewer).
        near = 90.0 - 1e-7 if lat > 0 else -90.0 + 1e-7
        probes += [(x, near) for x in (17.3, -100.0, 140.0) if h3.latlng_to_cell(near, x, res) == h]
    for x, y in probes:
        if not inside(polys, x, y):
            errs.append(f"{h}: point ({x}, {y}) of the cell is not inside its {t} {polys}")
    return errs


def _clip(ring, keep):
    """Sutherland-Hodgman clip of a closed ring by the half-plane keep(x)>=0
    (keep linear in x), cutting at x where keep(x) == 0."""
    out = []
    pts = ring[:-1]
    for i, p in enumerate(pts):
        q = pts[(i + 1) % len(pts)]
        kp, kq = keep(p[0]), keep(q[0])
        if kp >= 0:
            out.append(p)
        if (kp >= 0) != (kq >= 0):
            t = kp / (kp - kq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out + out[:1]


def reference_geometry(h: str) -> dict:
    """A correct RFC 7946 geometry for a cell, built independently here: the
    cell's ring; split at ±180 into a MultiPolygon when it straddles it; a
    ring closed along the pole (one Polygon) for a cell holding a pole."""
    res = h3.get_resolution(h)
    bnd = [(lng, lat) for lat, lng in h3.cell_to_boundary(h)]
    for sign in (1, -1):
        if h == h3.latlng_to_cell(sign * 90.0, 0.0, res):
            v = sorted(bnd)
            (x1, y1), (xn, yn) = v[0], v[-1]
            yc = yn + (180.0 - xn) * (y1 - yn) / (x1 + 360.0 - xn)
            ring = [(-180.0, yc), *v, (180.0, yc), (180.0, sign * 90.0), (-180.0, sign * 90.0), (-180.0, yc)]
            return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
    lons = [x for x, _ in bnd]
    if max(lons) - min(lons) <= 180.0:
        return {"type": "Polygon", "coordinates": [[list(p) for p in bnd + bnd[:1]]]}
    un = [(x + 360.0 if x < 0 else x, y) for x, y in bnd]
    un.append(un[0])
    east = _clip(un, lambda x: 180.0 - x)
    west = [(x - 360.0, y) for x, y in _clip(un, lambda x: x - 180.0)]
    return {"type": "MultiPolygon",
            "coordinates": [[[list(p) for p in east]], [[list(p) for p in west]]]}


def test_checker_accepts_correct_and_rejects_wrong_geometry():
    """Self-test of check_cell, so its verdicts on the server can be trusted."""
    cells = []
    for res in RESOLUTIONS:
        for lat, lon in [(55.75, 37.62), (0.0, 0.0), (65.0, 179.99), (65.0, -179.99),
                         (-40.0, 180.0), (90.0, 0.0), (-90.0, 0.0), (89.5, 100.0)]:
            cells.append((h3.latlng_to_cell(lat, lon, res), res))
    n_multi = n_polar = 0
    for h, res in cells:
        g = reference_geometry(h)
        assert check_cell(h, g, res) == [], (h, g)
        n_multi += g["type"] == "MultiPolygon"
        polar = h in (h3.latlng_to_cell(90.0, 0.0, res), h3.latlng_to_cell(-90.0, 0.0, res))
        n_polar += polar
        if g["type"] == "MultiPolygon" or polar:
            # The naive unsplit ring is rejected.
            bnd = [[lng, lat] for lat, lng in h3.cell_to_boundary(h)]
            assert check_cell(h, {"type": "Polygon", "coordinates": [bnd + bnd[:1]]}, res)
    assert n_multi >= len(RESOLUTIONS) and n_polar >= 2 * len(RESOLUTIONS)


def is_polar(h: str, res: int) -> bool:
    return h in (h3.latlng_to_cell(90.0, 0.0, res), h3.latlng_to_cell(-90.0, 0.0, res))


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_cell_geometry(server, res):
    """Every cell but the two that hold a pole (see the next test)."""
    fc = server.hexagons({"res": res})
    errs, n_multi = [], 0
    for f in fc["features"]:
        h = f["properties"]["h3"]
        assert f.get("id", h) == h
        if is_polar(h, res):
            continue
        errs.extend(check_cell(h, f["geometry"], res))
        n_multi += f["geometry"]["type"] == "MultiPolygon"
    hexref.REPORT.append(f"geometry res {res:2d}: {len(fc['features'])} cells, "
                         f"{n_multi} MultiPolygons (split at ±180) checked")
    assert not errs, f"res {res}: {len(errs)} geometry problems, e.g.\n" + "\n".join(errs[:8])
    # The data set straddles ±180 at every resolution.
    assert n_multi > 0, f"res {res}: no MultiPolygon although the data straddles ±180"


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_polar_cell_geometry(server, res):
    """The cells holding the north and south poles (the data has appeals at
    the poles): all of the cell's vertices, longitudes in [-180, 180], and the
    cell's centre and points beside the pole inside the geometry (a cap
    closed along lat ±90, as a Polygon or split)."""
    got = {f["properties"]["h3"]: f["geometry"] for f in server.hexagons({"res": res})["features"]}
    errs = []
    for lat in (90.0, -90.0):
        h = h3.latlng_to_cell(lat, 0.0, res)
        assert h in got, f"res {res}: the cell {h} of the appeals at lat {lat} is missing"
        errs.extend(check_cell(h, got[h], res))
    assert not errs, f"res {res}: {len(errs)} geometry problems, e.g.\n" + "\n".join(errs[:8])


def test_antimeridian_cells_are_split(server):
    """The cells of the points at ±179.99 / ±180 at res 0..5 come back as
    MultiPolygons (whenever the cell straddles ±180)."""
    errs = []
    for res in range(0, 6):
        fc = server.hexagons({"res": res, "bbox": "179,60,-179,70"})
        by = {f["properties"]["h3"]: f["geometry"] for f in fc["features"]}
        for lat, lon in [(65.0, 179.99), (65.0, -179.99), (65.0, 180.0)]:
            h = h3.latlng_to_cell(lat, lon, res)
            lons = [x for _, x in h3.cell_to_boundary(h)]
            if h not in by:
                continue   # a parent-vs-direct difference; test_cells covers membership
            if max(lons) - min(lons) > 180 and by[h]["type"] != "MultiPolygon":
                errs.append(f"res {res} cell {h}: {by[h]['type']}")
            errs.extend(check_cell(h, by[h], res))
    assert not errs, "\n".join(errs[:8])
