"""Hotspots against an independent reference written with numpy/scipy/h3.

A generated grid of appeals (background plus four planted clusters: a
recurring one, a late growing one, one that stops early and one that comes
and goes) is posted to a fresh server. The reference then reads only the
counts the server exports (`/api/v1/aggregate`) and redoes the analysis from
the published definitions:

* study area: every res-9 cell within 2k steps (`h3.grid_disk`) of a cell
  with appeals; neighbours: `grid_disk(k)` inside the area, the cell itself
  included; binary weights;
* Getis-Ord Gi* (Ord & Getis 1995) with the area's mean and population S,
  two-sided p from `scipy.stats.norm`; Benjamini-Hochberg adjusted p from
  `scipy.stats.false_discovery_control`, across the area overall and within
  each month;
* hot (cold) in a month: z > 0 (< 0) and adjusted p < alpha;
* Mann-Kendall (Mann 1945, Kendall 1975) of the monthly z-scores, ties
  corrected, continuity corrected, written here in numpy; Kendall's tau-b from
  `scipy.stats.kendalltau`;
* the emerging hot-spot classes (Esri, "How Emerging Hot Spot Analysis
  works"), written from the rules.

Every cell's count, z, p, p_fdr, periods_hot, trend and class must agree.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import h3
import numpy as np
import pytest
from scipy import stats

from conftest import BATCH, Server

RES = 9
FROM, TO = "2023-01-01", "2025-01-01"
MONTHS = 24
ALPHA = 0.05


def _month_time(rng: random.Random, m: int) -> str:
    y, mo = 2023 + m // 12, m % 12 + 1
    return f"{y}-{mo:02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+03:00"


def _around(rng, lat, lon, sd_m):
    return (lat + rng.gauss(0, sd_m) / 111_200.0,
            lon + rng.gauss(0, sd_m) / (111_200.0 * math.cos(math.radians(lat))))


def generate() -> list[dict]:
    rng = random.Random(20261125)
    pts = []
    # Background: uniform over ~5.5 × 5 km, uniform in time.
    for _ in range(1500):
        pts.append((rng.uniform(55.75, 55.80), rng.uniform(49.08, 49.16),
                    rng.choice(["roads", "ecology"]), rng.randrange(MONTHS)))
    clusters = [
        # (centre, sector, per-month counts)
        ((55.770, 49.100), "roads", [25] * MONTHS),                                  # recurring
        ((55.785, 49.140), "roads", [0] * 20 + [10, 20, 30, 40]),                    # late, growing
        ((55.760, 49.145), "ecology", [15] * 22 + [0, 0]),                            # stopped
        ((55.792, 49.095), "ecology", [30 if m in (3, 10, 23) else 0 for m in range(MONTHS)]),  # on and off
    ]
    for (lat, lon), sector, monthly in clusters:
        for m, n in enumerate(monthly):
            for _ in range(n):
                pts.append((*_around(rng, lat, lon, 120), sector, m))
    out = []
    for i, (lat, lon, sector, m) in enumerate(pts):
        out.append({
            "source": "vk", "external_id": f"hot-{i}", "sector": sector,
            "lat": round(lat, 7), "lon": round(lon, 7),
            "created_at": _month_time(rng, m), "status": "new",
        })
    return out


@pytest.fixture(scope="module")
def hot_server(hexwatch_bin, tmp_path_factory):
    srv = Server(hexwatch_bin, tmp_path_factory.mktemp("hotspots"))
    srv.start()
    try:
        data = generate()
        for i in range(0, len(data), BATCH):
            r = srv.post_json("/api/v1/appeals", data[i:i + BATCH])
            assert r.status == 200, r
    except BaseException:
        srv.stop()
        raise
    yield srv
    srv.stop()


# -- the reference ------------------------------------------------------------

def counts_by_cell(srv, params) -> dict[str, np.ndarray]:
    rows = srv.get_json_ok("/api/v1/aggregate", {
        **params, "res": RES, "period": "month", "from": FROM, "to": TO})
    out: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(MONTHS))
    for r in rows:
        y, m = int(r["period_start"][:4]), int(r["period_start"][5:7])
        out[r["h3"]][(y - 2023) * 12 + m - 1] += r["count"]
    return dict(out)


def gi_star(x: np.ndarray, nbrs: list[np.ndarray]) -> np.ndarray:
    n = len(x)
    mean = x.mean()
    s = math.sqrt(max((x ** 2).mean() - mean ** 2, 0.0))
    z = np.zeros(n)
    for i, nb in enumerate(nbrs):
        w = len(nb)
        var = (n * w - w * w) / (n - 1)
        if s > 0 and var > 0:
            z[i] = (x[nb].sum() - mean * w) / (s * math.sqrt(var))
    return z


def p_two_sided(z):
    return 2.0 * stats.norm.sf(np.abs(z))


def mann_kendall(x: np.ndarray):
    n = len(x)
    diff = np.sign(x[None, :] - x[:, None])
    s = int(np.triu(diff, 1).sum())
    _, t = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - (t * (t - 1) * (2 * t + 5)).sum()) / 18.0
    if var <= 0 or s == 0:
        z = 0.0
    else:
        z = (s - 1) / math.sqrt(var) if s > 0 else (s + 1) / math.sqrt(var)
    p = float(p_two_sided(z))
    tau = stats.kendalltau(np.arange(n), x).statistic
    return s, p, (0.0 if math.isnan(tau) else float(tau))


def classify(flags: str, trend: int) -> str:
    """flags: 'H', 'C' or '.' per month, oldest first; trend +1/-1/0."""
    n = len(flags)

    def side(me, other, trend, prefix):
        mine = flags.count(me)
        if mine * 10 >= 9 * n:
            return prefix + {1: "intensifying", -1: "diminishing", 0: "persistent"}[trend]
        if mine == 1:
            return prefix + "new"
        run = len(flags) - len(flags.rstrip(me))
        if run == mine:
            return prefix + "consecutive"
        return prefix + ("oscillating" if other in flags else "sporadic")

    if flags[-1] == "H":
        return side("H", "C", trend, "")
    if flags[-1] == "C":
        return side("C", "H", -trend, "cold_")
    if flags.count("H") * 10 >= 9 * n:
        return "historical"
    if flags.count("C") * 10 >= 9 * n:
        return "cold_historical"
    return "none"


def reference(counts: dict[str, np.ndarray], k: int) -> dict[str, dict]:
    area = set()
    for c in counts:
        area.update(h3.grid_disk(c, 2 * k))
    cells = sorted(area)
    pos = {c: i for i, c in enumerate(cells)}
    nbrs = [np.array([pos[d] for d in h3.grid_disk(c, k) if d in pos]) for c in cells]
    x = np.array([counts.get(c, np.zeros(MONTHS)) for c in cells])   # cells × months
    total = x.sum(axis=1)
    z = gi_star(total, nbrs)
    p = p_two_sided(z)
    p_fdr = stats.false_discovery_control(p, method="bh")
    zt = np.zeros_like(x)
    flags = np.full(x.shape, ".", dtype="<U1")
    for t in range(MONTHS):
        zt[:, t] = gi_star(x[:, t], nbrs)
        adj = stats.false_discovery_control(p_two_sided(zt[:, t]), method="bh")
        flags[(zt[:, t] > 0) & (adj < ALPHA), t] = "H"
        flags[(zt[:, t] < 0) & (adj < ALPHA), t] = "C"
    out = {}
    for i, c in enumerate(cells):
        s, tp, tau = mann_kendall(zt[i])
        direction = int(np.sign(s)) if tp < ALPHA else 0
        f = "".join(flags[i])
        out[c] = {"count": int(total[i]), "z": z[i], "p": p[i], "p_fdr": p_fdr[i],
                  "periods_hot": f.count("H"), "class": classify(f, direction),
                  "tau": tau, "trend_p": tp, "flags": f}
    return out


def served(srv, params) -> tuple[dict, list]:
    head = None
    items = []
    offset = 0
    while True:
        v = srv.get_json_ok("/api/v1/hotspots", {**params, "res": RES, "from": FROM, "to": TO,
                                                  "limit": 1000, "offset": offset})
        head = head or v
        items += v["hotspots"]
        offset += 1000
        if offset >= v["total"]:
            return head, items


CASES = [({}, 1), ({"sector": "roads"}, 2)]


@pytest.mark.parametrize("params,k", CASES, ids=["all-k1", "roads-k2"])
def test_every_cell_matches_the_reference(hot_server, params, k):
    ref = reference(counts_by_cell(hot_server, params), k)
    head, items = served(hot_server, {**params, "k": k})
    assert head["periods"] == MONTHS and head["k"] == k
    assert head["cells_tested"] == len(ref) == len(items)
    zs = [c["z"] for c in items]
    assert all(a >= b for a, b in zip(zs, zs[1:])), "ranked by z descending"
    classes = defaultdict(int)
    for c in items:
        r = ref[c["h3"]]
        where = f"{c['h3']} flags {r['flags']}"
        assert c["count"] == r["count"], where
        assert c["z"] == pytest.approx(r["z"], abs=1e-9), where
        assert c["p"] == pytest.approx(r["p"], rel=1e-9, abs=1e-300), where
        assert c["p_fdr"] == pytest.approx(r["p_fdr"], rel=1e-9, abs=1e-300), where
        assert c["periods_hot"] == r["periods_hot"], where
        assert c["trend"]["tau"] == pytest.approx(r["tau"], abs=1e-9), where
        assert c["trend"]["p"] == pytest.approx(r["trend_p"], rel=1e-9, abs=1e-300), where
        assert c["class"] == r["class"], where
        classes[c["class"]] += 1
    # The data must exercise the classes, or the comparison proves little.
    from conftest import hexref
    hexref.REPORT.append(f"hotspots {params or 'all'} k={k}: {len(items)} cells, classes {dict(classes)}")
    assert sum(n for cl, n in classes.items() if cl != "none") >= 10, classes


def test_planted_clusters_get_their_classes(hot_server):
    ref_items = {c["h3"]: c for c in served(hot_server, {"k": 1})[1]}

    def cell(lat, lon):
        return h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 15), RES)

    recurring = ref_items[cell(55.770, 49.100)]
    assert recurring["class"] in ("persistent", "intensifying", "diminishing"), recurring
    assert recurring["periods_hot"] >= 22
    late = ref_items[cell(55.785, 49.140)]
    assert late["class"] in ("new", "consecutive"), late
    stopped = ref_items[cell(55.760, 49.145)]
    assert stopped["class"] == "historical", stopped
