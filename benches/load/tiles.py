"""The `tiles` phase of benches/load/run.py (issue 3): hexagon tiles of the
release server against PostGIS `ST_AsMVT` on the same data, in the same run.

* Tile sets (picked once per data set, cached as JSON under --data-dir):
  `z12_random`: distinct z 12 tiles under randomly drawn appeals (dense
  places more often, as map users look there); `z12_densest`: the z 12
  tiles holding the most appeals (city centres, the worst case);
  `z8_densest`: the z 8 tile holding the most appeals.
* Uncached latency: a server started with `--tile-cache-bytes 0`; one
  keep-alive client, each set once to warm outlines, then timed passes.
* Uncached and cached throughput: wrk with a Lua script cycling over the
  set's URLs; cached = the default server after one request per URL.
* PostGIS: benches/postgis/baseline.py, after every hexwatch server stopped.
* Cross-check: a few tiles of each set decoded from both with
  mapbox-vector-tile: the same cells with the same properties.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import shutil
import subprocess
import time
from pathlib import Path

import run as h  # the harness (run.py registers itself under this name)

ZOOM_RES = [1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15] + [15] * 5
TARGETS = {  # issue 3, 2 cores, 10 M appeals
    "uncached_z12_p50_ms": 1.0,
    "uncached_z12_p99_ms": 3.0,
    "z8_densest_ms": 10.0,
    "cached_tiles_per_s": 20_000,
    "cached_p99_ms": 5.0,
    "postgis_speedup": 30.0,
}
CHECK_TILES = {"z12_random": 20, "z12_densest": 5, "z8_densest": 1}


def tile_of(lat, lon, z: int):
    """Tile column and row arrays (numpy) of points at zoom z, as hexwatch's `world_x/y`."""
    import numpy as np

    n = float(1 << z)
    x = np.clip(np.floor((lon + 180.0) / 360.0 * n), 0, n - 1).astype(np.int64)
    s = np.sin(np.radians(np.clip(lat, -85.05112878, 85.05112878)))
    wy = 0.5 - np.log((1 + s) / (1 - s)) / (4 * np.pi)
    y = np.clip(np.floor(wy * n), 0, n - 1).astype(np.int64)
    return x, y


def pick_tiles(args, db: Path, n_random: int, n_dense: int) -> dict:
    import numpy as np

    path = args.data_dir / f"tiles-{args.appeals}-s{args.seed}-r{n_random}-d{n_dense}.json"
    if path.exists():
        return json.loads(path.read_text())
    h.log("picking tiles (reads lat/lon of every appeal once)")
    cols = h.load_columns(db)
    lat, lon = cols["lat"], cols["lon"]
    sets: dict = {}
    x, y = tile_of(lat, lon, 12)
    rng = np.random.default_rng(args.seed)
    seen, chosen = set(), []
    for i in rng.permutation(len(lat)):
        t = (int(x[i]), int(y[i]))
        if t not in seen:
            seen.add(t)
            chosen.append([12, t[0], t[1]])
            if len(chosen) == n_random:
                break
    sets["z12_random"] = chosen
    key = x * (1 << 12) + y
    uniq, counts = np.unique(key, return_counts=True)
    top = uniq[np.argsort(-counts, kind="stable")[:n_dense]]
    sets["z12_densest"] = [[12, int(k >> 12), int(k & 4095)] for k in top]
    x8, y8 = tile_of(lat, lon, 8)
    uniq8, counts8 = np.unique(x8 * 256 + y8, return_counts=True)
    k8 = int(uniq8[np.argmax(counts8)])
    sets["z8_densest"] = [[8, k8 >> 8, k8 & 255]]
    info = {"z12_densest_appeals": [int(c) for c in np.sort(counts)[::-1][:n_dense]],
            "z8_densest_appeals": int(counts8.max())}
    out = {"sets": sets, "info": info}
    path.write_text(json.dumps(out))
    return out


def url(z: int, x: int, y: int) -> str:
    return f"/tiles/hexagons/{z}/{x}/{y}.mvt"


def latency_pass(port: int, tiles: list, passes: int, time_limit: float, pid: int, save: Path | None) -> dict:
    """One warm-up pass (outlines, page cache), then timed passes over distinct URLs."""
    meter = h.CpuMeter([pid])
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    first, times, features_bytes, errors = [], [], [], 0
    deadline = time.perf_counter() + time_limit
    for p in range(passes + 1):
        for z, x, y in tiles:
            if p > 0 and time.perf_counter() > deadline:
                break
            t = time.perf_counter()
            c.request("GET", url(z, x, y))
            r = c.getresponse()
            body = r.read()
            el = time.perf_counter() - t
            if r.status != 200:
                errors += 1
                continue
            (first if p == 0 else times).append(el)
            if p == 0:
                features_bytes.append(len(body))
                if save is not None:
                    (save / f"hw-{z}-{x}-{y}.mvt").write_bytes(body)
    c.close()
    out = h.summary_ms(times)
    out.update({"tiles": len(tiles), "errors": errors, "first_pass_p50_ms": round(h.pct([f * 1000 for f in first], 50), 3),
                "tiles_per_s": round(len(times) / sum(times), 1) if times else None,
                "mean_bytes": round(sum(features_bytes) / max(1, len(features_bytes))), "cpu": meter.done()})
    return out


def wrk_urls(port: int, tiles: list, conns: int, threads: int, secs: int, pid: int, lua_dir: Path,
             gzip: bool = False) -> dict:
    """wrk cycling over the tiles' URLs (each thread from its own offset)."""
    exe = shutil.which("wrk")
    if not exe:
        return {"skipped": "wrk not installed (apt-get install -y wrk)"}
    lua = lua_dir / f"tiles-{len(tiles)}{'-gzip' if gzip else ''}.lua"
    paths = ",\n".join(f'  "{url(*t)}"' for t in tiles)
    hdr = 'wrk.headers["Accept-Encoding"] = "gzip"\n' if gzip else ""
    lua.write_text(
        f"{hdr}local paths = {{\n{paths}\n}}\nlocal i = 0\n"
        "function init(args) i = math.random(#paths) end\n"
        "function request()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
    cmd = [exe, f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "10s",
           "-s", str(lua), f"http://127.0.0.1:{port}"]
    meter = h.CpuMeter([pid])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 60)
    out = h.parse_wrk(r.stdout)
    out.update({"cpu": meter.done(), "connections": conns, "threads": threads, "duration_s": secs,
                "urls": len(tiles), "gzip": gzip})
    return out


def decode(path: Path) -> dict:
    """cell → its properties, from a tile file (empty dict for an empty tile)."""
    import mapbox_vector_tile

    data = path.read_bytes()
    if not data:
        return {}
    layer = mapbox_vector_tile.decode(data).get("hexagons", {"features": []})
    return {f["properties"]["h3"]: dict(f["properties"], id=f.get("id")) for f in layer["features"]}


def cross_check(save: Path, sets: dict) -> dict:
    out = {}
    for name, k in CHECK_TILES.items():
        rows = []
        for z, x, y in sets[name][:k]:
            a, b = decode(save / f"hw-{z}-{x}-{y}.mvt"), decode(save / f"pg-{z}-{x}-{y}.mvt")
            common = a.keys() & b.keys()
            rows.append({"tile": [z, x, y], "hexwatch_cells": len(a), "postgis_cells": len(b),
                         "only_hexwatch": sorted(a.keys() - b.keys())[:5],
                         "only_postgis": sorted(b.keys() - a.keys())[:5],
                         "n_only_hexwatch": len(a.keys() - b.keys()), "n_only_postgis": len(b.keys() - a.keys()),
                         "property_mismatches": sum(1 for c in common if a[c] != b[c]),
                         "example_mismatch": next(([a[c], b[c]] for c in sorted(common) if a[c] != b[c]), None),
                         "hexwatch_total": sum(v["count"] for v in a.values()),
                         "postgis_total": sum(v["count"] for v in b.values())})
        out[name] = {"tiles": rows, "all_equal": all(
            r["n_only_hexwatch"] == 0 and r["n_only_postgis"] == 0 and r["property_mismatches"] == 0 for r in rows)}
    return out


def load_postgis():
    p = h.ROOT / "benches/postgis/baseline.py"
    spec = importlib.util.spec_from_file_location("postgis_baseline", p)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def tile_phase(args, bin_: Path, db: Path, logdir: Path) -> dict:
    out: dict = {}
    picked = pick_tiles(args, db, args.tile_random, args.tile_dense)
    sets = picked["sets"]
    out["sets"] = sets
    out["set_info"] = picked["info"]
    save = args.data_dir / f"tiles-{args.appeals}"
    shutil.rmtree(save, ignore_errors=True)
    save.mkdir()
    # Uncached: the tile cache off; every request builds its tile.
    s = h.Server(bin_, db, logdir, "tiles-uncached", extra=["--tile-cache-bytes", "0"])
    try:
        s.wait_ready("/health", timeout=args.cold_timeout)
        out["uncached"] = {}
        for name, tl in sets.items():
            h.wait_quiet(args.quiet_threshold, 30)
            r = latency_pass(s.port, tl, args.tile_passes if name != "z8_densest" else 50,
                             args.latency_time_limit, s.pid, save)
            out["uncached"][name] = r
            h.log(f"hexwatch uncached {name}: p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                  f"{r['tiles_per_s']} tiles/s, {r['mean_bytes']} B")
        out["uncached_wrk"] = {}
        for conns in (2, 64):
            h.wait_quiet(args.quiet_threshold, 30)
            r = wrk_urls(s.port, sets["z12_random"], conns, 1, args.wrk_seconds, s.pid, args.data_dir)
            out["uncached_wrk"][f"z12_random_c{conns}"] = r
            h.log(f"hexwatch uncached wrk c{conns}: {r.get('requests_per_s')} tiles/s, p99 {r.get('p99_ms')} ms")
        out["server_log_tail"] = s.log_text()[-1500:]
    finally:
        out["uncached_stop"] = s.stop()
    # Cached: the default server, each URL requested once first.
    s = h.Server(bin_, db, logdir, "tiles-cached")
    try:
        s.wait_ready("/health", timeout=args.cold_timeout)
        warm = sets["z12_random"] + sets["z12_densest"]
        for z, x, y in warm:
            h.get_body(s.port, url(z, x, y))
        out["cached_wrk"] = {}
        for threads, gzip in ((1, False), (2, False), (1, True)):
            h.wait_quiet(args.quiet_threshold, 30)
            r = wrk_urls(s.port, warm, 64, threads, args.wrk_seconds, s.pid, args.data_dir, gzip)
            key = f"c64_t{threads}{'_gzip' if gzip else ''}"
            out["cached_wrk"][key] = r
            h.log(f"hexwatch cached wrk {key}: {r.get('requests_per_s')} tiles/s, p50 {r.get('p50_ms')} ms, "
                  f"p99 {r.get('p99_ms')} ms")
    finally:
        out["cached_stop"] = s.stop()
    if not args.skip_postgis:
        h.wait_quiet(args.quiet_threshold, 60)
        pg = load_postgis()
        out["postgis"] = pg.run(db, sets, args.data_dir, passes=args.tile_passes,
                                time_limit=args.latency_time_limit, save_dir=save)
        out["cross_check"] = cross_check(save, sets)
    out["ratios"] = ratios(out)
    out["verdicts"] = verdicts(out)
    return out


def ratios(t: dict) -> dict:
    out = {}
    pg = t.get("postgis", {}).get("tiles", {})
    for name, r in t.get("uncached", {}).items():
        p = pg.get(name)
        if not p:
            continue
        out[name] = {"p50_speedup": round(p["p50_ms"] / r["p50_ms"], 1) if r["p50_ms"] else None,
                     "p99_speedup": round(p["p99_ms"] / r["p99_ms"], 1) if r["p99_ms"] else None,
                     "tiles_per_s_ratio": round(r["tiles_per_s"] / p["tiles_per_s"], 1)
                     if p.get("tiles_per_s") and r.get("tiles_per_s") else None}
    return out


def verdicts(t: dict) -> dict:
    v: dict = {}

    def judge(name, value, target, higher):
        if value is None:
            return
        met = value >= target if higher else value <= target
        v[name] = {"value": value, "target": target, "met": met,
                   "miss_factor": None if met or not value else round(target / value if higher else value / target, 2)}

    for s in ("z12_random", "z12_densest"):
        u = t.get("uncached", {}).get(s, {})
        judge(f"{s}_uncached_p50_ms", u.get("p50_ms"), TARGETS["uncached_z12_p50_ms"], False)
        judge(f"{s}_uncached_p99_ms", u.get("p99_ms"), TARGETS["uncached_z12_p99_ms"], False)
    z8 = t.get("uncached", {}).get("z8_densest", {})
    judge("z8_densest_p50_ms", z8.get("p50_ms"), TARGETS["z8_densest_ms"], False)
    judge("z8_densest_p99_ms", z8.get("p99_ms"), TARGETS["z8_densest_ms"], False)
    c = t.get("cached_wrk", {}).get("c64_t1", {})
    judge("cached_tiles_per_s", c.get("requests_per_s"), TARGETS["cached_tiles_per_s"], True)
    judge("cached_p99_ms", c.get("p99_ms"), TARGETS["cached_p99_ms"], False)
    r = t.get("ratios", {}).get("z12_random", {})
    judge("postgis_speedup_z12_random_tiles_per_s", r.get("tiles_per_s_ratio"), TARGETS["postgis_speedup"], True)
    return v


def plot(t: dict, n: int, path: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = [s for s in ("z12_random", "z12_densest", "z8_densest") if s in t.get("uncached", {})]
    pg = t.get("postgis", {}).get("tiles", {})
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.6), dpi=90, gridspec_kw={"width_ratios": [3, 1.3]})
    series = [("hexwatch p50", [t["uncached"][s]["p50_ms"] for s in names], "#d95f02"),
              ("hexwatch p99", [t["uncached"][s]["p99_ms"] for s in names], "#fdb863")]
    if all(s in pg for s in names):
        series += [("PostGIS ST_AsMVT p50", [pg[s]["p50_ms"] for s in names], "#7570b3"),
                   ("PostGIS p99", [pg[s]["p99_ms"] for s in names], "#b2abd2")]
    x = np.arange(len(names))
    w = 0.8 / len(series)
    for i, (label, vals, color) in enumerate(series):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * w, vals, w, label=label, color=color)
        for b_, v in zip(bars, vals):
            ax.annotate(f"{v:.3g}", (b_.get_x() + b_.get_width() / 2, v), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 1), textcoords="offset points")
    for i, s in enumerate(names):
        for tv in ((TARGETS["z8_densest_ms"],) if s == "z8_densest" else
                   (TARGETS["uncached_z12_p50_ms"], TARGETS["uncached_z12_p99_ms"])):
            ax.hlines(tv, i - 0.45, i + 0.45, colors="k", linestyles="dashed", linewidth=1)
    ax.set_yscale("log")
    ax.set_xticks(x, names)
    ax.set_ylabel("ms per uncached tile (log)")
    ax.set_title(f"hexagon tiles, {n:,} appeals: hexwatch (HTTP) vs PostGIS (SQL)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(axis="y", which="both", alpha=0.3)
    cw = t.get("cached_wrk", {})
    keys = [k for k in ("c64_t1", "c64_t2", "c64_t1_gzip") if k in cw and cw[k].get("requests_per_s")]
    vals = [cw[k]["requests_per_s"] for k in keys]
    bars = ax2.bar(range(len(keys)), vals, color="#1b9e77")
    for b_, k in zip(bars, keys):
        ax2.annotate(f"{cw[k]['requests_per_s']:.0f}/s\np99 {cw[k]['p99_ms']:.2g} ms",
                     (b_.get_x() + b_.get_width() / 2, b_.get_height()), ha="center", va="bottom", fontsize=7)
    ax2.axhline(TARGETS["cached_tiles_per_s"], color="k", linestyle="dashed", linewidth=1)
    ax2.set_xticks(range(len(keys)), [k.replace("_", "\n") for k in keys], fontsize=7)
    ax2.set_title("cached tiles, wrk, 64 connections", fontsize=9)
    ax2.set_ylabel("tiles/s")
    ax2.set_ylim(0, max(vals + [TARGETS["cached_tiles_per_s"]]) * 1.25)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
