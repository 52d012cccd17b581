"""Tables and a plot of the analysis benchmarks (benches/analysis.rs,
benches/resolution.rs) from criterion's estimates, each beside its same-run
baseline.

    HEXWATCH_BENCH_APPEALS=10000000 cargo bench --bench analysis
    .venv/bin/python benches/analysis_report.py [--png benches/results/analysis-10m.png]
    HEXWATCH_BENCH_APPEALS=10000000 cargo bench --bench resolution
    .venv/bin/python benches/analysis_report.py --suite resolution [--png benches/results/resolution-10m.png]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

CRITERION = Path(__file__).resolve().parents[1] / "target" / "criterion"

# (what, target, hexwatch bench, baseline bench or None)
ROWS = [
    ("hotspots, res 9, 24 months", "≤ 100 ms at 1 M",
     "hotspots_city_24_months/compute/9", None),
    ("  its count scan", "",
     "hotspots_city_24_months/count_scan/9", "hotspots_city_24_months/count_baseline_hashmap/9"),
    ("hotspots, res 8, 24 months", "",
     "hotspots_city_24_months/compute/8", None),
    ("  its count scan", "",
     "hotspots_city_24_months/count_scan/8", "hotspots_city_24_months/count_baseline_hashmap/8"),
    ("fix effect, 250 m, 90 days", "≤ 10 ms",
     "analysis_city/fix_effect_90d", "analysis_city/fix_effect_baseline_scan"),
    ("district summary counts, Vakhitovsky", "≤ 50 ms (with hotspots)",
     "analysis_city/district_summary_counts/2_kazan-2", "analysis_city/district_counts_baseline_pip/2_kazan-2"),
    ("  its hotspots", "",
     "analysis_city/district_summary_hotspots/2_kazan-2", None),
    ("district summary counts, Sovetsky", "≤ 50 ms (with hotspots)",
     "analysis_city/district_summary_counts/7_kazan-7", "analysis_city/district_counts_baseline_pip/7_kazan-7"),
    ("  its hotspots", "",
     "analysis_city/district_summary_hotspots/7_kazan-7", None),
    ("cell details, res 9, whole range", "",
     "analysis_city/cell_detail_res9", None),
    ("change map, res 8, two quarters", "",
     "analysis_city/change_res8_quarter", None),
]


# The resolution benchmarks (benches/resolution.rs), country scenario.
RESOLUTION_ROWS = [
    ("resolution table, district × month", "≤ 100 ms",
     "resolution_table/district_month", "resolution_table/district_month_baseline_sort_median"),
    ("resolution table, sector × month", "",
     "resolution_table/sector_month", None),
    ("process-change effect, 90 days", "≤ 20 ms",
     "process_change_effect/unit_90_days", "process_change_effect/unit_90_days_baseline_sort_median"),
]

SUITES = {
    "analysis": (ROWS, "Analyses over 10 M appeals in one city (criterion, 2 vCPUs)"),
    "resolution": (RESOLUTION_ROWS, "Resolution performance over the country scenario (criterion, 2 vCPUs)"),
}


def ms(bench: str | None) -> float | None:
    if bench is None:
        return None
    p = CRITERION / bench / "new" / "estimates.json"
    if not p.is_file():
        return None
    return json.loads(p.read_text())["median"]["point_estimate"] / 1e6


def fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f} ms" if v < 1 else f"{v:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--png", type=Path)
    ap.add_argument("--suite", choices=sorted(SUITES), default="analysis")
    ap.add_argument("--title")
    args = ap.parse_args()
    rows, title = SUITES[args.suite]
    print("| analysis | target | hexwatch | baseline (same run) | ratio |")
    print("|---|---|---|---|---|")
    bars = []
    for what, target, ours, base in rows:
        o, b = ms(ours), ms(base)
        ratio = f"{b / o:.1f}×" if o and b else "—"
        print(f"| {what} | {target} | {fmt(o)} | {fmt(b)} | {ratio} |")
        if o is not None:
            bars.append((what.strip(), o, b))
    if args.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(bars) + 1.2))
        ys = range(len(bars))
        ax.barh([y + 0.2 for y in ys], [b[1] for b in bars], height=0.4, label="hexwatch", color="#d95f02")
        ax.barh([y - 0.2 for y in ys], [b[2] or 0 for b in bars], height=0.4, label="baseline", color="#7570b3")
        ax.set_yticks(list(ys), [b[0] for b in bars])
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("median time per call, ms (log scale)")
        ax.set_title(args.title or title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2, frameon=False)
        fig.tight_layout()
        fig.savefig(args.png, dpi=110)


if __name__ == "__main__":
    main()
