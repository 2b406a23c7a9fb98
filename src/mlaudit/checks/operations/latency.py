"""``operations.latency``: how fast the audited model predicts, and what it weighs.

For batches of 1, 100 and 10,000 rows (``batch_sizes``) cut from the current data's sample, the
median and 99th-percentile wall time of a prediction call (after a warm-up; as many calls as
``time_budget`` allows, at least three), the throughput of the largest batch, the memory the
largest call allocates as Python's allocator sees it (``tracemalloc``: numpy and pandas
buffers; memory a native library allocates itself, as LightGBM and onnxruntime do, is not
seen), and the model's size (its file, or its serialisation for an object).  Figures depend on
the machine and its load: the check passes unless a budget (``max_p99_ms``,
``min_rows_per_second``) is set and missed.
"""

from __future__ import annotations

import pickle
import tracemalloc
from functools import partial
from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import NO_MODEL, batch_of, model_and_sample
from mlaudit.checks._options import Positive, PositiveCount
from mlaudit.checks.operations._timing import time_calls
from mlaudit.errors import ModelError
from mlaudit.models import Model
from mlaudit.results import CheckResult, CurveDetail, Severity, Status, TableDetail

__all__ = ["Latency", "model_size"]


def model_size(model: Model) -> int | None:
    """Bytes of the model's file, or of its pickle for an object; None when neither works."""
    path = Path(model.info.source)
    if model.info.source != "<in memory>" and path.is_file():
        return path.stat().st_size
    try:
        return len(pickle.dumps(getattr(model, "estimator", model)))
    except Exception:  # an object that cannot be pickled has no size to report
        return None


@register
class Latency(Check):
    """Prediction latency by batch size, throughput, allocated memory and model size."""

    id: ClassVar[str] = "operations.latency"
    family: ClassVar[str] = "operations"
    title: ClassVar[str] = "Prediction latency, throughput and model size"
    why: ClassVar[str] = (
        "A model must answer within its service's time budget and fit its memory; latency by "
        "batch size shows what online (one row) and batch scoring will cost."
    )
    severity: ClassVar[Severity] = Severity.LOW
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2

    batch_sizes: tuple[PositiveCount, ...] = Field(default=(1, 100, 10_000), min_length=1)
    """Rows per prediction call."""
    time_budget: Positive = 2.0
    """Seconds of timed calls in all (shared by the batch sizes)."""
    max_p99_ms: Positive | None = None
    """Warn when a one-row call's 99th percentile exceeds this many milliseconds."""
    min_rows_per_second: Positive | None = None
    """Warn when the largest batch predicts fewer rows per second than this."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        features = list(model.features)
        try:
            model.predict_batch(batch_of(sample, features, 1))
        except ModelError as exc:
            return self.skipped(
                f"the model cannot predict the current data as it is: {exc.message}"
            )
        rows = []
        for size in sorted(set(self.batch_sizes)):
            batch = batch_of(sample, features, size)
            times = time_calls(
                partial(model.predict_batch, batch), budget=self.time_budget / len(self.batch_sizes)
            )
            p50, p99 = (float(np.percentile(times, q)) * 1000 for q in (50, 99))
            rows.append([size, p50, p99, size / (p50 / 1000), len(times)])
        peak = _allocated(model, batch_of(sample, features, max(self.batch_sizes)))
        size_bytes = model_size(model)
        return self._judge(rows, peak, size_bytes)

    def _judge(self, rows: list[list[float]], peak: int, size: int | None) -> CheckResult:
        single = next((r for r in rows if r[0] == 1), rows[0])
        largest = rows[-1]
        metrics: dict[str, float | int | None] = {
            "p50_ms_single_row": single[1], "p99_ms_single_row": single[2],
            f"p50_ms_{int(largest[0])}_rows": largest[1],
            f"p99_ms_{int(largest[0])}_rows": largest[2],
            "rows_per_second": largest[3], "allocated_mb": peak / 2**20,
            "model_size_mb": None if size is None else size / 2**20,
        }  # fmt: skip
        problems = []
        if self.max_p99_ms is not None and single[2] > self.max_p99_ms:
            problems.append(f"one-row p99 {single[2]:.1f} ms exceeds {self.max_p99_ms:g} ms")
        if self.min_rows_per_second is not None and largest[3] < self.min_rows_per_second:
            problems.append(
                f"throughput {largest[3]:,.0f} rows/s is below {self.min_rows_per_second:,.0f}"
            )
        text = (
            f"One row: {single[1]:.2f} ms median, {single[2]:.2f} ms p99; "
            f"{int(largest[0]):,} rows: {largest[1]:.1f} ms ({largest[3]:,.0f} rows/s); "
            f"{peak / 2**20:.1f} MB allocated by the largest call"
            + ("" if size is None else f"; model size {size / 2**20:.2f} MB")
            + ". Figures depend on this machine and its load."
        )
        if problems:
            text += " Over budget: " + "; ".join(problems) + "."
        return self.result(
            Status.WARN if problems else Status.PASS,
            text,
            metrics=metrics,
            details=[
                TableDetail(
                    name="Latency by batch size",
                    columns=["rows per call", "median ms", "p99 ms", "rows per second", "calls"],
                    rows=[[int(r[0]), r[1], r[2], r[3], int(r[4])] for r in rows],
                ),
                CurveDetail(
                    name="Latency",
                    title="Time per call by batch size (median and 99th percentile)",
                    x_label="rows per call",
                    y_label="ms per call",
                    curves={
                        "p50": {"x": [float(r[0]) for r in rows], "y": [r[1] for r in rows]},
                        "p99": {"x": [float(r[0]) for r in rows], "y": [r[2] for r in rows]},
                    },
                    x_scale="log",
                    y_scale="log",
                ),
            ],
        )


def _allocated(model: Model, batch: pa.RecordBatch) -> int:
    """Peak bytes Python's allocator saw during one prediction of ``batch``."""
    tracemalloc.start()
    try:
        model.predict_batch(batch)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
