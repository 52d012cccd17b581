"""2. Filters: bbox (edges inclusive; minLon > maxLon crosses ±180), sector
lists, from (inclusive) / to (exclusive) as Moscow dates or RFC 3339 times.

Each query's hexagons are compared with the Python tally under the same
rules; hand-placed probes are also checked against hand-written counts.
"""

from __future__ import annotations

import h3
import pytest

import hexref
from test_cells import compare, features_by_cell

ALL = ",".join(hexref.SECTORS)

QUERIES = {
    # bbox
    "bbox-moscow": {"bbox": "37.5,55.7,37.75,55.8"},
    "bbox-antimeridian": {"bbox": "179,60,-179,70"},
    "bbox-antimeridian-all-lats": {"bbox": "170,-90,-170,90"},
    "bbox-antimeridian-narrow": {"bbox": "179.95,-85,-179.95,85"},
    "bbox-east-of-180": {"bbox": "-180,-90,-179.9,90"},
    "bbox-west-of-180": {"bbox": "179.9,-90,180,90"},
    "bbox-north-cap": {"bbox": "-180,89,180,90"},
    "bbox-south-cap": {"bbox": "-180,-90,180,-89"},
    "bbox-north-pole-quarter": {"bbox": "0,89.5,90,90"},
    "bbox-origin": {"bbox": "-0.005,-0.005,0.005,0.005"},
    "bbox-equator-band": {"bbox": "-180,-0.001,180,0.001"},
    "bbox-greenwich-band": {"bbox": "-0.001,-90,0.001,90"},
    "bbox-world": {"bbox": "-180,-90,180,90"},
    "bbox-edges": {"bbox": "30.1234567,50,30.2,50.1"},
    "bbox-point": {"bbox": "30.15,50.05,30.15,50.05"},
    # sectors
    "sector-one": {"sector": "roads"},
    "sector-three": {"sector": "roads,health,ecology"},
    "sector-all": {"sector": ALL},
    "sector-repeated": {"sector": "energy,energy"},
    # time
    "from-date": {"from": "2025-06-01"},
    "to-date": {"to": "2024-03-01"},
    "from-to-dates": {"from": "2024-06-01", "to": "2024-07-01"},
    "from-to-rfc3339": {"from": "2025-01-15T12:00:00+05:00", "to": "2025-02-01T00:00:00Z"},
    "from-fractional": {"from": "2025-01-15T06:59:59.5Z", "to": "2025-03-01"},
    "to-fractional": {"from": "2024-12-01", "to": "2025-01-15T07:00:00.5Z"},
    "from-negative-offset": {"from": "2024-12-31T21:00:00-03:00", "to": "2025-01-02"},
    "mixed-date-and-time": {"from": "2024-02-29", "to": "2024-03-01T12:00:00+03:00"},
    # combined
    "combined-moscow": {"bbox": "37.3,55.5,37.9,56.0", "sector": "roads,housing",
                        "from": "2024-06-01", "to": "2025-06-01T00:00:00+03:00"},
    "combined-antimeridian": {"bbox": "178.5,59,-178.5,71", "sector": "energy,transport,social",
                              "from": "2024-01-01", "to": "2025-01-01"},
}


@pytest.mark.parametrize("res", [5, 9])
@pytest.mark.parametrize("name", list(QUERIES))
def test_filtered_hexagons_equal_tally(server, dataset, name, res):
    params = dict(QUERIES[name], res=res)
    expected = hexref.tally_cells(dataset, res, hexref.params_pred(params))
    if res == 9 and len(expected) > 50_000:
        pytest.skip("large result already covered at res 5")
    fc = server.hexagons(params)
    compare(fc, expected, res, f"GET /api/v1/hexagons {params}")


def total(fc) -> int:
    return sum(f["properties"]["count"] for f in fc["features"])


def test_bbox_across_antimeridian_counts_both_sides(server, dataset):
    """179,60,-179,70 holds the points at lon 179.99 and -179.99 (and ±180)."""
    fc = server.hexagons({"res": 15, "bbox": "179,60,-179,70"})
    got = features_by_cell(fc, 15)
    for lat, lon in [(65.0, 179.99), (65.0, -179.99), (65.0, 180.0), (62.5, -179.99), (70.0, 179.99)]:
        c = h3.latlng_to_cell(lat, lon, 15)
        assert c in got, f"bbox 179,60,-179,70 res 15: no cell {c} for the appeals at ({lat}, {lon})"
    # By hand: on lat 65.0 exactly there are 4 probes (179.99, -179.99, 180,
    # -180) and 3 appeals at each of those 4 longitudes.
    fc = server.hexagons({"res": 9, "bbox": "179.98,65,-179.98,65"})
    assert total(fc) == 16, f"degenerate wrapping bbox 179.98,65,-179.98,65: got {total(fc)}, expected 16"
    assert total(fc) == sum(map(sum, (c.values() for c in hexref.tally_cells(
        dataset, 9, hexref.make_pred((179.98, 65, -179.98, 65))).values())))
    # Probes 1e-7 outside the box are not counted: point-sized boxes on the
    # box's edges hold only the appeals placed exactly there (by hand).
    for box, n in [("179,65,179,65", 0),          # (65, 178.9999999) is 1e-7 west
                   ("-179,65,-179,65", 0),        # (65, -178.9999999) is 1e-7 east
                   ("179.99,70,179.99,70", 3),    # (70.0000001, 179.99) is 1e-7 north
                   ("-179.99,60,-179.99,60", 3),  # (59.9999999, -179.99) is 1e-7 south
                   ("179,60,179,60", 1),          # the probe on the south-west corner
                   ("-179,70,-179,70", 1)]:       # the probe on the north-east corner
        got = total(server.hexagons({"res": 15, "bbox": box}))
        assert got == n, f"GET /api/v1/hexagons?res=15&bbox={box}: got {got}, expected {n}"


def test_bbox_edges_are_inclusive(server):
    fc = server.hexagons({"res": 9, "bbox": "30.1234567,50,30.2,50.1"})
    assert total(fc) == len(hexref.EDGE_IN), (
        f"bbox 30.1234567,50,30.2,50.1: got {total(fc)} appeals, expected {len(hexref.EDGE_IN)} "
        "(points on edges and corners are inside; 1e-7 outside are not)")
    got = features_by_cell(server.hexagons({"res": 15, "bbox": "30.1234567,50,30.2,50.1"}), 15)
    for lat, lon in hexref.EDGE_IN:
        assert h3.latlng_to_cell(lat, lon, 15) in got, f"({lat}, {lon}) on the edge is missing"
    # (EDGE_OUT points share res-15 cells with edge points 1 cm away, so they
    # are checked by the total above.)
    fc = server.hexagons({"res": 15, "bbox": "30.15,50.05,30.15,50.05"})
    assert total(fc) == 1, f"a point-sized bbox on an appeal: got {total(fc)}, expected 1"


TIME_BOX = "98.765,12.345,98.766,12.346"


@pytest.mark.parametrize("params,expected", [
    ({"from": "2024-06-01", "to": "2024-07-01"}, 2),          # 05-31T21:00Z, 06-30T20:59:59Z
    ({"from": "2024-05-31", "to": "2024-06-01"}, 1),          # 05-31T20:59:59Z
    ({"to": "2024-06-01"}, 1),
    ({"from": "2024-07-01"}, 5),                               # 06-30T21:00Z and 2025's four
    ({"from": "2025-01-15T12:00:00+05:00", "to": "2025-02-01T00:00:00Z"}, 2),
    # Fractional seconds: appeal times are whole seconds, the bounds are not.
    ({"from": "2025-01-15T06:59:59.5Z"}, 3),                   # not 06:59:59
    ({"from": "2025-01-15T06:59:59.5Z", "to": "2025-02-01T00:00:01Z"}, 3),
    ({"from": "2025-01-15T00:00:00Z", "to": "2025-01-15T07:00:00.5Z"}, 2),  # 07:00:00 is before to
    ({"from": "2025-01-15T06:59:58.999+00:00", "to": "2025-01-15T07:00:00.001Z"}, 2),
    ({"from": "2025-01-15T07:00:00Z", "to": "2025-01-15T07:00:01Z"}, 1),
    ({"from": "2025-02-01T03:00:00+03:00"}, 1),
], ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else str(v))
def test_time_bounds_by_hand(server, dataset, params, expected):
    """from is inclusive, to exclusive; a date is Moscow midnight (UTC+3)."""
    q = dict(params, res=9, bbox=TIME_BOX)
    fc = server.hexagons(q)
    assert total(fc) == expected, f"GET /api/v1/hexagons {q}: got {total(fc)}, expected {expected}"
    ref = hexref.tally_cells(dataset, 9, hexref.params_pred(q))
    assert sum(sum(c.values()) for c in ref.values()) == expected   # the reference agrees
