"""3. /api/v1/aggregate: periods aligned in Europe/Moscow (day, ISO week from
Monday, month, quarter, year), JSON and CSV, against hand-written expectations
for boundary probes and a zoneinfo computation for the whole data set."""

from __future__ import annotations

import csv
import io
from collections import Counter

import h3
import pytest

import hexref

PERIOD_BOX = "-120.766,-45.124,-120.765,-45.123"


def rows_json(server, params) -> Counter:
    body = server.get_json_ok("/api/v1/aggregate", dict(params, format="json"))
    assert isinstance(body, list), str(body)[:300]
    out: Counter = Counter()
    for r in body:
        assert set(r) >= {"h3", "sector", "period_start", "count"}, r
        key = (r["h3"], r["sector"], r["period_start"])
        assert key not in out, f"row {key} appears twice"
        out[key] = r["count"]
    return out


def rows_csv(server, params) -> Counter:
    r = server.get("/api/v1/aggregate", dict(params, format="csv"))
    assert r.status == 200, f"GET /api/v1/aggregate {params} format=csv -> {r}"
    assert r.content_type.startswith("text/csv"), r.content_type
    reader = csv.reader(io.StringIO(r.body.decode("utf-8")))
    header = next(reader)
    assert header == ["h3", "sector", "period_start", "count"], header
    out: Counter = Counter()
    for row in reader:
        assert len(row) == 4, row
        key = (row[0], row[1], row[2])
        assert key not in out, f"CSV row {key} appears twice"
        out[key] = int(row[3])
    return out


def diff(got: Counter, exp: Counter, what: str):
    problems = []
    for k in sorted(set(got) | set(exp)):
        if got.get(k) != exp.get(k):
            problems.append(f"{k}: got {got.get(k)}, expected {exp.get(k)}")
    assert not problems, f"{what}: {len(problems)} rows differ, e.g. " + "; ".join(problems[:6])


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("period", hexref.PERIOD_NAMES)
def test_boundary_probes_by_hand(server, period, fmt):
    """Appeals next to Moscow-midnight boundaries fall in the expected
    period, labelled with the local midnight and its offset."""
    i = hexref.PERIOD_NAMES.index(period)
    cell = h3.latlng_to_cell(*hexref.PERIOD_SPOT, 9)
    exp: Counter = Counter()
    for probe in hexref.PERIOD_PROBES:
        d = probe[1 + i]
        exp[(cell, "roads", f"{d}T00:00:00{hexref.moscow_offset_by_hand(d)}")] += 1
    params = {"res": 9, "period": period, "bbox": PERIOD_BOX}
    got = rows_json(server, params) if fmt == "json" else rows_csv(server, params)
    diff(got, exp, f"GET /api/v1/aggregate {params} format={fmt}")


def test_named_examples(server):
    """The examples from the brief, one request each."""
    cell = h3.latlng_to_cell(*hexref.PERIOD_SPOT, 9)
    for from_, to, label in [
        ("2025-03-01T23:30:00Z", "2025-03-01T23:30:01Z", "2025-03-02T00:00:00+03:00"),
        ("2025-03-01T20:59:59Z", "2025-03-01T21:00:00Z", "2025-03-01T00:00:00+03:00"),
    ]:
        params = {"res": 9, "period": "day", "bbox": PERIOD_BOX, "from": from_, "to": to}
        got = rows_json(server, params)
        assert got == Counter({(cell, "roads", label): 1}), f"GET /api/v1/aggregate {params}: {dict(got)}"


CASES = {
    # name: (res, extra params)
    "all": (3, {}),
    "moscow": (9, {"bbox": "37.3,55.5,37.9,56.0"}),
    "sectors-range": (5, {"sector": "roads,housing,energy", "from": "2024-03-15", "to": "2025-08-01T12:00:00+03:00"}),
    "antimeridian": (7, {"bbox": "179,55,-179,75", "from": "2024-01-01"}),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("period", hexref.PERIOD_NAMES)
def test_aggregate_equals_zoneinfo(server, dataset, period, case):
    res, extra = CASES[case]
    if period == "day" and case == "all":
        res = 0
    params = dict(extra, res=res, period=period)
    exp = hexref.tally_rows(dataset, res, period, hexref.params_pred(params))
    got_json = rows_json(server, params)
    diff(got_json, exp, f"GET /api/v1/aggregate {params} (json)")
    got_csv = rows_csv(server, params)
    diff(got_csv, exp, f"GET /api/v1/aggregate {params} (csv)")


def test_week_starts_monday_everywhere(server):
    """Every week label is a Monday at Moscow midnight."""
    from datetime import datetime
    got = rows_json(server, {"res": 0, "period": "week"})
    assert got
    for (_, _, ps) in got:
        t = datetime.fromisoformat(ps)
        assert t.weekday() == 0 and (t.hour, t.minute, t.second) == (0, 0, 0), ps
        assert t.utcoffset() == t.astimezone(hexref.TZ).utcoffset(), ps
