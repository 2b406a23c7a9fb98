"""Performance before labels arrive (``performance.estimated``) and its later check
(``performance.estimate_vs_actual``), for binary classifiers with a score.

**Estimate** (confidence-based performance estimation): the model's scores are calibrated on the
labelled reference (isotonic regression); each current row's calibrated probability then says
how likely its label is positive, and the expected accuracy, precision, recall, F1 and ROC AUC
of each window follow, with the band the realised metric would fall in: its sampling error on a
window of this size, widened by the calibration's own error (the spread of the estimate across
isotonic calibrators fitted on bootstrap resamples of the reference; see
:mod:`mlaudit.stats.estimation`).  **Assumption: no concept drift** — the link between the
model's inputs and the outcome is the same as in the reference.  Covariate drift (new kinds of
applicants) is allowed and is exactly what the estimate tracks.

A window alerts when its estimated metric is at least ``min_change`` below the reference's
realised value and even the band's upper end stays below the reference: a drop that neither
sampling nor the calibration's error explains.  Bands are Bonferroni-widened across the judged
windows (``level = 1 − (1 − confidence)/windows``) so that a long series does not raise false
alarms.

**Estimate vs actual**: once labels arrive, each window's realised metrics are held to the bands
of their estimates.  A realised value outside its band means the assumption failed — concept
drift, or a calibration that no longer holds — and the estimates for later, unlabelled windows
should not be trusted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import Field

from mlaudit._numbers import finite_or_none
from mlaudit.checks.base import Check, CheckContext, register
from mlaudit.checks.performance._labels import ModelRows, model_rows
from mlaudit.engines.windows import WindowedData
from mlaudit.errors import MLAuditError
from mlaudit.results import (
    Cell,
    CheckResult,
    NoteDetail,
    SeriesDetail,
    Severity,
    Status,
    TableDetail,
)
from mlaudit.stats.estimation import (
    METRICS,
    Calibration,
    Estimate,
    estimate_binary_metrics,
    fit_calibration,
    realised_binary_metrics,
)

__all__ = ["EstimateVsActual", "EstimatedPerformance"]

ASSUMPTION = (
    "Assumption: no concept drift. The estimates take the model's calibrated scores at their "
    "word, so they hold while the link between the inputs and the outcome is as it was in the "
    "reference; covariate drift (a different mix of cases) is allowed and is what they track. "
    "When labels arrive, performance.estimate_vs_actual tests this assumption."
)
_CACHE = "performance.estimated:"
_ESTIMATE_OPTIONS = {"confidence", "positive_label", "threshold", "min_rows"}
_CALIBRATION_BOOTSTRAP = 50
"""Bootstrap calibrators behind the calibration part of the bands: about 45 ms on 20,000
reference rows; the calibration's standard error is then known to within about 10 %."""


class _Options(Check):
    """Options and traits shared by the two checks (not registered)."""

    family: ClassVar[str] = "performance"
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True
    needs_rows: ClassVar[bool] = True

    metric: Literal["accuracy", "precision", "recall", "f1", "roc_auc"] = "roc_auc"
    """The metric the status is decided on (every metric is reported)."""
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    """Confidence of the bands over the whole series (Bonferroni across windows)."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float = Field(default=0.5, ge=0, le=1)
    """Score threshold for the predicted class when there is no prediction column."""
    min_rows: int = Field(default=100, ge=10)
    """Fewest rows for a window to be estimated."""


@dataclass
class _Estimates:
    rows: ModelRows
    calibration: Calibration
    reference: dict[str, float]
    level: float
    per_window: list[dict[str, Estimate] | None]
    counts: list[int]


def _estimates(check: _Options, ctx: CheckContext) -> _Estimates | str:
    # Only the options that change the estimates: both checks share one computation.
    key = _CACHE + repr(sorted(check.model_dump(include=_ESTIMATE_OPTIONS).items()))
    if key in ctx.extras:
        cached: _Estimates | str = ctx.extras[key]
        return cached
    out = _compute(check, ctx)
    ctx.extras[key] = out
    return out


def _compute(check: _Options, ctx: CheckContext) -> _Estimates | str:
    cur, ref = ctx.current_windows, ctx.reference_windows
    if cur is None:
        return "no model columns in the current data (declare schema.score)"
    if ref is None:
        return (
            "needs the labelled reference data itself (a saved baseline holds no rows to "
            "calibrate the scores on)"
        )
    rows = model_rows(
        cur, ctx.schema, positive_label=check.positive_label, threshold=check.threshold,
        need_labels=False, need_score=True,
    )  # fmt: skip
    if isinstance(rows, str):
        return rows
    if rows.task != "binary":
        return f"performance estimation covers binary classifiers; this model is {rows.task}"
    ref_rows = model_rows(
        ref, ctx.reference_schema or ctx.schema, positive_label=check.positive_label,
        threshold=check.threshold, need_labels=True, need_score=True,
    )  # fmt: skip
    if isinstance(ref_rows, str):
        return f"the reference cannot calibrate the scores: {ref_rows}"
    assert ref_rows.y is not None and ref_rows.score is not None and ref_rows.y_pred is not None
    try:
        cal = fit_calibration(
            ref_rows.score, ref_rows.y, seed=ctx.seed, n_boot=_CALIBRATION_BOOTSTRAP
        )
    except MLAuditError as exc:
        return f"the reference cannot calibrate the scores: {exc.message}"
    reference = realised_binary_metrics(ref_rows.y, ref_rows.y_pred, ref_rows.score)
    assert rows.score is not None and rows.y_pred is not None
    p = cal.transform(rows.score)
    counts = [int((rows.window == i).sum()) for i in range(len(cur.windows))]
    judged = sum(1 for c in counts if c >= check.min_rows)
    level = 1.0 - (1.0 - check.confidence) / max(judged, 1)
    per: list[dict[str, Estimate] | None] = []
    for i, n in enumerate(counts):
        if n < check.min_rows:
            per.append(None)
            continue
        m = rows.window == i
        per.append(
            estimate_binary_metrics(
                p[m], rows.y_pred[m], rows.score[m], level=level, seed=ctx.seed + i,
                min_rows=check.min_rows, calibration=cal,
            )
        )  # fmt: skip
    return _Estimates(rows, cal, reference, level, per, counts)


def _windows_axis(cur: WindowedData) -> tuple[list[str], str]:
    if cur.configured:
        return cur.labels, cur.spec.describe()
    return ["all rows"], "the whole current period"


def _calibration_note(cal: Calibration) -> str:
    before = (
        "not probabilities (outside [0, 1])"
        if math.isnan(cal.ece_before)
        else f"ECE {cal.ece_before:.3f}"
    )
    return (
        f"Calibration on {cal.n_reference:,} reference rows ({cal.n_positive:,} positive) by "
        f"isotonic regression: raw scores {before}; calibrated, out of fold, ECE "
        f"{cal.ece_after:.3f}. The bands hold the window's sampling error and the "
        f"calibration's own error (the estimate's spread over {cal.n_boot} calibrators fitted "
        "on bootstrap resamples of the reference)."
    )


@register
class EstimatedPerformance(_Options):
    """Estimate accuracy, precision, recall, F1 and ROC AUC per window without labels."""

    id: ClassVar[str] = "performance.estimated"
    title: ClassVar[str] = "Estimated performance holds before labels arrive"
    why: ClassVar[str] = (
        "Labels often come months after the decisions (a loan defaults late); calibrated "
        "scores show a likely drop in performance now, while it can still be acted on."
    )

    min_change: float = Field(default=0.02, ge=0)
    """Smallest drop from the reference's realised metric worth an alert."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the estimated metrics per window with bands."""
        est = _estimates(self, ctx)
        if isinstance(est, str):
            return self.skipped(est)
        assert ctx.current_windows is not None
        x, axis = _windows_axis(ctx.current_windows)
        ref_value = est.reference.get(self.metric, math.nan)
        alerts: list[str] = []
        table: list[list[Cell]] = []
        values: list[float | None] = []
        lows: list[float | None] = []
        highs: list[float | None] = []
        for label, n, e in zip(x, est.counts, est.per_window, strict=True):
            if e is None:
                for lst in (values, lows, highs):
                    lst.append(None)
                table.append([label, n, *([None] * len(METRICS)), "not judged: too few rows"])
                continue
            m = e[self.metric]
            values.append(_fin(m.value))
            lows.append(_fin(m.low))
            highs.append(_fin(m.high))
            alert = (
                math.isfinite(m.value)
                and math.isfinite(ref_value)
                and ref_value - m.value >= self.min_change
                and m.high < ref_value
            )
            if alert:
                alerts.append(label)
            verdict = "ok" if math.isfinite(m.value) else m.reason or "undefined"
            table.append([label, n, *[_band(e[k]) for k in METRICS], "alert" if alert else verdict])
        finite = [v for v in values if v is not None]
        if not finite:
            reasons = {e[self.metric].reason for e in est.per_window if e is not None}
            why = (
                "; ".join(sorted(r for r in reasons if r))
                or f"windows below min_rows={self.min_rows}"
            )
            return self.skipped(f"no window could be estimated: {why}")
        status = Status.WARN if alerts else Status.PASS
        worst = min(finite)
        if alerts:
            msg = (
                f"Estimated {self.metric} fell below the reference ({ref_value:.4g}) beyond "
                f"sampling and calibration error in {len(alerts)} window(s), first {alerts[0]} "
                f"(lowest estimate {worst:.4g})."
            )
        else:
            msg = (
                f"Estimated {self.metric} stays within sampling and calibration error of the "
                f"reference ({ref_value:.4g}) or within {self.min_change:g} of it in every window "
                f"(lowest estimate {worst:.4g})."
            )
        msg += " " + ASSUMPTION
        limits = {f"reference {self.metric}": ref_value} if math.isfinite(ref_value) else {}
        res = self.result(
            status,
            msg,
            metrics={
                "windows": len(x),
                "windows_alerting": len(alerts),
                f"reference_{self.metric}": _fin(ref_value),
                f"lowest_estimated_{self.metric}": _fin(worst),
                "band_level": est.level,
                "ece_before_calibration": _fin(est.calibration.ece_before),
                "ece_after_calibration": _fin(est.calibration.ece_after),
            },
            details=[
                SeriesDetail(
                    name="estimated_over_time",
                    title=f"Estimated {self.metric} per window, with its band",
                    x_label=axis,
                    y_label=self.metric,
                    x=x,
                    series={f"estimated {self.metric}": values},
                    lower={f"estimated {self.metric}": lows},
                    upper={f"estimated {self.metric}": highs},
                    limits=limits,
                ),
                TableDetail(
                    name="estimates",
                    title=f"Estimated metrics per window (value [band at {est.level:.3%}])",
                    columns=["window", "rows", *METRICS, "verdict"],
                    rows=table,
                ),
                NoteDetail(
                    name="assumption", text=ASSUMPTION + " " + _calibration_note(est.calibration)
                ),
            ],
        )
        return res


@register
class EstimateVsActual(_Options):
    """Once labels arrive: is each window's realised performance inside its estimate's band?"""

    id: ClassVar[str] = "performance.estimate_vs_actual"
    title: ClassVar[str] = "Realised performance matches the estimate"
    why: ClassVar[str] = (
        "Estimates without labels rest on one assumption (no concept drift); comparing them "
        "with the realised values once labels arrive tests it and says whether to trust the "
        "estimates for the windows still unlabelled."
    )

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: estimate, band and realised value of the watched metric per window."""
        est = _estimates(self, ctx)
        if isinstance(est, str):
            return self.skipped(est)
        assert ctx.current_windows is not None
        labelled = model_rows(
            ctx.current_windows, ctx.schema, positive_label=self.positive_label,
            threshold=self.threshold, need_labels=True, need_score=True,
        )  # fmt: skip
        if isinstance(labelled, str):
            return self.skipped(f"no labels in the current data yet: {labelled}")
        assert labelled.y is not None and labelled.y_pred is not None
        assert labelled.score is not None
        if labelled.dropped and labelled.window.size < est.rows.window.size:
            partial = est.rows.window.size - labelled.window.size
        else:
            partial = 0
        x, axis = _windows_axis(ctx.current_windows)
        table: list[list[Cell]] = []
        outside: list[str] = []
        est_v: list[float | None] = []
        real_v: list[float | None] = []
        lows: list[float | None] = []
        highs: list[float | None] = []
        compared = 0
        for i, (label, e) in enumerate(zip(x, est.per_window, strict=True)):
            m = labelled.window == i
            real = (
                realised_binary_metrics(labelled.y[m], labelled.y_pred[m], labelled.score[m])
                if m.any()
                else dict.fromkeys(METRICS, math.nan)
            )
            if e is None or not m.any():
                for lst in (est_v, real_v, lows, highs):
                    lst.append(None)
                table.append([label, int(m.sum()), None, None, None, None, "not judged"])
                continue
            w = e[self.metric]
            r = real[self.metric]
            est_v.append(_fin(w.value))
            real_v.append(_fin(r))
            lows.append(_fin(w.low))
            highs.append(_fin(w.high))
            if not (math.isfinite(w.value) and math.isfinite(r)):
                table.append([label, int(m.sum()), _fin(w.value), _fin(w.low), _fin(w.high),
                              _fin(r), "not judged: metric undefined"])  # fmt: skip
                continue
            compared += 1
            miss = not (w.low <= r <= w.high)
            if miss:
                outside.append(label)
            table.append(
                [label, int(m.sum()), w.value, w.low, w.high, r, "outside band" if miss else "ok"]
            )
        if compared == 0:
            return self.skipped(
                f"no window has both an estimate and a defined realised {self.metric}"
            )
        status = Status.PASS
        if outside:
            status = Status.FAIL if len(outside) >= max(2, compared // 4) else Status.WARN
        if outside:
            msg = (
                f"Realised {self.metric} fell outside its estimate's band in {len(outside)} of "
                f"{compared} windows (first {outside[0]}): the no-concept-drift assumption "
                "does not hold there (the outcome's link to the inputs changed, or the scores' "
                "calibration did); do not trust the estimates for unlabelled windows."
            )
        else:
            msg = (
                f"Realised {self.metric} fell inside its estimate's band in all {compared} "
                f"windows with labels (bands at {est.level:.3%} each, "
                f"{self.confidence:.0%} over the series): the estimates can be trusted."
            )
        if partial:
            msg += f" {partial:,} rows had no label yet and count only in the estimates."
        res = self.result(
            status,
            msg,
            metrics={
                "windows_compared": compared,
                "windows_outside_band": len(outside),
                "band_level": est.level,
            },
            details=[
                SeriesDetail(
                    name="estimate_vs_actual",
                    title=f"{self.metric}: estimate with band vs realised",
                    x_label=axis,
                    y_label=self.metric,
                    x=x,
                    series={"estimated": est_v, "realised": real_v},
                    lower={"estimated": lows},
                    upper={"estimated": highs},
                ),
                TableDetail(
                    name="windows",
                    title=f"{self.metric} per window: estimate, band and realised value",
                    columns=[
                        "window",
                        "labelled_rows",
                        "estimated",
                        "band_low",
                        "band_high",
                        "realised",
                        "verdict",
                    ],
                    rows=table,
                ),
            ],
        )
        return res


_fin = finite_or_none


def _band(e: Estimate) -> str | None:
    if not math.isfinite(e.value):
        return None
    return f"{e.value:.4f} [{e.low:.4f}, {e.high:.4f}]"
