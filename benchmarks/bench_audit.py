"""Data-quality audit of 1M rows x 20 columns from Parquet, beside a plain polars scan.

Usage (from the repository root): ``.venv/bin/python benchmarks/bench_audit.py [--rows N]``

Each figure is a separate process timed whole under GNU time (wall seconds, peak RSS), run
``--repeat`` times, best and median reported:

* baseline: ``polars.scan_parquet(...).select(pl.all().max())`` — reads every value of every column;
* profile + quality checks: ``Audit(path, suite="data_quality").run()`` (both passes, all
  checks, no report) in a fresh process, so including Python start-up and library imports
  (scikit-learn alone takes 1-2 s to import here);
* the same audit warm, in-process: a second ``Audit(...).run()`` in a process that already ran
  one — what a notebook or a long-running service pays per audit;
* the command line end to end: ``mlaudit audit --suite data_quality --format json``.

Targets (foundation issue): audit under 3 s wall, at most 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from _common import DATA, Measurement, measure, write_parquet

AUDIT = (
    "import sys; from mlaudit import Audit; "
    "r = Audit(sys.argv[1], suite='data_quality').run(); print(r.summary.counts)"
)
# A warm library call: the process imports everything and audits once, then the second audit
# is timed alone (what a notebook or a service pays per audit).
WARM = (
    "import sys, time; from mlaudit import Audit; "
    "Audit(sys.argv[1], suite='data_quality').run(); t = time.perf_counter(); "
    "Audit(sys.argv[1], suite='data_quality').run(); "
    "print(f'WARM {time.perf_counter() - t:.3f}')"
)
BASELINE = (
    "import sys, polars as pl; print(pl.scan_parquet(sys.argv[1]).select(pl.all().max()).collect())"
)


def best_of(args: list[str], repeat: int) -> tuple[Measurement, float]:
    runs = [measure(args) for _ in range(repeat)]
    best = min(runs, key=lambda m: m.seconds)
    return best, statistics.median(m.seconds for m in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = str(write_parquet(DATA / f"audit_{args.rows}.parquet", args.rows, seed=0))
    py = sys.executable
    rows = [
        ("polars max-of-every-column (baseline)", best_of([py, "-c", BASELINE, path], args.repeat)),
        ("mlaudit profile + quality checks", best_of([py, "-c", AUDIT, path], args.repeat)),
        (
            "mlaudit audit CLI (json report)",
            best_of(
                [
                    py,
                    "-m",
                    "mlaudit",
                    "-q",
                    "audit",
                    "--current",
                    path,
                    "--suite",
                    "data_quality",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--out",
                    str(DATA / "audit-out"),
                ],
                args.repeat,
            ),
        ),
    ]
    warm = []
    for _ in range(args.repeat):
        out = subprocess.run([py, "-c", WARM, path], capture_output=True, text=True, check=True)
        warm.append(float(out.stdout.split("WARM")[1]))
    base = rows[0][1][0]
    print(f"{args.rows:,} rows x 20 columns, best of {args.repeat} (median in brackets)")
    for name, (m, med) in rows:
        print(
            f"{name:36s} {m.seconds:6.2f} s [{med:5.2f}]  {m.peak_mb:6.0f} MB  "
            f"x{m.seconds / base.seconds:5.1f} time  x{m.peak_mb / base.peak_mb:4.1f} memory"
        )
    print(
        f"{'profile + checks, warm, in-process':36s} {min(warm):6.2f} s "
        f"[{statistics.median(warm):5.2f}]            x{min(warm) / base.seconds:5.1f} time"
    )


if __name__ == "__main__":
    main()
