"""The model's columns as arrays: labels, predicted classes and scores, per window and in order.

Shared by the performance checks.  Decides the task from the target (two classes: binary
classification; more: multiclass; numeric with many values: regression), maps labels to 0/1 for
binary tasks (``positive_label``; numbers and booleans default to 1/True), and derives predicted
classes from scores with ``threshold`` when no prediction column is given.  Every problem comes
back as a plain reason string for a ``skipped`` result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from mlaudit.data.types import Role, Schema
from mlaudit.summary.windows import ORDER, WINDOW, WindowedData

__all__ = ["ModelRows", "Task", "model_rows"]

Task = Literal["binary", "multiclass", "regression"]
_REGRESSION_MIN_VALUES = 20


@dataclass
class ModelRows:
    """Rows with a label (or all rows when ``y`` is None), in time order."""

    task: Task
    window: np.ndarray
    """Window index of each row."""
    order: np.ndarray
    y: np.ndarray | None
    """Labels: 0/1 for binary tasks, else as given (None when the data has no target)."""
    y_pred: np.ndarray | None
    score: np.ndarray | None
    """Score of the positive class (binary tasks) or the prediction (regression)."""
    positive: str
    dropped: int
    """Rows left out because their label, prediction or score was missing."""
    target: str | None
    prediction: str | None
    score_column: str | None


def _first(schema: Schema, role: Role, present: list[str]) -> str | None:
    cols = [c.name for c in schema.with_role(role) if c.name in present]
    return cols[0] if cols else None


def _positive_of(values: pl.Series, positive_label: str | None) -> tuple[object, str] | str:
    distinct = values.drop_nulls().unique().sort().to_list()
    if positive_label is not None:
        match = [v for v in distinct if str(v) == positive_label]
        if not match:
            shown = ", ".join(map(str, distinct[:5]))
            return f"positive_label {positive_label!r} is not a value of the target ({shown})"
        return match[0], positive_label
    if values.dtype == pl.Boolean:
        return True, "True"
    if values.dtype.is_numeric():
        if set(distinct) <= {0, 1}:
            return 1, "1"
        return max(distinct), str(max(distinct))
    shown = ", ".join(map(str, distinct[:5]))
    return f"the target's classes are text ({shown}): set positive_label to name the positive one"


def model_rows(
    data: WindowedData,
    schema: Schema,
    *,
    positive_label: str | None = None,
    threshold: float = 0.5,
    need_labels: bool = True,
    need_score: bool = False,
) -> ModelRows | str:
    """The model columns of ``data`` as arrays, or the reason they cannot be used."""
    frame = data.rows
    if frame is None or frame.height == 0:
        return "no rows with model columns (target, prediction or score) in the data"
    present = frame.columns
    target = _first(schema, Role.TARGET, present)
    prediction = _first(schema, Role.PREDICTION, present)
    score = _first(schema, Role.SCORE, present)
    if need_labels and target is None:
        return "no target (label) column: declare schema.target / --target"
    if prediction is None and score is None:
        return "no prediction or score column: declare schema.prediction or schema.score"
    if need_score and score is None:
        return "no score column (the predicted probability): declare schema.score / --score"
    keep = [c for c in (target if need_labels else None, prediction, score) if c is not None]
    n0 = frame.height
    frame = frame.drop_nulls(keep)
    if score is not None:
        s = frame[score]
        if not s.dtype.is_numeric():
            return f"the score column {score} is {s.dtype}, not numeric"
        frame = frame.filter(pl.col(score).cast(pl.Float64).is_finite())
    dropped = n0 - frame.height
    if not need_labels and target is not None and frame[target].null_count() == frame.height:
        target = None  # labels have not arrived yet
    if frame.height == 0:
        return (
            f"every row misses the label, prediction or score, or has a non-finite score "
            f"({', '.join(keep)})"
        )
    task = _task(frame, target, prediction, score)
    y = y_pred = sc = None
    positive = ""
    if task == "binary":
        basis = frame[target] if target is not None else frame[prediction or ""]
        pos = _positive_of(basis, positive_label)
        if isinstance(pos, str):
            return pos
        value, positive = pos
        if target is not None:
            y = (frame[target] == value).to_numpy().astype(np.int8)
        if score is not None:
            sc = frame[score].cast(pl.Float64).to_numpy()
        if prediction is not None:
            y_pred = (frame[prediction] == value).to_numpy().astype(np.int8)
        elif sc is not None:
            y_pred = (sc >= threshold).astype(np.int8)
    else:
        y = frame[target].to_numpy() if target is not None else None
        if task == "regression":
            col = prediction or score
            assert col is not None
            y_pred = frame[col].cast(pl.Float64).to_numpy()
            sc = y_pred
            y = y.astype(np.float64) if y is not None else None
        else:
            if prediction is None:
                return "a multiclass target needs a prediction column (the predicted class)"
            y_pred = frame[prediction].to_numpy()
    return ModelRows(
        task=task,
        window=frame[WINDOW].to_numpy(),
        order=frame[ORDER].to_numpy(),
        y=y,
        y_pred=y_pred,
        score=sc,
        positive=positive,
        dropped=dropped,
        target=target,
        prediction=prediction,
        score_column=score,
    )


def _task(
    frame: pl.DataFrame, target: str | None, prediction: str | None, score: str | None
) -> Task:
    basis = target or prediction
    if basis is None:  # only a score: a binary classifier's probability
        return "binary"
    s = frame[basis]
    k = s.n_unique()
    if k <= 2:
        return "binary"
    if s.dtype.is_numeric() and (s.dtype.is_float() or k > _REGRESSION_MIN_VALUES):
        return "regression"
    return "multiclass"
