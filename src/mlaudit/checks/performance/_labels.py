"""The model's columns as arrays: labels, predicted classes and scores, per window and in order.

Shared by the performance checks.  Decides the task from the target (two classes: binary
classification; more: multiclass; numeric with many values: regression), maps labels to 0/1 for
binary tasks (``positive_label``; numbers and booleans default to 1/True), and derives predicted
classes from scores with ``threshold`` when no prediction column is given.  Every problem comes
back as a plain reason string for a ``skipped`` result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl

from mlaudit.data import Role, Schema
from mlaudit.summary import ORDER, WINDOW, WindowedData

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
    roles = _roles(frame.columns, schema, need_labels=need_labels, need_score=need_score)
    if isinstance(roles, str):
        return roles
    usable = _usable_rows(frame, roles, need_labels=need_labels)
    if isinstance(usable, str):
        return usable
    rows, roles = usable
    task = _task(rows, roles.target, roles.prediction, roles.score)
    if task == "binary":
        arrays = _binary_arrays(rows, roles, positive_label=positive_label, threshold=threshold)
    else:
        arrays = _other_arrays(rows, roles, task)
    if isinstance(arrays, str):
        return arrays
    return ModelRows(
        task=task,
        window=rows[WINDOW].to_numpy(),
        order=rows[ORDER].to_numpy(),
        y=arrays.y,
        y_pred=arrays.y_pred,
        score=arrays.score,
        positive=arrays.positive,
        dropped=frame.height - rows.height,
        target=roles.target,
        prediction=roles.prediction,
        score_column=roles.score,
    )


@dataclass(frozen=True)
class _Roles:
    """The model's columns in the data (None: not there)."""

    target: str | None
    prediction: str | None
    score: str | None


@dataclass(frozen=True)
class _Arrays:
    y: np.ndarray | None
    y_pred: np.ndarray | None
    score: np.ndarray | None
    positive: str = ""


def _roles(
    present: list[str], schema: Schema, *, need_labels: bool, need_score: bool
) -> _Roles | str:
    """The target, prediction and score columns present, or what is missing."""
    roles = _Roles(
        _first(schema, Role.TARGET, present),
        _first(schema, Role.PREDICTION, present),
        _first(schema, Role.SCORE, present),
    )
    if need_labels and roles.target is None:
        return "no target (label) column: declare schema.target / --target"
    if roles.prediction is None and roles.score is None:
        return "no prediction or score column: declare schema.prediction or schema.score"
    if need_score and roles.score is None:
        return "no score column (the predicted probability): declare schema.score / --score"
    return roles


def _usable_rows(
    frame: pl.DataFrame, roles: _Roles, *, need_labels: bool
) -> tuple[pl.DataFrame, _Roles] | str:
    """The rows with every needed value and a finite score; no target when no label arrived."""
    needed = (roles.target if need_labels else None, roles.prediction, roles.score)
    keep = [c for c in needed if c is not None]
    frame = frame.drop_nulls(keep)
    if roles.score is not None:
        s = frame[roles.score]
        if not s.dtype.is_numeric():
            return f"the score column {roles.score} is {s.dtype}, not numeric"
        frame = frame.filter(pl.col(roles.score).cast(pl.Float64).is_finite())
    target = roles.target
    if not need_labels and target is not None and frame[target].null_count() == frame.height:
        roles = replace(roles, target=None)  # labels have not arrived yet
    if frame.height == 0:
        return (
            f"every row misses the label, prediction or score, or has a non-finite score "
            f"({', '.join(keep)})"
        )
    return frame, roles


def _binary_arrays(
    frame: pl.DataFrame, roles: _Roles, *, positive_label: str | None, threshold: float
) -> _Arrays | str:
    """0/1 labels and predictions for the positive class, and the score."""
    target, prediction, score = roles.target, roles.prediction, roles.score
    basis = frame[target] if target is not None else frame[prediction or ""]
    pos = _positive_of(basis, positive_label)
    if isinstance(pos, str):
        return pos
    value, positive = pos
    y = (frame[target] == value).to_numpy().astype(np.int8) if target is not None else None
    sc = frame[score].cast(pl.Float64).to_numpy() if score is not None else None
    y_pred = None
    if prediction is not None:
        y_pred = (frame[prediction] == value).to_numpy().astype(np.int8)
    elif sc is not None:
        y_pred = (sc >= threshold).astype(np.int8)
    return _Arrays(y, y_pred, sc, positive)


def _other_arrays(frame: pl.DataFrame, roles: _Roles, task: Task) -> _Arrays | str:
    """Labels and predictions as given (multiclass) or as floats (regression)."""
    y = frame[roles.target].to_numpy() if roles.target is not None else None
    if task == "regression":
        col = roles.prediction or roles.score
        assert col is not None
        y_pred = frame[col].cast(pl.Float64).to_numpy()
        return _Arrays(y.astype(np.float64) if y is not None else None, y_pred, y_pred)
    if roles.prediction is None:
        return "a multiclass target needs a prediction column (the predicted class)"
    return _Arrays(y, frame[roles.prediction].to_numpy(), None)


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
