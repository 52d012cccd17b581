#!/usr/bin/env python3
"""Markdown tables from benches/results/load-N.json files (run.py's output),
one column group per data size, for BENCHMARKS.md:

    .venv/bin/python benches/load/report.py benches/results/load-1000000.json benches/results/load-10000000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def fmt(v, nd=1):
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (isinstance(v, float) and v >= 1000):
        return f"{v:,.0f}".replace(",", " ")
    if isinstance(v, float):
        if abs(v) >= 100:
            return f"{v:.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        return f"{v:.2f}" if abs(v) >= 0.1 or v == 0 else f"{v:.3f}"
    return str(v)


def size(n: int) -> str:
    return f"{n // 1_000_000} M" if n >= 1_000_000 else f"{n // 1000} k"


def verdict(res, key):
    v = res.get("verdicts", {}).get(key)
    if not v:
        return "–"
    return "met" if v["met"] else f"**missed ×{v['miss_factor']}**"


def g(d, *path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows]
    return "\n".join(out)


def main(paths):
    runs = [json.loads(Path(p).read_text()) for p in paths]
    out = []
    m = runs[-1]["machine"]
    out.append(f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['mem_total_bytes'] / 2**30:.0f} GiB RAM, "
               f"Linux {m['kernel']}, {m['rustc']}, Python {m['python']}, SQLite {m['sqlite']}, "
               f"DuckDB {g(runs[-1], 'baseline_duckdb', 'version')}. Binary built from "
               f"{(runs[-1]['binary'].get('source_commit') or m['git_describe'])[:12]} "
               f"(sha256 {runs[-1]['binary']['sha256'][:12]}, built {runs[-1]['binary']['mtime']}).")
    out.append("")

    # Import
    rows, rows2 = [], []
    for r in runs:
        n = r["args"]["appeals"]
        imp, a = r.get("import", {}), r.get("import_analysis", {})
        b = a.get("bare_sqlite", {})
        ch = r["args"]["import_chunk"]
        rows.append([size(n), imp.get("per_s_wall"), imp.get("wall_s"), imp.get("reported_per_s"),
                     g(a, "import_partial", "per_s_wall"),
                     round((imp.get("user_s", 0) + imp.get("sys_s", 0)) / imp["wall_s"], 2) if imp.get("wall_s") else None,
                     imp.get("peak_rss_bytes", 0) / 2**20, g(imp, "cpu", "foreign_cpu_share"),
                     "1 000 000", verdict(r, "import_per_s")])
        rows2.append([size(n), g(b, f"executemany_chunk_{ch}", "rows"), g(b, f"executemany_chunk_{ch}", "per_s"),
                      g(b, "insert_select_in_sqlite", "per_s"), g(b, "insert_select_index_after", "per_s"),
                      g(b, "insert_select_index_after_nosync", "per_s"), g(a, "disk_write", "mib_per_s"),
                      g(r, "ratios", "import_vs_insert_select_in_sqlite")])
    out.append("### Import (`hexwatch import FILE.csv`, fresh DB)\n")
    out.append(table(["N", "appeals/s (wall)", "wall s", "write phase /s (as printed)", "`--partial` /s (wall)",
                      "CPU cores used", "peak RSS MiB", "other load on the machine", "target", "verdict"], rows))
    out.append("")
    out.append("SQLite's own ceiling for the same rows (rows read from the imported DB, 100 000 per transaction; "
               "rows/s):\n")
    out.append(table(["N", "rows", "Python executemany, same schema, WAL+FULL", "INSERT…SELECT, same schema, WAL+FULL",
                      "INSERT…SELECT, indexes built after", "…and journal off, sync off, one fsync",
                      "disk write+fsync MiB/s", "hexwatch ÷ INSERT…SELECT (same schema)"], rows2))
    out.append("")

    # HTTP ingest
    rows = []
    for r in runs:
        h = r.get("http_ingest", {})
        b = g(r, "import_analysis", "bare_sqlite", f"executemany_chunk_{r['args']['ingest_batch']}", "per_s")
        rows.append([size(r["args"]["appeals"]), h.get("appeals_sent"), h.get("per_s"),
                     g(h, "batch_latency", "p50_ms"), g(h, "batch_latency", "p99_ms"), h.get("error_count"),
                     b, g(r, "ratios", f"http_ingest_vs_executemany_chunk_{r['args']['ingest_batch']}"),
                     "250 000", verdict(r, "http_ingest_per_s")])
    out.append("### Durable HTTP ingest (CSV batches of 20 000, 2 clients, fresh server)\n")
    out.append(table(["N", "appeals sent", "appeals/s", "batch p50 ms", "batch p99 ms", "errors",
                      "SQLite executemany /s (20 000 per tx)", "ratio", "target", "verdict"], rows))
    out.append("")

    # Cold start
    rows = []
    for r in runs:
        c = r.get("cold_start", {})
        ws = c.get("with_snapshot", [{}])
        ns = c.get("without_snapshot", [{}])
        rows.append([size(r["args"]["appeals"]), c.get("with_snapshot_median_s"),
                     ", ".join(fmt(x.get("first_answer_s"), 2) for x in ws),
                     g(ws[-1], "log", "index_loaded_ms"), g(ws[-1], "log", "db_read_s"),
                     verdict(r, "cold_start_snapshot_s"), c.get("without_snapshot_median_s"),
                     g(ns[-1], "log", "index_loaded_ms"), g(ns[-1], "log", "db_read_s"),
                     verdict(r, "cold_start_rebuild_s")])
    out.append("### Cold start (spawn → first 200 of the country res-5 query; target ≤ 2 s)\n")
    out.append(table(["N", "snapshot: median s", "runs s", "index loaded ms (log)", "catch-up SELECT s (log)",
                      "verdict", "rebuild from SQLite s", "index loaded ms", "full SELECT s", "verdict"], rows))
    out.append("")

    # Memory
    rows = []
    for r in runs:
        mm = g(r, "serve", "memory") or {}
        n = r["args"]["appeals"]
        rows.append([size(n), mm.get("empty_ready_rss_bytes", 0) / 2**20, mm.get("loaded_ready_rss_bytes", 0) / 2**20,
                     mm.get("bytes_per_appeal_ready"), mm.get("bytes_per_appeal"),
                     mm.get("bytes_per_appeal_after_latency"), mm.get("peak_bytes_per_appeal"),
                     round(g(r, "import", "snapshot_bytes") / n, 1) if g(r, "import", "snapshot_bytes") else None,
                     "48", verdict(r, "bytes_per_appeal")])
    out.append("### Memory (VmRSS loaded − VmRSS empty, per appeal)\n")
    out.append(table(["N", "empty MiB", "loaded MiB", "B/appeal at ready", "after 1st query", "after latency runs",
                      "peak (VmHWM) after wrk", "snapshot B/appeal", "target", "verdict"], rows))
    out.append("")

    # Latency
    for r in runs:
        n = r["args"]["appeals"]
        lat = g(r, "serve", "latency") or {}
        rows = []
        for q, meta in r["queries"].items():
            x = lat.get(q)
            if not x:
                continue
            s = g(r, "baseline_sqlite", q) or {}
            d = g(r, "baseline_duckdb", q) or {}
            scope = "city" if meta["kind"] == "city" else "country"
            t = r["targets"]
            fl = g(r, "serve", "transfer_floor", q, "p50_ms")
            rows.append([f"`{q}`", x["n"], x.get("first_ms"), x["p50_ms"], x["p90_ms"], x["p99_ms"], fmt(x["response_bytes"] / 1e6, 2), fl,
                         s.get("p50_ms"), d.get("p50_ms"), g(r, "ratios", q, "speedup_vs_sqlite"),
                         g(r, "ratios", q, "speedup_vs_duckdb"),
                         f"{t[scope + '_p50_ms']:g} / {t[scope + '_p99_ms']:g}",
                         f"{verdict(r, q + '_p50_ms')} / {verdict(r, q + '_p99_ms')}"])
        out.append(f"### Query latency, {size(n)} appeals (one keep-alive client; ms)\n")
        out.append(table(["query", "n", "1st", "p50", "p90", "p99", "MB", "same bytes static p50", "SQLite p50", "DuckDB p50",
                          "× vs SQLite", "× vs DuckDB", "target p50 / p99", "verdict p50 / p99"], rows))
        out.append("")
        diag = g(r, "serve", "latency_diagnostics") or {}
        if diag:
            rows = [[f"`{k}`", v["path"].replace("|", "\\|"), v["p50_ms"], v["p99_ms"], fmt(v["response_bytes"] / 1e6, 2)]
                    for k, v in diag.items()]
            out.append(f"Diagnostics, {size(n)} (same filters, CSV rows instead of GeoJSON polygons):\n")
            out.append(table(["name", "path", "p50 ms", "p99 ms", "MB"], rows))
            out.append("")

    # Throughput
    rows = []
    for r in runs:
        for q, w in (g(r, "serve", "throughput_wrk") or {}).items():
            rows.append([size(r["args"]["appeals"]), f"`{q}`", w.get("requests_per_s"), w.get("p50_ms"),
                         w.get("p99_ms"), w.get("non_2xx"), g(w, "cpu", "server_cpu_s")])
    out.append("### Throughput (wrk, 8 connections, 10 s)\n")
    out.append(table(["N", "query", "req/s", "p50 ms", "p99 ms", "non-2xx", "server CPU s"], rows))
    out.append("")

    # Cross-check
    rows = []
    for r in runs:
        for q, c in (r.get("cross_check") or {}).items():
            rows.append([size(r["args"]["appeals"]), f"`{q}`", c["hexwatch_groups"], c.get("sqlite_groups"),
                         c.get("duckdb_groups"), c["hexwatch_total"], c.get("sqlite_total"), c.get("duckdb_total"),
                         "yes" if c["totals_equal"] and c["groups_equal"] else "**NO**"])
    out.append("### Cross-check (hexwatch answer vs baselines)\n")
    out.append(table(["N", "query", "cells/rows hexwatch", "SQLite", "DuckDB", "appeals hexwatch", "SQLite",
                      "DuckDB", "equal"], rows))
    out.append("")
    rows = []
    for r in runs:
        dd = r.get("baseline_duckdb", {})
        rows.append([size(r["args"]["appeals"]), dd.get("load_read_sqlite_to_numpy_s"), dd.get("load_numpy_to_duckdb_s"),
                     dd.get("threads")])
    out.append("DuckDB load (not in the query times):\n")
    out.append(table(["N", "read SQLite → numpy s", "numpy → DuckDB table s", "threads"], rows))
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "results").glob("load-*.json")))
