"""Fix effects against independent references: counts by the Python `h3`
package (the parent rule of the area and a k-ring for the control), and the
significance figure by `scipy.stats.binomtest`, on random areas, counts and
clipped windows (fixed seed)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import h3
import pytest
from scipy.stats import binomtest

from conftest import Server

RES = 10
RING_K = 4
DAY = 86_400
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 400
CASES = 8


def iso(t: datetime) -> str:
    return t.isoformat()


@pytest.fixture(scope="module")
def fixes_server(hexwatch_bin, tmp_path_factory):
    """A server with random appeals around 8 fixes, and the fixes' cells."""
    rnd = random.Random(20261125)
    srv = Server(hexwatch_bin, tmp_path_factory.mktemp("fixes")).start()
    records, fixes = [], []
    try:
        for case in range(CASES):
            lat, lon = 55.70 + 0.03 * case, 49.00 + 0.05 * case
            area = h3.latlng_to_cell(lat, lon, RES)
            # Appeals in the area, its ring and beyond, of the fix's sector and another.
            near = list(h3.grid_disk(area, RING_K + 2))
            done = START + timedelta(days=rnd.randint(20, SPAN_DAYS - 20))
            for _ in range(rnd.randint(5, 120)):
                cell = rnd.choice(near if rnd.random() < 0.8 else [area])
                c_lat, c_lon = h3.cell_to_latlng(cell)
                t = START + timedelta(seconds=rnd.randint(0, SPAN_DAYS * DAY))
                sector = "roads" if rnd.random() < 0.85 else "housing"
                records.append({
                    "source": "vk", "external_id": f"f{case}-{len(records)}",
                    "sector": sector,
                    "lat": c_lat + rnd.uniform(-2e-4, 2e-4),
                    "lon": c_lon + rnd.uniform(-3e-4, 3e-4),
                    "created_at": iso(t),
                })
            # Every other area loses its complaints at the fix: small p-values.
            a_lat, a_lon = h3.cell_to_latlng(area)
            for k in range(rnd.randint(10, 40) if case % 2 == 0 else 0):
                t = done - timedelta(seconds=rnd.randint(1, 60 * DAY))
                records.append({
                    "source": "vk", "external_id": f"f{case}-{len(records)}",
                    "sector": "roads", "lat": a_lat, "lon": a_lon, "created_at": iso(t),
                })
            fixes.append({"title": f"case {case}", "sector": "roads",
                          "done_at": iso(done), "cells": [area]})
        r = srv.post_json("/api/v1/appeals", records)
        assert r.status == 200, r
        ids = []
        for f in fixes:
            r = srv.post_json("/api/v1/fixes", f)
            assert r.status == 201, r
            ids.append(r.json()["id"])
        yield srv, records, fixes, ids
    finally:
        srv.stop()


def tally(records, fix, before, after):
    """Area and ring counts before/after by the h3 package: an appeal counts
    where its res-15 cell's parent at res 10 lies."""
    area = set(fix["cells"])
    ring = set()
    for c in area:
        ring |= set(h3.grid_disk(c, RING_K))
    ring -= area
    n = {"area": [0, 0], "ring": [0, 0]}
    for r in records:
        if r["sector"] != fix["sector"]:
            continue
        t = datetime.fromisoformat(r["created_at"]).timestamp()
        half = 0 if before[0] <= t < before[1] else 1 if after[0] <= t < after[1] else None
        if half is None:
            continue
        parent = h3.cell_to_parent(h3.latlng_to_cell(r["lat"], r["lon"], 15), RES)
        if parent in area:
            n["area"][half] += 1
        elif parent in ring:
            n["ring"][half] += 1
    return n


@pytest.mark.parametrize("window", [30, 90, 365])
def test_counts_rates_and_p_match_the_references(fixes_server, window):
    srv, records, fixes, ids = fixes_server
    for fix, fid in zip(fixes, ids):
        e = srv.get_json_ok(f"/api/v1/fixes/{fid}/effect", {"window_days": window})
        w = e["windows"]
        ts = lambda s: datetime.fromisoformat(s).timestamp()
        before = (ts(w["before"]["from"]), ts(w["before"]["to"]))
        after = (ts(w["after"]["from"]), ts(w["after"]["to"]))
        n = tally(records, fix, before, after)
        assert [e["area"]["before"], e["area"]["after"]] == n["area"], fix
        assert [e["ring"]["before"], e["ring"]["after"]] == n["ring"], fix
        tb, ta = w["before"]["days"], w["after"]["days"]
        assert tb == pytest.approx((before[1] - before[0]) / DAY)
        if tb > 0:
            assert e["area"]["rate_before"] == pytest.approx(n["area"][0] / tb * 30)
        if ta > 0:
            assert e["area"]["rate_after"] == pytest.approx(n["area"][1] / ta * 30)
        total = sum(n["area"])
        if tb > 0 and ta > 0 and total > 0:
            ref = binomtest(n["area"][1], total, ta / (tb + ta)).pvalue
            assert e["test"]["p"] == pytest.approx(ref, rel=1e-9, abs=1e-15), (fix, e)
            ring_total = sum(n["ring"])
            if ring_total > 0:
                ref = binomtest(n["ring"][1], ring_total, ta / (tb + ta),
                                alternative="greater").pvalue
                assert e["displacement"]["p"] == pytest.approx(ref, rel=1e-9, abs=1e-15)
        else:
            assert e["verdict"] == "insufficient_data"
