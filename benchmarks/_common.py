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


DRIFTED = ("f0", "f3", "i1", "s0", "b0")
"""The columns shifted in a ``drifted`` current table (``make_table(..., drifted=True)``)."""


@dataclass(frozen=True)
class Variant:
    """What a generated table holds besides the 20 plain columns.

    ``drifted``: strong drift in the five :data:`DRIFTED` columns (a mean shift of one
    standard deviation in ``f0``, the spread of ``f3`` doubled, ``i1`` shifted by a fifth of
    its range, ``s0``'s levels reweighted, ``b0``'s rate 0.3 to 0.5).  ``model``: a model's
    columns ``target`` (0/1), ``prediction`` (0/1) and ``score`` (a probability), the label
    drawn from a logistic model of ``f0``, ``f1`` and ``f2`` and the score that model with
    noise, so that label-free performance estimation has something to estimate.
    """

    drifted: bool = False
    model: bool = False

    @property
    def suffix(self) -> str:
        return ("_drifted" if self.drifted else "") + ("_model" if self.model else "")


def make_table(rows: int, seed: int, variant: Variant = Variant()) -> pa.Table:
    """20 columns: 12 floats, 4 integers, 3 low-cardinality strings, 1 boolean; some nulls.

    With ``variant`` (:class:`Variant`): strong drift in five columns and/or model columns.
    """
    rng = np.random.default_rng(seed)
    d = variant.drifted
    cols: dict[str, pa.Array] = {}
    for i in range(12):
        scale = 1 + i / 4
        values = rng.normal(loc=i, scale=scale, size=rows)
        if d and i == 0:
            values += scale
        if d and i == 3:
            values = i + 2 * (values - i)
        mask = rng.random(rows) < 0.01 * (i % 3)
        cols[f"f{i}"] = pa.array(values, mask=mask)
    for i in range(4):
        shift = 10 ** (i + 1) // 5 if d and i == 1 else 0
        cols[f"i{i}"] = pa.array(rng.integers(0, 10 ** (i + 1), size=rows) + shift)
    levels = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
    for i in range(3):
        idx = rng.integers(0, 3 + i * 2, size=rows)
        if d and i == 0:
            idx = rng.choice(3, size=rows, p=[0.6, 0.3, 0.1])
        cols[f"s{i}"] = pa.array(levels[idx])
    cols["b0"] = pa.array(rng.random(rows) < (0.5 if d else 0.3))
    if variant.model:
        cols.update(_model_columns(cols, rng))
    return pa.table(cols)


def _model_columns(cols: dict[str, pa.Array], rng: np.random.Generator) -> dict[str, pa.Array]:
    """``target`` from a logistic model of f0, f1, f2; ``score`` that model seen with noise."""
    f = [
        np.nan_to_num(cols[f"f{i}"].to_numpy(zero_copy_only=False), nan=float(i)) for i in (0, 1, 2)
    ]
    logit = 0.8 * (f[0] - 0.5) - 0.6 * (f[1] - 1) + 0.4 * (f[2] - 2) - 1.0
    target = rng.random(logit.size) < 1 / (1 + np.exp(-logit))
    score = 1 / (1 + np.exp(-(logit + rng.normal(0, 0.5, logit.size))))
    return {
        "target": pa.array(target.astype(np.int64)),
        "prediction": pa.array((score > 0.5).astype(np.int64)),
        "score": pa.array(score),
    }


def write_parquet(
    path: Path, rows: int, *, seed: int = 0, chunk: int = 1_000_000, variant: Variant = Variant()
) -> Path:
    """Write ``rows`` rows in chunks (bounded memory); reuse the file when it exists."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer: pq.ParquetWriter | None = None
    done = 0
    while done < rows:
        n = min(chunk, rows - done)
        table = make_table(n, seed + done, variant)
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


def drift_files(rows: int, *, drifted: bool, model: bool) -> tuple[str, str]:
    """The reference and current Parquet files of the drift benchmarks (made once, then reused):
    the reference with model columns when ``model``, the current also drifted when ``drifted``."""
    ref_variant = Variant(model=model)
    cur_variant = Variant(drifted=drifted, model=model)
    ref = write_parquet(
        DATA / f"audit_{rows}{ref_variant.suffix}.parquet", rows, seed=0, variant=ref_variant
    )
    cur = write_parquet(
        DATA / f"drift_{rows}{cur_variant.suffix}.parquet",
        rows,
        seed=10_000_019,
        variant=cur_variant,
    )
    return str(ref), str(cur)
