"""``performance.over_time``: the model's realised performance per window, with control limits.

Once labels arrive, concept drift shows as performance that falls although the inputs look the
same.  Per window of the current data: accuracy, precision, recall, F1 and ROC AUC for binary
classifiers (scikit-learn's definitions), accuracy for multiclass ones, MAE and RMSE for
regressors.  The watched metric (``metric``; default ROC AUC when there is a score, accuracy
otherwise, MAE for regression) is held to control limits from the reference cut the same way
(mean − 3 SD for a metric where higher is better, mean + 3 SD for an error) and to a floor on
the change (``min_change``: 0.02 absolute for metrics in [0, 1], 10% of the reference value for
errors), so that a big window does not flag a trivial dip.  A window with fewer than
``min_rows`` labelled rows, or with one class only (no AUC), is listed and not judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

import numpy as np
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Positive
from mlaudit.checks.performance._labels import ModelRows, ScoreRule, model_rows, scale_note
from mlaudit.results import Cell, CheckResult, SeriesDetail, Severity, Status, TableDetail
from mlaudit.stats import ControlLimits, control_limits, realised_binary_metrics
from mlaudit.summary import WindowedData

__all__ = ["PerformanceOverTime", "WindowMetrics", "window_metrics"]

Metric = Literal["auto", "accuracy", "precision", "recall", "f1", "roc_auc", "mae", "rmse"]
_HIGHER_IS_BETTER = {"accuracy", "precision", "recall", "f1", "roc_auc"}
_BINARY = ["accuracy", "precision", "recall", "f1", "roc_auc"]
_REGRESSION = ["mae", "rmse"]


def _metrics(rows: ModelRows, mask: np.ndarray) -> dict[str, float]:
    assert rows.y is not None and rows.y_pred is not None
    y, p = rows.y[mask], rows.y_pred[mask]
    if rows.task == "binary":
        if rows.score is None:  # no score: no ROC AUC
            out = realised_binary_metrics(y, p, p.astype(np.float64))
            return {k: float(out[k]) for k in _BINARY if k != "roc_auc"}
        out = realised_binary_metrics(y, p, rows.score[mask])
        return {k: float(out[k]) for k in _BINARY}
    if rows.task == "regression":
        err = p.astype(np.float64) - y.astype(np.float64)
        return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err**2)))}
    return {"accuracy": float(np.mean(y == p))}


class WindowMetrics(NamedTuple):
    """One window's labelled rows and realised metrics (none when it has no labelled row)."""

    rows: int
    metrics: dict[str, float]


def window_metrics(rows: ModelRows, n_windows: int) -> list[WindowMetrics]:
    """The labelled rows and metrics of each window index ``0..n_windows-1``."""
    out = []
    for i in range(n_windows):
        mask = rows.window == i
        n = int(mask.sum())
        out.append(WindowMetrics(n, _metrics(rows, mask) if n else {}))
    return out


@dataclass(frozen=True)
class _Watch:
    """The watched metric and what each window is held to."""

    metric: str
    limits: ControlLimits | None  # from the reference windows
    reference: float | None  # the metric on the whole reference
    change: float  # the smallest change worth an alert

    @property
    def higher(self) -> bool:
        """Higher is better (a score), not worse (an error)."""
        return self.metric in _HIGHER_IS_BETTER

    @property
    def centre(self) -> float | None:
        return self.limits.center if self.limits is not None else self.reference

    @property
    def bound(self) -> float | None:
        """The control limit on the bad side."""
        if self.limits is None:
            return None
        return self.limits.lower if self.higher else self.limits.upper

    def verdict(self, value: float, n: int, *, min_rows: int) -> str:
        """A window's verdict: alert when worse by ``change`` and beyond the control limit."""
        if n < min_rows:
            return "not judged: too few labelled rows"
        if self.centre is None:
            return "not judged: no reference"
        if not math.isfinite(value):
            return "not judged: metric undefined"
        worse = (self.centre - value) if self.higher else (value - self.centre)
        beyond = self.bound is None or (value < self.bound if self.higher else value > self.bound)
        return "alert" if worse >= self.change and beyond else "ok"

    def lines(self) -> dict[str, float]:
        """The horizontal lines the chart draws."""
        if self.limits is not None and self.bound is not None:
            return {"control limit": self.bound, "reference centre": self.limits.center}
        return {"reference": self.reference} if self.reference is not None else {}


@register
class PerformanceOverTime(Check):
    """Realised performance per window against control limits from the reference windows."""

    id: ClassVar[str] = "performance.over_time"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "Model performance holds in every window"
    why: ClassVar[str] = (
        "A model can degrade while its inputs look unchanged (concept drift); only its "
        "performance on labelled recent data shows it, and windows show when it began."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_rows: ClassVar[bool] = True

    metric: Metric = "auto"
    """Metric to watch; auto = ROC AUC with a score, else accuracy; MAE for regression."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold for the predicted class when there is no prediction column (any real
    number); default: ``schema.score_threshold``, else 0.5 for probabilities."""
    min_change: float | None = Field(default=None, ge=0)
    """Smallest change worth an alert; default 0.02, or 10% of the reference for errors."""
    control_k: Positive = 3.0
    """Control limits: reference windows' mean ∓ this many standard deviations."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the watched metric per window, every metric in the table."""
        cur = ctx.current_windows
        if cur is None or not cur.configured:
            return self.skipped("no windows: set windows (e.g. every: week) to run it")
        rows = model_rows(
            cur,
            ctx.schema,
            positive_label=self.positive_label,
            rule=ScoreRule.of(self.threshold, ctx.schema),
        )
        if isinstance(rows, str):
            return self.skipped(rows)
        metric = self._metric(rows)
        if isinstance(metric, CheckResult):
            return metric
        ref_values, ref_whole = self._reference(ctx, metric)
        limits = self._limits(metric, ref_values)
        change = self._min_change(metric, ref_whole if ref_whole is not None else limits)
        watch = _Watch(metric, limits, ref_whole, change)
        return self._judge(cur, rows, window_metrics(rows, len(cur.windows)), watch)

    def _metric(self, rows: ModelRows) -> str | CheckResult:
        allowed = (
            _BINARY if rows.task == "binary" else _REGRESSION if rows.task == "regression" else []
        )
        allowed = allowed or ["accuracy"]
        if self.metric == "auto":
            if rows.task == "binary":
                return "roc_auc" if rows.score is not None else "accuracy"
            return "mae" if rows.task == "regression" else "accuracy"
        if self.metric not in allowed:
            return self.skipped(
                f"metric {self.metric!r} does not apply to a {rows.task} model "
                f"(use one of: {', '.join(allowed)})"
            )
        if self.metric == "roc_auc" and rows.score is None:
            return self.skipped("roc_auc needs a score column (declare schema.score)")
        return self.metric

    def _reference(self, ctx: CheckContext, metric: str) -> tuple[list[float], float | None]:
        ref = ctx.reference_windows
        if ref is None:
            return [], None
        rows = model_rows(
            ref, ctx.reference_schema or ctx.schema,
            positive_label=self.positive_label, rule=ScoreRule.of(self.threshold, ctx.schema),
        )  # fmt: skip
        if isinstance(rows, str):
            return [], None
        whole = _metrics(rows, np.ones(rows.window.size, dtype=bool)).get(metric)
        if not ref.configured:
            return [], whole
        per = window_metrics(rows, len(ref.windows))
        vals = [m.get(metric, math.nan) for n, m in per if n >= ref.spec.min_rows]
        return [v for v in vals if math.isfinite(v)], whole

    def _limits(self, metric: str, values: list[float]) -> ControlLimits | None:
        if metric in _HIGHER_IS_BETTER:
            return control_limits(values, k=self.control_k, floor=0.0, ceiling=1.0)
        return control_limits(values, k=self.control_k, floor=0.0)

    def _min_change(self, metric: str, basis: float | ControlLimits | None) -> float:
        if self.min_change is not None:
            return self.min_change
        if metric in _HIGHER_IS_BETTER:
            return 0.02
        centre = basis.center if isinstance(basis, ControlLimits) else basis
        return 0.1 * abs(centre) if centre is not None and math.isfinite(centre) else 0.0

    def _judge(
        self, cur: WindowedData, rows: ModelRows, per: list[WindowMetrics], watch: _Watch
    ) -> CheckResult:
        metric, names = watch.metric, _metric_names(rows.task)
        table: list[list[Cell]] = []
        values: list[float | None] = []
        alerts: list[str] = []
        for w, (n, m) in zip(cur.windows, per, strict=True):
            v = m.get(metric, math.nan)
            values.append(v if math.isfinite(v) else None)
            verdict = watch.verdict(v, n, min_rows=cur.spec.min_rows)
            if verdict == "alert":
                alerts.append(w.label)
            table.append([w.label, n, *[m.get(k) for k in names], verdict])
        finite = [v for v in values if v is not None]
        if not finite:
            return self.skipped(
                f"{metric} is undefined in every window (e.g. one class only, or no labels)"
            )
        status = Status.FAIL if len(alerts) >= 2 else Status.WARN if alerts else Status.PASS
        worst = min(finite) if watch.higher else max(finite)
        res = self.result(
            status,
            _message(watch, alerts, worst, dropped=rows.dropped, note=scale_note(rows)),
            metrics={
                "windows": len(cur.windows),
                "windows_alerting": len(alerts),
                f"worst_{metric}": worst if math.isfinite(worst) else None,
                f"reference_{metric}": watch.reference,
                "control_limit": watch.bound,
                "rows_labelled": int(sum(n for n, _ in per)),
                **_scale_metrics(rows),
            },
            details=[
                SeriesDetail(
                    name="performance_over_time",
                    title=f"{metric} per window",
                    x_label=cur.spec.describe(),
                    y_label=metric,
                    x=cur.labels,
                    series={metric: values},
                    limits=watch.lines(),
                ),
                TableDetail(
                    name="windows",
                    title="Performance per window",
                    columns=["window", "labelled_rows", *names, "verdict"],
                    rows=table,
                ),
            ],
        )
        return res.model_copy(
            update={"params": {**res.params, "metric": metric, "task": rows.task}}
        )


def _metric_names(task: str) -> list[str]:
    """The metrics the table shows for a model of this task."""
    return _BINARY if task == "binary" else _REGRESSION if task == "regression" else ["accuracy"]


def _scale_metrics(rows: ModelRows) -> dict[str, float | int | None]:
    """The score's range and the threshold that made the predicted classes, when there is one."""
    if rows.scale is None:
        return {}
    s = rows.scale
    return {"score_min": s.low, "score_max": s.high, "score_threshold": s.threshold}


def _message(
    watch: _Watch, alerts: list[str], worst: float, *, dropped: int, note: str | None
) -> str:
    metric = watch.metric
    if not alerts:
        head = f"{metric} held in every judged window (worst {worst:.4g})"
    elif watch.higher:
        head = (
            f"{metric} fell below its limits in {len(alerts)} window(s), first {alerts[0]} "
            f"(worst {worst:.4g})"
        )
    else:
        head = (
            f"{metric} rose above its limits in {len(alerts)} window(s), first {alerts[0]} "
            f"(worst {worst:.4g})"
        )
    parts = [head]
    if watch.limits is not None:
        parts.append(
            f"{'lower' if watch.higher else 'upper'} control limit {watch.bound:.4g} from "
            f"{watch.limits.n_windows} reference windows (centre {watch.limits.center:.4g}); "
            f"alerts need a change of at least {watch.change:.3g}"
        )
    elif watch.reference is not None:
        parts.append(
            f"reference {metric} {watch.reference:.4g}; no reference windows, so alerts are "
            f"changes of at least {watch.change:.3g} from it"
        )
    else:
        parts.append("no labelled reference: nothing to hold the windows to")
    if dropped:
        parts.append(f"{dropped:,} rows without label, prediction or score left out")
    return "; ".join(parts) + "." + (f" {note}" if note else "")
