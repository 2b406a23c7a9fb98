"""Streaming a Parquet file holds a bounded amount of Arrow memory, whatever the file size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mlaudit.data import Dataset


def test_parquet_batches_do_not_accumulate(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    rng = np.random.default_rng(0)
    rows, groups = 2_000_000, 40
    with pq.ParquetWriter(path, pa.schema([(f"c{i}", pa.float64()) for i in range(4)])) as w:
        for _ in range(groups):
            n = rows // groups
            w.write_table(pa.table({f"c{i}": rng.normal(size=n) for i in range(4)}))
    batch_bytes = 50_000 * 4 * 8
    peak = 0
    seen = 0
    for batch in Dataset(path, batch_size=50_000).batches():
        seen += batch.num_rows
        peak = max(peak, pa.total_allocated_bytes())
        del batch
    assert seen == rows
    whole_file = rows * 4 * 8  # 64 MB of doubles
    # A handful of batches in flight at most; pre-buffering the file would hold all of it.
    assert peak < 10 * batch_bytes < whole_file / 3
