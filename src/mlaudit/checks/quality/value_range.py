"""``quality.value_range``: numeric values outside their allowed (or previously seen) range.

Declared ranges (``bounds``, from the user or a data contract) are hard limits: every value
outside counts.  Without them the current values are compared with the reference's
``[min, max]``, and that comparison is a statistical test, not a limit: when both samples come
from one population, the chance that at least one of ``m`` new values lies above the largest of
``n`` reference values is ``m / (n + m)`` (one half for two halves), and about ``m / (n + 1)``
new values are expected above it.  The number ``k`` of current values beyond an extreme is
judged by its exact p-value under exchangeability, ``C(m, k) / C(n + m, k)``
(:func:`~mlaudit.checks.quality._chance.all_in_current_p`); each side is tested at
``alpha / 2`` (Bonferroni), and the result warns only when a side is significant and the share
outside is above ``warn``.  How far the farthest value lies beyond the extreme is reported, in
units of the reference's interquartile range, but not judged: on heavy-tailed columns of clean
data it runs to thousands of IQRs, and impossible values are the business of declared ranges.

A column that holds text in the current data (numbers mixed with words such as "unknown") is
still checked: its values that parse as numbers are held to the bounds, or to the reference
range when the reference column is numeric (:func:`text_outside`: exact from the column's
value counts while they are exact, the exchangeability test with ``m`` the count of numbers).
The words themselves are reported by ``quality.mixed_types`` and ``quality.type_conformance``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Bounds, Share
from mlaudit.checks.quality._chance import all_in_current_p
from mlaudit.checks.quality.completeness import (
    checked_columns,
    format_count,
    format_share,
    sample_examples,
)
from mlaudit.results import (
    Bound,
    CheckResult,
    Detail,
    DistributionDetail,
    Severity,
    Status,
    Threshold,
)
from mlaudit.summary import ColumnSummary, NumericSummary, ScanPlan, reference_over

__all__ = [
    "OutsideCount",
    "ValueRange",
    "outside_count",
    "range_rule",
    "rule_name",
    "text_outside",
]

Limits = tuple[float | None, float | None]


def rule_name(column: str) -> str:
    """Name of the scan rule that counts ``column``'s values outside its bounds."""
    return f"range:{column}"


def _literal(x: float) -> str:
    return repr(float(x))


def range_rule(column: str, low: float | None, high: float | None) -> str:
    """Polars SQL expression true for rows whose ``column`` is null or inside ``[low, high]``.

    Column names are double-quoted (inner quotes doubled).  Polars orders NaN above every
    number, so NaN values break an upper bound; :class:`ValueRange` subtracts them again.
    """
    quoted = '"' + column.replace('"', '""') + '"'
    parts = []
    if low is not None:
        parts.append(f"{quoted} >= {_literal(low)}")
    if high is not None:
        parts.append(f"{quoted} <= {_literal(high)}")
    inside = " AND ".join(parts) if parts else "TRUE"
    return f"{quoted} IS NULL OR ({inside})"


@dataclass(frozen=True)
class OutsideCount:
    """Values outside a range: below, above, and the error of the estimate (0 when exact)."""

    below: float
    above: float
    error: float = 0.0
    split: bool = True
    """False when only the total is known (``below`` then holds it and ``above`` is 0)."""

    @property
    def total(self) -> float:
        """Values below plus above."""
        return self.below + self.above


def outside_count(num: NumericSummary, low: float | None, high: float | None) -> OutsideCount:
    """Values of a numeric summary outside ``[low, high]`` (None: unbounded on that side).

    Exact when the observed min and max lie inside the range (nothing outside) or the quantile
    sketch is exact; otherwise estimated from the sketch's ranks, with an error of at most
    ``quantile_rank_error`` × the number of finite values on each side (a hard bound, not a
    probability).  Infinite values are
    counted exactly on the side they fall.
    """
    below = float(num.neginf_count if low is not None else 0)
    above = float(num.posinf_count if high is not None else 0)
    n = num.moments.n
    low_out = low is not None and num.min is not None and num.min < low
    high_out = high is not None and num.max is not None and num.max > high
    sketch = num.sketch
    if not (low_out or high_out) or sketch is None or sketch.is_empty:
        return OutsideCount(below, above)
    if low_out and low is not None:
        below += sketch.rank(low, inclusive=False) * n
    if high_out and high is not None:
        above += (1.0 - sketch.rank(high, inclusive=True)) * n
    sides = int(low_out) + int(high_out)
    return OutsideCount(round(below, 6), round(above, 6), num.quantile_rank_error * n * sides)


def _fmt(x: float | None, open_end: str) -> str:
    return open_end if x is None else f"{x:g}"


@register
class ValueRange(Check):
    """Values outside configured bounds, or, without bounds, outside the reference range."""

    id: ClassVar[str] = "quality.value_range"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values are within their range"
    why: ClassVar[str] = (
        "A value outside the range a model was built on (a negative income, an age of 200) is "
        "either a data error or a case the model has never seen; its score cannot be relied on."
    )
    limits_apply_with: ClassVar[str | None] = "bounds"
    severity: ClassVar[Severity] = Severity.HIGH

    bounds: dict[str, Bounds] = Field(default_factory=dict)
    """Allowed ``[low, high]`` per column (None leaves a side open); counted exactly by the scan.
    Without bounds, values outside the reference data's ``[min, max]`` warn when there are more
    of them than chance explains (see ``alpha``)."""
    warn: Share = 0.0
    """Warn when the share of values outside the bounds is above this (default 0)."""
    alpha: Alpha = 0.01
    """Reference ranges only: warn when the values beyond the reference's minimum or maximum are
    more than chance gives at this level (exact exchangeability p-value, each side at
    ``alpha / 2``)."""
    fail: Share = 0.0
    """Fail when the share of values outside configured bounds is above this (default 0: any
    value outside fails). Reference ranges only ever warn."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Add one rule per bounded column, named ``range:<column>``."""
        rules = dict(plan.rules)
        for col, (lo, hi) in self.bounds.items():
            rules[rule_name(col)] = range_rule(col, lo, hi)
        return replace(plan, rules=rules) if rules != plan.rules else plan

    def compute(self, ctx: CheckContext) -> CheckResult | list[CheckResult]:
        """One result per bounded column, or per numeric column present in the reference."""
        if self.bounds:
            return [self._bounded(ctx, col, lim) for col, lim in self.bounds.items()]
        if ctx.reference is None:
            return self.skipped("no bounds were configured and there is no reference data")
        out = [
            self._against_reference(ctx, name)
            for name in checked_columns(self, ctx)
            if _numeric(ctx.reference.columns.get(name))
            and (
                (ctx.schema[name].type.is_numeric and _numeric(ctx.current.columns.get(name)))
                or _text_numbers(ctx.current.columns.get(name))
            )
        ]
        return out or self.skipped("no numeric column is shared with the reference data")

    def _bounded(self, ctx: CheckContext, col: str, lim: Limits) -> CheckResult:
        s = ctx.current.columns.get(col)
        if s is None or s.count == 0:
            return self.skipped(f"{col} has no rows to check", column=col)
        if s.numeric is None:
            if _text_numbers(s):
                found = text_outside(s, *lim)
                threshold = Threshold(
                    metric="outside_share", direction="max", warn=self.warn, fail=self.fail
                )
                rng = _Range(lim, "outside", threshold, text=True)
                return self._judge(ctx, s, found, rng, exact=found.error == 0)
            return self.skipped(
                f"{col} is not numeric ({s.dtype}); ranges apply to numbers", column=col
            )
        lo, hi = lim
        found = outside_count(s.numeric, lo, hi)
        violations = ctx.current.rule_violations.get(rule_name(col))
        if violations is not None:
            # Polars orders NaN above every number, so a NaN breaks an upper bound in the rule;
            # NaN is missing (quality.completeness), not out of range: take it back out.
            nan = s.numeric.nan_count if hi is not None else 0
            found = OutsideCount(float(max(violations - nan, 0)), 0.0, split=False)
        threshold = Threshold(
            metric="outside_share", direction="max", warn=self.warn, fail=self.fail
        )
        exact = violations is not None or found.error == 0
        return self._judge(ctx, s, found, _Range((lo, hi), "outside", threshold), exact=exact)

    def _against_reference(self, ctx: CheckContext, col: str) -> CheckResult:
        assert ctx.reference is not None
        s = ctx.current.columns[col]
        if s.personal or ctx.reference.columns[col].personal:
            return self.skipped(
                f"{col} holds personal data: its summaries keep no values or range, so its range "
                "is not compared with the reference's (declare bounds to count values outside)",
                column=col,
            )
        ref = ctx.reference.columns[col].numeric
        assert ref is not None
        if ref.min is None or ref.max is None:
            return self.skipped(f"{col} has no finite values in the reference data", column=col)
        if s.numeric is None:
            return self._text_against_reference(ctx, s, ref)
        ref_hist = ctx.reference.columns[col].histogram
        common = reference_over(ref_hist, s.histogram) if ref_hist and s.histogram else None
        found = _reference_outside(s, common[1] if common else None, ref.min, ref.max)
        threshold = Threshold(metric="outside_share", direction="max", warn=self.warn)
        rng = _Range((ref.min, ref.max), "outside the reference range", threshold)
        result = self._by_chance(
            self._judge(ctx, s, found, rng, exact=found.error == 0), found, ref, s.numeric
        )
        hist = s.histogram
        if hist is not None and common is not None:
            chart = DistributionDetail(
                name="distribution",
                title=f"{col}: reference and current",
                column=col,
                edges=list(hist.edges),
                counts={
                    "reference": [float(c) for c in common[0].counts],
                    "current": [float(c) for c in hist.counts],
                },
            )
            return result.model_copy(update={"details": [*result.details, chart]})
        return result

    def _text_against_reference(
        self, ctx: CheckContext, s: ColumnSummary, ref: NumericSummary
    ) -> CheckResult:
        """A column numeric in the reference but text now: its values that parse as numbers,
        held to the reference range like numbers (the others are the type checks' business)."""
        assert s.text is not None and ref.min is not None and ref.max is not None
        found = text_outside(s, ref.min, ref.max)
        threshold = Threshold(metric="outside_share", direction="max", warn=self.warn)
        rng = _Range((ref.min, ref.max), "outside the reference range", threshold, text=True)
        result = self._judge(ctx, s, found, rng, exact=found.error == 0)
        numbers = NumericSummary(min=s.text.numeric_like_min, max=s.text.numeric_like_max)
        numbers.moments.n = s.text.numeric_like_count
        return self._by_chance(result, found, ref, numbers)

    def _by_chance(
        self, result: CheckResult, found: OutsideCount, ref: NumericSummary, cur: NumericSummary
    ) -> CheckResult:
        """Hold the counts beyond the reference extremes to what exchangeability predicts."""
        n, m = ref.moments.n, cur.moments.n
        side_error = found.error / 2 if found.error else 0.0
        below = max(math.floor(found.below - side_error + 1e-9), 0) if found.split else 0
        above = max(math.floor(found.above - side_error + 1e-9), 0) if found.split else 0
        p_adj = min(1.0, 2 * min(all_in_current_p(below, n, m), all_in_current_p(above, n, m)))
        expected = m / (n + 1) if n else float("nan")
        metrics = {
            **result.metrics,
            "p_value": p_adj,
            "expected_beyond_each_side": expected,
            "beyond_in_iqr": _beyond_in_iqr(ref, cur),
        }
        status = Status.WARN if result.status == Status.WARN and p_adj < self.alpha else Status.PASS
        verdict = "more than chance explains" if status == Status.WARN else "what chance gives"
        note = (
            f" About {expected:.1f} value(s) beyond each reference extreme are expected by "
            f"chance alone when both samples come from one population; p = {p_adj:.2g} "
            f"(exact, two-sided): {verdict}."
        )
        threshold = Threshold(metric="p_value", direction="min", warn=self.alpha)
        message = result.message + note if found.total else result.message
        return result.model_copy(
            update={
                "status": status,
                "message": message,
                "metrics": metrics,
                "threshold": threshold,
            }
        )

    def _judge(
        self, ctx: CheckContext, s: ColumnSummary, found: OutsideCount, rng: _Range, *, exact: bool
    ) -> CheckResult:
        n = s.non_null
        if n == 0:
            return self.skipped(f"{s.name} has no non-missing values", column=s.name)
        share = found.total / n
        status = rng.threshold.status_for(share)
        message = _message(s.name, found, n, rng, exact=exact)
        bounds: dict[str, Bound] = {}
        if not exact and found.error:
            lo, hi = max(found.total - found.error, 0.0), min(found.total + found.error, n)
            bounds["outside_share"] = Bound(
                low=lo / n,
                high=hi / n,
                method="quantile sketch rank error (hard bound, not a probability)",
            )
            if rng.threshold.status_for(lo / n) != rng.threshold.status_for(hi / n):
                status = Status.WARN
                message += "; the estimate is within its error of the limit (inconclusive)"
        metrics: dict[str, float | int | None] = {
            "outside_share": share,
            "outside": found.total,
            "below": found.below if found.split else None,
            "above": found.above if found.split else None,
            "values": n,
        }
        return self.result(
            status,
            message + ".",
            column=s.name,
            metrics=metrics,
            threshold=rng.threshold,
            bounds=bounds,
            exact=exact,
            details=_examples(ctx, s.name, rng.limits, text=rng.text) if found.total else [],
        )


@dataclass(frozen=True)
class _Range:
    """The range a column's values are held to, and how the message names it."""

    limits: Limits
    label: str  # "outside", "outside the reference range"
    threshold: Threshold
    text: bool = False
    """The column holds text: its values that parse as numbers are checked."""


def _message(name: str, found: OutsideCount, n: int, rng: _Range, *, exact: bool) -> str:
    where = f"{rng.label} [{_fmt(rng.limits[0], '-inf')}, {_fmt(rng.limits[1], 'inf')}]"
    about = "" if exact else "about "
    message = (
        f"{name} has {about}{format_count(round(found.total, 1))} of "
        f"{format_count(n)} values ({format_share(found.total / n)}) {where}"
    )
    if found.split and found.total:
        message += (
            f": {format_count(round(found.below, 1))} below and "
            f"{format_count(round(found.above, 1))} above"
        )
    if rng.text:
        message += (
            f" ({name} holds text: its values that parse as numbers are checked here, the others"
            " are reported by quality.mixed_types and quality.type_conformance)"
        )
    return message


def _examples(ctx: CheckContext, name: str, lim: Limits, *, text: bool = False) -> list[Detail]:
    ex = sample_examples(
        ctx,
        _outside_expr(name, lim, text=text),
        [name],
        name="outside_examples",
        title="Rows outside the range (sample)",
    )
    return [ex] if ex is not None else []


def _numeric(s: ColumnSummary | None) -> bool:
    return s is not None and s.numeric is not None


def _beyond_in_iqr(ref: NumericSummary, cur: NumericSummary) -> float | None:
    """How far the farthest current value lies beyond the reference range, in reference IQRs."""
    if None in (ref.min, ref.max, cur.min, cur.max):
        return None
    assert ref.min is not None and ref.max is not None
    assert cur.min is not None and cur.max is not None
    iqr = ref.quantile(0.75) - ref.quantile(0.25)
    beyond = max(ref.min - cur.min, cur.max - ref.max, 0.0)
    if not beyond:
        return 0.0
    return beyond / iqr if iqr > 0 else None


def _reference_outside(
    s: ColumnSummary, own: slice | None, low: float, high: float
) -> OutsideCount:
    """Values outside the reference ``[min, max]``: exact from the second-pass histogram when
    the reference's bins in it (``own``, see :func:`mlaudit.summary.reference_over`) span
    exactly that range (or, for whole numbers, the unit bins around it), else from the sketch.

    Bins added beyond the reference's hold values outside its range only: the one above starts
    one ulp above the reference maximum, the one below ends at the reference minimum.
    """
    assert s.numeric is not None
    h, cur = s.histogram, s.numeric
    inside = (cur.min is None or cur.min >= low) and (cur.max is None or cur.max <= high)
    if inside or h is None or not h.edges or own is None:
        return outside_count(cur, low, high)
    first, last = h.edges[own.start], h.edges[own.stop]
    up = math.nextafter(high, math.inf)
    whole = cur.non_integer_count == 0 and float(low).is_integer() and float(high).is_integer()
    lo_ok = first == low or (whole and first == low - 0.5)
    hi_ok = last in (high, up) or (
        whole and last in (high + 0.5, math.nextafter(high + 0.5, math.inf))
    )
    if lo_ok and hi_ok:  # the histogram holds finite values only: add the infinities
        below = h.below + sum(h.counts[: own.start]) + cur.neginf_count
        above = sum(h.counts[own.stop :]) + h.above + cur.posinf_count
        return OutsideCount(float(below), float(above))
    return outside_count(cur, low, high)


def _outside_expr(col: str, lim: Limits, *, text: bool = False) -> pl.Expr:
    """Rows whose ``col`` lies outside ``lim`` (nulls and NaN are not outside); a text column's
    values are read as numbers where they parse (as the profile reads them)."""
    c = pl.col(col)
    if text:
        c = c.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    lo = -math.inf if lim[0] is None else lim[0]
    hi = math.inf if lim[1] is None else lim[1]
    return c.is_not_nan() & ((c < lo) | (c > hi))


def _text_numbers(s: ColumnSummary | None) -> bool:
    """A text column some of whose values parse as numbers."""
    return s is not None and s.text is not None and s.text.numeric_like_count > 0


def text_outside(s: ColumnSummary, low: float | None, high: float | None) -> OutsideCount:
    """Values of a text column that parse as numbers and lie outside ``[low, high]``.

    Counted from the column's value counts, the keys parsed as the profile parses them
    (stripped, then read as float; "inf" counts beyond any bound, "nan" never): exact while the
    counts are.  When they are capped (heavy hitters) and the parsed numbers' finite minimum or
    maximum (kept by the profile) breaks the range, the numbers among the values not kept (the
    numeric-like count minus those counted) may lie outside too: they are the error.  Personal
    columns keep hashed values only: then one value is known on each side the extremes break,
    the other numbers are the error.
    """
    assert s.text is not None
    t, cats = s.text, s.categories
    low_out = low is not None and t.numeric_like_min is not None and t.numeric_like_min < low
    high_out = high is not None and t.numeric_like_max is not None and t.numeric_like_max > high
    if cats is None or cats.hashed:
        known = int(low_out) + int(high_out)
        error = float(t.numeric_like_count - known) if known else 0.0
        return OutsideCount(float(low_out), float(high_out), error)
    numbers = pl.Series(list(cats.counts), dtype=pl.String).str.strip_chars()
    numbers = numbers.cast(pl.Float64, strict=False)
    v = numbers.fill_null(math.nan).to_numpy()
    w = np.asarray(list(cats.counts.values()), dtype=np.float64)
    below = float(w[v < low].sum()) if low is not None else 0.0
    above = float(w[v > high].sum()) if high is not None else 0.0
    counted = float(w[numbers.is_not_null().to_numpy()].sum())
    unseen = t.numeric_like_count - counted if not cats.exact and (low_out or high_out) else 0.0
    return OutsideCount(below, above, max(unseen, 0.0))
