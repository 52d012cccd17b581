#!/usr/bin/env python3
"""hexwatch load benchmark: import, cold start, memory, query latency and
throughput, durable HTTP ingest, each against baselines measured in the same
run (SQLite GROUP BY over the stored cell column, DuckDB over the same columns).

    .venv/bin/python benches/load/run.py --appeals 1000000
    .venv/bin/python benches/load/run.py --appeals 10000000 --latency-time-limit 300
    .venv/bin/python benches/load/report.py     # markdown tables for BENCHMARKS.md

Generated data sets and databases go under --data-dir (never into the repo);
results go to --out as load-N.json and load-N.png. Every server this script
starts is stopped (SIGTERM, then SIGKILL) on exit, also on error or Ctrl-C.
All load traffic is on 127.0.0.1; every loop has a count and a time limit.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import datetime as dt
import hashlib
import http.client
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------
# Queries. Dates are local midnights in Europe/Moscow (the server's default
# zone, UTC+3 without DST since 2014), so the SQL baselines use the same
# instants.
FROM_DATE, TO_DATE = "2025-01-01", "2026-01-01"
MSK = dt.timezone(dt.timedelta(hours=3))
FROM_TS = int(dt.datetime(2025, 1, 1, tzinfo=MSK).timestamp())
TO_TS = int(dt.datetime(2026, 1, 1, tzinfo=MSK).timestamp())
MSK_OFFSET = 3 * 3600
HOUSING = 1
CITY_BBOX = (37.50, 55.68, 37.75, 55.82)  # Moscow viewport: minLon,minLat,maxLon,maxLat
BBOX_Q = ",".join(f"{v:.2f}" for v in CITY_BBOX)
COUNTRY_Q = f"sector=housing&from={FROM_DATE}&to={TO_DATE}"


def shift(res: int) -> int:
    return 3 * (15 - res)


# name -> (kind, res, HTTP path); kind picks the baseline SQL.
QUERIES = {
    "country_hex_r5": ("country", 5, f"/api/v1/hexagons?res=5&{COUNTRY_Q}"),
    "country_hex_r6": ("country", 6, f"/api/v1/hexagons?res=6&{COUNTRY_Q}"),
    "country_agg_month_r5": ("country_month", 5, f"/api/v1/aggregate?res=5&period=month&{COUNTRY_Q}"),
    "country_agg_month_r6": ("country_month", 6, f"/api/v1/aggregate?res=6&period=month&{COUNTRY_Q}"),
    "city_hex_r8": ("city", 8, f"/api/v1/hexagons?res=8&bbox={BBOX_Q}"),
    "city_hex_r9": ("city", 9, f"/api/v1/hexagons?res=9&bbox={BBOX_Q}"),
}
COLD_QUERY = QUERIES["country_hex_r5"][2]
# Diagnostics (no target, no baseline): the HTTP floor, and the same
# aggregations without GeoJSON geometry (CSV rows), to split a hexagons
# answer's time into aggregation and geometry/serialisation.
DIAG_QUERIES = {
    "diag_health": "/health",
    "diag_country_rows_r5_csv": f"/api/v1/aggregate?res=5&period=year&format=csv&{COUNTRY_Q}",
    "diag_country_rows_r6_csv": f"/api/v1/aggregate?res=6&period=year&format=csv&{COUNTRY_Q}",
    "diag_city_rows_r8_csv": f"/api/v1/aggregate?res=8&period=year&format=csv&bbox={BBOX_Q}",
    "diag_city_rows_r9_csv": f"/api/v1/aggregate?res=9&period=year&format=csv&bbox={BBOX_Q}",
}
TARGETS = {  # issue 2, for a 2-core machine and 10 M appeals
    "import_per_s": 1_000_000,
    "http_ingest_per_s": 250_000,
    "cold_start_s": 2.0,
    "country_p50_ms": 20.0,
    "country_p99_ms": 40.0,
    "city_p50_ms": 5.0,
    "city_p99_ms": 10.0,
    "bytes_per_appeal": 48.0,
}


def sql_for(kind: str, res: int, dialect: str) -> tuple[str, tuple]:
    s = shift(res)
    if kind == "country":
        return (
            f"SELECT cell >> {s} AS g, COUNT(*) FROM appeals "
            "WHERE sector_id = ? AND created_at >= ? AND created_at < ? GROUP BY 1",
            (HOUSING, FROM_TS, TO_TS),
        )
    if kind == "country_month":
        if dialect == "sqlite":
            month = f"strftime('%Y-%m', created_at + {MSK_OFFSET}, 'unixepoch')"
        else:
            month = f"date_trunc('month', epoch_ms((created_at + {MSK_OFFSET})::BIGINT * 1000))"
        return (
            f"SELECT cell >> {s} AS g, {month} AS m, COUNT(*) FROM appeals "
            "WHERE sector_id = ? AND created_at >= ? AND created_at < ? GROUP BY 1, 2",
            (HOUSING, FROM_TS, TO_TS),
        )
    if kind == "city":
        w, so, e, n = CITY_BBOX
        return (
            f"SELECT cell >> {s} AS g, COUNT(*) FROM appeals "
            "WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? GROUP BY 1",
            (so, n, w, e),
        )
    raise ValueError(kind)


# --------------------------------------------------------------------------
# Small helpers


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float:
    """Percentile with linear interpolation (numpy's default)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(xs_s: list[float]) -> dict:
    ms = [x * 1000 for x in xs_s]
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 50), 3),
        "p90_ms": round(pct(ms, 90), 3),
        "p99_ms": round(pct(ms, 99), 3),
        "min_ms": round(min(ms), 3) if ms else None,
        "max_ms": round(max(ms), 3) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 3) if ms else None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "VmSize"):
                out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


HZ = os.sysconf("SC_CLK_TCK")


def cpu_busy_s() -> float:
    """All CPUs' busy time so far (user+nice+system+irq+softirq+steal), seconds."""
    f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in f[:8])
    return (user + nice + system + irq + softirq + steal) / HZ


def pid_cpu_s(pid: int) -> float:
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / HZ
    except (OSError, IndexError, ValueError):
        return 0.0


def own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class CpuMeter:
    """Measures how much CPU *other* processes (not this script, its waited
    children, or the given server pids) used during a measurement: other work
    on this 2-core machine (builds, tests) skews latency and throughput."""

    def __init__(self, pids: list[int] = ()):
        self.pids = list(pids)
        self.t = time.perf_counter()
        self.busy = cpu_busy_s()
        self.own = own_cpu_s()
        self.p = {p: pid_cpu_s(p) for p in self.pids}

    def done(self) -> dict:
        wall = time.perf_counter() - self.t
        busy = cpu_busy_s() - self.busy
        own = own_cpu_s() - self.own
        servers = sum(pid_cpu_s(p) - v for p, v in self.p.items())
        foreign = max(0.0, busy - own - servers)
        ncpu = os.cpu_count() or 1
        return {"wall_s": round(wall, 3), "server_cpu_s": round(servers, 3), "harness_cpu_s": round(own, 3),
                "foreign_cpu_s": round(foreign, 3),
                "foreign_cpu_share": round(foreign / (wall * ncpu), 3) if wall > 0 else None}


def wait_quiet(threshold: float, max_wait: float) -> dict:
    """Waits (bounded) until the machine's CPUs are mostly idle, sampled over 1 s."""
    t0 = time.perf_counter()
    ncpu = os.cpu_count() or 1
    share = None
    for _ in range(int(max_wait) + 1):
        b = cpu_busy_s()
        time.sleep(1.0)
        share = (cpu_busy_s() - b) / ncpu
        if share <= threshold or time.perf_counter() - t0 > max_wait:
            break
    return {"waited_s": round(time.perf_counter() - t0, 1), "busy_share": round(share, 3),
            "quiet": share is not None and share <= threshold, "loadavg": os.getloadavg()}


def remove_db(db: Path):
    for suffix in ("", "-wal", "-shm", "-journal", ".hexidx", ".hexidx.tmp"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.unlink()


def file_size(p: Path) -> int:
    return p.stat().st_size if p.exists() else 0


def db_url(db: Path) -> str:
    return f"sqlite://{db}"


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass

    def cmd(*c):
        try:
            return subprocess.run(c, cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""

    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "mem_total_bytes": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "git_commit": cmd("git", "rev-parse", "HEAD"),
        "git_describe": cmd("git", "describe", "--always", "--dirty"),
        "git_dirty_src": bool(cmd("git", "status", "--porcelain", "--", "src", "Cargo.toml")),
        "rustc": cmd("rustc", "--version"),
    }


# --------------------------------------------------------------------------
# Servers: every process started is registered and stopped on exit.

_SERVERS: list["Server"] = []


class Server:
    def __init__(self, bin_: Path, db: Path, logdir: Path, tag: str, extra: list[str] | None = None,
                 web_dir: Path | None = None):
        self.port = free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.log_path = logdir / f"serve-{tag}.log"
        self._log = open(self.log_path, "wb")
        cmd = [str(bin_), "serve", "--db", db_url(db), "--listen", self.addr,
               "--web-dir", str(web_dir or ROOT / "web")] + (extra or [])
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info,sqlx=warn,tower_http=warn"))
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        _SERVERS.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, path: str, timeout: float) -> dict:
        """Polls `path` until it answers 200; returns timings since spawn."""
        deadline = time.perf_counter() + timeout
        listening_at = None
        attempts = 0
        while time.perf_counter() < deadline and attempts < 200_000:
            attempts += 1
            if not self.alive():
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            if listening_at is None and "listening on" in self.log_text():
                listening_at = time.perf_counter() - self.t0
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                c.request("GET", path)
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200:
                    t = time.perf_counter() - self.t0
                    return {"first_answer_s": round(t, 4),
                            "listening_log_seen_s": round(listening_at, 4) if listening_at else None,
                            "attempts": attempts, "body_bytes": len(body)}
                raise RuntimeError(f"{path} answered {r.status}: {body[:500]!r}")
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                time.sleep(0.005)
        raise TimeoutError(f"server not ready after {timeout} s")

    def stop(self, timeout: float = 120) -> dict:
        out = {"stopped": False}
        if self.alive():
            t = time.perf_counter()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
                out = {"stopped": True, "stop_s": round(time.perf_counter() - t, 3)}
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
                out = {"stopped": True, "killed": True}
        out["exit_code"] = self.proc.returncode
        self._log.close()
        if self in _SERVERS:
            _SERVERS.remove(self)
        return out


def _kill_all(*_):
    for s in list(_SERVERS):
        try:
            if s.alive():
                s.proc.send_signal(signal.SIGTERM)
                try:
                    s.proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    s.proc.kill()
                    s.proc.wait(timeout=10)
        except Exception:
            pass
    _SERVERS.clear()


atexit.register(_kill_all)


def _on_signal(signum, _frame):
    _kill_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def run_cmd(cmd: list[str], timeout: float, log_path: Path | None = None) -> dict:
    """Runs a command to completion; wall time, peak RSS (wait4), stdout."""
    meter = CpuMeter()
    t = time.perf_counter()
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=out, start_new_session=True)
    timer = threading.Timer(timeout, lambda: p.kill())
    timer.start()
    try:
        stdout = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        timer.cancel()
        if log_path:
            out.close()
    wall = time.perf_counter() - t
    if p.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
        raise RuntimeError(f"{cmd[:3]} exited {p.returncode} after {wall:.1f} s: {tail}")
    return {"wall_s": round(wall, 3), "peak_rss_bytes": ru.ru_maxrss * 1024,
            "user_s": round(ru.ru_utime, 2), "sys_s": round(ru.ru_stime, 2),
            "stdout": stdout.decode(errors="replace").strip(), "cpu": meter.done()}


# --------------------------------------------------------------------------
# HTTP clients


def get_body(port: int, path: str, timeout: float = 120) -> bytes:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        b = r.read()
        if r.status != 200:
            raise RuntimeError(f"GET {path}: {r.status} {b[:300]!r}")
        return b
    finally:
        c.close()


def latency(port: int, path: str, n: int, warmup: int, time_limit: float, pid: int | None = None) -> dict:
    """One client, one keep-alive connection, sequential requests."""
    meter = CpuMeter([pid] if pid else [])
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times: list[float] = []
    size = 0
    deadline = time.perf_counter() + time_limit
    errors = 0
    first_ms = None
    for i in range(warmup + n):
        if time.perf_counter() > deadline:
            break
        t = time.perf_counter()
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        el = time.perf_counter() - t
        if i == 0:
            first_ms = round(el * 1000, 3)  # this query's first time in this server: caches cold
        if r.status != 200:
            errors += 1
            continue
        size = len(body)
        if i >= warmup:
            times.append(el)
    c.close()
    out = summary_ms(times)
    out.update({"first_ms": first_ms, "warmup": warmup, "errors": errors, "response_bytes": size,
                "truncated_by_time_limit": len(times) < n, "cpu": meter.done()})
    return out


def wrk(port: int, path: str, conns: int, secs: int, pid: int | None = None) -> dict:
    exe = shutil.which("wrk")
    if not exe:
        return {"skipped": "wrk not installed (apt-get install -y wrk)"}
    cmd = [exe, "-t1", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "10s",
           f"http://127.0.0.1:{port}{path}"]
    meter = CpuMeter([pid] if pid else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 60)
    out = parse_wrk(r.stdout)
    out.update({"cpu": meter.done(), "connections": conns, "threads": 1, "duration_s": secs})
    return out


def parse_wrk(txt: str) -> dict:
    """Requests/s, latency percentiles and errors from wrk's --latency report."""
    out = {"raw": txt.strip().splitlines()}

    def unit_ms(v: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", v)
        x, u = float(m.group(1)), m.group(2)
        return x * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[u]

    m = re.search(r"Requests/sec:\s+([\d.]+)", txt)
    out["requests_per_s"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", txt)
    out["requests"] = int(m.group(1)) if m else None
    for p in ("50", "90", "99"):
        m = re.search(rf"^\s+{p}%\s+(\S+)", txt, re.M)
        out[f"p{p}_ms"] = round(unit_ms(m.group(1)), 3) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", txt)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", txt)
    out["socket_errors"] = m.group(1) if m else None
    return out


# --------------------------------------------------------------------------
# Phases


def ensure_data(args, bin_: Path) -> Path:
    csv_path = args.data_dir / f"country-{args.appeals}-s{args.seed}.csv"
    done = Path(str(csv_path) + ".done")
    if csv_path.exists() and done.exists():
        log(f"reusing {csv_path} ({file_size(csv_path) / 1e9:.2f} GB)")
        return csv_path
    tmp = args.data_dir / f"country-{args.appeals}-s{args.seed}.tmp.csv"
    log(f"generating {args.appeals} appeals into {csv_path}")
    r = run_cmd([str(bin_), "generate", "--scenario", "country", "--appeals", str(args.appeals),
                 "--seed", str(args.seed), "--out", str(tmp),
                 "--truth", str(csv_path.with_suffix(".truth.json"))],
                timeout=3600, log_path=args.data_dir / "generate.log")
    tmp.rename(csv_path)
    done.write_text(json.dumps(r))
    log(f"generated in {r['wall_s']} s")
    return csv_path


IMPORT_RE = re.compile(r"(\d+) accepted, (\d+) updated, (\d+) duplicates, (\d+) rejected in ([\d.]+) s \((\d+) appeals/s\)")


def do_import(bin_: Path, csv_path: Path, db: Path, logdir: Path, partial: bool, n: int) -> dict:
    remove_db(db)
    cmd = [str(bin_), "import", str(csv_path), "--db", db_url(db)] + (["--partial"] if partial else [])
    tag = "partial" if partial else "full"
    r = run_cmd(cmd, timeout=3600, log_path=logdir / f"import-{tag}.log")
    m = IMPORT_RE.search(r["stdout"])
    if m:
        a, u, d, rej, secs, rate = m.groups()
        r.update({"accepted": int(a), "updated": int(u), "duplicates": int(d), "rejected": int(rej),
                  "reported_write_s": float(secs), "reported_per_s": int(rate)})
    r["per_s_wall"] = round(n / r["wall_s"])
    r["db_bytes"] = file_size(db)
    r["snapshot_bytes"] = file_size(Path(str(db) + ".hexidx"))
    return r


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def startup_log(text: str) -> dict:
    """The server's own start-up figures: index load time, and sqlx's
    slow-statement note for the full-table read when rebuilding."""
    t = ANSI.sub("", text)
    out = {}
    m = re.search(r"index loaded .*?from_snapshot=(\w+) rows_from_db=(\d+) ms=(\d+)", t)
    if m:
        out.update({"from_snapshot": m.group(1) == "true", "rows_from_db": int(m.group(2)),
                    "index_loaded_ms": int(m.group(3))})
    m = re.search(r"slow statement.*?rows_returned=(\d+).*?elapsed_secs=([\d.]+)", t)
    if m:
        out.update({"db_read_rows": int(m.group(1)), "db_read_s": float(m.group(2))})
    return out


def cold_starts(args, bin_: Path, db: Path, logdir: Path) -> dict:
    snap = Path(str(db) + ".hexidx")
    out: dict = {"with_snapshot": [], "without_snapshot": []}
    if not snap.exists():
        out["note"] = "import left no snapshot"
    for i in range(args.cold_runs):
        s = Server(bin_, db, logdir, f"cold-snap-{i}")
        try:
            r = s.wait_ready(COLD_QUERY, timeout=args.cold_timeout)
        finally:
            r_stop = s.stop()
        r["stop"] = r_stop
        r["log"] = startup_log(s.log_text())
        out["with_snapshot"].append(r)
        log(f"cold start with snapshot: {r['first_answer_s']} s")
    for i in range(args.cold_runs_nosnap):
        if snap.exists():
            snap.unlink()
        s = Server(bin_, db, logdir, f"cold-nosnap-{i}")
        try:
            r = s.wait_ready(COLD_QUERY, timeout=args.cold_timeout)
        finally:
            r_stop = s.stop()
        r["stop"] = r_stop
        r["log"] = startup_log(s.log_text())
        r["snapshot_rewritten"] = snap.exists()
        out["without_snapshot"].append(r)
        log(f"cold start rebuilding from SQLite: {r['first_answer_s']} s")
    for k in ("with_snapshot", "without_snapshot"):
        xs = [x["first_answer_s"] for x in out[k]]
        if xs:
            out[k + "_median_s"] = round(statistics.median(xs), 4)
    return out


def feature_totals(body: bytes) -> tuple[int, int]:
    fc = json.loads(body)
    feats = fc["features"]
    return len(feats), sum(f["properties"]["count"] for f in feats)


def agg_totals(body: bytes) -> tuple[int, int]:
    rows = json.loads(body)
    if isinstance(rows, dict):
        rows = rows.get("rows", rows.get("data", []))
    return len(rows), sum(r["count"] for r in rows)


def serve_phase(args, bin_: Path, db: Path, empty_db: Path, logdir: Path, n: int) -> dict:
    out: dict = {}
    # Memory of an empty server, answering the same queries once.
    remove_db(empty_db)
    s = Server(bin_, empty_db, logdir, "empty")
    try:
        s.wait_ready("/health", timeout=60)
        time.sleep(0.5)
        out["empty_server_ready"] = proc_status(s.pid)
        for _, _, path in QUERIES.values():
            get_body(s.port, path)
        out["empty_server"] = proc_status(s.pid)
    finally:
        s.stop()

    # Static files of the same sizes as the answers, served by the same server
    # (tower-http ServeDir from the page cache): the floor for moving that many
    # bytes through HTTP on loopback into this client.
    web = args.data_dir / "webroot"
    shutil.rmtree(web, ignore_errors=True)
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>bench</title>")
    s = Server(bin_, db, logdir, "loaded", web_dir=web)
    try:
        out["ready"] = s.wait_ready("/health", timeout=args.cold_timeout)
        time.sleep(0.5)
        out["loaded_ready"] = proc_status(s.pid)
        get_body(s.port, COLD_QUERY)
        out["loaded_after_first_query"] = proc_status(s.pid)
        h = json.loads(get_body(s.port, "/health"))
        out["health"] = h
        answers = {}
        for name, (kind, res, path) in QUERIES.items():
            body = get_body(s.port, path)
            cnt = agg_totals(body) if kind == "country_month" else feature_totals(body)
            answers[name] = {"groups": cnt[0], "total": cnt[1], "bytes": len(body)}
        out["answers"] = answers
        lat = {}
        for name, (_, _, path) in QUERIES.items():
            lat[name] = latency(s.port, path, args.requests, args.warmup, args.latency_time_limit, s.pid)
            for _ in range(args.retries_when_busy):  # other work on the machine: measure again
                if lat[name]["cpu"]["foreign_cpu_share"] <= args.busy_retry_share:
                    break
                log(f"latency {name}: other processes used {lat[name]['cpu']['foreign_cpu_share']:.0%} "
                    "of the CPUs; measuring again")
                wait_quiet(args.quiet_threshold, args.quiet_max_wait)
                first = lat[name]
                lat[name] = latency(s.port, path, args.requests, args.warmup, args.latency_time_limit, s.pid)
                lat[name]["discarded_busy_run"] = {k: first[k] for k in ("p50_ms", "p99_ms", "cpu")}
            log(f"latency {name}: p50 {lat[name]['p50_ms']} ms p99 {lat[name]['p99_ms']} ms "
                f"({lat[name]['response_bytes']} B, foreign CPU {lat[name]['cpu']['foreign_cpu_share']:.0%})")
        out["latency"] = lat
        diag = {}
        for name, path in DIAG_QUERIES.items():
            diag[name] = latency(s.port, path, args.requests, args.warmup, args.latency_time_limit, s.pid)
            diag[name]["path"] = path
            log(f"latency {name}: p50 {diag[name]['p50_ms']} ms ({diag[name]['response_bytes']} B)")
        out["latency_diagnostics"] = diag
        floor = {}
        for name in QUERIES:
            size_b = lat[name]["response_bytes"]
            blob = web / f"{name}.bin"
            with open(blob, "wb") as f:
                f.write(b"x" * size_b)
            floor[name] = latency(s.port, f"/{blob.name}", args.requests, args.warmup, args.latency_time_limit, s.pid)
            log(f"static file of {name}'s size: p50 {floor[name]['p50_ms']} ms ({floor[name]['response_bytes']} B)")
        out["transfer_floor"] = floor
        out["loaded_after_latency"] = proc_status(s.pid)
        tp = {}
        for name in ("country_hex_r5", "city_hex_r8"):
            tp[name] = wrk(s.port, QUERIES[name][2], args.wrk_connections, args.wrk_seconds, s.pid)
            log(f"wrk {name}: {tp[name].get('requests_per_s')} req/s")
        out["throughput_wrk"] = tp
        out["loaded_final"] = proc_status(s.pid)
    finally:
        out["stop"] = s.stop()
    e = out["empty_server"].get("VmRSS", 0)
    loaded = out["loaded_after_first_query"].get("VmRSS", 0)
    e0 = out["empty_server_ready"].get("VmRSS", 0)
    l0 = out["loaded_ready"].get("VmRSS", 0)
    out["memory"] = {
        "empty_ready_rss_bytes": e0,
        "loaded_ready_rss_bytes": l0,
        "bytes_per_appeal_ready": round((l0 - e0) / n, 2),
        "empty_rss_bytes": e,
        "loaded_rss_bytes": loaded,
        "loaded_rss_after_latency_bytes": out["loaded_after_latency"].get("VmRSS", 0),
        "loaded_peak_hwm_bytes": out["loaded_final"].get("VmHWM", 0),
        "bytes_per_appeal": round((loaded - e) / n, 2),
        "anon_bytes_per_appeal": round((out["loaded_after_first_query"].get("RssAnon", 0)
                                        - out["empty_server"].get("RssAnon", 0)) / n, 2),
        "bytes_per_appeal_after_latency": round((out["loaded_after_latency"].get("VmRSS", 0) - e) / n, 2),
        "peak_bytes_per_appeal": round((out["loaded_final"].get("VmHWM", 0) - e) / n, 2),
    }
    return out


def timed_runs(fn, runs: int, time_limit: float, min_runs: int = 3) -> tuple[list[float], object]:
    fn()  # warm-up (page cache / buffer pool)
    times, res = [], None
    deadline = time.perf_counter() + time_limit
    for i in range(runs):
        if i >= min_runs and time.perf_counter() > deadline:
            break
        t = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t)
    return times, res


def sqlite_baseline(args, db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.execute("PRAGMA mmap_size = 17179869184")
    con.execute("PRAGMA cache_size = -4000000")
    out = {"settings": "read-only connection, mmap_size 16 GiB, cache_size 4 GB, no extra index (full scan)"}
    for name, (kind, res, _) in QUERIES.items():
        sql, params = sql_for(kind, res, "sqlite")
        times, rows = timed_runs(lambda: con.execute(sql, params).fetchall(), args.baseline_runs,
                                 args.baseline_time_limit)
        r = summary_ms(times)
        r.update({"sql": sql, "groups": len(rows), "total": sum(x[-1] for x in rows)})
        out[name] = r
        log(f"sqlite {name}: p50 {r['p50_ms']} ms ({r['groups']} groups, {r['total']} appeals)")
    con.close()
    return out


def load_columns(db: Path, chunk: int = 500_000):
    import numpy as np
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = con.execute("SELECT COUNT(*) FROM appeals").fetchone()[0]
    cols = {"cell": np.empty(n, np.int64), "sector_id": np.empty(n, np.int16),
            "created_at": np.empty(n, np.int64), "lat": np.empty(n, np.float64),
            "lon": np.empty(n, np.float64)}
    cur = con.execute("SELECT cell, sector_id, created_at, lat, lon FROM appeals")
    i = 0
    while i < n:
        rows = cur.fetchmany(chunk)
        if not rows:
            break
        c, s, t, la, lo = zip(*rows)
        k = len(rows)
        cols["cell"][i:i + k] = c
        cols["sector_id"][i:i + k] = s
        cols["created_at"][i:i + k] = t
        cols["lat"][i:i + k] = la
        cols["lon"][i:i + k] = lo
        i += k
    con.close()
    return {k: v[:i] for k, v in cols.items()}


def duckdb_baseline(args, db: Path) -> dict:
    import duckdb
    t = time.perf_counter()
    cols = load_columns(db)
    read_s = time.perf_counter() - t
    con = duckdb.connect()
    t = time.perf_counter()
    con.register("src", cols)
    con.execute("CREATE TABLE appeals AS SELECT * FROM src")
    con.unregister("src")
    ingest_s = time.perf_counter() - t
    del cols
    out = {"version": duckdb.__version__, "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
           "load_read_sqlite_to_numpy_s": round(read_s, 3), "load_numpy_to_duckdb_s": round(ingest_s, 3)}
    for name, (kind, res, _) in QUERIES.items():
        sql, params = sql_for(kind, res, "duckdb")
        times, rows = timed_runs(lambda: con.execute(sql, params).fetchall(), args.baseline_runs,
                                 args.baseline_time_limit)
        r = summary_ms(times)
        r.update({"sql": sql, "groups": len(rows), "total": sum(x[-1] for x in rows)})
        out[name] = r
        log(f"duckdb {name}: p50 {r['p50_ms']} ms ({r['groups']} groups)")
    con.close()
    return out


def read_batches(csv_path: Path, limit: int, batch: int) -> tuple[list[bytes], int]:
    """The first `limit` records of the CSV as CSV bodies of `batch` records
    (each with the header). Parsed with the csv module: fields may hold newlines."""
    bodies, n = [], 0
    with open(csv_path, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        header = next(rd)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        k = 0
        for row in rd:
            if n >= limit:
                break
            w.writerow(row)
            n += 1
            k += 1
            if k == batch:
                bodies.append(buf.getvalue().encode())
                buf = io.StringIO()
                w = csv.writer(buf, lineterminator="\n")
                w.writerow(header)
                k = 0
        if k:
            bodies.append(buf.getvalue().encode())
    return bodies, n


def http_ingest(args, bin_: Path, csv_path: Path, db: Path, logdir: Path, n_total: int) -> dict:
    limit = min(n_total, args.ingest_max)
    t = time.perf_counter()
    bodies, n = read_batches(csv_path, limit, args.ingest_batch)
    prep_s = time.perf_counter() - t
    log(f"http ingest: {n} appeals in {len(bodies)} bodies of {args.ingest_batch} (prepared in {prep_s:.1f} s)")
    remove_db(db)
    s = Server(bin_, db, logdir, "ingest")
    results: list[dict] = []
    errors: list[str] = []
    lock = threading.Lock()
    nxt = [0]
    deadline = time.perf_counter() + args.ingest_time_limit

    def client():
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=300)
        while time.perf_counter() < deadline:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(bodies):
                break
            t0 = time.perf_counter()
            try:
                c.request("POST", "/api/v1/appeals", body=bodies[i], headers={"Content-Type": "text/csv"})
                r = c.getresponse()
                b = r.read()
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"batch {i}: {e!r}")
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=300)
                continue
            el = time.perf_counter() - t0
            with lock:
                if r.status == 200:
                    results.append(dict(json.loads(b), seconds=el))
                else:
                    errors.append(f"batch {i}: {r.status} {b[:300]!r}")
        c.close()

    try:
        s.wait_ready("/health", timeout=60)
        rss0 = proc_status(s.pid)
        threads = [threading.Thread(target=client) for _ in range(args.ingest_clients)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=args.ingest_time_limit + 600)
        wall = time.perf_counter() - t
        health = json.loads(get_body(s.port, "/health"))
        rss1 = proc_status(s.pid)
        # Everything sent is visible: the unfiltered res-3 counts add up to the appeals sent.
        check = json.loads(get_body(s.port, "/api/v1/hexagons?res=3"))
    finally:
        stop = s.stop()

    def tot(k):
        return sum((len(r[k]) if isinstance(r.get(k), list) else int(r.get(k, 0))) for r in results)

    accepted = tot("accepted")
    per_batch = [r["seconds"] for r in results]
    return {
        "appeals_sent": n, "batches": len(bodies), "batch_size": args.ingest_batch,
        "clients": args.ingest_clients, "format": "text/csv", "prepare_s": round(prep_s, 2),
        "wall_s": round(wall, 3), "per_s": round(accepted / wall) if wall else None,
        "accepted": accepted, "updated": tot("updated"), "duplicates": tot("duplicates"),
        "rejected": tot("rejected"), "batches_ok": len(results), "errors": errors[:20],
        "error_count": len(errors), "batch_latency": summary_ms(per_batch),
        "health_after": health, "rss_before": rss0, "rss_after": rss1,
        "visible_after_res3_total": sum(f["properties"]["count"] for f in check["features"]),
        "db_bytes": file_size(db), "stop": stop,
    }


def disk_write(path: Path, mib: int = 512) -> dict:
    """Sequential write + fsync bandwidth of the data directory's disk."""
    buf = os.urandom(1 << 20)
    t = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for _ in range(mib):
            os.write(fd, buf)
        os.fsync(fd)
    finally:
        os.close(fd)
        el = time.perf_counter() - t
        path.unlink()
    log(f"disk: {mib / el:.0f} MiB/s sequential write + fsync")
    return {"mib": mib, "s": round(el, 3), "mib_per_s": round(mib / el)}


def bare_sqlite_insert(args, src_db: Path, dst_db: Path) -> dict:
    """The ceiling of SQLite itself for the same rows: Python executemany of
    rows read from the imported DB (reading untimed), same schema (incl. the
    UNIQUE(source, external_id) index), WAL, synchronous=FULL, one
    transaction per chunk; and INSERT … SELECT inside SQLite (no Python)."""
    limit = min(args.bare_insert_max, 10**12)
    src = sqlite3.connect(f"file:{src_db}?mode=ro", uri=True)
    schema = [r[0] for r in src.execute(
        "SELECT sql FROM sqlite_master WHERE name IN ('appeals', 'appeals_seq') AND sql IS NOT NULL")]
    cols = [r[1] for r in src.execute("PRAGMA table_info(appeals)")]
    out = {"schema_from": "the imported DB (appeals + its indexes)", "rows_limit": limit}

    def fresh():
        remove_db(dst_db)
        d = sqlite3.connect(dst_db, isolation_level=None)
        d.execute("PRAGMA journal_mode = WAL")
        d.execute("PRAGMA synchronous = FULL")
        for s in schema:
            d.execute(s.replace("REFERENCES sectors (id)", ""))
        return d

    for chunk in (args.import_chunk, args.ingest_batch):
        d = fresh()  # same schema, WAL, synchronous=FULL
        ph = ",".join("?" * len(cols))
        ins = f"INSERT INTO appeals ({','.join(cols)}) VALUES ({ph})"
        cur = src.execute(f"SELECT {','.join(cols)} FROM appeals ORDER BY id LIMIT ?", (limit,))
        timed = 0.0
        n = 0
        deadline = time.perf_counter() + args.bare_insert_time_limit
        while time.perf_counter() < deadline:
            rows = cur.fetchmany(chunk)
            if not rows:
                break
            t = time.perf_counter()
            d.execute("BEGIN")
            d.executemany(ins, rows)
            d.execute("COMMIT")
            timed += time.perf_counter() - t
            n += len(rows)
        out[f"executemany_chunk_{chunk}"] = {"rows": n, "insert_s": round(timed, 3),
                                             "per_s": round(n / timed) if timed else None}
        d.close()
        log(f"bare sqlite executemany chunk {chunk}: {n} rows, {n / timed:.0f} rows/s")
    src.close()

    # Pure SQLite: INSERT … SELECT from the attached imported DB (one transaction
    # per 100 000 ids), i.e. no parsing and no Python per row. Three variants:
    #  - same schema, WAL, synchronous=FULL (what hexwatch does);
    #  - indexes (UNIQUE(source, external_id), seq) built after the load;
    #  - that, with journal_mode=OFF and synchronous=OFF (one fsync at the end).
    table_sql = next(x for x in schema if x.lstrip().upper().startswith("CREATE TABLE"))
    index_sql = [x for x in schema if x is not table_sql]
    bare_table = re.sub(r",(\s*--[^\n]*)?\s*UNIQUE\s*\(source,\s*external_id\)", r"\1",
                        table_sql.replace("REFERENCES sectors (id)", ""))
    if "UNIQUE" in bare_table:
        raise RuntimeError(f"could not drop the UNIQUE constraint from {table_sql!r}")
    variants = [
        ("insert_select_in_sqlite", "same schema, WAL, synchronous=FULL", False, "WAL", "FULL"),
        ("insert_select_index_after", "indexes built after the load, WAL, synchronous=FULL", True, "WAL", "FULL"),
        ("insert_select_index_after_nosync", "indexes after, journal_mode=OFF, synchronous=OFF, fsync at end",
         True, "OFF", "OFF"),
    ]
    for key, what, index_after, journal, sync in variants:
        remove_db(dst_db)
        d = sqlite3.connect(dst_db, isolation_level=None)
        d.execute(f"PRAGMA journal_mode = {journal}")
        d.execute(f"PRAGMA synchronous = {sync}")
        if index_after:
            d.execute(bare_table)
        else:
            for x in schema:
                d.execute(x.replace("REFERENCES sectors (id)", ""))
        d.execute(f"ATTACH 'file:{src_db}?mode=ro' AS src")
        hi = d.execute("SELECT MAX(id) FROM src.appeals").fetchone()[0] or 0
        lim = min(hi, limit)
        t = time.perf_counter()
        step = args.import_chunk
        lo = 0
        deadline = time.perf_counter() + args.bare_insert_time_limit
        while lo < lim and time.perf_counter() < deadline:
            d.execute("BEGIN")
            d.execute("INSERT INTO main.appeals SELECT * FROM src.appeals WHERE id > ? AND id <= ?",
                      (lo, min(lo + step, lim)))
            d.execute("COMMIT")
            lo += step
        load_s = time.perf_counter() - t
        if index_after:
            d.execute("CREATE UNIQUE INDEX appeals_key ON appeals (source, external_id)")
            for x in index_sql:
                d.execute(x)
        n = d.execute("SELECT COUNT(*) FROM main.appeals").fetchone()[0]
        d.close()
        fd = os.open(dst_db, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        el = time.perf_counter() - t
        out[key] = {"what": what, "rows": n, "insert_s": round(el, 3), "load_s": round(load_s, 3),
                    "per_s": round(n / el) if el else None}
        log(f"bare sqlite INSERT…SELECT ({what}): {n} rows, {n / el:.0f} rows/s")
    remove_db(dst_db)
    return out


# --------------------------------------------------------------------------
# Report


def ratios(res: dict) -> dict:
    out = {}
    lat = res.get("serve", {}).get("latency", {})
    for name in QUERIES:
        h = lat.get(name, {}).get("p50_ms")
        row = {"hexwatch_p50_ms": h}
        for b in ("sqlite", "duckdb"):
            bp = res.get(f"baseline_{b}", {}).get(name, {}).get("p50_ms")
            row[f"{b}_p50_ms"] = bp
            row[f"speedup_vs_{b}"] = round(bp / h, 2) if (h and bp) else None
        out[name] = row
    imp = res.get("import", {})
    bare = res.get("import_analysis", {}).get("bare_sqlite", {})
    if imp.get("per_s_wall"):
        for k in ("executemany_chunk_%d" % res["args"]["import_chunk"], "insert_select_in_sqlite"):
            if bare.get(k, {}).get("per_s"):
                out[f"import_vs_{k}"] = round(imp["per_s_wall"] / bare[k]["per_s"], 3)
    ing = res.get("http_ingest", {})
    if ing.get("per_s"):
        k = "executemany_chunk_%d" % res["args"]["ingest_batch"]
        if bare.get(k, {}).get("per_s"):
            out[f"http_ingest_vs_{k}"] = round(ing["per_s"] / bare[k]["per_s"], 3)
    return out


def verdicts(res: dict) -> dict:
    v = {}

    def judge(name, value, target, higher_is_better):
        if value is None:
            return
        met = value >= target if higher_is_better else value <= target
        by = (target / value if higher_is_better else value / target) if value else None
        v[name] = {"value": value, "target": target, "met": met,
                   "miss_factor": None if met else round(by, 2)}

    judge("import_per_s", res.get("import", {}).get("per_s_wall"), TARGETS["import_per_s"], True)
    judge("http_ingest_per_s", res.get("http_ingest", {}).get("per_s"), TARGETS["http_ingest_per_s"], True)
    cs = res.get("cold_start", {})
    judge("cold_start_snapshot_s", cs.get("with_snapshot_median_s"), TARGETS["cold_start_s"], False)
    judge("cold_start_rebuild_s", cs.get("without_snapshot_median_s"), TARGETS["cold_start_s"], False)
    lat = res.get("serve", {}).get("latency", {})
    for name, (kind, _, _) in QUERIES.items():
        if name not in lat:
            continue
        scope = "city" if kind == "city" else "country"
        judge(f"{name}_p50_ms", lat[name]["p50_ms"], TARGETS[f"{scope}_p50_ms"], False)
        judge(f"{name}_p99_ms", lat[name]["p99_ms"], TARGETS[f"{scope}_p99_ms"], False)
    mem = res.get("serve", {}).get("memory", {})
    judge("bytes_per_appeal", mem.get("bytes_per_appeal_ready"), TARGETS["bytes_per_appeal"], False)
    return v


def cross_check(res: dict) -> dict:
    out = {}
    ans = res.get("serve", {}).get("answers", {})
    for name in QUERIES:
        h = ans.get(name)
        if not h:
            continue
        row = {"hexwatch_groups": h["groups"], "hexwatch_total": h["total"]}
        for b in ("sqlite", "duckdb"):
            x = res.get(f"baseline_{b}", {}).get(name)
            if x:
                row[f"{b}_groups"] = x["groups"]
                row[f"{b}_total"] = x["total"]
        row["totals_equal"] = all(row.get(f"{b}_total", h["total"]) == h["total"] for b in ("sqlite", "duckdb"))
        row["groups_equal"] = all(row.get(f"{b}_groups", h["groups"]) == h["groups"] for b in ("sqlite", "duckdb"))
        out[name] = row
    return out


def plot(res: dict, path: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    import numpy as np

    names = [q for q in QUERIES if q in res.get("serve", {}).get("latency", {})]
    if not names:
        return
    series = [("hexwatch (HTTP, end to end)", [res["serve"]["latency"][q]["p50_ms"] for q in names], "#d95f02")]
    floor = res["serve"].get("transfer_floor", {})
    if all(q in floor for q in names):
        series.append(("static file of the same size (HTTP floor)", [floor[q]["p50_ms"] for q in names], "#bbbbbb"))
    for b, color in (("sqlite", "#7570b3"), ("duckdb", "#1b9e77")):
        base = res.get(f"baseline_{b}", {})
        if all(q in base for q in names):
            series.append((f"{'SQLite' if b == 'sqlite' else 'DuckDB'} (GROUP BY cell shifted)",
                           [base[q]["p50_ms"] for q in names], color))
    x = np.arange(len(names))
    w = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(10, 5.2), dpi=90)
    for i, (label, vals, color) in enumerate(series):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * w, vals, w, label=label, color=color)
        for b_, v in zip(bars, vals):
            ax.annotate(f"{v:.0f}" if v >= 100 else f"{v:.3g}", (b_.get_x() + b_.get_width() / 2, v), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 1), textcoords="offset points")
    for q_i, q in enumerate(names):
        t = TARGETS["city_p50_ms" if q.startswith("city") else "country_p50_ms"]
        ax.hlines(t, q_i - 0.45, q_i + 0.45, colors="k", linestyles="dashed", linewidth=1)
    ax.set_yscale("log")
    ax.set_xticks(x, [q.replace("_", "\n", 1) for q in names], fontsize=8)
    ax.set_ylabel("p50 latency, ms (log scale)")
    n = res["args"]["appeals"]
    ax.set_title(f"hexwatch vs baselines, {n:,} appeals, {res['machine']['nproc']} cores "
                 "(dashed: issue 2 p50 target)", fontsize=10)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(series), frameon=False)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# --------------------------------------------------------------------------


PHASES = ["import", "analysis", "cold", "serve", "baselines", "ingest", "tiles"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--appeals", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data-dir", type=Path, default=Path("/work/bench-data"))
    ap.add_argument("--bin", type=Path, default=ROOT / "target/release/hexwatch")
    ap.add_argument("--out", type=Path, default=ROOT / "benches/results")
    ap.add_argument("--source-commit", default="",
                    help="the commit --bin was built from, recorded in the results (default: HEAD of this "
                         "checkout, marked dirty when src/ has uncommitted changes)")
    ap.add_argument("--skip", default="", help=f"comma list of phases to skip: {','.join(PHASES)}")
    ap.add_argument("--requests", type=int, default=200, help="timed requests per query")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--latency-time-limit", type=float, default=120.0, help="seconds per query")
    ap.add_argument("--wrk-connections", type=int, default=8)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--cold-runs-nosnap", type=int, default=1)
    ap.add_argument("--cold-timeout", type=float, default=600.0)
    ap.add_argument("--baseline-runs", type=int, default=15)
    ap.add_argument("--baseline-time-limit", type=float, default=60.0, help="seconds per query (≥3 runs)")
    ap.add_argument("--ingest-max", type=int, default=2_000_000)
    ap.add_argument("--ingest-batch", type=int, default=20_000)
    ap.add_argument("--ingest-clients", type=int, default=2)
    ap.add_argument("--ingest-time-limit", type=float, default=900.0)
    ap.add_argument("--import-chunk", type=int, default=100_000, help="hexwatch import's default chunk")
    ap.add_argument("--bare-insert-max", type=int, default=2_000_000,
                    help="rows for the bare SQLite insert-rate baseline")
    ap.add_argument("--bare-insert-time-limit", type=float, default=300.0)
    ap.add_argument("--quiet-threshold", type=float, default=0.15,
                    help="before each phase wait until the CPUs are at most this busy (1 s sample)")
    ap.add_argument("--busy-retry-share", type=float, default=0.10,
                    help="re-measure a latency run when other processes used more of the CPUs than this")
    ap.add_argument("--retries-when-busy", type=int, default=2)
    ap.add_argument("--tile-random", type=int, default=200, help="distinct random z 12 tiles")
    ap.add_argument("--tile-dense", type=int, default=50, help="densest z 12 tiles")
    ap.add_argument("--tile-passes", type=int, default=3, help="timed passes over each tile set")
    ap.add_argument("--skip-postgis", action="store_true", help="tiles phase without the PostGIS baseline")
    ap.add_argument("--quiet-max-wait", type=float, default=180.0, help="seconds to wait for quiet at most")
    args = ap.parse_args()
    skip = {s for s in args.skip.split(",") if s}

    bin_ = args.bin if args.bin.is_absolute() else ROOT / args.bin
    out_dir = args.out if args.out.is_absolute() else ROOT / args.out
    if not bin_.exists():
        sys.exit(f"{bin_} not found: cargo build --release")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    # Run a private copy: a rebuild of target/release during the run must not
    # swap the binary between phases.
    digest = hashlib.sha256(bin_.read_bytes()).hexdigest()
    bin_src = bin_
    (args.data_dir / "bin").mkdir(exist_ok=True)
    bin_ = args.data_dir / "bin" / f"hexwatch-{digest[:12]}"
    if not bin_.exists():
        shutil.copy2(bin_src, bin_)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = args.appeals
    logdir = args.data_dir / f"logs-{n}"
    logdir.mkdir(exist_ok=True)
    db = args.data_dir / f"load-{n}.db"
    json_path = out_dir / f"load-{n}.json"

    res: dict = {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": machine_info(),
        "binary": {"path": str(bin_src), "sha256": digest, "source_commit": args.source_commit or None,
                   "mtime": dt.datetime.fromtimestamp(bin_src.stat().st_mtime, dt.timezone.utc)
                   .isoformat(timespec="seconds"), "bytes": bin_.stat().st_size},
        "targets": TARGETS,
        "queries": {k: {"kind": v[0], "res": v[1], "path": v[2]} for k, v in QUERIES.items()},
        "phase_seconds": {},
        "errors": [],
    }
    if json_path.exists() and skip:
        # Keep earlier phases' results when re-running only some of them.
        prev = json.loads(json_path.read_text())
        for k in ("import", "import_analysis", "cold_start", "serve", "baseline_sqlite", "baseline_duckdb",
                  "http_ingest", "data", "tiles"):
            if k in prev:
                res[k] = prev[k]

    def save():
        res["ratios"] = ratios(res)
        res["verdicts"] = verdicts(res)
        res["cross_check"] = cross_check(res)
        res["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        json_path.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")

    def phase(name, fn):
        if name in skip:
            log(f"skipping {name}")
            return
        t = time.perf_counter()
        q = wait_quiet(args.quiet_threshold, args.quiet_max_wait)
        res.setdefault("quiet_before_phase", {})[name] = q
        log(f"== {name} (machine busy {q['busy_share']:.0%} after waiting {q['waited_s']} s)")
        t = time.perf_counter()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 — record and go on with the next phase
            log(f"{name} failed: {e!r}")
            res["errors"].append({"phase": name, "error": repr(e)[:3000]})
            _kill_all()
        res["phase_seconds"][name] = round(time.perf_counter() - t, 1)
        save()

    try:
        csv_path = ensure_data(args, bin_)
        res["data"] = {"file": str(csv_path), "bytes": file_size(csv_path)}

        def ph_import():
            r = do_import(bin_, csv_path, db, logdir, partial=False, n=n)
            res["import"] = r
            log(f"import: {r['wall_s']} s wall, {r['per_s_wall']} appeals/s "
                f"(reported {r.get('reported_per_s')} /s for the write phase)")
            if r.get("accepted") != n:
                res["errors"].append({"phase": "import", "error": f"accepted {r.get('accepted')} != {n}"})

        def ph_analysis():
            a: dict = {}
            db2 = args.data_dir / f"load-{n}-partial.db"
            r = do_import(bin_, csv_path, db2, logdir, partial=True, n=n)
            a["import_partial"] = r
            log(f"import --partial: {r['wall_s']} s wall, {r['per_s_wall']} appeals/s")
            remove_db(db2)
            a["bare_sqlite"] = bare_sqlite_insert(args, db, args.data_dir / f"bare-{n}.db")
            a["disk_write"] = disk_write(args.data_dir / "disk-probe.bin")
            res["import_analysis"] = a

        phase("import", ph_import)
        if not db.exists():
            raise RuntimeError("no imported database")
        phase("analysis", ph_analysis)
        phase("cold", lambda: res.__setitem__("cold_start", cold_starts(args, bin_, db, logdir)))
        phase("serve", lambda: res.__setitem__("serve", serve_phase(
            args, bin_, db, args.data_dir / "empty.db", logdir, n)))
        phase("baselines", lambda: (res.__setitem__("baseline_sqlite", sqlite_baseline(args, db)),
                                    res.__setitem__("baseline_duckdb", duckdb_baseline(args, db))))
        phase("ingest", lambda: res.__setitem__("http_ingest", http_ingest(
            args, bin_, csv_path, args.data_dir / f"ingest-{n}.db", logdir, n)))
        if "http_ingest" in res:
            remove_db(args.data_dir / f"ingest-{n}.db")
        phase("tiles", lambda: res.__setitem__("tiles", tiles.tile_phase(args, bin_, db, logdir)))
    finally:
        _kill_all()
        save()
        try:
            plot(res, out_dir / f"load-{n}.png")
            if "tiles" in res:
                tiles.plot(res["tiles"], n, out_dir / f"tiles-{n}.png")
        except Exception as e:  # noqa: BLE001
            log(f"plot failed: {e!r}")
        log(f"wrote {json_path}")
    for k, v in {**res["verdicts"], **res.get("tiles", {}).get("verdicts", {})}.items():
        log(f"{k:32s} {v['value']:>14} target {v['target']:>10}  {'met' if v['met'] else 'MISSED x%s' % v['miss_factor']}")
    for k, v in res["cross_check"].items():
        if not (v["totals_equal"] and v["groups_equal"]):
            log(f"CROSS-CHECK MISMATCH {k}: {v}")


if __name__ == "__main__":
    # benches/load/tiles.py imports this harness as `run`: let it find this
    # very module (one server list, one set of signal handlers), not a copy.
    sys.modules.setdefault("run", sys.modules[__name__])
    import tiles  # noqa: E402
    main()
