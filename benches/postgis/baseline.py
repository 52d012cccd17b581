#!/usr/bin/env python3
"""The PostGIS baseline for hexwatch's hexagon tiles (issue 3): what a GIS
team would run instead. A throwaway PostgreSQL 15 + PostGIS 3 cluster holds
the same appeals as hexwatch's SQLite database (id, res-15 cell, sector,
creation time) and a table of the H3 cell polygons they fall in (computed
with the Python `h3` package, Web Mercator, GiST-indexed). A tile is then
`ST_AsMVT` over `ST_AsMVTGeom` of every cell whose polygon meets the
buffered tile envelope, with the same properties as hexwatch's `hexagons`
layer: `h3`, `count`, the dominant `sector` (most appeals, ties to the
smaller sector id) and `count_<code>` for each sector present, feature id =
the cell. Debian 12 has no h3-pg extension, so the counts group by a stored
parent-cell column (`cell_r<res>`, computed from the res-15 cell's bits and
indexed together with the sector, so the count is an index-only scan).

Used by benches/load/tiles.py in the same run as hexwatch's measurements;
on its own it measures tiles given in a JSON file:

    .venv/bin/python benches/postgis/baseline.py --db /work/bench-data/load-1000000.db \\
        --tiles tiles.json --out pg.json

Starts PostgreSQL as the `postgres` user in a temporary directory on a free
port and removes it on exit (also on error or Ctrl-C). Installs
`postgresql-15-postgis-3` with apt-get when it is missing and we are root.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h3

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
EXTENT, BUFFER = 4096, 64  # hexwatch's tile extent and buffer (src/tiles/coord.rs)
# hexwatch's zoom → resolution table (src/tiles/zoom.rs).
ZOOM_RES = [1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15] + [15] * 5


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}] postgis:", *a, file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ensure_postgis() -> dict:
    """PostGIS for PostgreSQL 15 from Debian, installed when missing."""
    if POSTGIS_CONTROL.exists():
        return {"installed_now": False}
    if os.geteuid() != 0:
        raise RuntimeError("PostGIS missing: apt-get install -y postgresql-15-postgis-3 (as root)")
    t = time.perf_counter()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "postgresql-15-postgis-3"]
    if subprocess.run(cmd, env=env, capture_output=True, timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        subprocess.run(cmd, env=env, capture_output=True, timeout=600, check=True)
    return {"installed_now": True, "install_s": round(time.perf_counter() - t, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL 15 cluster run by the `postgres` user."""

    def __init__(self, parent: Path, shared_buffers: str = "2GB"):
        self.dir = Path(tempfile.mkdtemp(prefix="pg-", dir=parent))
        self.data = self.dir / "data"
        self.port = free_port()
        self.started = False
        shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self._as_pg([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                     "--no-sync", "-E", "UTF8", "--locale=C"])
        # Tuned as a throwaway analytics box would be: no durability, no JIT
        # (its compile time dominates millisecond queries), room in memory.
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                f"-c shared_buffers={shared_buffers} -c work_mem=64MB -c maintenance_work_mem=1GB "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=16GB "
                "-c jit=off -c effective_cache_size=8GB -c random_page_cost=1.1")
        self._as_pg([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                     str(self.dir / "server.log"), "-w", "-t", "120", "start"])
        self.started = True
        _CLUSTERS.append(self)

    def _as_pg(self, cmd: list[str]):
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, capture_output=True, timeout=300, cwd="/")

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def stop(self):
        if self.started:
            try:
                self._as_pg([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
            except Exception:  # noqa: BLE001 — best effort, then remove the files
                pid = self.pid()
                if pid:
                    os.kill(pid, signal.SIGKILL)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _CLUSTERS:
            _CLUSTERS.remove(self)


_CLUSTERS: list[Cluster] = []


def _stop_all(*_):
    for c in list(_CLUSTERS):
        c.stop()


atexit.register(_stop_all)


def parent_sql(res: int) -> str:
    """The parent at `res` of the res-15 cell, as the same bit operation
    hexwatch's `parent_raw` does: set the resolution, fill unused digits with 7."""
    low = 3 * (15 - res)
    return f"((cell & ~(15::bigint << 52)) | ({res}::bigint << 52) | {(1 << low) - 1}::bigint)"


def cell_ewkb(h: str) -> str:
    """The cell's polygon in lon/lat as hex EWKB (SRID 4326), which COPY
    reads straight into a geometry column; longitudes unwrapped so a cell on
    ±180 stays one ring (east of 180 on the far side)."""
    pts = [(lng, lat) for lat, lng in h3.cell_to_boundary(h)]
    if max(p[0] for p in pts) - min(p[0] for p in pts) > 180:
        pts = [(x + 360 if x < 0 else x, y) for x, y in pts]
    pts.append(pts[0])
    flat = [v for p in pts for v in p]
    # little endian, Polygon with SRID flag, SRID, one ring, its points
    return struct.pack(f"<BIIII{len(flat)}d", 1, 0x20000003, 4326, 1, len(pts), *flat).hex()


def load(conn, sqlite_db: Path, resolutions: list[int]) -> dict:
    """Copies the appeals from hexwatch's SQLite file, adds a parent-cell
    column per resolution, and the cell polygons at those resolutions."""
    out: dict = {}
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute("SELECT postgis_full_version(), version()")
        out["postgis_version"], out["postgres_version"] = cur.fetchone()
        cur.execute("CREATE TABLE sectors (id smallint PRIMARY KEY, code text NOT NULL)")
        src = sqlite3.connect(f"file:{sqlite_db}?mode=ro", uri=True)
        sectors = src.execute("SELECT id, code FROM sectors ORDER BY id").fetchall()
        cur.executemany("INSERT INTO sectors VALUES (%s, %s)", sectors)
        cur.execute("CREATE TABLE appeals (id bigint, cell bigint, sector_id smallint, created_at bigint)")
        rows = 0
        with cur.copy("COPY appeals FROM STDIN") as cp:
            q = src.execute("SELECT id, cell, sector_id, created_at FROM appeals")
            while True:
                chunk = q.fetchmany(200_000)
                if not chunk:
                    break
                cp.write("".join(f"{a}\t{b}\t{c}\t{d}\n" for a, b, c, d in chunk))
                rows += len(chunk)
        src.close()
        out["appeals"] = rows
        out["copy_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        cols = ", ".join(f"{parent_sql(r)} AS cell_r{r}" for r in resolutions)
        cur.execute(f"CREATE TABLE appeals_c AS SELECT id, cell, {cols}, sector_id, created_at FROM appeals")
        cur.execute("DROP TABLE appeals")
        cur.execute("ALTER TABLE appeals_c RENAME TO appeals")
        for r in resolutions:
            cur.execute(f"CREATE INDEX appeals_r{r} ON appeals (cell_r{r}, sector_id)")
        out["parents_and_indexes_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        cur.execute("CREATE TABLE cells (cell bigint PRIMARY KEY, res smallint NOT NULL, "
                    "geom geometry(Polygon, 3857) NOT NULL)")
        cur.execute("CREATE TEMP TABLE cells_in (cell bigint, res smallint, g geometry)")
        n_cells = {}
        for r in resolutions:
            cur.execute(f"SELECT DISTINCT cell_r{r} FROM appeals")
            ids = [x for (x,) in cur.fetchall()]
            n_cells[r] = len(ids)
            with cur.copy("COPY cells_in FROM STDIN") as cp:
                for i in range(0, len(ids), 100_000):
                    cp.write("".join(f"{c}\t{r}\t{cell_ewkb(h3.int_to_str(c))}\n" for c in ids[i:i + 100_000]))
        cur.execute("INSERT INTO cells SELECT cell, res, ST_Transform(g, 3857) "
                    "FROM cells_in")
        cur.execute("CREATE INDEX cells_geom ON cells USING gist (geom)")
        out["cells"] = n_cells
        out["cells_s"] = round(time.perf_counter() - t, 1)
    conn.commit()
    t = time.perf_counter()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE appeals")
        cur.execute("VACUUM ANALYZE cells")
        cur.execute("SELECT pg_total_relation_size('appeals'), pg_total_relation_size('cells')")
        out["appeals_bytes"], out["cells_bytes"] = cur.fetchone()
    out["vacuum_s"] = round(time.perf_counter() - t, 1)
    return out


def tile_sql(res: int, sectors: list[tuple[int, str]]) -> str:
    """One hexagon tile; parameters z, x, y."""
    per_sector = ",\n        ".join(
        f"(sum(n) FILTER (WHERE sector_id = {i}))::bigint AS count_{code}" for i, code in sectors)
    props = ", ".join(f"p.count_{code}" for _, code in sectors)
    return f"""
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS e,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {BUFFER / EXTENT}) AS be),
tc AS (
    SELECT c.cell, c.geom FROM cells c, env WHERE c.res = {res} AND c.geom && env.be),
by_sector AS (
    SELECT a.cell_r{res} AS cell, a.sector_id, count(*) AS n
    FROM appeals a JOIN tc ON a.cell_r{res} = tc.cell
    GROUP BY 1, 2),
per_cell AS (
    SELECT cell, sum(n)::bigint AS count,
        (array_agg(sector_id ORDER BY n DESC, sector_id))[1] AS dominant,
        {per_sector}
    FROM by_sector GROUP BY cell)
SELECT ST_AsMVT(t, 'hexagons', {EXTENT}, 'geom', 'id') FROM (
    SELECT p.cell AS id, to_hex(p.cell) AS h3, p.count, s.code AS sector, {props},
           ST_AsMVTGeom(tc.geom, env.e, {EXTENT}, {BUFFER}, true) AS geom
    FROM per_cell p JOIN tc USING (cell) JOIN sectors s ON s.id = p.dominant CROSS JOIN env
) t WHERE t.geom IS NOT NULL
"""


def measure(conn, tiles: dict[str, list[list[int]]], passes: int, time_limit: float,
            save_dir: Path | None = None, pid: int | None = None) -> dict:
    """For each named set of tiles: one warm-up pass, then `passes` timed
    passes (bounded by `time_limit` seconds per set), one connection,
    sequential. Saves each tile's bytes to `save_dir` for cross-checks."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, code FROM sectors ORDER BY id")
        sectors = cur.fetchall()
    sql = {r: tile_sql(r, sectors) for r in set(ZOOM_RES)}
    out: dict = {}
    for name, tl in tiles.items():
        times: list[float] = []
        first: list[float] = []
        sizes = []
        deadline = time.perf_counter() + time_limit
        cpu0 = _proc_cpu(pid)
        wall0 = time.perf_counter()
        for p in range(passes + 1):
            for z, x, y in tl:
                if time.perf_counter() > deadline and p > 0:
                    break
                t = time.perf_counter()
                with conn.cursor() as cur:
                    cur.execute(sql[ZOOM_RES[z]], {"z": z, "x": x, "y": y})
                    mvt = bytes(cur.fetchone()[0] or b"")
                el = time.perf_counter() - t
                (first if p == 0 else times).append(el)
                if p == 0:
                    sizes.append(len(mvt))
                    if save_dir is not None:
                        (save_dir / f"pg-{z}-{x}-{y}.mvt").write_bytes(mvt)
        wall = time.perf_counter() - wall0
        ms = [x * 1000 for x in times]
        out[name] = {
            "tiles": len(tl), "n": len(ms),
            "p50_ms": round(pct(ms, 50), 3), "p90_ms": round(pct(ms, 90), 3),
            "p99_ms": round(pct(ms, 99), 3), "mean_ms": round(statistics.fmean(ms), 3) if ms else None,
            "max_ms": round(max(ms), 3) if ms else None,
            "tiles_per_s": round(len(ms) / sum(times), 2) if times else None,
            "first_pass_p50_ms": round(pct([x * 1000 for x in first], 50), 3),
            "mean_bytes": round(statistics.fmean(sizes)) if sizes else 0,
            "postgres_cpu_s": round(_proc_cpu(pid) - cpu0, 2) if pid else None,
            "wall_s": round(wall, 2),
        }
        log(f"{name}: {len(tl)} tiles, p50 {out[name]['p50_ms']} ms, p99 {out[name]['p99_ms']} ms, "
            f"{out[name]['tiles_per_s']} tiles/s")
    return out


def _proc_cpu(pid: int | None) -> float:
    """CPU seconds of a process and its children (the postgres backends)."""
    if not pid:
        return 0.0
    total = 0.0
    hz = os.sysconf("SC_CLK_TCK")
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            f = (p / "stat").read_text().rsplit(")", 1)[1].split()
            if int(p.name) == pid or int(f[1]) == pid:
                total += (int(f[11]) + int(f[12])) / hz
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(sqlite_db: Path, tiles: dict[str, list[list[int]]], work_dir: Path, passes: int = 2,
        time_limit: float = 120.0, save_dir: Path | None = None) -> dict:
    """Starts a cluster, loads, measures, stops; everything in one dict."""
    import psycopg

    res: dict = {"install": ensure_postgis()}
    resolutions = sorted({ZOOM_RES[z] for tl in tiles.values() for z, _, _ in tl})
    t = time.perf_counter()
    cluster = Cluster(work_dir)
    res["start_s"] = round(time.perf_counter() - t, 1)
    try:
        with psycopg.connect(cluster.conninfo()) as conn:
            log(f"loading {sqlite_db} (resolutions {resolutions})")
            res["load"] = load(conn, sqlite_db, resolutions)
            log(f"loaded: {res['load']}")
            res["tiles"] = measure(conn, tiles, passes, time_limit, save_dir, cluster.pid())
    finally:
        cluster.stop()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True, help="hexwatch's SQLite database (read only)")
    ap.add_argument("--tiles", type=Path, required=True, help='JSON {"set name": [[z, x, y], …]}')
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, default=Path("/work/bench-data"))
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--save-dir", type=Path)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (_stop_all(), sys.exit(143)))
    tiles = json.loads(args.tiles.read_text())
    if args.save_dir:
        args.save_dir.mkdir(parents=True, exist_ok=True)
    r = run(args.db, tiles, args.work_dir, args.passes, args.time_limit, args.save_dir)
    args.out.write_text(json.dumps(r, indent=1) + "\n")


if __name__ == "__main__":
    main()
