"""Resolution performance against lifelines: Kaplan-Meier medians and 90th
percentiles with open (censored) appeals, per responsible unit, and the
log-rank p-value of a process change's before/after comparison, on random
data with ties and many open appeals (fixed seed)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone

import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import qth_survival_time

from conftest import Server

START = 1_735_689_600            # 2025-01-01T00:00:00Z
DAY = 86_400
# qth_survival_time reads the fitted step function; exact at its steps.
pytestmark = pytest.mark.filterwarnings("ignore::lifelines.exceptions.ApproximationWarning")

UNITS = ["adm-a", "adm-b", "water", "heat", "roads-co"]


def iso(t: int) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat()


@pytest.fixture(scope="module")
def res_server(hexwatch_bin, tmp_path_factory):
    rnd = random.Random(20261202)
    srv = Server(hexwatch_bin, tmp_path_factory.mktemp("resolution")).start()
    records = []
    try:
        for u, unit in enumerate(UNITS):
            scale = (1 + u) * 20 * 3600          # mean time to resolve grows by unit
            open_share = 0.1 + 0.15 * u
            for k in range(rnd.randint(40, 400)):
                created = START + rnd.randint(0, 300 * DAY)
                rec = {"source": "portal", "external_id": f"{unit}-{k}", "sector": "roads",
                       "lat": 55.75 + rnd.random() * 0.1, "lon": 49.05 + rnd.random() * 0.1,
                       "created_at": iso(created), "responsible": unit}
                if rnd.random() >= open_share:
                    # Whole hours, so ties occur, as in real exports.
                    d = 3600 * max(1, round(rnd.expovariate(1 / scale) / 3600))
                    rec["status"] = "resolved"
                    rec["resolved_at"] = iso(created + d)
                    if rnd.random() < 0.7:
                        rec["first_response_at"] = iso(created + rnd.randint(0, d))
                records.append(rec)
        r = srv.post_json("/api/v1/appeals", records)
        assert r.status == 200, r
        yield srv, records
    finally:
        srv.stop()


def km_reference(records, unit, as_of, field):
    """Durations in hours and event flags as the API defines them."""
    durations, events = [], []
    for r in records:
        if r["responsible"] != unit:
            continue
        c = datetime.fromisoformat(r["created_at"]).timestamp()
        end = r.get(field) or (r.get("resolved_at") if field == "first_response_at" else None)
        if end is not None:
            durations.append((datetime.fromisoformat(end).timestamp() - c) / 3600)
            events.append(True)
        else:
            durations.append(max(0.0, as_of - c) / 3600)
            events.append(False)
    return durations, events


def as_number(x):
    return None if x is None or math.isinf(x) else x


def test_km_medians_and_p90_match_lifelines(res_server):
    srv, records = res_server
    as_of = START + 330 * DAY
    body = srv.get_json_ok("/api/v1/resolution", {
        "group_by": "responsible", "period": "year", "from": "2024-12-01", "to": "2026-01-01",
        "as_of": iso(as_of)})
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == set(UNITS)
    for unit in UNITS:
        row = rows[unit]
        d, e = km_reference(records, unit, as_of, "resolved_at")
        kmf = KaplanMeierFitter().fit(d, event_observed=e)
        assert row["count"] == len(d) and row["open"] == e.count(False), unit
        assert row["median_hours"] == pytest.approx(as_number(kmf.median_survival_time_), abs=1e-9), unit
        p90 = qth_survival_time(0.1, kmf)
        assert row["p90_hours"] == pytest.approx(as_number(p90), abs=1e-9), unit
        d, e = km_reference(records, unit, as_of, "first_response_at")
        kmf = KaplanMeierFitter().fit(d, event_observed=e)
        assert row["median_first_response_hours"] == pytest.approx(
            as_number(kmf.median_survival_time_), abs=1e-9), unit


@pytest.mark.parametrize("unit,changed_day,window", [("adm-b", 150, 90), ("heat", 100, 60),
                                                     ("water", 200, 30)])
def test_logrank_p_matches_lifelines(res_server, unit, changed_day, window):
    srv, records = res_server
    changed = START + changed_day * DAY
    r = srv.post_json("/api/v1/process-changes",
                      {"title": f"lean {unit}", "changed_at": iso(changed), "responsible": unit})
    assert r.status == 201, r
    e = srv.get_json_ok(f"/api/v1/process-changes/{r.json()['id']}/effect",
                        {"window_days": window})["effect"]
    as_of = max(datetime.fromisoformat(x["created_at"]).timestamp() for x in records)
    groups = {"before": ([], []), "after": ([], [])}
    for x in records:
        if x["responsible"] != unit:
            continue
        c = datetime.fromisoformat(x["created_at"]).timestamp()
        if not changed - window * DAY <= c < changed + window * DAY:
            continue
        g = groups["before" if c < changed else "after"]
        if "resolved_at" in x:
            g[0].append((datetime.fromisoformat(x["resolved_at"]).timestamp() - c) / 3600)
            g[1].append(True)
        else:
            g[0].append(max(0.0, as_of - c) / 3600)
            g[1].append(False)
    (db, eb), (da, ea) = groups["before"], groups["after"]
    assert e["scope"]["before"]["count"] == len(db)
    assert e["scope"]["after"]["count"] == len(da)
    ref = logrank_test(da, db, event_observed_A=ea, event_observed_B=eb)
    assert e["scope"]["test"]["p"] == pytest.approx(ref.p_value, rel=1e-6, abs=1e-12)
    assert e["scope"]["test"]["chi2"] == pytest.approx(ref.test_statistic, rel=1e-6, abs=1e-9)
