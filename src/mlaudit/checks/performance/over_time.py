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
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from mlaudit.checks.base import Check, CheckContext, register
from mlaudit.checks.performance._labels import ModelRows, model_rows
from mlaudit.results import Cell, CheckResult, SeriesDetail, Severity, Status, TableDetail
from mlaudit.stats.control import ControlLimits, control_limits
from mlaudit.summary.windows import WindowedData

__all__ = ["PerformanceOverTime", "window_metrics"]

Metric = Literal["auto", "accuracy", "precision", "recall", "f1", "roc_auc", "mae", "rmse"]
_HIGHER_IS_BETTER = {"accuracy", "precision", "recall", "f1", "roc_auc"}
_BINARY = ["accuracy", "precision", "recall", "f1", "roc_auc"]
_REGRESSION = ["mae", "rmse"]


def _metrics(rows: ModelRows, mask: np.ndarray) -> dict[str, float]:
    from mlaudit.stats.estimation import realised_binary_metrics

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


def window_metrics(rows: ModelRows, n_windows: int) -> list[tuple[int, dict[str, float]]]:
    """(labelled rows, metrics) per window index ``0..n_windows-1``."""
    out = []
    for i in range(n_windows):
        mask = rows.window == i
        n = int(mask.sum())
        out.append((n, _metrics(rows, mask) if n else {}))
    return out


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
    threshold: float = Field(default=0.5, ge=0, le=1)
    """Score threshold for the predicted class when there is no prediction column."""
    min_change: float | None = Field(default=None, ge=0)
    """Smallest change worth an alert; default 0.02, or 10% of the reference for errors."""
    control_k: float = Field(default=3.0, gt=0)
    """Control limits: reference windows' mean ∓ this many standard deviations."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the watched metric per window, every metric in the table."""
        cur = ctx.current_windows
        if cur is None or not cur.configured:
            return self.skipped("no windows: set windows (e.g. every: week) to run it")
        rows = model_rows(
            cur, ctx.schema, positive_label=self.positive_label, threshold=self.threshold
        )
        if isinstance(rows, str):
            return self.skipped(rows)
        metric = self._metric(rows)
        if isinstance(metric, CheckResult):
            return metric
        per = window_metrics(rows, len(cur.windows))
        ref_values, ref_whole = self._reference(ctx, metric)
        limits = self._limits(metric, ref_values)
        change = self._min_change(metric, ref_whole if ref_whole is not None else limits)
        return self._judge(cur, rows, per, metric, limits, ref_whole, change)

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
            positive_label=self.positive_label, threshold=self.threshold,
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
        self,
        cur: WindowedData,
        rows: ModelRows,
        per: list[tuple[int, dict[str, float]]],
        metric: str,
        limits: ControlLimits | None,
        ref_whole: float | None,
        change: float,
    ) -> CheckResult:
        higher = metric in _HIGHER_IS_BETTER
        centre = limits.center if limits is not None else ref_whole
        names = (
            _BINARY
            if rows.task == "binary"
            else _REGRESSION
            if rows.task == "regression"
            else ["accuracy"]
        )
        table: list[list[Cell]] = []
        alerts: list[str] = []
        values: list[float | None] = []
        for w, (n, m) in zip(cur.windows, per, strict=True):
            v = m.get(metric, math.nan)
            defined = math.isfinite(v)
            values.append(v if defined else None)
            judged = n >= cur.spec.min_rows and defined and centre is not None
            alert = False
            if judged and centre is not None:
                worse = (centre - v) if higher else (v - centre)
                beyond = (
                    (v < limits.lower if higher else v > limits.upper)
                    if limits is not None
                    else True
                )
                alert = worse >= change and beyond
            if alert:
                alerts.append(w.label)
            verdict = "alert" if alert else "ok" if judged else (
                "not judged: no reference" if centre is None and n >= cur.spec.min_rows
                else "not judged: too few labelled rows" if n < cur.spec.min_rows
                else "not judged: metric undefined"
            )  # fmt: skip
            table.append([w.label, n, *[m.get(k) for k in names], verdict])
        finite = [v for v in values if v is not None]
        if not finite:
            return self.skipped(
                f"{metric} is undefined in every window (e.g. one class only, or no labels)"
            )
        status = Status.WARN if alerts else Status.PASS
        if len(alerts) >= 2:
            status = Status.FAIL
        best, worst = (max(finite), min(finite)) if finite else (math.nan, math.nan)
        if not higher:
            best, worst = worst, best
        parts = []
        if alerts:
            parts.append(
                f"{metric} fell below its limits in {len(alerts)} window(s), first {alerts[0]} "
                f"(worst {worst:.4g})"
                if higher
                else f"{metric} rose above its limits in {len(alerts)} window(s), first "
                f"{alerts[0]} (worst {worst:.4g})"
            )
        else:
            parts.append(f"{metric} held in every judged window (worst {worst:.4g})")
        if limits is not None:
            bound = limits.lower if higher else limits.upper
            parts.append(
                f"{'lower' if higher else 'upper'} control limit {bound:.4g} from "
                f"{limits.n_windows} reference windows (centre {limits.center:.4g}); "
                f"alerts need a change of at least {change:.3g}"
            )
        elif ref_whole is not None:
            parts.append(
                f"reference {metric} {ref_whole:.4g}; no reference windows, so alerts are "
                f"changes of at least {change:.3g} from it"
            )
        else:
            parts.append("no labelled reference: nothing to hold the windows to")
        if rows.dropped:
            parts.append(f"{rows.dropped:,} rows without label, prediction or score left out")
        lim_lines: dict[str, float] = {}
        if limits is not None:
            lim_lines["control limit"] = limits.lower if higher else limits.upper
            lim_lines["reference centre"] = limits.center
        elif ref_whole is not None:
            lim_lines["reference"] = ref_whole
        res = self.result(
            status,
            "; ".join(parts) + ".",
            metrics={
                "windows": len(cur.windows),
                "windows_alerting": len(alerts),
                f"worst_{metric}": worst if math.isfinite(worst) else None,
                f"reference_{metric}": ref_whole,
                "control_limit": (limits.lower if higher else limits.upper) if limits else None,
                "rows_labelled": int(sum(n for n, _ in per)),
            },
            details=[
                SeriesDetail(
                    name="performance_over_time",
                    title=f"{metric} per window",
                    x_label=cur.spec.describe(),
                    y_label=metric,
                    x=cur.labels,
                    series={metric: values},
                    limits=lim_lines,
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
