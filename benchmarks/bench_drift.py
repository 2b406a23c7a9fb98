"""Drift suite on 1M reference + 1M current rows x 20 columns (Parquet), timed whole.

Usage: ``.venv/bin/python benchmarks/bench_drift.py [--rows N] [--repeat K]``

Prints wall time and peak RSS of ``mlaudit drift REF CUR`` beside a polars scan reading every
value of both files.  The side-by-side run against Evidently, installed in a separate
environment, is ``bench_drift_peer.py``; per-phase timers are in ``bench_drift_phases.py``.
"""

from __future__ import annotations

import argparse
import sys

from _common import DATA, measure, write_parquet

BASELINE = (
    "import sys, polars as pl; "
    "[print(pl.scan_parquet(p).select(pl.all().max()).collect()) for p in sys.argv[1:]]"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    ref = str(write_parquet(DATA / f"audit_{args.rows}.parquet", args.rows, seed=0))
    cur = str(write_parquet(DATA / f"drift_{args.rows}.parquet", args.rows, seed=10_000_019))
    py = sys.executable
    base = min(
        (measure([py, "-c", BASELINE, ref, cur]) for _ in range(args.repeat)),
        key=lambda m: m.seconds,
    )
    drift = min(
        (
            measure(
                [
                    py,
                    "-m",
                    "mlaudit",
                    "-q",
                    "drift",
                    ref,
                    cur,
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--out",
                    str(DATA / "drift-out"),
                ]
            )
            for _ in range(args.repeat)
        ),
        key=lambda m: m.seconds,
    )
    print(f"{args.rows:,} + {args.rows:,} rows x 20 columns, best of {args.repeat}")
    print(f"polars max of every column, both files  {base.seconds:6.2f} s  {base.peak_mb:6.0f} MB")
    print(
        f"mlaudit drift (fresh process)           {drift.seconds:6.2f} s  {drift.peak_mb:6.0f} MB"
        f"  x{drift.seconds / base.seconds:.1f} time"
    )


if __name__ == "__main__":
    main()
