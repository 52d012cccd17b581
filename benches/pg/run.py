"""PostgreSQL benchmarks (issue 6), each next to its SQLite baseline in the
same run on the same data:

* HTTP ingest: the same CSV bodies (20 000 appeals each, 2 clients) posted to a
  server on a fresh SQLite file and to one on a fresh PostgreSQL database;
* `hexwatch import` of the whole data set into both;
* cold start of N appeals from PostgreSQL (no snapshot, and with `--snapshot`)
  against the SQLite rebuild (snapshot deleted): spawn → first 200 of the
  country res-5 query;
* change propagation between two instances on one database: a one-appeal
  write acknowledged by A until B's /health counts it (p50/p99).

PostgreSQL is a throwaway cluster (scripts/pg-temp.sh) with fsync on, as
SQLite runs with synchronous=FULL.

    cargo build --release --bin hexwatch
    .venv/bin/python benches/pg/run.py --appeals 10000000
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "load"))
import run as load  # noqa: E402  (shared harness: Server, batches, data, timings)


def url_of(db) -> str:
    return db if str(db).startswith("postgres") else f"sqlite://{db}"


load.db_url = url_of  # the shared Server takes a file or a PostgreSQL URL


class Cluster:
    def __init__(self):
        env = dict(load.os.environ, HEXWATCH_PG_FSYNC="on")
        out = subprocess.run([str(ROOT / "scripts" / "pg-temp.sh"), "start", str(load.os.getpid())],
                             check=True, capture_output=True, text=True, env=env).stdout.split()
        self.dir, self.admin = out[0], out[1]

    def create_db(self, name: str) -> str:
        subprocess.run(["psql", self.admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", self.admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        return self.admin.rsplit("/", 1)[0] + "/" + name

    def sql(self, url: str, q: str) -> str:
        return subprocess.run(["psql", url, "-tAc", q], check=True, capture_output=True,
                              text=True).stdout.strip()

    def remove(self):
        subprocess.run([str(ROOT / "scripts" / "pg-temp.sh"), "remove", self.dir], check=False)


def ingest(args, bin_: Path, bodies: list[bytes], db, tag: str, logdir: Path) -> dict:
    s = load.Server(bin_, db, logdir, f"ingest-{tag}")
    lock, nxt, results, errors = threading.Lock(), [0], [], []

    def client():
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=300)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(bodies):
                break
            c.request("POST", "/api/v1/appeals", body=bodies[i], headers={"Content-Type": "text/csv"})
            r = c.getresponse()
            b = r.read()
            with lock:
                (results if r.status == 200 else errors).append(b if r.status != 200 else json.loads(b))
        c.close()

    try:
        s.wait_ready("/health", timeout=120)
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        health = json.loads(load.get_body(s.port, "/health"))
    finally:
        s.stop()
    accepted = sum(int(r.get("accepted", 0)) for r in results)
    out = {"wall_s": round(wall, 3), "accepted": accepted, "per_s": round(accepted / wall),
           "errors": len(errors), "health_appeals": health["appeals"]}
    load.log(f"ingest {tag}: {out}")
    return out


def import_into(bin_: Path, csv_path: Path, db, tag: str, logdir: Path) -> dict:
    r = load.run_cmd([str(bin_), "import", str(csv_path), "--db", url_of(db)], timeout=7200,
                     log_path=logdir / f"import-{tag}.log")
    m = load.IMPORT_RE.search(r["stdout"])
    out = {"wall_s": r["wall_s"], "peak_rss_bytes": r["peak_rss_bytes"]}
    if m:
        out["accepted"], out["reported_per_s"] = int(m.group(1)), int(m.group(6))
    load.log(f"import {tag}: {out}")
    return out


def cold(bin_: Path, db, tag: str, logdir: Path, extra=None, timeout=600) -> dict:
    s = load.Server(bin_, db, logdir, f"cold-{tag}", extra=extra)
    try:
        r = s.wait_ready(load.COLD_QUERY, timeout=timeout)
        r["rss"] = load.proc_status(s.pid)
    finally:
        r_stop = s.stop()
    r["log"] = load.startup_log(s.log_text())
    r["stop"] = r_stop
    load.log(f"cold start {tag}: {r['first_answer_s']} s {r['log']}")
    return r


def propagation(bin_: Path, db: str, logdir: Path, writes: int) -> dict:
    a = load.Server(bin_, db, logdir, "prop-a")
    b = load.Server(bin_, db, logdir, "prop-b")
    delays = []
    try:
        a.wait_ready("/health", timeout=600)
        b.wait_ready("/health", timeout=600)
        ca = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        cb = http.client.HTTPConnection("127.0.0.1", b.port, timeout=60)

        def count(c) -> int:
            c.request("GET", "/health")
            return json.loads(c.getresponse().read())["appeals"]

        n = count(cb)
        for i in range(writes):
            body = json.dumps([{"source": "bench", "external_id": f"prop-{time.time_ns()}-{i}",
                                "sector": "roads", "lat": 55.75, "lon": 37.6,
                                "created_at": "2025-06-01T10:00:00+03:00"}]).encode()
            ca.request("POST", "/api/v1/appeals", body=body, headers={"Content-Type": "application/json"})
            r = ca.getresponse()
            r.read()
            acked = time.perf_counter()
            assert r.status == 200, r.status
            n += 1
            while count(cb) < n:
                if time.perf_counter() - acked > 10:
                    raise RuntimeError("B did not see A's write within 10 s")
            delays.append(time.perf_counter() - acked)
            time.sleep(0.02)
    finally:
        a.stop()
        b.stop()
    ms = sorted(d * 1000 for d in delays)
    out = {"writes": writes, "p50_ms": round(load.pct(ms, 50), 2), "p99_ms": round(load.pct(ms, 99), 2),
           "max_ms": round(ms[-1], 2), "mean_ms": round(statistics.mean(ms), 2)}
    load.log(f"propagation A→B: {out}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--appeals", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ingest", type=int, default=2_000_000, help="appeals posted over HTTP")
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--writes", type=int, default=300, help="propagation samples")
    ap.add_argument("--data-dir", type=Path, default=Path("/work/bench-data"))
    ap.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "hexwatch")
    ap.add_argument("--out", type=Path, default=ROOT / "benches" / "results")
    args = ap.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    logdir = args.data_dir / "pg-logs"
    logdir.mkdir(exist_ok=True)
    bin_ = args.data_dir / "hexwatch-pg-bench"
    bin_.write_bytes(args.bin.read_bytes())  # a rebuild during the run cannot change it
    bin_.chmod(0o755)
    csv_path = load.ensure_data(args, bin_)
    cluster = Cluster()
    res: dict = {"appeals": args.appeals, "machine": load.machine_info(),
                 "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                          capture_output=True, text=True).stdout.strip()}
    try:
        bodies, n = load.read_batches(csv_path, args.ingest, args.batch)
        sq = args.data_dir / "pg-bench-ingest.db"
        load.remove_db(sq)
        res["ingest"] = {"appeals": n, "batch": args.batch, "clients": args.clients,
                         "sqlite": ingest(args, bin_, bodies, sq, "sqlite", logdir),
                         "postgres": ingest(args, bin_, bodies, cluster.create_db("bench_ingest"), "postgres", logdir)}
        del bodies
        load.remove_db(sq)

        sq = args.data_dir / "pg-bench-full.db"
        load.remove_db(sq)
        pg = cluster.create_db("bench_full")
        res["import"] = {"sqlite": import_into(bin_, csv_path, sq, "sqlite", logdir),
                         "postgres": import_into(bin_, csv_path, pg, "postgres", logdir)}
        res["postgres_bytes"] = int(cluster.sql(pg, "SELECT pg_database_size(current_database())"))
        res["sqlite_bytes"] = load.file_size(sq)
        snap = Path(str(sq) + ".hexidx")
        if snap.exists():
            snap.unlink()
        pg_snap = args.data_dir / "pg-bench.hexidx"
        if pg_snap.exists():
            pg_snap.unlink()
        res["cold"] = {
            "sqlite_rebuild": cold(bin_, sq, "sqlite-rebuild", logdir),
            "postgres": [cold(bin_, pg, f"postgres-{i}", logdir) for i in range(3)],
            # The first run writes the snapshot, the second reads it.
            "postgres_snapshot": [cold(bin_, pg, f"postgres-snap-{i}", logdir,
                                       extra=["--snapshot", str(pg_snap)]) for i in range(2)],
        }
        res["propagation"] = propagation(bin_, pg, logdir, args.writes)
    finally:
        cluster.remove()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"pg-{args.appeals}.json"
    out.write_text(json.dumps(res, indent=2))
    load.log(f"wrote {out}")


if __name__ == "__main__":
    main()
