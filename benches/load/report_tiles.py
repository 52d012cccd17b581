#!/usr/bin/env python3
"""Markdown tables of the tiles phase (run.py's `tiles` key) for
BENCHMARKS.md, one block per result file:

    .venv/bin/python benches/load/report_tiles.py benches/results/tiles/load-10000000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from report import fmt, g, size, table

SETS = {"z12_random": "z 12, random (under random appeals)", "z12_densest": "z 12, the densest",
        "z8_densest": "z 8, the densest (city)"}


def verdict(t, key):
    v = t.get("verdicts", {}).get(key)
    if not v:
        return "–"
    return "met" if v["met"] else f"**missed ×{v['miss_factor']}**"


def report(r: dict) -> str:
    t = r["tiles"]
    n = r["args"]["appeals"]
    m, b = r["machine"], r["binary"]
    out = [f"**{size(n)} appeals** — binary from {(b.get('source_commit') or m['git_describe'])[:12]} "
           f"(sha256 {b['sha256'][:12]}), run started {r['started']}.", ""]
    pg = g(t, "postgis", "tiles") or {}
    rows = []
    for s, label in SETS.items():
        u = g(t, "uncached", s)
        if not u:
            continue
        p = pg.get(s, {})
        ra = g(t, "ratios", s) or {}
        if s == "z8_densest":
            v = f"{verdict(t, 'z8_densest_p50_ms')} / {verdict(t, 'z8_densest_p99_ms')}"
        else:
            v = f"{verdict(t, s + '_uncached_p50_ms')} / {verdict(t, s + '_uncached_p99_ms')}"
        rows.append([label, u["tiles"], u["n"], u.get("first_pass_p50_ms"), u["p50_ms"], u["p99_ms"],
                     u.get("tiles_per_s"), u.get("mean_bytes"), p.get("p50_ms"), p.get("p99_ms"),
                     p.get("tiles_per_s"), ra.get("p50_speedup"), ra.get("tiles_per_s_ratio"),
                     "≤ 10 ms" if s == "z8_densest" else "≤ 1 / ≤ 3 ms", v])
    out.append(table(["tiles", "distinct", "timed", "1st pass p50 ms", "p50 ms", "p99 ms", "tiles/s (1 client)",
                      "bytes", "PostGIS p50 ms", "PostGIS p99 ms", "PostGIS tiles/s", "× p50", "× tiles/s",
                      "target p50 / p99", "verdict"], rows))
    out.append("")
    rows = []
    for k, w in (t.get("uncached_wrk") or {}).items():
        rows.append(["uncached, z 12 random", f"{w.get('connections')} / {w.get('threads')}", w.get("urls"),
                     w.get("requests_per_s"), w.get("p50_ms"), w.get("p99_ms"), w.get("non_2xx"),
                     g(w, "cpu", "server_cpu_s"), g(w, "cpu", "foreign_cpu_share")])
    for k, w in (t.get("cached_wrk") or {}).items():
        label = "cached, z 12 random + densest" + (", Accept-Encoding: gzip" if w.get("gzip") else "")
        rows.append([label, f"{w.get('connections')} / {w.get('threads')}", w.get("urls"), w.get("requests_per_s"),
                     w.get("p50_ms"), w.get("p99_ms"), w.get("non_2xx"), g(w, "cpu", "server_cpu_s"),
                     g(w, "cpu", "foreign_cpu_share")])
    out.append(table(["wrk run", "connections / threads", "URLs", "tiles/s", "p50 ms", "p99 ms", "non-2xx",
                      "server CPU s", "other load"], rows))
    out.append("")
    out.append(f"Cached target (c64, 1 wrk thread): ≥ 20 000 tiles/s {verdict(t, 'cached_tiles_per_s')}, "
               f"p99 ≤ 5 ms {verdict(t, 'cached_p99_ms')}.")
    out.append("")
    load = g(t, "postgis", "load") or {}
    if load:
        pg_version = (load.get("postgis_version", "").split('"') + ["", ""])[1]
        out.append(f"PostGIS load (not timed in the tiles): {fmt(load.get('appeals'))} appeals copied in "
                   f"{load.get('copy_s')} s, parent columns + indexes {load.get('parents_and_indexes_s')} s, "
                   f"cell polygons {', '.join(f'res {k}: {fmt(v)}' for k, v in load.get('cells', {}).items())} "
                   f"in {load.get('cells_s')} s; PostGIS {pg_version} on "
                   f"{' '.join(load.get('postgres_version', '').split()[:2])}.")
        out.append("")
    rows = []
    for s, c in (t.get("cross_check") or {}).items():
        xs = c["tiles"]
        rows.append([s, len(xs), sum(x["hexwatch_cells"] for x in xs), sum(x["postgis_cells"] for x in xs),
                     sum(x["n_only_hexwatch"] for x in xs), sum(x["n_only_postgis"] for x in xs),
                     sum(x["property_mismatches"] for x in xs), sum(x["hexwatch_total"] for x in xs),
                     sum(x["postgis_total"] for x in xs), "yes" if c["all_equal"] else "**no**"])
    if rows:
        out.append("Cross-check: the first tiles of each set decoded from both with mapbox-vector-tile and "
                   "compared cell by cell (`h3`, `count`, `sector`, every `count_<code>`, feature id):\n")
        out.append(table(["set", "tiles", "cells hexwatch", "cells PostGIS", "only hexwatch", "only PostGIS",
                          "cells with other properties", "appeals hexwatch", "appeals PostGIS", "equal"], rows))
    return "\n".join(out)


def main(paths):
    for p in paths:
        print(report(json.loads(Path(p).read_text())))
        print()


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "results/tiles").glob("*.json")))
