"""What the checks that run the audited model share: its sample of rows, batches, labels, timing.

These checks (``robustness.*``, ``operations.*``) run ``ctx.model`` on the current data's seeded
sample of rows as read (``ctx.model_samples["current"]``: the profile sample's rows, unmasked,
in memory only).  They all skip with the same reason when there is no model or no row, cut
Arrow batches from the sample in the same way, and read the target as the model's classes
print: a boolean label as ``True``/``False`` (the class values of a model fitted on booleans),
anything else as its text, a regressor's label as a float.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import polars as pl
import pyarrow as pa

from mlaudit.checks._base import CheckContext
from mlaudit.data import Role
from mlaudit.models import Model

__all__ = [
    "NO_MODEL",
    "batch_of",
    "frame_batch",
    "labels_as_classes",
    "median_seconds",
    "missing_features",
    "model_and_sample",
    "target_labels",
]

NO_MODEL = "needs the model and rows of the current data; pass --model"
"""Why a check that runs the model skipped: no model, or no current row to run it on."""


def model_and_sample(ctx: CheckContext) -> tuple[Model, pl.DataFrame] | None:
    """The audited model and the current data's sample of rows, or None when either is missing
    (or the sample is empty)."""
    sample = ctx.model_samples.get("current")
    if ctx.model is None or sample is None or sample.height == 0:
        return None
    return ctx.model, sample


def missing_features(model: Model, frame: pl.DataFrame) -> str | None:
    """Why ``frame`` cannot be explained by ``model`` (the model's features it lacks, or a
    model that names none), or None when it has them all."""
    missing = [f for f in model.features if f not in frame.columns]
    if model.features and not missing:
        return None
    names = ", ".join(missing[:10]) or "(the model names none)"
    return f"the data lacks the model's feature(s) {names}"


def frame_batch(frame: pl.DataFrame, columns: list[str]) -> pa.RecordBatch:
    """``frame``'s ``columns`` as one Arrow record batch (what the model reads)."""
    table = frame.select(columns).to_arrow().combine_chunks()
    batches = table.to_batches()
    if not batches:
        return pa.RecordBatch.from_pylist([], schema=table.schema)
    return batches[0]


def batch_of(sample: pl.DataFrame, columns: list[str], size: int) -> pa.RecordBatch:
    """``size`` rows of ``sample`` (repeated as needed) as one record batch of ``columns``."""
    rows = np.resize(np.arange(sample.height), size)
    return frame_batch(sample[rows], columns)


def labels_as_classes(target: pl.Series, *, regression: bool) -> np.ndarray | None:
    """``target`` as the model's classes print (text; booleans as ``True``/``False``), or as
    floats for a regressor; None when a label is missing."""
    if target.null_count():
        return None
    if regression:
        return target.cast(pl.Float64).to_numpy()
    if target.dtype == pl.Boolean:  # the classes print as True/False, not true/false
        return np.where(target.to_numpy(), "True", "False")
    return target.cast(pl.String).to_numpy().astype(str)


def target_labels(ctx: CheckContext, model: Model, sample: pl.DataFrame) -> np.ndarray | None:
    """The sample's labels (:func:`labels_as_classes`) of the declared target, or None without
    one (or with a missing label)."""
    targets = [c.name for c in ctx.schema.with_role(Role.TARGET) if c.name in sample.columns]
    if not targets:
        return None
    return labels_as_classes(sample[targets[0]], regression=model.task == "regression")


def median_seconds(call: Callable[[], object], repeats: int = 3) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``call``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))
