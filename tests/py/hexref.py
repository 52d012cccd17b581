"""Reference model for the hexwatch Python suite.

Everything the tests expect is computed here, independently of the server:
the deterministic data set, H3 cells (via the `h3` package, v4 API), filters
and calendar periods in the server's time zone (via `zoneinfo`).

Cell definition (the contract under test): an appeal's cell at resolution r is
``h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 15), r)``.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import h3

TZ_NAME = "Europe/Moscow"
TZ = ZoneInfo(TZ_NAME)
FINEST = 15
SECTORS = [
    "housing", "roads", "transport", "improvement", "social", "health",
    "education", "labour", "ecology", "construction", "energy",
]
STATUSES = ["new", "in_progress", "resolved", "rejected"]

# Lines printed in pytest's terminal summary (filled by the tests).
REPORT: list[str] = []

# --------------------------------------------------------------------------
# Probes: hand-placed appeals whose expected treatment is written out by hand
# (not derived from the reference code), so a bug in this module cannot hide a
# bug in the server.
# --------------------------------------------------------------------------

# Time probes for period alignment, all at one spot in the South Pacific and
# all in sector "roads". Each: created_at as sent, then the expected
# period_start for day, week, month, quarter, year (Europe/Moscow; UTC+4 from
# 2011-03-27 to 2014-10-26 02:00 local, UTC+3 otherwise).
PERIOD_SPOT = (-45.1234567, -120.7654321)
PERIOD_PROBES = [
    # 23:30Z is 02:30 next day in Moscow.
    ("2025-03-01T23:30:00Z", "2025-03-02", "2025-02-24", "2025-03-01", "2025-01-01", "2025-01-01"),
    ("2025-03-01T20:59:59Z", "2025-03-01", "2025-02-24", "2025-03-01", "2025-01-01", "2025-01-01"),
    ("2025-02-28T21:00:00Z", "2025-03-01", "2025-02-24", "2025-03-01", "2025-01-01", "2025-01-01"),
    ("2025-02-28T20:59:59Z", "2025-02-28", "2025-02-24", "2025-02-01", "2025-01-01", "2025-01-01"),
    # Sunday 23:59:59 vs Monday 00:00 Moscow: ISO weeks start Monday.
    ("2025-03-02T20:59:59Z", "2025-03-02", "2025-02-24", "2025-03-01", "2025-01-01", "2025-01-01"),
    ("2025-03-02T21:00:00Z", "2025-03-03", "2025-03-03", "2025-03-01", "2025-01-01", "2025-01-01"),
    # Month and quarter boundary.
    ("2025-03-31T20:59:59Z", "2025-03-31", "2025-03-31", "2025-03-01", "2025-01-01", "2025-01-01"),
    ("2025-03-31T21:00:00Z", "2025-04-01", "2025-03-31", "2025-04-01", "2025-04-01", "2025-01-01"),
    # Year boundary (2025-01-01 is a Wednesday; its ISO week starts 2024-12-30).
    ("2024-12-31T20:59:59Z", "2024-12-31", "2024-12-30", "2024-12-01", "2024-10-01", "2024-01-01"),
    ("2024-12-31T21:00:00Z", "2025-01-01", "2024-12-30", "2025-01-01", "2025-01-01", "2025-01-01"),
    # A non-UTC offset on input: 02:30+05:00 = 21:30Z = 00:30 Moscow next day.
    ("2025-03-02T02:30:00+05:00", "2025-03-02", "2025-02-24", "2025-03-01", "2025-01-01", "2025-01-01"),
    ("2025-03-01T12:00:00-11:00", "2025-03-02", "2025-02-24", "2025-03-01", "2025-01-01", "2025-01-01"),
    # Moscow was UTC+4 in 2013: 20:30Z is 00:30 local on June 2 (a Sunday).
    ("2013-06-01T20:30:00Z", "2013-06-02", "2013-05-27", "2013-06-01", "2013-04-01", "2013-01-01"),
    ("2013-06-01T19:59:59Z", "2013-06-01", "2013-05-27", "2013-06-01", "2013-04-01", "2013-01-01"),
    # 2014-10-26: clocks went back from +04 to +03 at 02:00 local (a 25-hour day).
    ("2014-10-25T20:00:00Z", "2014-10-26", "2014-10-20", "2014-10-01", "2014-10-01", "2014-01-01"),
    ("2014-10-26T20:59:59Z", "2014-10-26", "2014-10-20", "2014-10-01", "2014-10-01", "2014-01-01"),
    ("2014-10-26T21:00:00Z", "2014-10-27", "2014-10-27", "2014-10-01", "2014-10-01", "2014-01-01"),
]
PERIOD_NAMES = ["day", "week", "month", "quarter", "year"]

# The UTC offset of Moscow midnight on a local date, by hand (see above).
def moscow_offset_by_hand(d: str) -> str:
    return "+04:00" if "2011-03-27" <= d <= "2014-10-26" else "+03:00"


# Time-filter probes at one spot in the Andaman Sea, sector "health".
TIME_SPOT = (12.3456789, 98.7654321)
TIME_PROBES = [
    "2024-05-31T20:59:59Z",  # 23:59:59 Moscow, May 31
    "2024-05-31T21:00:00Z",  # 00:00 Moscow, June 1
    "2024-06-30T20:59:59Z",  # 23:59:59 Moscow, June 30
    "2024-06-30T21:00:00Z",  # 00:00 Moscow, July 1
    "2025-01-15T06:59:59Z",
    "2025-01-15T07:00:00Z",  # = 2025-01-15T12:00:00+05:00
    "2025-01-31T23:59:59Z",
    "2025-02-01T00:00:00Z",
]

# Bounding-box edge probes (sector "ecology"): box EDGE_BOX, points exactly on
# its edges and corners (inside: edges are inclusive) and one unit of 1e-7
# outside (not inside).
EDGE_BOX = (30.1234567, 50.0, 30.2, 50.1)
EDGE_IN = [
    (50.05, 30.1234567),   # west edge
    (50.0, 30.15),         # south edge
    (50.1, 30.2),          # north-east corner
    (50.0, 30.1234567),    # south-west corner
    (50.05, 30.2),         # east edge
    (50.05, 30.15),        # inside
]
EDGE_OUT = [
    (50.05, 30.1234566),
    (50.1000001, 30.15),
    (49.9999999, 30.15),
    (50.05, 30.2000001),
]

# Antimeridian probes (sector "energy"), for the box 179,60,-179,70.
ANTI_BOX = (179.0, 60.0, -179.0, 70.0)
ANTI_IN = [
    (65.0, 179.99), (65.0, -179.99), (65.0, 180.0), (65.0, -180.0),
    (60.0, 179.0), (70.0, -179.0), (64.5, 179.5), (66.25, -179.5),
]
ANTI_OUT = [(65.0, 178.9999999), (65.0, -178.9999999), (70.0000001, 179.99), (59.9999999, -179.99)]


# --------------------------------------------------------------------------
# Data set
# --------------------------------------------------------------------------

@dataclass
class Point:
    source: str
    external_id: str
    sector: str
    lat: float
    lon: float
    ts: int                  # created_at, Unix seconds
    created_at: str          # as sent
    status: str = "new"
    resolved_at: str | None = None
    kind: str = "random"     # which part of the data set
    cells: list[str] = field(default_factory=list)   # parent of the res-15 cell, index = res
    direct: list[str] = field(default_factory=list)  # latlng_to_cell at each res

    def record(self) -> dict:
        r = {
            "source": self.source,
            "external_id": self.external_id,
            "sector": self.sector,
            "lat": self.lat,
            "lon": self.lon,
            "created_at": self.created_at,
            "status": self.status,
        }
        if self.resolved_at is not None:
            r["resolved_at"] = self.resolved_at
        return r


def parse_rfc3339(s: str) -> int:
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def fmt_time(ts: int, offset_minutes: int) -> str:
    tz = timezone(timedelta(minutes=offset_minutes))
    s = datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")
    return s[:-6] + "Z" if offset_minutes == 0 and s.endswith("+00:00") else s


def r7(v: float) -> float:
    """Round to 1e-7 degrees: every coordinate sent is an exact 7-decimal
    number, so inclusive box tests are exact decimal comparisons."""
    return round(v, 7)


T0 = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())
T1 = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
OFFSETS = [0, 0, 0, 180, 330, -240, 720, -660]


def build_dataset(seed: int = 20250301) -> list[Point]:
    rng = random.Random(seed)
    pts: list[Point] = []

    def add(lat, lon, kind, sector=None, ts=None, created_at=None, source=None):
        lat, lon = r7(lat), r7(lon)
        lat = max(-90.0, min(90.0, lat))
        if lon > 180.0:
            lon -= 360.0
        if lon < -180.0:
            lon += 360.0
        sector = sector or rng.choice(SECTORS)
        if created_at is None:
            ts = rng.randrange(T0, T1) if ts is None else ts
            created_at = fmt_time(ts, rng.choice(OFFSETS))
        else:
            ts = parse_rfc3339(created_at)
        status = rng.choice(STATUSES)
        resolved = None
        if status in ("resolved", "rejected") and rng.random() < 0.8:
            resolved = fmt_time(ts + rng.randrange(60, 90 * 86400), 0)
        src = source or rng.choice(["gosuslugi", "vk", "reception", "phone"])
        pts.append(Point(src, f"{kind}-{len(pts)}", sector, lat, lon, ts, created_at,
                         status, resolved, kind))

    # Uniform over the sphere.
    for _ in range(6000):
        add(math.degrees(math.asin(2 * rng.random() - 1)), rng.uniform(-180, 180), "uniform")
    # Polar caps (|lat| > 89), including the poles themselves.
    for sign, kind in ((1, "north"), (-1, "south")):
        for _ in range(1400):
            add(sign * rng.uniform(89.0000001, 90.0), rng.uniform(-180, 180), kind)
        for lon in (0.0, 45.0, -135.0, 180.0, -180.0):
            add(sign * 90.0, lon, kind)
        for _ in range(95):
            add(sign * rng.uniform(89.9, 90.0), rng.uniform(-180, 180), kind)
    # Equator (and exactly on it).
    for _ in range(1400):
        add(rng.uniform(-0.01, 0.01), rng.uniform(-180, 180), "equator")
    for _ in range(100):
        add(0.0, rng.uniform(-180, 180), "equator")
    # Greenwich meridian (and exactly on it), incl. the origin.
    for _ in range(1400):
        add(rng.uniform(-80, 80), rng.uniform(-0.01, 0.01), "greenwich")
    for _ in range(100):
        add(rng.uniform(-80, 80), 0.0, "greenwich")
    for _ in range(20):
        add(0.0, 0.0, "greenwich")
    # Both sides of the antimeridian, everywhere in latitude and in Chukotka.
    for _ in range(1500):
        lon = rng.choice([1, -1]) * rng.uniform(179.9, 180.0)
        add(rng.uniform(-85, 85), lon, "antimeridian")
    for _ in range(1500):
        lon = rng.choice([1, -1]) * rng.uniform(178.5, 180.0)
        add(rng.uniform(59.5, 70.5), lon, "chukotka")
    for lat in (60.0, 62.5, 65.0, 67.5, 70.0):
        for lon in (179.99, -179.99, 180.0, -180.0):
            for _ in range(3):
                add(lat, lon, "antimeridian")
    # Moscow: dense, so cells hold many appeals at every resolution.
    for _ in range(3500):
        add(rng.gauss(55.7558, 0.08), rng.gauss(37.6173, 0.12), "moscow")
    # Exact repeats at a few addresses (many appeals in one res-15 cell).
    spots = [(r7(rng.gauss(55.7558, 0.05)), r7(rng.gauss(37.6173, 0.08))) for _ in range(40)]
    for _ in range(1000):
        la, lo = rng.choice(spots)
        add(la, lo, "repeat")

    # Probes.
    for created_at, *_ in PERIOD_PROBES:
        add(*PERIOD_SPOT, "period-probe", sector="roads", created_at=created_at, source="probe")
    for created_at in TIME_PROBES:
        add(*TIME_SPOT, "time-probe", sector="health", created_at=created_at, source="probe")
    for la, lo in EDGE_IN + EDGE_OUT:
        add(la, lo, "edge-probe", sector="ecology", source="probe")
    for la, lo in ANTI_IN + ANTI_OUT:
        add(la, lo, "anti-probe", sector="energy", source="probe")

    for p in pts:
        c15 = h3.latlng_to_cell(p.lat, p.lon, FINEST)
        p.cells = [h3.cell_to_parent(c15, r) for r in range(FINEST + 1)]
        p.direct = [h3.latlng_to_cell(p.lat, p.lon, r) for r in range(FINEST + 1)]
    return pts


# --------------------------------------------------------------------------
# Filters and tallies
# --------------------------------------------------------------------------

def fixed(v: float) -> int:
    """A 7-decimal coordinate as an exact integer (units of 1e-7 degree)."""
    return int(round(v * 1e7))


def moscow_midnight(d: str) -> int:
    y, m, dd = map(int, d.split("-"))
    return int(datetime(y, m, dd, tzinfo=TZ).timestamp())


def instant(s: str) -> float:
    """A `from`/`to` value: a date is midnight in the server's zone; an RFC
    3339 time keeps its fractional seconds (appeal times are whole seconds)."""
    if len(s) == 10:
        return moscow_midnight(s)
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def make_pred(bbox=None, sectors=None, from_=None, to=None):
    tests = []
    if bbox is not None:
        w, s, e, n = (fixed(v) for v in bbox)
        if w > e:   # crosses the antimeridian
            tests.append(lambda p: s <= fixed(p.lat) <= n and (fixed(p.lon) >= w or fixed(p.lon) <= e))
        else:
            tests.append(lambda p: s <= fixed(p.lat) <= n and w <= fixed(p.lon) <= e)
    if sectors is not None:
        ss = set(sectors)
        tests.append(lambda p: p.sector in ss)
    if from_ is not None:
        f = instant(from_)
        tests.append(lambda p: p.ts >= f)
    if to is not None:
        t = instant(to)
        tests.append(lambda p: p.ts < t)
    return lambda p: all(t(p) for t in tests)


def params_pred(params: dict):
    bbox = tuple(float(x) for x in params["bbox"].split(",")) if "bbox" in params else None
    sectors = params["sector"].split(",") if "sector" in params else None
    return make_pred(bbox, sectors, params.get("from"), params.get("to"))


def tally_cells(points, res, pred=lambda p: True) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    for p in points:
        if pred(p):
            out[p.cells[res]][p.sector] += 1
    return dict(out)


def period_start(ts: int, period: str) -> str:
    d = datetime.fromtimestamp(ts, TZ).date()
    if period == "day":
        start = d
    elif period == "week":
        start = d - timedelta(days=d.weekday())
    elif period == "month":
        start = d.replace(day=1)
    elif period == "quarter":
        start = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    elif period == "year":
        start = date(d.year, 1, 1)
    else:
        raise ValueError(period)
    return datetime(start.year, start.month, start.day, tzinfo=TZ).isoformat()


def tally_rows(points, res, period, pred=lambda p: True) -> Counter:
    out: Counter = Counter()
    for p in points:
        if pred(p):
            out[(p.cells[res], p.sector, period_start(p.ts, period))] += 1
    return out
