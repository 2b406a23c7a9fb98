"""``explain.partial_dependence``: how the model's output moves with each of its top features.

For a feature ``f`` and a value ``v``, the rows of the current data's seeded sample (the first
``rows`` of ``ctx.model_samples["current"]``) are predicted with ``f`` set to ``v`` on every
row, the others kept: each row's prediction is its **ICE** value (individual conditional
expectation, Goldstein et al., 2015), their mean the **partial dependence** at ``v``
(Friedman, 2001).  The curve over a grid of values shows what the model does with the feature,
all else equal; the spread of the ICE lines around it shows whether it does the same for every
row (parallel lines) or depends on the other features (crossing lines: an interaction).

* **The grid**: a numeric feature's quantiles at ``grid_resolution`` evenly spaced levels from
  5 % to 95 % (the tails are thin, and a curve there reads a handful of rows), rounded for
  integer features, repeated values dropped; its distinct values when it has fewer than
  ``grid_resolution`` of them (as scikit-learn does).  A categorical or boolean feature's
  levels, the ``max_levels`` most frequent.  Missing values are not grid points.
* **The output**: the probability of the positive class for a binary classifier (the model's
  second class, scikit-learn's convention, or ``positive_label``); each class's probability for
  a multiclass model (without ICE lines); the predicted value for a regressor.  A classifier
  without probabilities gives the share of rows predicted in the class.
* **The features**: ``features`` when given, else the ``top_k`` most important by permutation
  importance (``explain.permutation_importance`` with its defaults, computed once per audit and
  shared with that check).
* **ICE lines** are drawn for ``ice_rows`` rows picked at random (seeded) among those read; the
  partial dependence averages all of them.  The table's **ICE spread** is the mean distance of
  the rows' centred ICE curves from the centred partial dependence (0 when the feature shifts
  every row's output alike).

The figures equal ``sklearn.inspection.partial_dependence`` (``method="brute"``, the same grid
as ``custom_values``; ``kind="average"`` and ``"individual"``).  The check describes the model
and passes; a feature whose grid values the model cannot predict is named with the library's
error, and the check warns.  Cost: one prediction of ``rows`` × grid points rows a feature.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import NO_MODEL, frame_batch, model_and_sample
from mlaudit.checks._options import Count, PositiveCount
from mlaudit.checks.explain.permutation import PermutationImportance, importances_of
from mlaudit.errors import ModelError
from mlaudit.models import Model, Predictions
from mlaudit.results import (
    BarsDetail,
    CheckResult,
    CurveDetail,
    Severity,
    Status,
    TableDetail,
)

if TYPE_CHECKING:
    import threadpoolctl
else:  # imported on first use (mlaudit._lazy)
    threadpoolctl = lazy_import("threadpoolctl")

__all__ = ["PartialDependence", "feature_grid", "ice_values"]

GridValue = float | int | str | bool
_CATEGORICAL = (pl.String, pl.Categorical, pl.Enum, pl.Boolean)
_CHUNK_ROWS = 200_000
"""Rows predicted in one call (grid points × rows, cut between grid points)."""
_LOW, _HIGH = 0.05, 0.95
"""The quantile levels a numeric grid spans."""


def feature_grid(column: pl.Series, resolution: int, max_levels: int) -> list[GridValue]:
    """The grid of ``column``'s values (see the module docstring); empty when all missing."""
    values = column.drop_nulls()
    if isinstance(column.dtype, _CATEGORICAL):
        counts = values.value_counts(sort=True, name="__n__")
        levels = counts.sort(["__n__", values.name], descending=[True, False])[values.name]
        return sorted(levels.head(max_levels).to_list(), key=str)
    numbers = values.cast(pl.Float64).to_numpy()
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return []
    distinct = np.unique(numbers)
    if distinct.size < resolution:
        grid = distinct
    else:
        grid = np.unique(np.quantile(numbers, np.linspace(_LOW, _HIGH, resolution)))
    if column.dtype.is_integer():
        return [int(v) for v in np.unique(np.round(grid))]
    return [float(v) for v in grid]


def ice_values(
    predict: Callable[[pl.DataFrame], np.ndarray],
    frame: pl.DataFrame,
    feature: str,
    grid: list[GridValue],
) -> np.ndarray:
    """``(grid points, rows, outputs)``: ``predict`` of ``frame`` with ``feature`` set to each
    grid value on every row (the other columns unchanged)."""
    dtype = frame[feature].dtype
    per_call = max(1, _CHUNK_ROWS // max(frame.height, 1))
    out = []
    for start in range(0, len(grid), per_call):
        chunk = grid[start : start + per_call]
        copies = [frame.with_columns(pl.lit(v).cast(dtype).alias(feature)) for v in chunk]
        values = predict(pl.concat(copies, how="vertical"))
        out.append(values.reshape(len(chunk), frame.height, -1))
    return np.concatenate(out, axis=0)


def _response(model: Model, positive: int) -> tuple[Callable[[Predictions], np.ndarray], list[str]]:
    """The output the curves show, as ``(rows, outputs)``, and each output's name."""
    if model.task == "regression":
        return (lambda p: p.label.astype(np.float64)[:, None]), ["prediction"]
    classes = list(model.info.classes)
    if model.task == "binary":
        name = f"P({classes[positive]})"

        def binary(p: Predictions) -> np.ndarray:
            if p.proba is not None:
                out: np.ndarray = p.proba[:, positive].astype(np.float64)[:, None]
                return out
            hits: np.ndarray = (p.label == positive).astype(np.float64)[:, None]
            return hits

        return binary, [name]

    def multiclass(p: Predictions) -> np.ndarray:
        if p.proba is not None:
            out: np.ndarray = p.proba.astype(np.float64)
            return out
        hits: np.ndarray = p.label[:, None] == np.arange(len(classes))[None, :]
        return hits.astype(np.float64)

    return multiclass, [f"P({c})" for c in classes]


@register
class PartialDependence(Check):
    """Partial dependence and ICE curves of the model's output on its top features."""

    id: ClassVar[str] = "explain.partial_dependence"
    family: ClassVar[str] = "explain"
    title: ClassVar[str] = "How the model's output moves with its top features (PDP and ICE)"
    why: ClassVar[str] = (
        "A validator must see that the model's response to its main drivers is plausible "
        "(monotone where it should be, no cliff at an arbitrary value) and whether it treats "
        "rows alike: a reason code is only as sound as the response behind it."
    )
    severity: ClassVar[Severity] = Severity.INFO
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2
    reads: ClassVar[frozenset[str]] = frozenset()

    features: list[str] | None = Field(default=None, min_length=1)
    """Features to draw; None: the ``top_k`` most important by permutation importance."""
    top_k: PositiveCount = 4
    """Features drawn when ``features`` is not given."""
    rows: PositiveCount = 2_000
    """Rows of the current data's seeded sample averaged (the first ones)."""
    grid_resolution: Annotated[int, Field(ge=2, le=1000)] = 20
    """Grid points of a numeric feature (fewer when it has fewer distinct values)."""
    max_levels: PositiveCount = 20
    """Levels of a categorical feature drawn (the most frequent)."""
    ice_rows: Count = 50
    """Rows whose ICE line is drawn (seeded); 0 draws none."""
    positive_label: str | None = None
    """Binary classifiers: the class whose probability is drawn (default: the model's second
    class)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model: a curve per feature and a summary table."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        sample = sample.head(self.rows)
        classes = list(model.info.classes)
        positive = 1 if model.task == "binary" else -1
        if self.positive_label is not None and model.task == "binary":
            if self.positive_label not in classes:
                return self.skipped(
                    f"positive_label {self.positive_label!r} is not one of the model's classes "
                    f"({', '.join(classes)})"
                )
            positive = classes.index(self.positive_label)
        picked = self._features(ctx, model)
        if isinstance(picked, str):
            return self.skipped(picked)
        features, how = picked
        respond, outputs = _response(model, positive)

        def predict(frame: pl.DataFrame) -> np.ndarray:
            return respond(model.predict_batch(frame_batch(frame, list(model.features))))

        try:
            predict(sample.head(1))
        except ModelError as exc:
            return self.skipped(f"the model cannot predict the current data: {exc.message}")
        rng = np.random.default_rng([ctx.seed, zlib.crc32(self.id.encode())])
        ice_rows = np.sort(
            rng.choice(sample.height, size=min(self.ice_rows, sample.height), replace=False)
        )
        row_ids = sample["__row__"].to_list() if "__row__" in sample.columns else None
        table_rows: list[list[str | float | int | None]] = []
        details: list[TableDetail | CurveDetail | BarsDetail] = []
        failed: dict[str, str] = {}
        moves: dict[str, float] = {}
        for f in features:
            column = sample[f]
            categorical = isinstance(column.dtype, _CATEGORICAL)
            kind = "categorical" if categorical else "numeric"
            if not (categorical or column.dtype.is_numeric()):
                table_rows.append([f, str(column.dtype), 0, None, None, None, None,
                                   "not numeric nor categorical"])  # fmt: skip
                continue
            grid = feature_grid(column, self.grid_resolution, self.max_levels)
            if not grid:
                table_rows.append([f, kind, 0, None, None, None, None, "no value to vary"])
                continue
            try:
                with threadpoolctl.threadpool_limits(limits=1):  # as for the importances
                    ice = ice_values(predict, sample, f, grid)
            except Exception as exc:  # the model's own error on a grid value: a finding
                failed[f] = str(exc).split("\n")[0][:300]
                table_rows.append([f, kind, len(grid), None, None, None, None, failed[f]])
                continue
            pd = ice.mean(axis=1)  # (grid, outputs)
            spread = _ice_spread(ice)
            moves[f] = float(np.max(pd.max(axis=0) - pd.min(axis=0)))
            table_rows.append([f, kind, len(grid), _num(pd.min()), _num(pd.max()),
                               _num(moves[f]), _num(spread), None])  # fmt: skip
            labels = [f"ICE row {row_ids[i] if row_ids else i}" for i in ice_rows]
            band = np.percentile(ice[:, :, 0], [10, 90], axis=1) if len(outputs) == 1 else None
            details.append(
                _chart(f, grid, pd, ice[:, ice_rows, :], labels, outputs, band, categorical)
            )
        output_words = outputs[0] if len(outputs) == 1 else "each class's probability"
        table = TableDetail(
            name="Partial dependence",
            title=f"Partial dependence of {output_words} on {len(features)} feature(s)",
            columns=["feature", "kind", "grid points", "PD min", "PD max", "PD range",
                     "ICE spread", "error"],
            rows=table_rows,
            note=f"Features {how}. ICE spread: the mean distance of the rows' centred ICE "
            "curves from the centred partial dependence (0: the feature shifts every row alike).",
        )  # fmt: skip
        metrics: dict[str, float | int | None] = {
            "features": len(features),
            "rows": sample.height,
            "features_failing": len(failed),
        }
        if failed:
            where = ", ".join(failed)
            return self.result(
                Status.WARN,
                f"The model could not predict with {where} set to values the data holds: "
                f"{next(iter(failed.values()))}.",
                metrics=metrics,
                details=[table, *details],
                severity=Severity.MEDIUM,
            )
        text = f"Partial dependence of {output_words} on {len(features)} feature(s) {how}, "
        text += f"averaged over {sample.height:,} rows"
        if moves:
            top = max(moves, key=lambda f: (moves[f], f))
            metrics["max_pd_range"] = _num(moves[top])
            text += f"; it moves most with {top} (range {moves[top]:.3g})"
        return self.result(Status.PASS, text + ".", metrics=metrics, details=[table, *details])

    def _features(self, ctx: CheckContext, model: Model) -> tuple[list[str], str] | str:
        """The features to draw and how they were chosen, or why none can be."""
        read = list(model.features)
        if self.features is not None:
            unknown = [f for f in self.features if f not in read]
            if unknown:
                return f"features {unknown} are not read by the model ({', '.join(read[:20])})"
            return list(self.features), "as configured"
        defaults = PermutationImportance.model_fields
        got = importances_of(
            ctx,
            "current",
            rows=int(defaults["rows"].default),
            n_repeats=int(defaults["n_repeats"].default),
        )
        if isinstance(got, str) or not got.scores:
            return read[: self.top_k], "in the model's order (no importance to rank them by)"
        ranked = got.ranked() + sorted(got.errors)
        return ranked[: self.top_k], "ranked by permutation importance"


def _num(value: float) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _ice_spread(ice: np.ndarray) -> float:
    """Mean |centred ICE − centred PD| over grid points, rows and outputs."""
    centred = ice - ice.mean(axis=0, keepdims=True)
    pd = centred.mean(axis=1, keepdims=True)
    return float(np.mean(np.abs(centred - pd)))


def _chart(
    feature: str,
    grid: list[GridValue],
    pd: np.ndarray,
    ice: np.ndarray,
    labels: list[str],
    outputs: list[str],
    band: np.ndarray | None,
    categorical: bool,
) -> CurveDetail | BarsDetail:
    """A numeric feature's curves (partial dependence, ICE lines drawn faint), or a categorical
    one's values by level (``band``: the 10th and 90th percentiles of every row's ICE values
    at each level)."""
    one = len(outputs) == 1
    y_label = outputs[0] if one else "probability"
    title = f"Partial dependence on {feature}" + (" with ICE lines" if one and labels else "")
    if categorical:
        x: list[str | float | int] = [str(v) for v in grid]
        names = ["partial dependence"] if one else outputs
        series = {n: [_num(v) for v in pd[:, k]] for k, n in enumerate(names)}
        lower, upper = {}, {}
        if band is not None:
            lower = {names[0]: [_num(v) for v in band[0]]}
            upper = {names[0]: [_num(v) for v in band[1]]}
        return BarsDetail(
            name=f"Partial dependence: {feature}",
            title=f"Partial dependence on {feature}"
            + (" with the ICE values' 10–90% band" if band is not None else ""),
            value_label=f"{y_label} (partial dependence)",
            labels=[str(v) for v in x],
            series=series,
            lower=lower,
            upper=upper,
        )
    xs = [float(v) for v in grid]
    curves: dict[str, dict[str, list[float]]] = {}
    if one:
        for j, label in enumerate(labels):
            curves[label] = {"x": xs, "y": [float(v) for v in ice[:, j, 0]]}
        curves["partial dependence"] = {"x": xs, "y": [float(v) for v in pd[:, 0]]}
    else:
        for k, name in enumerate(outputs):
            curves[name] = {"x": xs, "y": [float(v) for v in pd[:, k]]}
    return CurveDetail(
        name=f"Partial dependence: {feature}",
        title=title,
        x_label=feature,
        y_label=y_label,
        curves=curves,
    )
