"""The model's metrics on one period's labelled rows, each with its confidence interval.

Shared by ``performance.metrics`` for the current data and the reference.  Which interval each
metric gets:

* **Wilson score interval** (exact-coverage-minded for a binomial share): accuracy, precision
  (correct among predicted positives), recall (found among actual positives);
* **DeLong** (:func:`mlaudit.stats.delong_auc`): ROC AUC, and Gini as ``2·AUC − 1`` with the
  bounds mapped the same way;
* **multinomial bootstrap of the confusion matrix**: balanced accuracy, F1 and the macro and
  weighted averages.  A resample of the rows is a multinomial resample of the matrix's cells
  with the observed shares, so drawing the cells is the row bootstrap itself, exact and in
  O(cells) per resample;
* **row bootstrap** (:func:`mlaudit.stats.bootstrap_intervals`, seeded, vectorised, m out of n
  above 50,000 rows): average precision, KS statistic, log loss, Brier score, and every
  regression metric.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from mlaudit.checks.performance._curves import binary_details
from mlaudit.checks.performance._labels import ModelRows
from mlaudit.results import Bound, Detail, DistributionDetail, TableDetail
from mlaudit.stats import (
    Statistic,
    Weighted,
    binary_metrics_on,
    bootstrap_intervals,
    confusion_metrics,
    delong_auc,
    regression_metrics_on,
    wilson_interval,
)

__all__ = ["Evaluation", "Settings", "evaluate"]

_MAX_CLASSES_SHOWN = 20


@dataclass(frozen=True)
class Settings:
    """How intervals are computed and what an error costs."""

    level: float = 0.95
    n_resamples: int = 1000
    max_rows: int = 50_000
    seed: int = 0
    cost_fp: float = 1.0
    cost_fn: float = 1.0


@dataclass
class Evaluation:
    """One period's metrics (point estimates and counts), their intervals and details."""

    task: str
    n: int
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    bounds: dict[str, Bound] = field(default_factory=dict)
    details: list[Detail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self, name: str, value: float, low: float, high: float, method: str, level: float
    ) -> None:
        """Record a metric and its interval (no bound when the interval is undefined)."""
        self.metrics[name] = value if math.isfinite(value) else None
        if math.isfinite(low) and math.isfinite(high) and math.isfinite(value):
            self.bounds[name] = Bound(
                low=low, high=high, kind="confidence_interval", level=level, method=method
            )


def evaluate(rows: ModelRows, settings: Settings) -> Evaluation | str:
    """The metrics of ``rows`` (labelled rows) with intervals, or why they cannot be computed."""
    if rows.y is None or rows.y_pred is None:
        return "no labels or no predicted classes in the data"
    if rows.task == "binary":
        return _binary(rows, settings)
    if rows.task == "regression":
        return _regression(rows, settings)
    return _multiclass(rows, settings)


def _percentile(reps: np.ndarray, level: float) -> tuple[float, float]:
    ok = reps[np.isfinite(reps)]
    if ok.size * 2 <= reps.size:
        return math.nan, math.nan
    lo, hi = np.quantile(ok, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def _confusion_intervals(
    ev: Evaluation, c: np.ndarray, names: list[str], s: Settings
) -> dict[str, float]:
    """Point values of ``names`` and their multinomial-bootstrap intervals from matrix ``c``."""
    n = int(c.sum())
    point = confusion_metrics(c[None].astype(np.float64))
    rng = np.random.default_rng(s.seed)
    draws = rng.multinomial(n, c.ravel() / n, size=s.n_resamples).astype(np.float64)
    reps = confusion_metrics(draws.reshape(s.n_resamples, *c.shape))
    method = f"bootstrap of the confusion matrix's cells, {s.n_resamples:,} resamples"
    for name in names:
        lo, hi = _percentile(reps[name], s.level)
        ev.add(name, float(point[name][0]), lo, hi, method, s.level)
    return {k: float(v[0]) for k, v in point.items()}


def _wilson(ev: Evaluation, name: str, k: int, n: int, s: Settings) -> None:
    if n == 0:
        ev.metrics[name] = None
        return
    lo, hi = wilson_interval(k, n, level=s.level)
    ev.add(name, k / n, lo, hi, "Wilson score interval", s.level)


def _boot(
    ev: Evaluation, arrays: list[np.ndarray], stat: Statistic, point: dict[str, float], s: Settings
) -> None:
    out = bootstrap_intervals(
        arrays,
        stat,
        point,
        n_resamples=s.n_resamples,
        level=s.level,
        seed=s.seed,
        max_rows=s.max_rows,
    )
    for name, iv in out.items():
        ev.add(name, point[name], iv.low, iv.high, iv.method, s.level)


def _binary(rows: ModelRows, s: Settings) -> Evaluation | str:
    assert rows.y is not None and rows.y_pred is not None
    y, yp = rows.y.astype(np.int64), rows.y_pred.astype(np.int64)
    n, pos = int(y.size), int(y.sum())
    if pos in (0, n):
        return (
            f"the labels hold one class only ({pos:,} positive of {n:,} rows): ROC AUC, recall "
            "and most metrics are undefined; evaluate on data with both classes"
        )
    c = np.bincount(y * 2 + yp, minlength=4).reshape(2, 2)
    ev = Evaluation("binary", n)
    (tn, fp), (fn, tp) = c.tolist()
    ev.metrics |= {
        "true_positives": tp,
        "false_positives": fp,
        "true_negatives": tn,
        "false_negatives": fn,
        "rows": n,
    }
    _wilson(ev, "accuracy", tp + tn, n, s)
    _wilson(ev, "precision", tp, tp + fp, s)
    _wilson(ev, "recall", tp, tp + fn, s)
    _confusion_intervals(ev, c, ["balanced_accuracy", "f1"], s)
    if rows.score is not None:
        _scored(ev, y, rows.score, rows, s)
    return ev


def _scored(ev: Evaluation, y: np.ndarray, score: np.ndarray, rows: ModelRows, s: Settings) -> None:
    auc = delong_auc(y, score, level=s.level)
    ev.add("roc_auc", auc.auc, auc.low, auc.high, "DeLong", s.level)
    ev.add(
        "gini", 2 * auc.auc - 1, 2 * auc.low - 1, 2 * auc.high - 1, "DeLong (2·AUC − 1)", s.level
    )
    probability = rows.scale is not None and rows.scale.probability

    def stat(arrays: Sequence[np.ndarray]) -> Weighted:
        return binary_metrics_on(arrays[0], arrays[1], probability=probability, auc=False)

    order = np.argsort(-score, kind="stable")  # sorted once: resamples then need no gather
    ranked = [y[order], score[order]]
    point = {k: float(v[0]) for k, v in stat(ranked)(np.ones((1, y.size))).items()}
    _boot(ev, ranked, stat, point, s)
    if not probability:
        ev.notes.append("log loss and Brier score need probabilities: not computed")
    ev.details.extend(binary_details(ev, y, score, rows, s.cost_fp, s.cost_fn))


def _codes(y: np.ndarray, yp: np.ndarray) -> tuple[list[object], np.ndarray, np.ndarray]:
    labels, inverse = np.unique(np.concatenate([y, yp]), return_inverse=True)
    return labels.tolist(), inverse[: y.size], inverse[y.size :]


def _multiclass(rows: ModelRows, s: Settings) -> Evaluation | str:
    assert rows.y is not None and rows.y_pred is not None
    y, yp = rows.y, rows.y_pred
    if (y.dtype.kind in "biuf") != (yp.dtype.kind in "biuf"):
        return (
            f"the prediction column {rows.prediction} holds {yp.dtype} values and the target "
            f"{rows.target} {y.dtype} values: predicted classes must be the target's classes"
        )
    labels, yc, pc = _codes(y, yp)
    k, n = len(labels), int(y.size)
    c = np.bincount(yc * k + pc, minlength=k * k).reshape(k, k)
    ev = Evaluation("multiclass", n)
    ev.metrics |= {"rows": n, "classes": k}
    _wilson(ev, "accuracy", int(np.trace(c)), n, s)
    names = ["balanced_accuracy"] + [
        f"{m}_{a}" for a in ("macro", "weighted") for m in ("precision", "recall", "f1")
    ]
    _confusion_intervals(ev, c, names, s)
    unseen = [str(v) for i, v in enumerate(labels) if c[i].sum() == 0]
    if unseen:
        ev.notes.append(f"predicted classes absent from the labels: {', '.join(unseen[:5])}")
    ev.details.extend(_class_tables(labels, c))
    return ev


def _class_tables(labels: list[object], c: np.ndarray) -> list[Detail]:
    """The per-class table and the confusion matrix (the most frequent classes when many)."""
    support, predicted, diag = c.sum(axis=1), c.sum(axis=0), np.diag(c)
    shown = np.argsort(-support, kind="stable")[:_MAX_CLASSES_SHOWN]
    per = []
    for i in shown:
        prec = diag[i] / predicted[i] if predicted[i] else 0.0
        rec = diag[i] / support[i] if support[i] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per.append([str(labels[i]), int(support[i]), int(predicted[i]), prec, rec, f1])
    names = [str(labels[i]) for i in shown]
    note = (
        f"the {len(shown)} most frequent of {len(labels)} classes"
        if len(labels) > len(shown)
        else ""
    )
    return [
        TableDetail(
            name="per_class",
            title="Metrics per class",
            columns=["class", "support", "predicted", "precision", "recall", "f1"],
            rows=per,
            note=note,
        ),
        TableDetail(
            name="confusion_matrix",
            title="Confusion matrix (rows: true class)",
            columns=["true \\ predicted", *names],
            rows=[[names[j], *[int(c[i, x]) for x in shown]] for j, i in enumerate(shown)],
            note=note,
        ),
    ]


def _regression(rows: ModelRows, s: Settings) -> Evaluation | str:
    assert rows.y is not None and rows.y_pred is not None
    y, pred = rows.y.astype(np.float64), rows.y_pred.astype(np.float64)
    ok = np.isfinite(y) & np.isfinite(pred)
    y, pred = y[ok], pred[ok]
    if y.size < 2:
        return "fewer than two rows with a finite label and prediction"
    ev = Evaluation("regression", int(y.size))
    zero = int((y == 0).sum())
    ev.metrics |= {"rows": int(y.size), "mape_rows_excluded": zero}
    if (~ok).sum():
        ev.notes.append(f"{int((~ok).sum()):,} rows with a non-finite label or prediction left out")
    if zero:
        ev.notes.append(f"mape leaves out the {zero:,} rows whose label is 0")

    def stat(arrays: Sequence[np.ndarray]) -> Weighted:
        return regression_metrics_on(arrays[0], arrays[1])

    order = np.argsort(np.abs(y - pred), kind="stable")  # sorted once, for the median
    ranked = [y[order], pred[order]]
    point = {k: float(v[0]) for k, v in stat(ranked)(np.ones((1, y.size))).items()}
    _boot(ev, ranked, stat, point, s)
    ev.details.extend(_residual_details(y, pred))
    return ev


def _residual_details(y: np.ndarray, pred: np.ndarray) -> list[Detail]:
    """The residuals' histogram and their spread per band of predictions (bounded size)."""
    res = y - pred
    lo, hi = np.quantile(res, [0.005, 0.995])
    if not hi > lo:
        lo, hi = float(res.min()) - 0.5, float(res.max()) + 0.5
    edges = np.linspace(lo, hi, 31)
    counts = np.histogram(np.clip(res, lo, hi), bins=edges)[0]
    frame = pl.DataFrame({"p": pred, "r": res}).with_columns(
        pl.col("p").qcut(10, allow_duplicates=True).alias("band")
    )
    bands = (
        frame.group_by("band")
        .agg(
            pl.len().alias("rows"),
            pl.col("p").min().alias("low"),
            pl.col("p").max().alias("high"),
            pl.col("r").mean().alias("mean"),
            pl.col("r").quantile(0.05).alias("p05"),
            pl.col("r").median().alias("median"),
            pl.col("r").quantile(0.95).alias("p95"),
        )
        .sort("low")
    )
    return [
        DistributionDetail(
            name="residuals",
            title="Residuals (label − prediction); outer 0.5% in the end bins",
            column="residual",
            edges=edges.tolist(),
            counts={"current": counts.tolist()},
        ),
        TableDetail(
            name="residuals_by_prediction",
            title="Residuals by band of prediction (deciles)",
            columns=[
                "prediction_low",
                "prediction_high",
                "rows",
                "mean_residual",
                "p05_residual",
                "median_residual",
                "p95_residual",
            ],
            rows=[
                list(r)
                for r in bands.select(
                    "low", "high", "rows", "mean", "p05", "median", "p95"
                ).iter_rows()
            ],
        ),
    ]
