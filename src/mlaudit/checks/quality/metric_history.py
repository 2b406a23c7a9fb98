"""``quality.metric_history``: this period's figures against the stored profiles of earlier ones.

Given saved profiles of earlier periods (``history``; ``mlaudit audit --history DIR``), the row
count and, per column, the missing share, the mean (numeric columns) and the distinct count are
compared with their own history, as Deequ's anomaly detection compares a metric with its past
values.  The baseline is robust: the median ``M`` of the earlier periods' values and their
median absolute deviation ``MAD``; the current value ``x`` is anomalous when its robust z score

    ``z = (x - M) / s``,  ``s = max(1.4826 * MAD, min_change * |M|, 1e-12)``

is beyond ``z_limit`` in either direction (``1.4826 * MAD`` estimates the standard deviation of
normal values; the floor ``min_change * |M|`` keeps a series that never moved, MAD 0, from
flagging changes too small to matter).  A median and a MAD ignore a few past anomalies, which
a mean and standard deviation would absorb.  At least ``min_history`` earlier periods are needed.
Seasonal baselines (the same weekday or month a cycle ago) are not modelled: a series with a
strong cycle should be given the periods of the same phase only.

False alarms: the median and MAD of a few periods are themselves noisy, so the robust z of a
stable figure has heavier tails than a normal z.  Simulated with independent normal values
(400,000 series per cell; the share of stable figures flagged, per figure):

=================  ========  ========  ========
earlier periods    z > 5     z > 8     z > 10
=================  ========  ========  ========
5                  6.8 %     3.0 %     2.0 %
8                  1.7 %     0.35 %    0.17 %
10                 1.0 %     0.15 %    0.06 %
20                 0.13 %    0.007 %   0.002 %
=================  ========  ========  ========

Hence the defaults ``z_limit = 8`` and ``min_history = 8``: at most 0.35 % of stable figures
warn with 8 periods, fewer with more.  An audit judges several figures per column, so give as
many periods as there are (a year of months, a quarter of weeks).  A missing share's scale has
a floor of 0.1 point, so a column that never had a missing value does not warn for one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Positive, PositiveCount, Share
from mlaudit.results import CheckResult, SeriesDetail, Severity, Status, TableDetail
from mlaudit.summary import ColumnSummary

__all__ = ["MetricHistory", "robust_z"]

_MAD_TO_SD = 1.4826
_FLOORS = {"missing_share": 0.001}
"""Smallest scale of a figure: a missing share moving by less than 0.1 point never counts."""


def robust_z(
    history: list[float], value: float, min_change: float, floor: float = 1e-12
) -> tuple[float, float, float]:
    """The robust z score of ``value`` against ``history``, with the median and the scale
    ``max(1.4826 MAD, min_change |median|, floor)``."""
    med = statistics.median(history)
    mad = statistics.median(abs(h - med) for h in history)
    scale = max(_MAD_TO_SD * mad, min_change * abs(med), floor)
    return (value - med) / scale, med, scale


def _missing(c: ColumnSummary) -> float | None:
    return c.null_count / c.count if c.count else None


def _mean(c: ColumnSummary) -> float | None:
    if c.numeric is None or not c.numeric.moments.n:
        return None
    return float(c.numeric.moments.mean)


def _distinct(c: ColumnSummary) -> float | None:
    d = float(c.distinct)
    return None if math.isnan(d) else d


_COLUMN_METRICS: dict[str, Callable[[ColumnSummary], float | None]] = {
    "missing_share": _missing,
    "mean": _mean,
    "distinct": _distinct,
}


@register
class MetricHistory(Check):
    """Flag figures of this period that are anomalous against earlier periods' profiles."""

    id: ClassVar[str] = "quality.metric_history"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Figures are in line with earlier periods"
    why: ClassVar[str] = (
        "A feed that delivers half its usual rows, a column whose missing share or mean jumps, "
        "or a code list that suddenly grows is a broken pipeline more often than a changed "
        "world; comparing each period with its own history finds it before the model scores it."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset({"distinct"})

    z_limit: Positive = 8.0
    """Flag a figure whose robust z score is beyond this (either direction)."""
    min_history: PositiveCount = 8
    """Fewest earlier periods needed to judge."""
    min_change: Share = 0.01
    """Changes smaller than this share of the median never count (the scale's floor)."""

    def compute(self, ctx: CheckContext) -> list[CheckResult] | CheckResult:
        """One result for the row count and one per column present in every period."""
        history = ctx.history
        if len(history) < self.min_history:
            return self.skipped(
                f"{len(history)} earlier period(s) given; {self.min_history} are needed: save "
                "one profile per period (mlaudit profile DATA --out DIR/PERIOD.profile) and "
                "give the folder with --history"
            )
        labels = [label for label, _ in history] + ["current"]
        out = [
            self._judge(
                None,
                {"rows": [float(p.n_rows) for _, p in history]},
                {"rows": float(ctx.current.n_rows)},
                labels,
            )
        ]
        for name, col in ctx.current.columns.items():
            past = [p.columns.get(name) for _, p in history]
            if any(c is None for c in past):
                continue
            series: dict[str, list[float]] = {}
            now: dict[str, float] = {}
            for metric, get in _COLUMN_METRICS.items():
                values = [get(c) for c in past if c is not None]
                x = get(col)
                if x is not None and all(v is not None for v in values):
                    series[metric] = [float(v) for v in values if v is not None]
                    now[metric] = float(x)
            if series:
                out.append(self._judge(name, series, now, labels))
        return out

    def _judge(
        self,
        column: str | None,
        series: dict[str, list[float]],
        now: dict[str, float],
        labels: list[str],
    ) -> CheckResult:
        metrics: dict[str, float | int | None] = {"periods": len(labels) - 1}
        flagged: list[str] = []
        rows = []
        for m, past in series.items():
            z, med, scale = robust_z(past, now[m], self.min_change, _FLOORS.get(m, 1e-12))
            metrics[m] = now[m]
            metrics[f"{m}_median"], metrics[f"{m}_robust_z"] = med, z
            rows.append([m, now[m], med, scale, z])
            if abs(z) > self.z_limit:
                flagged.append(
                    f"{m} {now[m]:.4g} against a median of {med:.4g} (robust z {z:+.1f})"
                )
        what = "the row count" if column is None else column
        details: list[SeriesDetail | TableDetail] = [
            TableDetail(
                name="robust_baseline",
                title="This period against the median and scale of the earlier ones",
                columns=["figure", "current", "median", "scale (1.4826 MAD)", "robust z"],
                rows=rows,
            )
        ]
        for m in series if column is None else [s for s in series if any(s in f for f in flagged)]:
            details.append(
                SeriesDetail(
                    name=f"{m}_history",
                    title=f"{what}: {m} per period",
                    x_label="period",
                    y_label=m,
                    x=list(labels),
                    series={m: [*series[m], now[m]]},
                )
            )
        if not flagged:
            message = (
                f"{what} is in line with the {len(labels) - 1} earlier periods "
                f"(every robust z within ±{self.z_limit:g})"
            )
            return self.result(
                Status.PASS, message, column=column, metrics=metrics, details=details
            )
        message = (
            f"{what} is out of line with the {len(labels) - 1} earlier periods: "
            + "; ".join(flagged)
            + ": check this period's extraction (a partial load, a changed source or code list) "
            "before using it"
        )
        return self.result(Status.WARN, message, column=column, metrics=metrics, details=details)
