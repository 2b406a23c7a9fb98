"""Shared helpers for the benchmarks: seeded data on disk, timed child processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DATA = Path(__file__).parent / "data"


@dataclass
class Measurement:
    """Wall time and peak resident memory of one child process."""

    command: str
    seconds: float
    peak_mb: float

    def line(self) -> str:
        return f"{self.seconds:8.2f} s  {self.peak_mb:8.0f} MB  {self.command}"


def make_table(rows: int, seed: int) -> pa.Table:
    """20 columns: 12 floats, 4 integers, 3 low-cardinality strings, 1 boolean; some nulls."""
    rng = np.random.default_rng(seed)
    cols: dict[str, pa.Array] = {}
    for i in range(12):
        values = rng.normal(loc=i, scale=1 + i / 4, size=rows)
        mask = rng.random(rows) < 0.01 * (i % 3)
        cols[f"f{i}"] = pa.array(values, mask=mask)
    for i in range(4):
        cols[f"i{i}"] = pa.array(rng.integers(0, 10 ** (i + 1), size=rows))
    levels = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
    for i in range(3):
        idx = rng.integers(0, 3 + i * 2, size=rows)
        cols[f"s{i}"] = pa.array(levels[idx])
    cols["b0"] = pa.array(rng.random(rows) < 0.3)
    return pa.table(cols)


def write_parquet(path: Path, rows: int, *, seed: int = 0, chunk: int = 1_000_000) -> Path:
    """Write ``rows`` rows in chunks (bounded memory); reuse the file when it exists."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer: pq.ParquetWriter | None = None
    done = 0
    while done < rows:
        n = min(chunk, rows - done)
        table = make_table(n, seed + done)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="snappy")
        writer.write_table(table, row_group_size=256_000)
        done += n
    assert writer is not None
    writer.close()
    tmp.replace(path)
    return path


def measure(args: list[str], *, env: dict[str, str] | None = None) -> Measurement:
    """Run ``args`` under GNU time; return wall seconds and peak RSS.

    ``env`` adds (or overrides) environment variables of the child process.
    """
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *args],
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark command failed: {' '.join(args)}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    return Measurement(" ".join(Path(a).name if "/" in a else a for a in args), seconds, peak)
