"""Profile 1M rows x 20 columns from Parquet (both passes); compare with a null-count scan.

Run from the repository root: ``PYTHONPATH=src python benchmarks/bench_profile.py``.
Prints wall time and peak RSS of ``mlaudit.engines._local.profile`` next to a plain
``pl.scan_parquet(...).select(pl.all().null_count())`` baseline, and their ratio.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.engines._local import profile
from mlaudit.summary._model import ScanPlan

DATA = Path(__file__).parent / "data" / "bench_1m_20.parquet"
N_ROWS = 1_000_000


def make_data(path: Path = DATA, n: int = N_ROWS, seed: int = 42) -> Schema:
    """Write 8 float, 6 int and 6 low-cardinality string columns (seeded); return the schema."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    schema = []
    for i in range(8):
        x = rng.normal(i, 1 + i, n)
        x[rng.random(n) < 0.02] = np.nan
        cols[f"f{i}"] = x
        schema.append(ColumnSchema(name=f"f{i}", dtype="double", type=ColumnType.NUMERIC))
    for i in range(6):
        cols[f"i{i}"] = rng.integers(0, 10 ** (i + 1), n)
        schema.append(ColumnSchema(name=f"i{i}", dtype="int64", type=ColumnType.INTEGER))
    for i in range(6):
        labels = np.array([f"cat_{j}" for j in range(3 + 4 * i)])
        cols[f"s{i}"] = labels[rng.integers(0, labels.size, n)]
        schema.append(ColumnSchema(name=f"s{i}", dtype="large_string", type=ColumnType.CATEGORICAL))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(cols).write_parquet(path, row_group_size=128 * 1024)
    return Schema(columns=schema)


class ParquetBatches:
    """Re-iterable record batches of a Parquet file."""

    def __init__(self, path: Path, batch_size: int = 128 * 1024) -> None:
        self.path, self.batch_size = path, batch_size

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from pq.ParquetFile(self.path).iter_batches(batch_size=self.batch_size)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    schema = make_data()
    mode = sys.argv[1] if len(sys.argv) > 1 else "both"
    t0 = time.perf_counter()
    pl.scan_parquet(DATA).select(pl.all().null_count()).collect()
    base = time.perf_counter() - t0
    rss_base = peak_rss_mb()
    if mode == "baseline":
        print(f"baseline {base:.3f} s, peak RSS {rss_base:.0f} MB")
        return
    t0 = time.perf_counter()
    prof = profile(ParquetBatches(DATA), schema, ScanPlan())
    wall = time.perf_counter() - t0
    print(f"rows {prof.n_rows:,} columns {len(prof.columns)}")
    print(f"baseline null_count scan: {base:.3f} s (peak RSS {rss_base:.0f} MB)")
    print(f"mlaudit profile (2 passes): {wall:.3f} s (peak RSS {peak_rss_mb():.0f} MB)")
    print(f"ratio: {wall / base:.1f}x")


if __name__ == "__main__":
    main()
