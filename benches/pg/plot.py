"""Bar plot of benches/results/pg-N.json: ingest, import and cold start,
PostgreSQL against SQLite in the same run.

    .venv/bin/python benches/pg/plot.py benches/results/pg-1000000.json
"""
import json
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

path = Path(sys.argv[1])
r = json.loads(path.read_text())
fig, ax = plt.subplots(1, 3, figsize=(11, 3.5))
ax[0].bar(["SQLite", "PostgreSQL"], [r["ingest"]["sqlite"]["per_s"], r["ingest"]["postgres"]["per_s"]],
          color=["#888", "#3182bd"])
ax[0].axhline(50_000, ls="--", color="red", label="target")
ax[0].set_title("HTTP ingest, appeals/s")
ax[0].legend()
ax[1].bar(["SQLite", "PostgreSQL"], [r["import"]["sqlite"]["reported_per_s"],
                                      r["import"]["postgres"]["reported_per_s"]], color=["#888", "#3182bd"])
ax[1].set_title("hexwatch import, appeals/s")
pg = [c["first_answer_s"] for c in r["cold"]["postgres"]]
ax[2].bar(["SQLite\nrebuild", "PostgreSQL\n(median)", "PostgreSQL\n+ snapshot"],
          [r["cold"]["sqlite_rebuild"]["first_answer_s"], sorted(pg)[len(pg) // 2],
           r["cold"]["postgres_snapshot"][-1]["first_answer_s"]], color=["#888", "#3182bd", "#31a354"])
ax[2].set_title(f"cold start, s ({r['appeals']:,} appeals)")
if r["appeals"] == 10_000_000:
    ax[2].axhline(10, ls="--", color="red", label="target")
    ax[2].legend()
ax[2].set_yscale("log")
fig.suptitle(f"PostgreSQL vs SQLite, same run (commit {r['commit']}); "
             f"propagation p50 {r['propagation']['p50_ms']} ms, p99 {r['propagation']['p99_ms']} ms")
fig.tight_layout()
out = path.with_suffix(".png")
fig.savefig(out, dpi=110)
print(out)
