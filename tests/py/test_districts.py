"""Districts: the `district=` filter against shapely as an independent
point-in-polygon reference.

The server gets Kazan's demo districts from `hexwatch generate` (written as
districts.geojson beside the data) through POST /api/v1/districts, then
random appeals over the city box plus one appeal on every vertex of every
district (vertices shared by two or three districts are exactly on their
borders). The reference owner of a point, with shapely:

* every district whose interior contains it (`contains`), and
* of the districts whose boundary it lies on (`boundary.intersects`), the one
  with the lowest id: the documented border rule.

Counts per cell (the parent of the res-15 cell, as everywhere) must match.
"""

from __future__ import annotations

import json
import os
import random
import subprocess

import h3
import pytest
from shapely.geometry import Point as SPoint
from shapely.geometry import shape

import hexref
from conftest import Server
from test_cells import compare

BOX = (48.80, 55.69, 49.35, 55.91)
RANDOM_POINTS = 6_000


def _point(i: int, lat: float, lon: float, rng: random.Random) -> hexref.Point:
    ts = rng.randrange(hexref.T0, hexref.T1)
    c15 = h3.latlng_to_cell(lat, lon, 15)
    return hexref.Point(
        source="py", external_id=f"d{i}", sector=rng.choice(hexref.SECTORS),
        lat=lat, lon=lon, ts=ts, created_at=hexref.fmt_time(ts, 180),
        cells=[h3.cell_to_parent(c15, r) for r in range(16)],
    )


@pytest.fixture(scope="module")
def kazan(hexwatch_bin, tmp_path_factory):
    work = tmp_path_factory.mktemp("districts")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEXWATCH_")}
    subprocess.run([str(hexwatch_bin), "generate", "--appeals", "300", "--out",
                    str(work / "gen.csv")], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    collection = json.loads((work / "districts.geojson").read_text())
    srv = Server(hexwatch_bin, work / "server").start()
    try:
        r = srv.request("POST", "/api/v1/districts", body=json.dumps(collection).encode(),
                        content_type="application/geo+json")
        assert r.status == 201, r
        created = r.json()["created"]
        assert [c["name"] for c in created] == [f["properties"]["name"]
                                                for f in collection["features"]]
        polys = [(c["id"], shape(f["geometry"]))
                 for c, f in zip(created, collection["features"])]
        rng = random.Random(7)
        pts = []
        for i in range(RANDOM_POINTS):
            lat = hexref.r7(rng.uniform(BOX[1], BOX[3]))
            lon = hexref.r7(rng.uniform(BOX[0], BOX[2]))
            pts.append(_point(i, lat, lon, rng))
        vertices = sorted({(round(y, 7), round(x, 7)) for f in collection["features"]
                           for part in _parts(f["geometry"]) for ring in part
                           for x, y in ring})
        for k, (lat, lon) in enumerate(vertices):
            pts.append(_point(RANDOM_POINTS + k, lat, lon, rng))
        for i in range(0, len(pts), 5_000):
            r = srv.post_json("/api/v1/appeals", [p.record() for p in pts[i:i + 5_000]])
            assert r.status == 200 and r.json()["rejected"] == [], r
        yield srv, polys, pts, len(vertices)
    finally:
        srv.stop()


def _parts(g):
    return g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]


def owners(p: hexref.Point, polys) -> set[int]:
    # The server tests the stored fixed-point coordinates (1e-7 degree).
    q = SPoint(hexref.fixed(p.lon) / 1e7, hexref.fixed(p.lat) / 1e7)
    inside = {i for i, g in polys if g.contains(q)}
    on = [i for i, g in polys if g.boundary.intersects(q)]
    return inside | ({min(on)} if on else set())


def test_demo_districts_tile_the_box(kazan):
    _srv, polys, pts, n_vertices = kazan
    assert len(polys) == 7
    assert n_vertices > 20
    union = sum(g.area for _, g in polys)
    assert union == pytest.approx((BOX[2] - BOX[0]) * (BOX[3] - BOX[1]), rel=1e-9)
    # Every point of the box, vertices included, belongs to exactly one district.
    counts = [len(owners(p, polys)) for p in pts]
    assert set(counts) == {1}


@pytest.mark.parametrize("res", [7, 10])
def test_district_filter_matches_shapely(kazan, res):
    srv, polys, pts, _ = kazan
    total = 0
    for did, _g in polys:
        mine = [p for p in pts if did in owners(p, polys)]
        expected = hexref.tally_cells(mine, res)
        fc = srv.hexagons({"res": res, "district": did})
        compare(fc, expected, res, f"hexagons district={did}")
        total += len(mine)
    assert total == len(pts)


def test_district_with_bbox_and_sector(kazan):
    srv, polys, pts, _ = kazan
    bbox = (49.05, 55.75, 49.2, 55.85)
    params = {"res": 9, "district": polys[3][0], "bbox": ",".join(map(str, bbox)),
              "sector": "roads,housing"}
    pred = hexref.params_pred(params)
    mine = [p for p in pts if polys[3][0] in owners(p, polys) and pred(p)]
    assert mine
    compare(srv.hexagons(params), hexref.tally_cells(mine, 9), 9, f"hexagons {params}")


def test_aggregate_rows_add_up_per_district(kazan):
    srv, polys, pts, _ = kazan
    for did, _g in polys:
        rows = srv.get_json_ok("/api/v1/aggregate", {"res": 8, "period": "year", "district": did})
        want = sum(1 for p in pts if did in owners(p, polys))
        assert sum(r["count"] for r in rows) == want, did
