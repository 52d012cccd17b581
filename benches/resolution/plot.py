"""Bar plot of the resolution benchmark's last criterion run (medians from
target/criterion), hexwatch beside its baseline and the targets of issue 8.

    HEXWATCH_BENCH_APPEALS=10000000 cargo bench --bench resolution
    .venv/bin/python benches/resolution/plot.py benches/results/resolution-10000000.png
"""
import json
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CRIT = Path("target/criterion")


def median_ms(group: str, name: str) -> float:
    est = json.loads((CRIT / group / name / "new" / "estimates.json").read_text())
    return est["median"]["point_estimate"] / 1e6


panels = [
    ("district × month table", "resolution_table", "district_month", 100.0),
    ("process-change effect, 90 days", "process_change_effect", "unit_90_days", 20.0),
]
fig, axes = plt.subplots(1, len(panels), figsize=(9, 3.5))
for ax, (title, group, name, target) in zip(axes, panels):
    ours, base = median_ms(group, name), median_ms(group, f"{name}_baseline_sort_median")
    bars = ax.bar(["hexwatch", "baseline\n(sort, no censoring)"], [ours, base], color=["#3182bd", "#888"])
    ax.bar_label(bars, fmt="%.1f ms")
    ax.axhline(target, ls="--", color="red", label=f"target {target:.0f} ms")
    ax.set_title(title)
    ax.set_ylabel("median, ms")
    ax.set_ylim(0, max(ours, base, target) * 1.18)
    ax.legend(loc="upper left")
fig.tight_layout()
fig.savefig(sys.argv[1], dpi=110)
print(sys.argv[1])
