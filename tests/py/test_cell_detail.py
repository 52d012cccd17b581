"""5. /api/v1/cells/{h3} and /api/v1/change against tallies of the reference
data set computed here: counts, by_sector and the monthly series from the h3
package's parents and zoneinfo periods; median and p90 hours to resolve with
the standard library's 'inclusive' quantiles (Hyndman & Fan type 7, as
NumPy's default); repeats from their definition (another appeal of the same
sector in the same cell at most N days before)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import pytest

import hexref

RANGE = {"from": "2024-03-01", "to": "2025-09-01"}


def busiest(dataset, res, n):
    counts = Counter(p.cells[res] for p in dataset)
    return [c for c, _ in counts.most_common(n)]


def in_cell(dataset, cell, res, from_=None, to=None, sectors=None):
    pred = hexref.make_pred(None, sectors, from_, to)
    return [p for p in dataset if p.cells[res] == cell and pred(p)]


def repeats(points_wide, window_from, days):
    """Appeals at or after window_from with an earlier (or tied, earlier in
    order) appeal of the same sector within `days` days before them."""
    by_sector = defaultdict(list)
    for p in points_wide:
        by_sector[p.sector].append(p.ts)
    n = 0
    for ts in by_sector.values():
        ts.sort()
        for i, t in enumerate(ts):
            if t >= window_from and i > 0 and ts[i - 1] >= t - days * 86400:
                n += 1
    return n


def type7(values, q):
    if len(values) == 1:
        return values[0]
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return cut[round(q * 100) - 1]


@pytest.mark.parametrize("res,rank", [(5, 0), (7, 0), (7, 3), (9, 0), (9, 5), (12, 0)])
@pytest.mark.parametrize("days", [30, 90])
def test_cell_detail_matches_the_reference(server, dataset, res, rank, days):
    cell = busiest(dataset, res, rank + 1)[rank]
    params = dict(RANGE, period="month", repeat_days=str(days))
    got = server.get_json_ok(f"/api/v1/cells/{cell}", params)
    pts = in_cell(dataset, cell, res, RANGE["from"], RANGE["to"])
    assert got["h3"] == cell and got["res"] == res
    assert got["count"] == len(pts), f"{cell}: count"
    assert got["by_sector"] == dict(Counter(p.sector for p in pts))
    series = Counter(hexref.period_start(p.ts, "month") for p in pts)
    got_series = {s["period_start"]: s["count"] for s in got["series"]}
    assert {k: v for k, v in got_series.items() if v} == dict(series)
    assert len(got["series"]) == 18, "March 2024 .. August 2025 is 18 months"
    hours = [(hexref.parse_rfc3339(p.resolved_at) - p.ts) / 3600 for p in pts if p.resolved_at]
    rh = got["resolve_hours"]
    assert rh["resolved"] == len(hours)
    if hours:
        assert rh["median"] == pytest.approx(statistics.median(hours), abs=1e-6)
        assert rh["p90"] == pytest.approx(type7(hours, 0.9), abs=1e-6)
    else:
        assert rh["median"] is None and rh["p90"] is None
    lookback = hexref.instant(RANGE["from"]) - days * 86400
    wide = [p for p in dataset if p.cells[res] == cell and lookback <= p.ts < hexref.instant(RANGE["to"])]
    want = repeats(wide, hexref.instant(RANGE["from"]), days)
    assert got["repeat"]["repeats"] == want
    assert got["repeat"]["share"] == pytest.approx(want / len(pts) if pts else None)


def test_cell_at_the_antimeridian_and_the_pole(server, dataset):
    for kind in ("chukotka", "north"):
        p = next(p for p in dataset if p.kind == kind)
        cell = p.cells[6]
        got = server.get_json_ok(f"/api/v1/cells/{cell}")
        assert got["count"] == len(in_cell(dataset, cell, 6)), kind


@pytest.mark.parametrize("res", [4, 7, 9])
def test_change_matches_two_tallies(server, dataset, res):
    a = ("2024-01-01", "2024-07-01")
    b = ("2025-01-01", "2025-07-01")
    got = server.get_json_ok("/api/v1/change", {
        "res": str(res), "from_a": a[0], "to_a": a[1], "from_b": b[0], "to_b": b[1],
        "sector": "roads,health",
    })
    ta = hexref.tally_cells(dataset, res, hexref.make_pred(None, ["roads", "health"], *a))
    tb = hexref.tally_cells(dataset, res, hexref.make_pred(None, ["roads", "health"], *b))
    want = {}
    for c in set(ta) | set(tb):
        na, nb = sum(ta.get(c, {}).values()), sum(tb.get(c, {}).values())
        want[c] = (na, nb, nb - na, round(nb / na, 4) if na else None)
    rows = {r["h3"]: (r["a"], r["b"], r["diff"], r["ratio"]) for r in got["cells"]}
    assert len(rows) == len(got["cells"]), "a cell appears twice"
    assert rows == want
