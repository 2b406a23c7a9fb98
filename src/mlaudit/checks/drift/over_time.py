"""``drift.over_time``: when did each column start to drift? Window by window, with control limits.

The current data is cut into windows (``windows:`` in the configuration, ``--window`` on the
command line).  Each window is compared with the whole reference exactly as ``drift.univariate``
compares the whole current data (same methods, multiple-testing correction across the columns of
the window, same effect floors), giving per window and column a statistic, a p-value and an
effect size (the normalised Wasserstein distance for numeric columns, Cramér's V for categorical
ones).

Control limits: the reference is cut the same way (time windows when it has the timestamp
column, else windows of the median current window's row count) and each reference window is
compared with the whole reference.  The effect sizes seen there are what chance alone gives for
windows of that size; their mean + 3 SD is the upper control limit.

Alert: a window with at least ``min_rows`` rows whose effect reaches both the effect floor
(magnitude: a shift that matters) and the upper control limit (evidence: more than chance
gives), and whose test is significant (adjusted p-value below ``alpha``; a distance without a
p-value is judged on the limits alone): a window is never called drifted when its test is
not.  Without reference windows (a saved baseline, or fewer than 3 reference windows) the
evidence is the window's adjusted p-value, as in ``drift.univariate``.  A column warns when a
window alerts and fails when an alerting window's effect reaches ``fail_multiple`` times the
floor.  The first result (no column) counts drifted columns per window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from mlaudit._numbers import finite_or_none
from mlaudit._threads import carry_context, thread_limit
from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._options import Positive
from mlaudit.checks.drift.univariate import DriftOptions, UnivariateDrift, univariate_results
from mlaudit.results import (
    Cell,
    CheckResult,
    SeriesDetail,
    Severity,
    Status,
    TableDetail,
    worst_status,
)
from mlaudit.stats import ControlLimits, control_limits
from mlaudit.summary import Window, WindowedData

__all__ = ["DriftOverTime"]

_SUMMARY_COLUMNS = ["window", "rows", "columns_compared", "columns_alerting", "alerting"]


@dataclass
class _Cell:
    """One column in one window."""

    effect: float | None
    statistic: float | None
    p_adjusted: float | None
    drifted: bool
    skipped: str | None


def _per_window(
    ctx: CheckContext, data: WindowedData, options: DriftOptions
) -> list[dict[str, _Cell]]:
    """Per window: column → comparison with the whole reference (univariate rules).

    Windows are independent and their heavy parts (numpy sorts and sums) release the GIL, so
    they are compared on a small thread pool; the result does not depend on the order.
    """
    from concurrent.futures import ThreadPoolExecutor

    def compare(w: Window) -> dict[str, _Cell]:
        return _one_window(ctx, w, options)

    with ThreadPoolExecutor(max_workers=min(_THREADS, thread_limit())) as pool:
        return list(pool.map(carry_context(compare), data.windows))


_THREADS = 2
"""At most this many threads compare windows (more measured no faster), within the limit."""


def _one_window(ctx: CheckContext, w: Window, options: DriftOptions) -> dict[str, _Cell]:
    """Column → comparison of one window with the whole reference."""
    if w.profile is None:
        return {}
    sub = CheckContext(
        current=w.profile,
        schema=ctx.schema,
        reference=ctx.reference,
        reference_schema=ctx.reference_schema,
        seed=ctx.seed,
    )
    cells: dict[str, _Cell] = {}
    for r in univariate_results(sub, options):
        if r.column is None or r.column not in w.profile.columns:
            continue
        m = r.metrics
        ok = r.status not in (Status.SKIPPED, Status.ERROR)
        cells[r.column] = _Cell(
            effect=_f(m.get("effect_size")) if ok else None,
            statistic=_f(m.get("statistic")) if ok else None,
            p_adjusted=_f(m.get("p_value_adjusted")) if ok else None,
            drifted=bool(m.get("drifted")) if ok else False,
            skipped=None if ok else r.message,
        )
    return cells


_f = finite_or_none


@register
class DriftOverTime(DriftOptions):
    """Compare each window of the current data with the reference, column by column."""

    id: ClassVar[str] = "drift.over_time"
    family: ClassVar[str] = "drift"
    title: ClassVar[str] = "No column drifts in any window"
    why: ClassVar[str] = (
        "Drift rarely arrives all at once: a column that moved only last week is hidden in a "
        "quarter's totals. Windows show when a change began and whether it is growing."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True
    needs_windows: ClassVar[bool] = True

    control_k: Positive = 3.0
    """Control limits are the reference windows' mean + this many standard deviations."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """A summary result, then one result per compared column."""
        cur = ctx.current_windows
        if cur is None or not cur.configured:
            return [self.skipped("no windows: set windows (e.g. every: week) to run it")]
        judged = cur.judged()
        if not judged:
            return [self.skipped(_too_few(cur))]
        options = UnivariateDrift.model_validate(self.drift_options())  # its options, as a value
        current = _per_window(ctx, cur, options)
        ref_w = ctx.reference_windows
        ref_w = ref_w if ref_w is not None and ref_w.configured else None  # windows, not rows
        reference = _per_window(ctx, ref_w, options) if ref_w is not None else []
        ref_judged = ref_w.judged() if ref_w is not None else []
        columns = sorted(
            {c for cells in current for c in cells},
            key=lambda c: ctx.schema.names.index(c) if c in ctx.schema else 0,
        )
        results = []
        alerts_by_window = [0] * len(cur.windows)
        compared_by_window = [0] * len(cur.windows)
        for col in columns:
            ref_effects = [
                reference[i][col].effect
                for i in ref_judged
                if col in reference[i] and reference[i][col].effect is not None
            ]
            limits = control_limits(
                [e for e in ref_effects if e is not None], k=self.control_k, floor=0.0
            )
            res, alerts = self._column(ctx, cur, col, [c.get(col) for c in current], limits)
            results.append(res)
            for i, a in enumerate(alerts):
                alerts_by_window[i] += int(a is True)
                compared_by_window[i] += int(a is not None)
        summary = self._summary(cur, ref_w, alerts_by_window, compared_by_window)
        return [summary, *results]

    # -- one column ----------------------------------------------------------------------------

    def _column(
        self,
        ctx: CheckContext,
        cur: WindowedData,
        col: str,
        cells: Sequence[_Cell | None],
        control: ControlLimits | None,
    ) -> tuple[CheckResult, list[bool | None]]:
        alpha = self.columns_thresholds.get(col, {}).get("alpha", self.alpha)
        lim = _Limits(*self._floor(ctx, col), control, alpha)
        judged = _judge_windows(cur, cells, lim)
        if not judged.judged:
            first = next((c for c in cells if c is not None and c.skipped), None)
            reason = first.skipped if first is not None and first.skipped else _too_few(cur)
            return self.skipped(reason or "no window could be compared", column=col), judged.alerts
        effects = [c.effect for c in cells if c is not None and c.effect is not None]
        metrics: dict[str, float | int | None] = {
            "windows": len(cur.windows),
            "windows_judged": judged.judged,
            "windows_alerting": len(judged.alerting),
            "max_effect_size": max(effects) if effects else None,
            "effect_floor": lim.floor,
            "upper_control_limit": control.upper if control is not None else None,
            "reference_windows": control.n_windows if control is not None else 0,
        }
        series = SeriesDetail(
            name="effect_over_time",
            title=f"{col}: drift effect size per window",
            x_label=cur.spec.describe(),
            y_label="effect size",
            x=[w.label for w in cur.windows],
            series={"effect size": [c.effect if c is not None else None for c in cells]},
            limits=lim.lines(),
        )
        table = TableDetail(
            name="windows",
            title=f"{col} per window",
            columns=["window", "rows", "statistic", "p_value_adjusted", "effect_size", "verdict"],
            rows=judged.rows,
        )
        message = _column_message(col, judged, max(effects), lim)
        res = self.result(
            judged.status, message, column=col, metrics=metrics, details=[series, table]
        )
        return res, judged.alerts

    def _floor(self, ctx: CheckContext, col: str) -> tuple[float, float]:
        over = self.columns_thresholds.get(col, {})
        numeric = ctx.schema[col].type.is_numeric if col in ctx.schema else False
        default = self.min_effect_numeric if numeric else self.min_effect_categorical
        if self.method == "psi" or self.column_methods.get(col) == "psi":
            warn, fail = self.psi_limits
            return over.get("min_effect", warn), fail
        floor = over.get("min_effect", default)
        return floor, floor * over.get("fail_multiple", self.fail_multiple)

    # -- summary -------------------------------------------------------------------------------

    def _summary(
        self,
        cur: WindowedData,
        ref: WindowedData | None,
        alerts: list[int],
        compared: list[int],
    ) -> CheckResult:
        rows: list[list[Cell]] = [
            [w.label, w.n_rows, compared[i], alerts[i], "yes" if alerts[i] else "no"]
            for i, w in enumerate(cur.windows)
        ]
        hit = [cur.windows[i].label for i, a in enumerate(alerts) if a]
        status = Status.WARN if hit else Status.PASS
        msg = (
            f"{len(hit)} of {len(cur.windows)} windows ({cur.spec.describe()}) have a drifted "
            f"column, first {hit[0]}."
            if hit
            else f"No column drifted in any of the {len(cur.windows)} windows "
            f"({cur.spec.describe()})."
        )
        if cur.unassigned:
            msg += f" {cur.unassigned:,} rows had no valid timestamp and are in no window."
        if ref is None:
            msg += " No reference windows: limits come from the adjusted p-values."
        else:
            msg += f" Control limits from {len(ref.windows)} reference windows."
        return self.result(
            status,
            msg,
            metrics={
                "windows": len(cur.windows),
                "windows_alerting": len(hit),
                "rows_without_window": cur.unassigned,
                "reference_windows": len(ref.windows) if ref is not None else 0,
            },
            details=[
                SeriesDetail(
                    name="drifted_columns",
                    title="Drifted columns per window",
                    x_label=cur.spec.describe(),
                    y_label="columns",
                    x=[w.label for w in cur.windows],
                    series={"drifted columns": [float(a) for a in alerts]},
                ),
                TableDetail(name="windows", title="Windows", columns=_SUMMARY_COLUMNS, rows=rows),
            ],
        )


@dataclass(frozen=True)
class _Limits:
    """What a column's windows are held to."""

    floor: float  # the effect that matters
    fail_at: float
    control: ControlLimits | None  # from the reference windows; None: the p-values decide
    alpha: float = 0.05

    def alerts(self, c: _Cell) -> bool:
        """Magnitude (the floor) and evidence: above the reference windows' upper limit, and
        the window's adjusted p-value below α (a window whose test is not significant is never
        called drifted); without reference windows the univariate verdict decides."""
        assert c.effect is not None
        if self.control is None:
            return c.drifted
        significant = c.p_adjusted is None or c.p_adjusted < self.alpha
        return significant and c.effect >= max(self.floor, self.control.upper)

    def lines(self) -> dict[str, float]:
        """The horizontal lines of the column's chart."""
        out = {"effect floor": self.floor}
        if self.control is not None:
            out["upper control limit"] = self.control.upper
        return out


@dataclass
class _Judged:
    """A column's windows judged: the table rows, each window's alert (None: not judged)."""

    rows: list[list[Cell]] = field(default_factory=list)
    alerts: list[bool | None] = field(default_factory=list)
    alerting: list[str] = field(default_factory=list)  # labels of the alerting windows
    status: Status = Status.PASS

    @property
    def judged(self) -> int:
        return sum(1 for a in self.alerts if a is not None)


def _judge_windows(cur: WindowedData, cells: Sequence[_Cell | None], lim: _Limits) -> _Judged:
    out = _Judged()
    for w, c in zip(cur.windows, cells, strict=True):
        if c is None or c.effect is None or w.n_rows < cur.spec.min_rows:
            out.alerts.append(None)
            why = (
                f"fewer than {cur.spec.min_rows} rows"
                if w.n_rows < cur.spec.min_rows
                else (c.skipped if c is not None and c.skipped else "not compared")
            )
            out.rows.append([w.label, w.n_rows, None, None, None, f"not judged: {why}"])
            continue
        alert = lim.alerts(c)
        out.alerts.append(alert)
        if alert:
            out.alerting.append(w.label)
            level = Status.FAIL if c.effect >= lim.fail_at else Status.WARN
            out.status = worst_status([out.status, level])
        out.rows.append(
            [w.label, w.n_rows, c.statistic, c.p_adjusted, c.effect, "alert" if alert else "ok"]
        )
    return out


def _column_message(col: str, judged: _Judged, largest: float, lim: _Limits) -> str:
    if judged.alerting:
        message = (
            f"{col} drifted in {len(judged.alerting)} of {judged.judged} windows, first in "
            f"{judged.alerting[0]}; largest effect {largest:.3g} (floor {lim.floor:g}"
        )
    else:
        message = (
            f"{col} stayed within its limits in all {judged.judged} judged windows "
            f"(largest effect {largest:.3g}; floor {lim.floor:g}"
        )
    if lim.control is not None:
        return message + (
            f", upper control limit {lim.control.upper:.3g} from {lim.control.n_windows} "
            "reference windows)."
        )
    return message + "; no reference windows: evidence from the adjusted p-values)."


def _too_few(cur: WindowedData) -> str:
    if not cur.windows:
        what = "no row has a valid value in the window column" if cur.spec.by_time else "no rows"
        return f"no windows: {what}"
    return (
        f"every window has fewer than min_rows={cur.spec.min_rows} rows "
        f"(largest: {max(w.n_rows for w in cur.windows):,}); use longer windows"
    )
