"""Wide tables: the data-quality audit of many narrow columns, in fresh processes.

Usage::

    .venv/bin/python benchmarks/bench_wide.py                      # 5,000 columns x 500 rows
    .venv/bin/python benchmarks/bench_wide.py --columns 10000 --rows 200
    .venv/bin/python benchmarks/bench_wide.py --src /tmp/old/src --src src   # before/after

Each run is ``mlaudit audit --current wide.parquet --suite data_quality --format json`` timed
by GNU ``time -v`` (wall seconds, peak resident memory); the runs of the source trees alternate.
What it watches: work that grows with columns x columns (a lookup by name that scans every
column, a frame's schema rebuilt per column), which narrow benchmarks never show.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from _common import DATA, measure


def _table(columns: int, rows: int) -> Path:
    path = DATA / f"wide_{columns}x{rows}.parquet"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        rng = np.random.default_rng(0)
        arrays = {f"c{i}": pa.array(rng.normal(size=rows)) for i in range(columns)}
        pq.write_table(pa.table(arrays), path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--src", action="append", help="source tree(s) to compare")
    args = parser.parse_args()
    data = _table(args.columns, args.rows)
    trees = args.src or [str(Path(__file__).parents[1] / "src")]
    runs: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.repeat):
            for tree in trees:
                cmd = [sys.executable, "-m", "mlaudit", "-q", "audit", "--current", str(data)]
                cmd += ["--suite", "data_quality", "--format", "json", "--fail-on", "never"]
                m = measure([*cmd, "--out", out], env={"PYTHONPATH": tree})
                runs[tree].append((m.seconds, m.peak_mb))
                print(f"  {tree}: {m.seconds:.2f} s, {m.peak_mb:.0f} MB", flush=True)
    print(f"\n{args.columns:,} columns x {args.rows:,} rows, data_quality suite, JSON report")
    for tree, got in runs.items():
        secs = [s for s, _ in got]
        print(
            f"{tree:>30}  best {min(secs):7.2f} s  median {statistics.median(secs):7.2f} s  "
            f"peak {max(p for _, p in got):6.0f} MB"
        )


if __name__ == "__main__":
    main()
