"""``quality.metric_history``: this period's figures against the stored profiles of earlier ones.

Given saved profiles of earlier periods (``history``; ``mlaudit audit --history DIR``), the row
count and, per column, the missing share, the mean (numeric columns) and the distinct count (the
distinct share, distinct over non-missing values, for a column whose values are mostly
distinct: there the count only repeats the row count) are compared with their own history, as
Deequ's anomaly detection compares a metric with its past values.  The baseline is robust: the
median ``M`` of the earlier periods' values and their median absolute deviation ``MAD``; the
current value ``x`` is anomalous when its robust z score

    ``z = (x - M) / s``,  ``s = max(1.4826 * MAD, min_change * |M|, 1e-12)``

is beyond ``z_limit`` in either direction (``1.4826 * MAD`` estimates the standard deviation of
normal values; the floor ``min_change * |M|`` keeps a series that never moved, MAD 0, from
flagging changes too small to matter).  A median and a MAD ignore a few past anomalies, which
a mean and standard deviation would absorb.  At least ``min_history`` earlier periods are needed.

Two cases of a count that takes one value in most periods: a MAD of 0 is replaced by 1.2533
times the mean absolute deviation (Iglewicz and Hoaglin's modified z score), so a count that is
7 in most periods and 6 now and then is not judged as if it never moved; and a distinct count
that falls because values that earlier periods had only rarely are absent does not warn (real
tables cut into random parts did: German credit's 76-row parts lack a rare category one time in
a few).  A value is rare here when its share of the earlier periods' values, pooled, predicts
fewer than 7 of it in this period (absent by chance with probability ``exp(-7)``, 0.1 %, or
more); a common value that vanishes still warns.  This needs exact value counts (at most 10,000
distinct values).

A figure with a cycle (sales by weekday, applications by month) is judged against the same
phase of the cycle instead (``season``: the cycle's length in periods, 7 for days, 12 for
months, 4 for quarters): the centre is the median of the earlier values of the current period's
phase and the scale is pooled over all phases (see :mod:`mlaudit.checks.quality._baseline`,
which also gives its false-alarm table).  A plain baseline on a seasonal series both misses
anomalies (a low December inside the year's range) and flags normal peaks.  It needs two
complete cycles; with fewer the plain baseline is used and the result says so.  Without a
declared season, a clear cycle of a usual length (4, 7, 12, 13, 52) is looked for in each
figure with three complete cycles or more (``find_season``), and the result names it.

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
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, ClassVar

from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Positive, PositiveCount, Share
from mlaudit.checks.quality._baseline import (
    Baseline,
    detect_season,
    plain_baseline,
    seasonal_baseline,
)
from mlaudit.results import CheckResult, SeriesDetail, Severity, Status, TableDetail
from mlaudit.summary import ColumnSummary

__all__ = ["MetricHistory", "robust_z"]

_FLOORS = {"missing_share": 0.001}
"""Smallest scale of a figure: a missing share moving by less than 0.1 point never counts."""


def robust_z(
    history: list[float], value: float, min_change: float, floor: float = 1e-12
) -> tuple[float, float, float]:
    """The robust z score of ``value`` against ``history``, with the median and the scale
    ``max(1.4826 MAD, min_change |median|, floor)`` (1.2533 times the mean absolute deviation
    in place of a MAD of 0)."""
    med = statistics.median(history)
    base = plain_baseline(history, max(min_change * abs(med), floor))
    return (value - med) / base.scale, med, base.scale


def _missing(c: ColumnSummary) -> float | None:
    return c.null_count / c.count if c.count else None


def _mean(c: ColumnSummary) -> float | None:
    if c.numeric is None or not c.numeric.moments.n:
        return None
    return float(c.numeric.moments.mean)


def _distinct(c: ColumnSummary) -> float | None:
    d = float(c.distinct)
    return None if math.isnan(d) else d


def _distinct_share(c: ColumnSummary) -> float | None:
    d = float(c.distinct)
    return None if math.isnan(d) or not c.non_null else d / c.non_null


_COLUMN_METRICS: dict[str, Callable[[ColumnSummary], float | None]] = {
    "missing_share": _missing,
    "mean": _mean,
    "distinct": _distinct,
    "distinct_share": _distinct_share,
}
NEAR_UNIQUE = 0.5
"""A column whose distinct values are more than this share of its values (in the median
earlier period) is judged by its distinct share: its distinct count only repeats the row
count (identifiers, names, amounts), while a share that falls says values now repeat."""


CHANCE_ABSENT = 7.0
"""A value earlier periods had is absent by chance with probability ``exp(-expected count)``:
above 0.1 % while it was expected fewer than 7 times in this period."""


def _rare_absent(past: list[ColumnSummary], col: ColumnSummary) -> str | None:
    """Why the distinct count may fall by chance: every value that earlier periods had and this
    one lacks was rare (expected fewer than :data:`CHANCE_ABSENT` times here, from its share of
    the earlier periods' values pooled).  None when some common value vanished, when none did,
    or when the value counts are not exact."""
    cats = [c.categories for c in [*past, col]]
    if any(c is None or not c.exact for c in cats):
        return None
    seen: Counter[str] = Counter()
    for c in cats[:-1]:
        seen.update(c.counts)  # type: ignore[union-attr]
    now = cats[-1].counts  # type: ignore[union-attr]
    total, n_now = sum(seen.values()), sum(now.values())
    vanished = [seen[v] * n_now / total for v in seen if v not in now]
    if not vanished or not total or max(vanished) >= CHANCE_ABSENT:
        return None
    return (
        f"{len(vanished)} value(s) of earlier periods absent, each rare enough (expected at "
        f"most {max(vanished):.1f} times here) to be absent by chance"
    )


def _shown(metric: str, value: float) -> str:
    """A figure in words: counts whole, shares in percent, other values to four digits."""
    if metric in ("rows", "distinct"):
        return f"{value:,.0f}"
    if metric.endswith("share"):
        return f"{value:.2%}"
    return f"{value:.4g}"


def _column_series(
    past: list[ColumnSummary], col: ColumnSummary
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """The earlier and current values of each figure known in every period."""
    series: dict[str, list[float]] = {}
    now: dict[str, float] = {}
    for metric, get in _COLUMN_METRICS.items():
        values = [get(c) for c in past]
        x = get(col)
        if x is not None and all(v is not None for v in values):
            series[metric] = [float(v) for v in values if v is not None]
            now[metric] = float(x)
    if "distinct_share" in series:
        unique = statistics.median(series["distinct_share"]) > NEAR_UNIQUE
        drop = "distinct" if unique else "distinct_share"
        series.pop(drop)
        now.pop(drop)
    return series, now


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
    season: Annotated[int, Field(ge=2)] | None = None
    """The cycle's length in periods (7: days with a weekly cycle, 12: months with a yearly
    one); each figure is then compared with the same phase of earlier cycles."""
    find_season: bool = True
    """Without ``season``, look for a clear cycle of a usual length in each figure."""

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
            known = [c for c in past if c is not None]
            series, now = _column_series(known, col)
            if series:
                out.append(self._judge(name, series, now, labels, _rare_absent(known, col)))
        return out

    def _baseline(self, metric: str, past: list[float]) -> Baseline:
        """The plain or seasonal baseline of one figure (module docstring)."""
        floor = max(self.min_change * abs(statistics.median(past)), _FLOORS.get(metric, 1e-12))
        plain = plain_baseline(past, floor)
        if self.season is not None:
            if len(past) >= 2 * self.season:
                return seasonal_baseline(past, self.season, floor, f"a {self.season}-period cycle")
            return replace(
                plain,
                how=f"plain (a {self.season}-period cycle needs {2 * self.season} earlier periods)",
            )
        found = detect_season(past, floor) if self.find_season else None
        if found is not None:
            return seasonal_baseline(past, found, floor, f"a {found}-period cycle (found)")
        return plain

    def _judge(
        self,
        column: str | None,
        series: dict[str, list[float]],
        now: dict[str, float],
        labels: list[str],
        chance: str | None = None,
    ) -> CheckResult:
        """Judge each figure; ``chance`` explains a fall of the distinct count by rare values
        absent (:func:`_rare_absent`), which then does not warn."""
        metrics: dict[str, float | int | None] = {"periods": len(labels) - 1}
        flagged: list[str] = []
        rows = []
        bases: dict[str, Baseline] = {}
        excused: list[str] = []
        for m, past in series.items():
            bases[m] = base = self._baseline(m, past)
            z = (now[m] - base.centre) / base.scale
            metrics[m] = now[m]
            metrics[f"{m}_median"], metrics[f"{m}_robust_z"] = base.centre, z
            metrics[f"{m}_season"] = base.season
            rows.append([m, now[m], base.centre, base.scale, z, base.how])
            if m == "distinct" and z < -self.z_limit and chance:
                excused.append(f"distinct {_shown(m, now[m])} (robust z {z:+.1f}): {chance}")
            elif abs(z) > self.z_limit:
                phase = "" if base.season is None else f" for the same phase of {base.how}"
                flagged.append(
                    f"{m} {_shown(m, now[m])} against a median of {_shown(m, base.centre)}"
                    f"{phase} (robust z {z:+.1f})"
                )
        what = "the row count" if column is None else column
        details: list[SeriesDetail | TableDetail] = [
            TableDetail(
                name="robust_baseline",
                title="This period against the median and scale of the earlier ones",
                columns=["figure", "current", "median", "scale", "robust z", "baseline"],
                rows=rows,
            )
        ]
        charted = [
            m for m in series if column is None or any(f.startswith(m + " ") for f in flagged)
        ]
        details += [self._chart(what, m, series[m], now[m], bases[m], labels) for m in charted]
        notes = sorted({b.how for b in bases.values() if b.how != "plain"})
        said = f" (baseline: {', '.join(notes)})" if notes else ""
        said += "".join(f"; {e}" for e in excused)
        falls = sorted({b.how for b in bases.values() if b.season is None and b.how != "plain"})
        if not flagged:
            message = (
                f"{what} is in line with the {len(labels) - 1} earlier periods "
                f"(every robust z within ±{self.z_limit:g}){said}"
            )
            return self.result(
                Status.PASS, message, column=column, metrics=metrics, details=details
            )
        message = (
            f"{what} is out of line with the {len(labels) - 1} earlier periods: "
            + "; ".join(flagged)
            + (f" (baseline: {', '.join(falls)})" if falls else "")
            + ": check this period's extraction (a partial load, a changed source or "
            "code list) before using it"
        )
        return self.result(Status.WARN, message, column=column, metrics=metrics, details=details)

    def _chart(
        self,
        what: str,
        metric: str,
        past: list[float],
        now: float,
        base: Baseline,
        labels: list[str],
    ) -> SeriesDetail:
        """The figure per period, the current one marked, and the band the check accepts."""
        n = len(past)
        if base.season is None:
            centres = [base.centre] * (n + 1)
        else:
            by_phase = [statistics.median(past[j :: base.season]) for j in range(base.season)]
            centres = [by_phase[t % base.season] for t in range(n + 1)]
        width = self.z_limit * base.scale
        return SeriesDetail(
            name=f"{metric}_history",
            title=f"{what}: {metric} per period (band: within ±{self.z_limit:g} robust z)",
            x_label="period",
            y_label=metric,
            x=list(labels),
            series={metric: [*past, now], "current": [*([None] * n), now]},
            lower={metric: [c - width for c in centres]},
            upper={metric: [c + width for c in centres]},
        )
