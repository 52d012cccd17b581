"""7. Vector tiles read by GDAL's MVT driver (`ogrinfo`, Debian gdal-bin)
and the tiles' HTTP behaviour: ETag / 304, compression, errors.

GDAL is a second independent decoder: it must see the same layer, the same
features with the same `h3` and `count` as `mapbox-vector-tile`, valid
polygons, and coordinates (EPSG:3857) inside the tile plus its buffer.
`scripts/test.sh` installs gdal-bin when `ogrinfo` is missing; without it
these tests fail under CI and are skipped elsewhere.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest
from shapely import wkt

from test_tiles import BUFFER, EXTENT, decode, fetch, tile_of

HALF = 20037508.342789244   # half the Web Mercator square, metres


def ogrinfo_features(path, z, x, y) -> tuple[str, list[dict]]:
    out = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-oo", "CLIP=NO", "-oo", f"X={x}", "-oo", f"Y={y}", "-oo", f"Z={z}", str(path)],
        capture_output=True, text=True, timeout=120, check=True).stdout
    layers = re.findall(r"^Layer name: (\S+)", out, re.M)
    assert len(layers) == 1, out[:2000]
    feats, cur = [], None
    for line in out.splitlines():
        if line.startswith("OGRFeature("):
            cur = {}
            feats.append(cur)
        elif cur is not None:
            m = re.match(r"\s+(\w+) \((\w+)\) = (.*)$", line)
            if m:
                cur[m.group(1)] = m.group(3)
            elif re.match(r"\s+(MULTI)?(POLYGON|POINT)", line):
                cur["wkt"] = line.strip()
    return layers[0], feats


@pytest.fixture(scope="module")
def ogrinfo():
    if shutil.which("ogrinfo") is None:
        if os.environ.get("CI"):
            pytest.fail("ogrinfo (gdal-bin) is missing; scripts/test.sh installs it")
        pytest.skip("ogrinfo (gdal-bin) not installed")
    return "ogrinfo"


TILES = [
    ("hexagons", 0, 0, 0),
    ("hexagons", 2, 2, 1),
    ("hexagons", 12, *tile_of(55.7558, 37.6173, 12)),
    ("hexagons", 5, *tile_of(65.0, 179.99, 5)),
    ("hexagons", 5, *tile_of(65.0, -179.99, 5)),
    ("hexagons", 18, *tile_of(55.7558, 37.6173, 18)),
    ("appeals", 14, *tile_of(55.7558, 37.6173, 14)),
]


@pytest.mark.parametrize("layer,z,x,y", TILES, ids=[f"{t[0]}-{t[1]}/{t[2]}/{t[3]}" for t in TILES])
def test_gdal_reads_what_mapbox_vector_tile_reads(server, ogrinfo, tmp_path, layer, z, x, y):
    body = fetch(server, layer, z, x, y)
    path = tmp_path / f"{layer}-{z}-{x}-{y}.mvt"
    path.write_bytes(body)
    name, feats = ogrinfo_features(path, z, x, y)
    ours = decode(body, layer)
    assert name == layer
    assert len(feats) == len(ours), f"GDAL sees {len(feats)} features, mapbox-vector-tile {len(ours)}"
    size = 2 * HALF / 2 ** z
    pad = size * BUFFER / EXTENT + 1e-3
    west, north = -HALF + x * size, HALF - y * size
    for f in feats:
        g = wkt.loads(f["wkt"])
        assert g.is_valid, f"invalid geometry {f}"
        minx, miny, maxx, maxy = g.bounds
        assert west - pad <= minx and maxx <= west + size + pad, (g.bounds, west, size)
        assert north - size - pad <= miny and maxy <= north + pad, (g.bounds, north, size)
    if layer == "hexagons":
        gdal = sorted((f["h3"], int(f["count"])) for f in feats)
        mvt = sorted((f["properties"]["h3"], f["properties"]["count"]) for f in ours)
        assert gdal == mvt
        assert all(g.startswith(("POLYGON", "MULTIPOLYGON")) for g in (f["wkt"] for f in feats))
    else:
        assert all(f["wkt"].startswith("POINT") for f in feats)
        assert all(set(f) == {"sector", "status", "created_at", "wkt"} for f in feats), feats[:2]


def raw_get(server, path, headers):
    req = urllib.request.Request(server.base + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_etag_304_and_compression(server):
    x, y = tile_of(55.7558, 37.6173, 11)
    path = f"/tiles/hexagons/11/{x}/{y}.mvt"
    status, h, plain = raw_get(server, path, {})
    assert status == 200 and h["ETag"] and h["Cache-Control"]
    status, h2, body = raw_get(server, path, {"If-None-Match": h["ETag"]})
    assert status == 304 and body == b"" and h2["ETag"] == h["ETag"]
    status, h3_, body = raw_get(server, path + "?sector=roads", {"If-None-Match": h["ETag"]})
    assert status == 200 and h3_["ETag"] != h["ETag"]
    status, hz, body = raw_get(server, path, {"Accept-Encoding": "gzip"})
    assert status == 200 and hz["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain
    status, hb, _ = raw_get(server, path, {"Accept-Encoding": "br"})
    assert status == 200 and hb["Content-Encoding"] == "br"


@pytest.mark.parametrize("path,field", [
    ("/tiles/hexagons/25/0/0.mvt", "z"),
    ("/tiles/hexagons/3/8/0.mvt", "x"),
    ("/tiles/hexagons/3/0/8.mvt", "y"),
    ("/tiles/hexagons/x/0/0.mvt", "z"),
    ("/tiles/nope/3/0/0.mvt", "layer"),
    ("/tiles/hexagons/3/0/0.mvt?sector=bogus", "sector"),
    ("/tiles/hexagons/3/0/0.mvt?to=2025-02-30", "to"),
    ("/tiles/hexagons/3/0/0.mvt?res=12", "res"),
])
def test_bad_tile_requests(server, path, field):
    status, h, body = raw_get(server, path, {})
    assert status == 400, (path, status, body[:200])
    assert h["Content-Type"].startswith("application/json")
    err = json.loads(body)["error"]
    assert err["code"] and err["message"] and err["field"] == field, err
