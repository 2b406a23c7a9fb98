"""Performance before labels arrive (``performance.estimated``) and its later check
(``performance.estimate_vs_actual``), for binary classifiers with a score.

**Estimate** (confidence-based performance estimation): the model's scores are calibrated on the
labelled reference (isotonic regression); each current row's calibrated probability then says
how likely its label is positive, and the expected accuracy, precision, recall, F1 and ROC AUC
of each window follow, with the band the realised metric would fall in: its sampling error on a
window of this size, widened by the calibration's own error (the spread of the estimate across
isotonic calibrators fitted on bootstrap resamples of the reference; see
:mod:`mlaudit.stats._estimation`).  **Assumption: no concept drift** — the link between the
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
from dataclasses import dataclass, field
from typing import ClassVar

from mlaudit._numbers import finite_or_none
from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._options import NonNegative
from mlaudit.checks.performance._estimates import (
    ASSUMPTION,
    BandSeries,
    Estimates,
    EstimationOptions,
    calibration_note,
    estimates,
    windows_axis,
)
from mlaudit.checks.performance._labels import ModelRows, ScoreRule, model_rows
from mlaudit.results import (
    Cell,
    CheckResult,
    Detail,
    NoteDetail,
    SeriesDetail,
    Status,
    TableDetail,
)
from mlaudit.stats import METRICS, Estimate, realised_binary_metrics

__all__ = ["EstimateVsActual", "EstimatedPerformance"]


@dataclass
class _Estimated:
    """Each window's estimates of the watched metric, its row of the table, and the alerts."""

    series: BandSeries = field(default_factory=BandSeries)
    table: list[list[Cell]] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


@register
class EstimatedPerformance(EstimationOptions):
    """Estimate accuracy, precision, recall, F1 and ROC AUC per window without labels."""

    cost: ClassVar[int] = 3  # calibration, ranks and simulated label sets
    id: ClassVar[str] = "performance.estimated"
    title: ClassVar[str] = "Estimated performance holds before labels arrive"
    why: ClassVar[str] = (
        "Labels often come months after the decisions (a loan defaults late); calibrated "
        "scores show a likely drop in performance now, while it can still be acted on."
    )

    min_change: NonNegative = 0.02
    """Smallest drop from the reference's realised metric worth an alert."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the estimated metrics per window with bands."""
        est = estimates(self, ctx)
        if isinstance(est, str):
            return self.skipped(est)
        assert ctx.current_windows is not None
        x, axis = windows_axis(ctx.current_windows)
        ref_value = est.reference.get(self.metric, math.nan)
        per = self._per_window(est, x, ref_value)
        finite = [v for v in per.series.values if v is not None]
        if not finite:
            reasons = {e[self.metric].reason for e in est.per_window if e is not None}
            why = (
                "; ".join(sorted(r for r in reasons if r))
                or f"windows below min_rows={self.min_rows}"
            )
            return self.skipped(f"no window could be estimated: {why}")
        worst = min(finite)
        return self.result(
            Status.WARN if per.alerts else Status.PASS,
            self._message(ref_value, per.alerts, worst),
            metrics={
                "windows": len(x),
                "windows_alerting": len(per.alerts),
                f"reference_{self.metric}": finite_or_none(ref_value),
                f"lowest_estimated_{self.metric}": finite_or_none(worst),
                "band_level": est.level,
                "ece_before_calibration": finite_or_none(est.calibration.ece_before),
                "ece_after_calibration": finite_or_none(est.calibration.ece_after),
            },
            details=self._details(est, per, x, axis),
        )

    def _per_window(self, est: Estimates, x: list[str], ref_value: float) -> _Estimated:
        out = _Estimated()
        for label, n, e in zip(x, est.counts, est.per_window, strict=True):
            if e is None:
                out.series.add(None)
                out.table.append([label, n, *([None] * len(METRICS)), "not judged: too few rows"])
                continue
            m = e[self.metric]
            out.series.add(m)
            # a drop that neither sampling nor the calibration's error explains
            alert = (
                math.isfinite(m.value)
                and math.isfinite(ref_value)
                and ref_value - m.value >= self.min_change
                and m.high < ref_value
            )
            if alert:
                out.alerts.append(label)
            verdict = "ok" if math.isfinite(m.value) else m.reason or "undefined"
            out.table.append(
                [label, n, *[_band(e[k]) for k in METRICS], "alert" if alert else verdict]
            )
        return out

    def _message(self, ref_value: float, alerts: list[str], worst: float) -> str:
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
        return msg + " " + ASSUMPTION

    def _details(self, est: Estimates, per: _Estimated, x: list[str], axis: str) -> list[Detail]:
        name = f"estimated {self.metric}"
        ref_value = est.reference.get(self.metric, math.nan)
        limits = {f"reference {self.metric}": ref_value} if math.isfinite(ref_value) else {}
        return [
            SeriesDetail(
                name="estimated_over_time",
                title=f"Estimated {self.metric} per window, with its band",
                x_label=axis,
                y_label=self.metric,
                x=x,
                series={name: per.series.values},
                lower={name: per.series.lows},
                upper={name: per.series.highs},
                limits=limits,
            ),
            TableDetail(
                name="estimates",
                title=f"Estimated metrics per window (value [band at {est.level:.3%}])",
                columns=["window", "rows", *METRICS, "verdict"],
                rows=per.table,
            ),
            NoteDetail(
                name="assumption", text=ASSUMPTION + " " + calibration_note(est.calibration)
            ),
        ]


@dataclass
class _Comparison:
    """Each window's estimate with its band against the realised value, and the verdicts."""

    estimated: BandSeries = field(default_factory=BandSeries)
    realised: list[float | None] = field(default_factory=list)
    table: list[list[Cell]] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    compared: int = 0

    def add(self, label: str, n: int, estimate: Estimate, realised: float) -> None:
        """Hold a window's realised value to its estimate's band (when both are defined)."""
        fin = finite_or_none
        self.estimated.add(estimate)
        self.realised.append(fin(realised))
        if not (math.isfinite(estimate.value) and math.isfinite(realised)):
            self.table.append([label, n, fin(estimate.value), fin(estimate.low),
                               fin(estimate.high), fin(realised),
                               "not judged: metric undefined"])  # fmt: skip
            return
        self.compared += 1
        miss = not (estimate.low <= realised <= estimate.high)
        if miss:
            self.outside.append(label)
        self.table.append([label, n, estimate.value, estimate.low, estimate.high, realised,
                           "outside band" if miss else "ok"])  # fmt: skip

    def skip(self, label: str, n: int) -> None:
        """A window without an estimate or without labels."""
        self.estimated.add(None)
        self.realised.append(None)
        self.table.append([label, n, None, None, None, None, "not judged"])


@register
class EstimateVsActual(EstimationOptions):
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
        est = estimates(self, ctx)
        if isinstance(est, str):
            return self.skipped(est)
        assert ctx.current_windows is not None
        labelled = model_rows(
            ctx.current_windows, ctx.schema, positive_label=self.positive_label,
            rule=ScoreRule.of(self.threshold, ctx.schema),
            need_labels=True, need_score=True, need_probability=True,
        )  # fmt: skip
        if isinstance(labelled, str):
            return self.skipped(f"no labels in the current data yet: {labelled}")
        x, axis = windows_axis(ctx.current_windows)
        c = self._compare(est, labelled, x)
        if c.compared == 0:
            return self.skipped(
                f"no window has both an estimate and a defined realised {self.metric}"
            )
        status = Status.PASS
        if c.outside:
            status = Status.FAIL if len(c.outside) >= max(2, c.compared // 4) else Status.WARN
        return self.result(
            status,
            self._message(est, c, labelled),
            metrics={
                "windows_compared": c.compared,
                "windows_outside_band": len(c.outside),
                "band_level": est.level,
            },
            details=self._details(c, x, axis),
        )

    def _compare(self, est: Estimates, labelled: ModelRows, x: list[str]) -> _Comparison:
        assert labelled.y is not None and labelled.y_pred is not None
        assert labelled.score is not None
        out = _Comparison()
        for i, (label, e) in enumerate(zip(x, est.per_window, strict=True)):
            m = labelled.window == i
            real = (
                realised_binary_metrics(labelled.y[m], labelled.y_pred[m], labelled.score[m])
                if m.any()
                else dict.fromkeys(METRICS, math.nan)
            )
            if e is None or not m.any():
                out.skip(label, int(m.sum()))
            else:
                out.add(label, int(m.sum()), e[self.metric], real[self.metric])
        return out

    def _message(self, est: Estimates, c: _Comparison, labelled: ModelRows) -> str:
        if c.outside:
            msg = (
                f"Realised {self.metric} fell outside its estimate's band in {len(c.outside)} of "
                f"{c.compared} windows (first {c.outside[0]}): the no-concept-drift assumption "
                "does not hold there (the outcome's link to the inputs changed, or the scores' "
                "calibration did); do not trust the estimates for unlabelled windows."
            )
        else:
            msg = (
                f"Realised {self.metric} fell inside its estimate's band in all {c.compared} "
                f"windows with labels (bands at {est.level:.3%} each, "
                f"{self.confidence:.0%} over the series): the estimates can be trusted."
            )
        if labelled.dropped and labelled.window.size < est.rows.window.size:
            partial = est.rows.window.size - labelled.window.size
            msg += f" {partial:,} rows had no label yet and count only in the estimates."
        return msg

    def _details(self, c: _Comparison, x: list[str], axis: str) -> list[Detail]:
        return [
            SeriesDetail(
                name="estimate_vs_actual",
                title=f"{self.metric}: estimate with band vs realised",
                x_label=axis,
                y_label=self.metric,
                x=x,
                series={"estimated": c.estimated.values, "realised": c.realised},
                lower={"estimated": c.estimated.lows},
                upper={"estimated": c.estimated.highs},
            ),
            TableDetail(
                name="windows",
                title=f"{self.metric} per window: estimate, band and realised value",
                columns=["window", "labelled_rows", "estimated", "band_low", "band_high",
                         "realised", "verdict"],
                rows=c.table,
            ),
        ]  # fmt: skip


def _band(e: Estimate) -> str | None:
    if not math.isfinite(e.value):
        return None
    return f"{e.value:.4f} [{e.low:.4f}, {e.high:.4f}]"
