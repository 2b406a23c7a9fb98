"""The labelled rows of a period's seeded sample: features, labels and the models' outputs.

The benchmark, the champion/challenger comparison and the weak segments read the seeded sample
(``profile.sample``: whole rows, at most ``sample_size`` of them, 20,000 by default), which
holds the features, the target and the model's output columns.  That bounds both the work
(fitting and tuning on at most 20,000 rows) and the evidence: the comparisons are made on a
uniform random sample of the rows, so their intervals and p-values are those of a sample of
that size, not of every row.

Labels, predicted classes and scores are read exactly as the other performance checks read
them (:func:`mlaudit.checks.performance._labels.model_rows`: the positive label, the score's
scale, threshold and direction), after keeping only the rows with every value they need, so
the rows of the arrays and of the frame stay aligned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.performance._labels import ModelRows, ScoreRule, model_rows
from mlaudit.data import Role, Schema, WindowSpec
from mlaudit.summary import WINDOW, WINDOW_DTYPE, DatasetProfile, WindowedData

__all__ = ["SampleRows", "labels_like", "sample_model_rows", "sample_rows"]


@dataclass(frozen=True)
class SampleRows:
    """A sample's usable rows: the frame (features and all) and the model's arrays."""

    frame: pl.DataFrame
    rows: ModelRows
    """Labels, predicted classes and scores of ``frame``'s rows, in the same order."""
    sampled: int
    """Rows in the sample before rows without a label or output were left out."""


def _needed(schema: Schema, present: list[str], extra: list[str]) -> list[str]:
    roles = (Role.TARGET, Role.PREDICTION, Role.SCORE)
    cols = [c.name for c in schema.with_role(*roles) if c.name in present]
    return cols + [c for c in extra if c in present and c not in cols]


def sample_rows(
    profile: DatasetProfile | None,
    schema: Schema,
    *,
    positive_label: str | None,
    rule: ScoreRule,
    rename: dict[str, str] | None = None,
    require: tuple[str, ...] = (),
) -> SampleRows | str:
    """The labelled rows of ``profile``'s sample, or why there are none.

    ``rename`` maps other output columns (a challenger's) onto the declared prediction and score
    columns, so the same reading applies to them; their own columns are dropped first.
    """
    sample = profile.sample if profile is not None else None
    if sample is None or sample.height == 0:
        return "the data has no sampled rows"
    rename = rename or {}
    needed = _needed(schema, sample.columns, [*rename, *require])
    frame = sample.drop_nulls(needed) if needed else sample
    for col in needed:
        if frame[col].dtype.is_float():
            frame = frame.filter(frame[col].is_finite())
    if frame.height == 0:
        return "no sampled row has a label and the model's outputs"
    replaced = [v for k, v in rename.items() if v in frame.columns and v != k]
    outputs = frame.drop(replaced).rename({k: v for k, v in rename.items() if k != v})
    windowed = WindowedData(
        WindowSpec(rows=max(frame.height, 1)),
        [],
        rows=outputs.with_columns(pl.lit(0, WINDOW_DTYPE).alias(WINDOW)),
    )
    rows = model_rows(windowed, schema, positive_label=positive_label, rule=rule)
    if isinstance(rows, str):
        return rows
    return SampleRows(frame, rows, sample.height)


def labels_like(values: pl.Series, rows: ModelRows) -> np.ndarray:
    """``values`` (a target column) encoded as ``rows.y`` is: 0/1 for a binary task (1 for the
    positive label), floats for regression, as given for multiclass."""
    if rows.task == "regression":
        return values.cast(pl.Float64).to_numpy()
    if rows.task == "multiclass":
        return values.to_numpy()
    if values.dtype == pl.Boolean:
        hit = values == (rows.positive == "True")
    elif values.dtype.is_numeric() and _is_number(rows.positive):
        hit = values.cast(pl.Float64) == float(rows.positive)
    else:
        hit = values.cast(pl.String) == rows.positive
    return hit.fill_null(False).to_numpy().astype(np.int8)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def sample_model_rows(
    ctx: CheckContext, *, positive_label: str | None, threshold: float | None
) -> tuple[pl.DataFrame, np.ndarray, bool] | str:
    """The current sample's usable rows, each row's error value, and whether the task is a
    classification.

    The error value is 1 for a wrong predicted class and 0 for a right one (classification), or
    the absolute error (regression).  A string says why nothing can be judged.
    """
    sample = ctx.current.sample
    if sample is None or sample.height == 0:
        return "the profile has no sample rows (an empty data set or a saved profile without one)"
    names = {r: [c.name for c in ctx.schema.with_role(r) if c.name in sample.columns] for r in Role}
    if not names[Role.TARGET]:
        return "no target (label) column in the data: declare schema.target / --target"
    if not names[Role.PREDICTION] and not names[Role.SCORE]:
        return "no prediction or score column: declare schema.prediction or schema.score"
    for score in names[Role.SCORE][:1]:
        if not sample[score].dtype.is_numeric():
            return f"the score column {score} is {sample[score].dtype}, not numeric"
    got = sample_rows(
        ctx.current,
        ctx.schema,
        positive_label=positive_label,
        rule=ScoreRule.of(threshold, ctx.schema),
    )
    if isinstance(got, str):
        return got
    rows = got.rows
    if rows.y is None or rows.y_pred is None:
        return "no predicted values to compare with the labels"
    if rows.task == "regression":
        value = np.abs(rows.y.astype(np.float64) - rows.y_pred.astype(np.float64))
        return got.frame, value, False
    return got.frame, (rows.y != rows.y_pred).astype(np.float64), True
