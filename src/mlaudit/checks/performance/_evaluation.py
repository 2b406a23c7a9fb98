"""The model's metrics on one period's labelled rows, each with its confidence interval.

Shared by ``performance.metrics`` for the current data and the reference.  Which interval each
metric gets:

* **Wilson score interval** (exact-coverage-minded for a binomial share): accuracy, precision
  (correct among predicted positives), recall (found among actual positives);
* **DeLong** (:func:`mlaudit.stats.delong_auc`): ROC AUC, and Gini as ``2·AUC − 1`` with the
  bounds mapped the same way; each class's one-vs-rest AUC in the multiclass per-class table;
* **multinomial bootstrap of the confusion matrix**: balanced accuracy, F1 and the macro and
  weighted averages.  A resample of the rows is a multinomial resample of the matrix's cells
  with the observed shares, so drawing the cells is the row bootstrap itself, exact and in
  O(cells) per resample;
* **row bootstrap** (:func:`mlaudit.stats.bootstrap_intervals`, seeded, vectorised, m out of n
  above 50,000 rows): average precision, KS statistic, log loss, Brier score, the multiclass
  one-vs-rest AUC averages (``roc_auc_ovr_macro``, ``roc_auc_ovr_weighted``) and log loss, and
  every regression metric.

**Multiclass probabilities** (:mod:`mlaudit.checks.performance._labels` says where they come
from) are read as scikit-learn reads them: no row is normalised; the log loss clips the label's
probability to ``[ε, 1 − ε]``.  Rows lacking a class's probability are left out of the
probability metrics and counted; values outside [0, 1] or a label without a probability column
leave them out altogether, with the reason.  Rows whose probabilities do not sum to 1 (within
scikit-learn's ``np.allclose`` tolerance) are counted in a note: the log loss reads them as
given, as ``log_loss`` does (it warns); ``roc_auc_score`` refuses them, while each class's
one-vs-rest AUC here reads its own column's order only.  The averages run over the classes with
labelled rows (scikit-learn's are NaN when a class of ``labels`` has none).  Their bootstrap
costs a binary AUC (rows sorted anew) per class and resample, so it resamples at most
``max_rows/k`` rows for ``k`` classes (5,000 at least), rescaled (m out of n): the work stays
about that of a binary model's bootstrap whatever the number of classes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from mlaudit.checks.performance._curves import binary_details
from mlaudit.checks.performance._labels import ModelRows
from mlaudit.results import Bound, Cell, Detail, DistributionDetail, TableDetail
from mlaudit.stats import (
    Statistic,
    Weighted,
    binary_metrics_on,
    bootstrap_intervals,
    confusion_metrics,
    delong_auc,
    multiclass_metrics_on,
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
    unavailable: dict[str, str] = field(default_factory=dict)
    """Metric → why it was not computed on these rows (e.g. no class probabilities)."""

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
    per_class: dict[str, tuple[float, float, float]] | None = None
    if rows.proba is not None and rows.classes is not None:
        per_class = _probabilities(ev, y, rows.proba, rows.classes, s)
    else:
        why = rows.proba_note or (
            "no class probabilities: declare each class's probability column "
            "(schema.class_scores), or audit the model object (--model)"
        )
        ev.unavailable |= dict.fromkeys(_PROBA_METRICS, why)
        if rows.proba_note:
            ev.notes.append(rows.proba_note)
    ev.details.extend(_class_tables(labels, c, per_class))
    return ev


_PROBA_METRICS = ("roc_auc_ovr_macro", "roc_auc_ovr_weighted", "log_loss")
_MIN_CLASS_ROWS = 5_000
"""Rows a multiclass bootstrap resamples at least (many classes), when there are that many."""
_SUM_TOLERANCE = (1e-5, 1e-8)
"""(relative, absolute) tolerance of a row's probabilities summing to 1: ``np.allclose``'s, as
scikit-learn's ``roc_auc_score`` checks them."""


def _probabilities(
    ev: Evaluation, y: np.ndarray, proba: np.ndarray, classes: list[str], s: Settings
) -> dict[str, tuple[float, float, float]] | None:
    """One-vs-rest AUCs (macro, weighted) and the log loss with their intervals; each class's
    AUC with its DeLong interval (class → (AUC, low, high)), or None when they cannot be read."""
    text = np.asarray(y).astype(str)
    without = sorted(set(np.unique(text).tolist()) - set(classes))
    finite = np.isfinite(proba).all(axis=1)
    why = None
    if without:
        why = (
            f"the label(s) {', '.join(without[:5])} have no probability column (declared classes: "
            f"{', '.join(classes[:10])}): one-vs-rest ROC AUC and log loss are not computed"
        )
    elif not finite.any():
        why = (
            "no row has every class's probability: one-vs-rest ROC AUC and log loss are not "
            "computed"
        )
    else:
        low, high = float(proba[finite].min()), float(proba[finite].max())
        if low < 0.0 or high > 1.0:
            why = (
                f"the class scores are not probabilities (from {low:.4g} to {high:.4g}): "
                "one-vs-rest ROC AUC and log loss are not computed"
            )
    if why is not None:
        ev.unavailable |= dict.fromkeys(_PROBA_METRICS, why)
        ev.notes.append(why)
        return None
    if not finite.all():
        ev.notes.append(
            f"{int((~finite).sum()):,} rows without every class's probability left out of the "
            "one-vs-rest ROC AUC and log loss"
        )
    p = proba[finite]
    order = np.argsort(np.asarray(classes))  # each label's column, found by binary search
    codes = order[np.searchsorted(np.asarray(classes)[order], text[finite])]
    gap = np.abs(p.sum(axis=1) - 1.0)
    off = gap > _SUM_TOLERANCE[1] + _SUM_TOLERANCE[0]
    if off.any():
        ev.notes.append(
            f"the class probabilities of {int(off.sum()):,} rows do not sum to 1 (largest gap "
            f"{float(gap.max()):.3g}): read as given, not normalised, as scikit-learn's log_loss "
            "reads them"
        )
    support = np.bincount(codes, minlength=len(classes))
    if np.count_nonzero(support) < 2:
        ev.notes.append("the labels hold one class only: the one-vs-rest ROC AUC is undefined")
    absent = [classes[j] for j in np.flatnonzero(support == 0)]
    if absent and np.count_nonzero(support) >= 2:
        ev.notes.append(
            f"class(es) {', '.join(absent[:5])} have no labelled row: left out of the one-vs-rest "
            "ROC AUC averages"
        )

    def stat(arrays: Sequence[np.ndarray]) -> Weighted:
        return multiclass_metrics_on(arrays[0], arrays[1])

    point = {k: float(v[0]) for k, v in stat([codes, p])(np.ones((1, codes.size))).items()}
    # Each class costs a binary AUC per resample: the rows resampled shrink as the classes grow
    # (m out of n), so that the work stays about that of a binary model's bootstrap.
    budget = max(_MIN_CLASS_ROWS, s.max_rows // len(classes))
    _boot(ev, [codes, p], stat, point, replace(s, max_rows=min(s.max_rows, budget)))
    per_class: dict[str, tuple[float, float, float]] = {}
    for j, name in enumerate(classes):
        if 0 < support[j] < codes.size:
            auc = delong_auc((codes == j).astype(np.int8), p[:, j], level=s.level)
            per_class[name] = (auc.auc, auc.low, auc.high)
    return per_class


def _class_tables(
    labels: list[object], c: np.ndarray, aucs: dict[str, tuple[float, float, float]] | None = None
) -> list[Detail]:
    """The per-class table (with each class's one-vs-rest AUC and its DeLong interval when the
    probabilities are known) and the confusion matrix (the most frequent classes when many)."""
    support, predicted, diag = c.sum(axis=1), c.sum(axis=0), np.diag(c)
    shown = np.argsort(-support, kind="stable")[:_MAX_CLASSES_SHOWN]
    per: list[list[Cell]] = []
    nothing: tuple[float | None, ...] = (None, None, None)
    for i in shown:
        prec = diag[i] / predicted[i] if predicted[i] else 0.0
        rec = diag[i] / support[i] if support[i] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        row: list[Cell] = [str(labels[i]), int(support[i]), int(predicted[i]), prec, rec, f1]
        if aucs is not None:
            row += [_finite(v) for v in aucs.get(str(labels[i]), nothing)]
        per.append(row)
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
            columns=["class", "support", "predicted", "precision", "recall", "f1"]
            + (["roc_auc_ovr", "roc_auc_ovr_low", "roc_auc_ovr_high"] if aucs is not None else []),
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


def _finite(v: float | None) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


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
