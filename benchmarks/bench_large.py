"""Streaming audit of a large Parquet file (default 50M rows x 20 columns, several GB on disk).

Usage: python benchmarks/bench_large.py [--rows 50000000]

Prints wall time and peak resident memory of a data-quality audit, beside a plain polars
streaming scan of the same file.  Target: peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import sys

from _common import DATA, measure, write_parquet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000_000)
    args = parser.parse_args()
    path = write_parquet(DATA / f"large_{args.rows}.parquet", args.rows, seed=1)
    size_gb = path.stat().st_size / 1e9
    print(f"{path.name}: {args.rows:,} rows, {size_gb:.2f} GB on disk")
    baseline = measure(
        [
            sys.executable,
            "-c",
            "import polars as pl, sys; "
            "print(pl.scan_parquet(sys.argv[1]).select(pl.all().max())"
            ".collect(engine='streaming'))",
            str(path),
        ]
    )
    audit = measure(
        [
            sys.executable,
            "-m",
            "mlaudit.cli",
            "--quiet",
            "audit",
            "--current",
            str(path),
            "--suite",
            "data_quality",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--out",
            str(DATA / "large-out"),
        ]
    )
    print(baseline.line())
    print(audit.line())
    print(
        f"ratio audit/baseline: {audit.seconds / baseline.seconds:.1f}x time, "
        f"{audit.peak_mb / baseline.peak_mb:.1f}x memory"
    )


if __name__ == "__main__":
    main()
