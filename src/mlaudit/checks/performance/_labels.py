"""The model's columns as arrays: labels, predicted classes and scores, per window and in order.

Shared by the performance checks.  Decides the task from the target (two classes: binary
classification; more: multiclass; numeric with many values: regression), maps labels to 0/1 for
binary tasks (``positive_label``; numbers and booleans default to 1/True), and derives predicted
classes from scores with a :class:`ScoreRule` when no prediction column is given.  Every problem
comes back as a plain reason string for a ``skipped`` result.

**Score scale.**  A binary model's score is read as a probability when every finite value lies in
[0, 1]; otherwise it is a score on another scale (risk deciles, logits, points).  The threshold
is the declared one (the check's ``threshold``, else ``schema.score_threshold``); without one,
0.5 for a probability, and no predicted classes at all for another scale (the reason says to
declare it).  ``higher_is_positive`` predicts the positive class at or above the threshold;
``higher_is_negative`` below it, so flipping the direction flips every predicted class.  The
score the metrics read is oriented so that higher means positive (``1 − p`` for a probability of
the negative class, the negated score otherwise); ROC AUC depends only on the order, so it is
the same on any monotone scale.

**Class probabilities.**  A multiclass model's probability of each class comes from the columns
``schema.class_scores`` declares (class label → column; ``--model`` declares its
``model_proba_<class>`` columns there).  A label is matched to its class by its text
(``str(label)``), so an integer target 0, 1, 2 matches the classes ``"0"``, ``"1"``, ``"2"``.
With more than two declared classes the task is multiclass whatever the period's labels hold
(one class only included).  Without a prediction column the predicted class is the most
probable one (the first declared on a tie, as scikit-learn's ``predict`` takes the first
maximum), rows lacking a probability are left out, and labels and predictions are compared as
text.  With a prediction column, the probabilities come as they are (missing: NaN), and the
metrics say what they leave out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl

from mlaudit.config import ScoreDirection
from mlaudit.data import Role, Schema
from mlaudit.summary import WINDOW, WindowedData

__all__ = ["ModelRows", "ScoreRule", "ScoreScale", "Task", "model_rows", "scale_note"]

Task = Literal["binary", "multiclass", "regression"]
_REGRESSION_MIN_VALUES = 20


@dataclass(frozen=True)
class ScoreRule:
    """How scores become predicted classes: the declared threshold (None: not declared)."""

    threshold: float | None = None
    direction: ScoreDirection = "higher_is_positive"

    @classmethod
    def of(cls, threshold: float | None, schema: Schema) -> ScoreRule:
        """The check's own threshold, else the schema's declaration, with its direction."""
        declared = threshold if threshold is not None else schema.score_threshold
        return cls(declared, schema.score_direction)


@dataclass(frozen=True)
class ScoreScale:
    """What the score's values showed and the rule that made predicted classes from them."""

    probability: bool
    """Every finite score lies in [0, 1]."""
    low: float
    high: float
    threshold: float | None
    """The threshold used (None: classes came from a prediction column or none were made)."""
    direction: ScoreDirection

    def describe(self, column: str) -> str:
        """The scale and the rule in words, e.g. for a result's message."""
        kind = "probabilities" if self.probability else "not probabilities"
        text = f"The scores of {column} are {kind} (from {self.low:.4g} to {self.high:.4g})"
        if self.threshold is None:
            return text + "."
        sign = "≥" if self.direction == "higher_is_positive" else "<"
        return f"{text}; a row is predicted positive when {column} {sign} {self.threshold:g}."

    def not_probability(self, column: str) -> str:
        """Why a method that reads scores as probabilities is skipped."""
        return (
            f"the scores of {column} are not probabilities (from {self.low:.4g} to "
            f"{self.high:.4g}): calibration and label-free estimation read scores as "
            "probabilities, so they are not computed on another scale"
        )


@dataclass
class ModelRows:
    """Rows with a label (or all rows when ``y`` is None), in time order."""

    task: Task
    window: np.ndarray
    """Window index of each row."""
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
    scale: ScoreScale | None = None
    """The score's scale and threshold (binary tasks with a score)."""
    classes: list[str] | None = None
    """The declared classes whose probabilities ``proba`` holds, in its column order."""
    proba: np.ndarray | None = None
    """Multiclass: each row's probability of each class (n × k, NaN where missing)."""
    proba_note: str | None = None
    """Why the class probabilities are not read (a declared column missing or not numeric)."""


def scale_note(rows: ModelRows) -> str | None:
    """The score's scale and rule in words when they are not the usual probability ≥ 0.5."""
    scale, column = rows.scale, rows.score_column
    if scale is None or column is None:
        return None
    usual = scale.direction == "higher_is_positive" and scale.threshold in (None, 0.5)
    return None if scale.probability and usual else scale.describe(column)


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
    rule: ScoreRule | None = None,
    need_labels: bool = True,
    need_score: bool = False,
    need_probability: bool = False,
) -> ModelRows | str:
    """The model columns of ``data`` as arrays, or the reason they cannot be used.

    ``rule`` turns scores into classes (default: the schema's declaration);
    ``need_probability`` refuses a binary model's score that is not a probability.
    """
    frame = data.rows
    if frame is None or frame.height == 0:
        return "no rows with model columns (target, prediction or score) in the data"
    classes = _class_columns(frame, schema)
    roles = _roles(
        frame.columns, schema, need_labels=need_labels, need_score=need_score,
        class_scores=classes.usable,
    )  # fmt: skip
    if isinstance(roles, str):
        return roles
    usable = _usable_rows(frame, roles, need_labels=need_labels, class_scores=classes.usable)
    if isinstance(usable, str):
        return usable
    rows, roles = usable
    task = _task(rows, roles.target, roles.prediction, roles.score)
    if len(schema.class_scores) > 2 and task == "binary":
        task = "multiclass"  # the model's classes are declared: not binary in a period of two
    if task == "binary":
        arrays = _binary_arrays(
            rows, roles, positive_label=positive_label, rule=rule or ScoreRule.of(None, schema),
            need_probability=need_probability,
        )  # fmt: skip
    else:
        arrays = _other_arrays(rows, roles, task, classes)
    if isinstance(arrays, str):
        return arrays
    multi = task == "multiclass"
    return ModelRows(
        task=task,
        window=rows[WINDOW].to_numpy(),
        y=arrays.y,
        y_pred=arrays.y_pred,
        score=arrays.score,
        positive=arrays.positive,
        dropped=frame.height - rows.height,
        target=roles.target,
        prediction=roles.prediction,
        score_column=roles.score,
        scale=arrays.scale,
        classes=list(classes.usable) if multi and arrays.proba is not None else None,
        proba=arrays.proba if multi else None,
        proba_note=classes.note if multi else None,
    )


@dataclass(frozen=True)
class _ClassColumns:
    """The declared class probability columns the rows have (class → column), and why the
    others are not read."""

    usable: dict[str, str]
    note: str | None = None


def _class_columns(frame: pl.DataFrame, schema: Schema) -> _ClassColumns:
    """The declared class probabilities, all or none: a class without its column leaves every
    probability metric undefined."""
    declared = schema.class_scores
    if not declared:
        return _ClassColumns({})
    missing = [f"{c} ({k})" for k, c in declared.items() if c not in frame.columns]
    if missing:
        return _ClassColumns(
            {},
            f"class probability column(s) {', '.join(missing[:5])} not in the data: one-vs-rest "
            "ROC AUC and log loss are not computed",
        )
    text = [f"{c} ({frame[c].dtype})" for c in declared.values() if not frame[c].dtype.is_numeric()]
    if text:
        return _ClassColumns(
            {},
            f"class probability column(s) {', '.join(text[:5])} not numeric: one-vs-rest ROC "
            "AUC and log loss are not computed",
        )
    return _ClassColumns(dict(declared))


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
    scale: ScoreScale | None = None
    proba: np.ndarray | None = None


def _roles(
    present: list[str],
    schema: Schema,
    *,
    need_labels: bool,
    need_score: bool,
    class_scores: dict[str, str],
) -> _Roles | str:
    """The target, prediction and score columns present, or what is missing."""
    roles = _Roles(
        _first(schema, Role.TARGET, present),
        _first(schema, Role.PREDICTION, present),
        _first(schema, Role.SCORE, present),
    )
    if need_labels and roles.target is None:
        return "no target (label) column: declare schema.target / --target"
    if roles.prediction is None and roles.score is None and len(class_scores) <= 2:
        return "no prediction or score column: declare schema.prediction or schema.score"
    if need_score and roles.score is None:
        return "no score column (the predicted probability): declare schema.score / --score"
    return roles


def _usable_rows(
    frame: pl.DataFrame, roles: _Roles, *, need_labels: bool, class_scores: dict[str, str]
) -> tuple[pl.DataFrame, _Roles] | str:
    """The rows with every needed value and a finite score; no target when no label arrived.

    Without a prediction and a score, the class probabilities make the predicted class, so a
    row needs every one of them, finite.
    """
    needed = (roles.target if need_labels else None, roles.prediction, roles.score)
    keep = [c for c in needed if c is not None]
    probs = list(class_scores.values()) if roles.prediction is None and roles.score is None else []
    keep += probs
    # Filtered only when a row goes: a filter copies every column (tens of bytes a row).
    if any(frame[c].null_count() for c in keep):
        frame = frame.drop_nulls(keep)
    if probs:
        every = pl.all_horizontal([pl.col(c).cast(pl.Float64).is_finite() for c in probs])
        ok = frame.select(every).to_series()
        if not ok.all():
            frame = frame.filter(ok)
    if roles.score is not None:
        s = frame[roles.score]
        if not s.dtype.is_numeric():
            return f"the score column {roles.score} is {s.dtype}, not numeric"
        finite = s.cast(pl.Float64).is_finite()
        if not finite.all():
            frame = frame.filter(finite)
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
    frame: pl.DataFrame,
    roles: _Roles,
    *,
    positive_label: str | None,
    rule: ScoreRule,
    need_probability: bool,
) -> _Arrays | str:
    """0/1 labels and predictions for the positive class, and the score (higher: positive)."""
    target, prediction, score = roles.target, roles.prediction, roles.score
    basis = frame[target] if target is not None else frame[prediction or ""]
    pos = _positive_of(basis, positive_label)
    if isinstance(pos, str):
        return pos
    value, positive = pos
    y = (frame[target] == value).to_numpy().astype(np.int8) if target is not None else None
    y_pred = None
    if prediction is not None:
        y_pred = (frame[prediction] == value).to_numpy().astype(np.int8)
    if score is None:
        return _Arrays(y, y_pred, None, positive)
    raw = frame[score].cast(pl.Float64).to_numpy()
    scale = _scale(raw, rule, derive=y_pred is None)
    if need_probability and not scale.probability:
        return scale.not_probability(score)
    if y_pred is None:
        if scale.threshold is None:
            return (
                f"{scale.describe(score)[:-1]}: declare the threshold that makes a row positive "
                "(schema.score_threshold / --score-threshold, and schema.score_direction / "
                "--score-direction when a higher score means the negative class)"
            )
        above = raw >= scale.threshold
        y_pred = (above if rule.direction == "higher_is_positive" else ~above).astype(np.int8)
    return _Arrays(y, y_pred, _oriented(raw, scale), positive, scale)


def _scale(raw: np.ndarray, rule: ScoreRule, *, derive: bool) -> ScoreScale:
    """The score's scale, and the threshold used when classes are derived from it."""
    low, high = float(raw.min()), float(raw.max())
    probability = low >= 0.0 and high <= 1.0
    threshold = rule.threshold
    if threshold is None and probability:
        threshold = 0.5
    return ScoreScale(probability, low, high, threshold if derive else None, rule.direction)


def _oriented(raw: np.ndarray, scale: ScoreScale) -> np.ndarray:
    """The score with higher meaning positive: unchanged, ``1 − p``, or negated."""
    if scale.direction == "higher_is_positive":
        return raw
    return 1.0 - raw if scale.probability else -raw


def _other_arrays(
    frame: pl.DataFrame, roles: _Roles, task: Task, classes: _ClassColumns
) -> _Arrays | str:
    """Labels and predictions as given (multiclass) or as floats (regression); a multiclass
    model's class probabilities, and its predicted classes from them when no column gives
    them."""
    y = frame[roles.target].to_numpy() if roles.target is not None else None
    if task == "regression":
        col = roles.prediction or roles.score
        if col is None:
            return "a numeric target with many values needs a prediction column"
        y_pred = frame[col].cast(pl.Float64).to_numpy()
        return _Arrays(y.astype(np.float64) if y is not None else None, y_pred, y_pred)
    proba = None
    if classes.usable:
        cols = [pl.col(c).cast(pl.Float64) for c in classes.usable.values()]
        proba = frame.select(cols).to_numpy().astype(np.float64)  # null → NaN
    if roles.prediction is None:
        if proba is None:
            reason = classes.note or "declare schema.class_scores"
            return (
                "a multiclass target needs a prediction column (the predicted class) or each "
                f"class's probability ({reason})"
            )
        labels = np.asarray(list(classes.usable), dtype=object)
        y_pred = labels[np.argmax(proba, axis=1)] if proba.shape[0] else labels[:0]
        target = roles.target
        y_text = None if target is None else frame[target].cast(pl.String).to_numpy().astype(str)
        return _Arrays(y_text, y_pred.astype(str), None, proba=proba)
    return _Arrays(y, frame[roles.prediction].to_numpy(), None, proba=proba)


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
