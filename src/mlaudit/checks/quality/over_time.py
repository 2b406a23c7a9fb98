"""``quality.over_time``: row counts and missing values window by window, with control limits.

A pipeline that breaks on a Tuesday shows up as a window with too few rows or a column that is
suddenly empty, while the quarter's totals still look fine.  Per window of the current data
(``windows:``): the row count (time windows only; row windows have equal counts by design) and
each column's missing share.  Each is held to control limits learned from the reference cut the
same way (mean ± 3 SD over the reference windows) and, for missing shares, to a floor on the
change (``min_change``, default 0.02 = two percentage points; row counts: ``min_row_change``,
default 10%) so huge windows do not flag trivial moves.  Without reference windows, a column's
missing share is held to the whole reference's share plus ``min_change``.  Windows with fewer
than ``min_rows`` rows are listed and not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import NonNegative, Positive, Share
from mlaudit.results import Cell, CheckResult, SeriesDetail, Severity, Status, TableDetail
from mlaudit.stats import ControlLimits, control_limits
from mlaudit.summary import WindowedData

__all__ = ["QualityOverTime"]


def _missing(data: WindowedData, col: str) -> list[float | None]:
    out: list[float | None] = []
    for w in data.windows:
        s = w.profile.columns.get(col) if w.profile is not None else None
        out.append(s.missing_share if s is not None and s.count else None)
    return out


@register
class QualityOverTime(Check):
    """Row counts and missing shares per window, against reference control limits."""

    id: ClassVar[str] = "quality.over_time"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Row counts and missing values are stable over time"
    why: ClassVar[str] = (
        "Broken feeds and pipeline changes appear in a single window (a day with half the rows, "
        "a column that empties) and are averaged away in period totals."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_windows: ClassVar[bool] = True

    min_change: Share = 0.02
    """Smallest change of a missing share (vs the reference centre) worth an alert."""
    min_row_change: NonNegative = 0.1
    """Smallest relative change of a window's row count (vs the reference centre) worth an alert."""
    control_k: Positive = 3.0
    """Control limits: reference windows' mean ± this many standard deviations."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """Row counts per window, then one result per column whose values go missing."""
        cur = ctx.current_windows
        if cur is None or not cur.configured:
            return [self.skipped("no windows: set windows (e.g. every: week) to run it")]
        if not cur.judged():
            return [
                self.skipped(
                    f"no window has min_rows={cur.spec.min_rows} rows or more; use longer windows"
                )
            ]
        ref = ctx.reference_windows
        ref = ref if ref is not None and ref.configured else None  # windows, not only rows
        results = [self._rows(cur, ref)]
        first = cur.windows[0].profile
        names = list(first.columns) if first is not None else []
        names = self.target_columns(ctx, names) if self.columns is not None else names
        for col in names:
            res = self._column(ctx, cur, ref, col)
            if res is not None:
                results.append(res)
        return results

    def _rows(self, cur: WindowedData, ref: WindowedData | None) -> CheckResult:
        limits = None
        if cur.spec.by_time and ref is not None and ref.spec.by_time:
            limits = control_limits(
                [float(w.n_rows) for w in ref.windows[1:-1]], k=self.control_k, floor=0.0
            )
        small = [w.label for w in cur.windows if w.n_rows < cur.spec.min_rows]
        # The first and last time windows are usually partial (data starts mid-week): their
        # row counts are shown, not judged; the same goes for the reference's.
        inner = cur.windows[1:-1] if cur.spec.by_time else cur.windows
        out = [
            w.label
            for w in inner
            if limits is not None
            and w.n_rows >= cur.spec.min_rows
            and limits.outside(w.n_rows)
            and abs(w.n_rows - limits.center) >= self.min_row_change * limits.center
        ]
        series = SeriesDetail(
            name="rows_over_time",
            title="Rows per window",
            x_label=cur.spec.describe(),
            y_label="rows",
            x=cur.labels,
            series={"rows": [float(w.n_rows) for w in cur.windows]},
            limits=_limit_lines(limits),
        )
        return self.result(
            Status.WARN if out or cur.unassigned else Status.PASS,
            _rows_message(cur, limits, out, small),
            metrics={
                "windows": len(cur.windows),
                "windows_out_of_limits": len(out),
                "windows_too_small": len(small),
                "rows_without_window": cur.unassigned,
                "lower_control_limit": limits.lower if limits else None,
                "upper_control_limit": limits.upper if limits else None,
            },
            details=[series],
        )

    def _column(
        self, ctx: CheckContext, cur: WindowedData, ref: WindowedData | None, col: str
    ) -> CheckResult | None:
        shares = _missing(cur, col)
        ref_shares = _missing(ref, col) if ref is not None else []
        if not any(s for s in shares if s) and not any(s for s in ref_shares if s):
            return None  # complete everywhere: nothing to chart (counted in the summary)
        judged_ref = ref.judged() if ref is not None else []
        limits = control_limits(
            [s for i, s in enumerate(ref_shares) if i in judged_ref and s is not None],
            k=self.control_k,
            floor=0.0,
            ceiling=1.0,
        )
        base = None
        if limits is not None:
            base = limits.center
        elif ctx.reference is not None and col in ctx.reference.columns:
            base = ctx.reference.columns[col].missing_share
        held = _Held(limits, base, self.min_change)
        rows, alerts = _judge_missing(cur, shares, held)
        worst = max((s for s in shares if s is not None), default=0.0)
        return self.result(
            Status.WARN if alerts else Status.PASS,
            _missing_message(col, alerts, worst, base),
            column=col,
            metrics={
                "windows_alerting": len(alerts),
                "max_missing_share": worst,
                "reference_missing_share": base,
                "upper_control_limit": limits.upper if limits else None,
            },
            details=[
                SeriesDetail(
                    name="missing_over_time",
                    title=f"{col}: missing share per window",
                    x_label=cur.spec.describe(),
                    y_label="missing share",
                    x=cur.labels,
                    series={"missing share": shares},
                    limits=_limit_lines(limits),
                ),
                TableDetail(
                    name="windows",
                    title=f"{col} per window",
                    columns=["window", "rows", "missing_share", "verdict"],
                    rows=rows,
                ),
            ],
        )


def _rows_message(
    cur: WindowedData, limits: ControlLimits | None, out: list[str], small: list[str]
) -> str:
    parts = [f"{len(cur.windows)} windows ({cur.spec.describe()})"]
    if limits is not None:
        parts.append(
            f"row counts within {limits.lower:,.0f}–{limits.upper:,.0f} expected from "
            f"{limits.n_windows} full reference windows (first and last windows are "
            "partial and not judged)" + (f", except {', '.join(out[:5])}" if out else "")
        )
    if small:
        parts.append(
            f"{len(small)} window(s) below min_rows={cur.spec.min_rows} not judged "
            f"({', '.join(small[:3])})"
        )
    if cur.unassigned:
        parts.append(
            f"{cur.unassigned:,} rows have a missing or unparseable {cur.spec.column} "
            "and are in no window"
        )
    return "; ".join(parts) + "."


@dataclass(frozen=True)
class _Held:
    """What a column's missing shares are held to."""

    limits: ControlLimits | None  # from the reference windows
    base: float | None  # their centre, else the whole reference's share
    min_change: float

    def alerts(self, s: float) -> bool:
        """Moved by at least ``min_change`` from the base and outside the control limits."""
        if self.base is None:
            return False
        moved = abs(s - self.base) >= self.min_change
        return moved and (self.limits.outside(s) if self.limits is not None else True)


def _judge_missing(
    cur: WindowedData, shares: list[float | None], held: _Held
) -> tuple[list[list[Cell]], list[str]]:
    """The table's rows (window, rows, missing share, verdict) and the alerting windows."""
    rows: list[list[Cell]] = []
    alerts: list[str] = []
    for w, s in zip(cur.windows, shares, strict=True):
        judged = w.n_rows >= cur.spec.min_rows and s is not None
        alert = judged and s is not None and held.alerts(s)
        if alert:
            alerts.append(w.label)
        verdict = "alert" if alert else ("ok" if judged else "not judged: too few rows")
        rows.append([w.label, w.n_rows, s, verdict])
    return rows, alerts


def _missing_message(col: str, alerts: list[str], worst: float, base: float | None) -> str:
    where = f" (reference centre {format_share(base)})" if base is not None else ""
    if alerts:
        return (
            f"{col}: missing share out of its limits in {len(alerts)} window(s), first "
            f"{alerts[0]}; highest {format_share(worst)}{where}."
        )
    return (
        f"{col}: missing share stable in every judged window; highest {format_share(worst)}{where}."
    )


def _limit_lines(limits: ControlLimits | None) -> dict[str, float]:
    if limits is None:
        return {}
    return {"upper control limit": limits.upper, "lower control limit": limits.lower}
