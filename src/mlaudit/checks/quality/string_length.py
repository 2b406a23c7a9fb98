"""``quality.string_length``: values far longer or shorter than the column's values should be.

The scan counts every column's string values by length in characters (exactly up to 1,024
characters, then in buckets of at most 1/32 of an octave, about 2 %) and keeps the longest and
shortest distinct values.  Empty values are left out: they are missing values, reported by the
completeness and disguised-missing checks; so are known missing markers (``'N/A'``).  The
bounds come from, in this order:

* **Declared bounds** (``bounds: {column: [min, max]}``, a side open with ``null``): hard
  limits; every value outside counts, and the share outside is held to ``warn`` and ``fail``.
* **The reference**: values longer than *twice* the reference's longest value or shorter than
  *half* its shortest.  The extremes alone would not do: of two samples of one population,
  the current one holds the longest value with probability one half, so a value just beyond
  the reference's longest is no evidence.  The tolerance is the reference's own scale (lengths
  are on a ratio scale): a value twice as long as anything seen is no sampling variation (a
  400-character value in a column of 10-character codes), while a new category a few
  characters longer than the old ones is left to the checks of categories
  (``quality.allowed_values``, drift).  How many values lie beyond the reference's extremes
  is kept as evidence, with the chance that the ``k`` most extreme of the pooled values all
  fall in the current sample, ``C(m, k) / C(n + m, k)`` (``quality._chance.all_in_current_p``;
  conservative with tied lengths).
* **Neither**: the column is its own reference for extreme outliers only: values longer than
  ``max(5 × q99, q99 + 20)``, with ``q99`` the 99th percentile of the column's lengths, warn
  with low severity (a typical length is not learned from one period, so shorter values and
  moderate outliers are left alone: on real tables their lengths vary widely).

Counts are exact while the bounds fall in the exact range or on bucket edges; a declared
bound inside a bucket leaves the bucket's values possibly outside, and a verdict that depends
on them is inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Count, Share
from mlaudit.checks.quality._chance import all_in_current_p
from mlaudit.checks.quality.completeness import text_columns
from mlaudit.checks.quality.special_characters import show_special
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.summary import LengthTally, bucket_end

__all__ = ["LengthBounds", "StringLength", "length_quantile", "outside"]


def _ordered(pair: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    low, high = pair
    if low is not None and high is not None and low > high:
        raise ValueError(f"the shortest length {low} is above the longest {high}")
    return pair


LengthBounds = Annotated[tuple[Count | None, Count | None], AfterValidator(_ordered)]
"""A ``[min, max]`` length in characters, ``None`` leaving a side open; min <= max."""

_FAR = 2.0  # the reference's longest length times this, its shortest divided by it
_SELF_RATIO, _SELF_GAP = 5.0, 20  # without reference: beyond max(5 q99, q99 + 20)


def outside(tally: LengthTally, low: float | None, high: float | None) -> tuple[int, int]:
    """Non-empty values with length below ``low`` or above ``high``: (certainly, possibly).

    ``possibly`` counts the values of the buckets that straddle a bound (never below 1,024
    characters, where every length has its own bucket).
    """
    certain = possible = 0
    for start, n in tally.counts.items():
        end = bucket_end(start)
        if end < 1:
            continue  # empty values: missing, not short
        first = max(start, 1)
        if (high is not None and first > high) or (low is not None and end < low):
            certain += n
        elif (high is not None and end > high) or (low is not None and first < low):
            possible += n
    return certain, possible


def length_quantile(tally: LengthTally, q: float) -> float:
    """The ``q`` quantile of the non-empty values' lengths (inverted CDF; a bucket's start)."""
    items = sorted((s, n) for s, n in tally.counts.items() if bucket_end(s) >= 1)
    total = sum(n for _, n in items)
    seen = 0
    for start, n in items:
        seen += n
        if seen >= q * total:
            return float(max(start, 1))
    return float("nan")


@dataclass(frozen=True)
class _Bounds:
    low: float | None
    high: float | None
    source: str


@register
class StringLength(Check):
    """Warn when string values are far longer or shorter than declared or reference lengths."""

    id: ClassVar[str] = "quality.string_length"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "String lengths are within bounds"
    why: ClassVar[str] = (
        "A 400-character value in a column of 10-character codes is a shifted field, a "
        "concatenation or a pasted text; a truncated value is a broken export. Such values "
        "pass type checks and end up as new categories or as garbage features."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    bounds: dict[str, LengthBounds] = Field(default_factory=dict)
    """Declared ``[min, max]`` lengths in characters per column (a side open with null)."""
    warn: Share = 0.0
    """Warn when the share of values out of bounds is above this (default 0: any)."""
    fail: Share = 0.01
    """Fail when the share of values out of bounds is above this (default 1 %)."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column holding strings (role not ignored)."""
        names = text_columns(self, ctx)
        names += [n for n in self.target_columns(ctx, list(self.bounds)) if n not in names]
        return [self._column(ctx, n) for n in names]

    def _column(self, ctx: CheckContext, name: str) -> CheckResult:
        col = ctx.current.columns.get(name)
        tally = col.text.lengths if col is not None and col.text is not None else None
        if tally is None:
            return self.skipped(
                f"{name} holds no strings, or its profile was saved before lengths were counted",
                column=name,
            )
        n = sum(c for s, c in tally.counts.items() if bucket_end(s) >= 1)
        if n == 0:
            return self.skipped(f"{name} has no non-empty values", column=name)
        if name in self.bounds:
            low, high = self.bounds[name]
            return self._judge(name, tally, n, _Bounds(low, high, "the declared bounds"), {})
        ref = _reference_tally(ctx, name)
        if ref is not None:
            return self._against_reference(name, tally, n, ref)
        q99 = length_quantile(tally, 0.99)
        limit = max(_SELF_RATIO * q99, q99 + _SELF_GAP)
        bounds = _Bounds(None, limit, f"max(5 × q99, q99 + 20) with q99 = {q99:g}")
        return self._judge(name, tally, n, bounds, {"q99_length": q99}, severity=Severity.LOW)

    def _against_reference(
        self, name: str, tally: LengthTally, n: int, ref: tuple[LengthTally, int]
    ) -> CheckResult:
        ref_tally, n_ref = ref
        lo, hi = _extremes(ref_tally)
        beyond, _ = outside(tally, lo, hi)
        p = all_in_current_p(beyond, n_ref, n)
        extra: dict[str, float | int | None] = {
            "reference_min_length": lo,
            "reference_max_length": hi,
            "beyond_reference_values": beyond,
            "p_value": p,
        }
        far_lo = lo / _FAR if lo is not None else None
        far_hi = hi * _FAR if hi is not None else None
        bounds = _Bounds(far_lo, far_hi, "half the reference's shortest, twice its longest")
        return self._judge(name, tally, n, bounds, extra)

    def _judge(
        self,
        name: str,
        tally: LengthTally,
        n: int,
        b: _Bounds,
        extra: dict[str, float | int | None],
        *,
        severity: Severity | None = None,
    ) -> CheckResult:
        certain, possible = outside(tally, b.low, b.high)
        fail = self.fail if severity is None else None  # extreme outliers alone never fail
        th = Threshold(metric="out_of_bounds_share", direction="max", warn=self.warn, fail=fail)
        status = th.status_for(certain / n) if certain else Status.PASS
        widest = th.status_for((certain + possible) / n) if possible else status
        if widest is not status:
            status = Status.INCONCLUSIVE
        metrics: dict[str, float | int | None] = {
            "values": n,
            "out_of_bounds": certain,
            "out_of_bounds_share": certain / n,
            "possibly_out_of_bounds": possible,
            "lower_bound": b.low,
            "upper_bound": b.high,
            **extra,
        }
        message = _message(name, tally, n, b, certain, possible)
        details = _examples(tally, b)
        return self.result(
            status,
            message,
            column=name,
            metrics=metrics,
            threshold=th,
            details=details,
            severity=severity or self.severity,
        )


def _reference_tally(ctx: CheckContext, name: str) -> tuple[LengthTally, int] | None:
    ref = ctx.reference.columns.get(name) if ctx.reference is not None else None
    if ref is None or ref.text is None or ref.text.lengths is None:
        return None
    n = sum(c for s, c in ref.text.lengths.counts.items() if bucket_end(s) >= 1)
    return (ref.text.lengths, n) if n else None


def _extremes(tally: LengthTally) -> tuple[int | None, int | None]:
    """Shortest non-empty and longest lengths (exact: from the kept extreme values)."""
    shortest = [n for n, _, _ in tally.shortest if n >= 1]
    longest = [n for n, _, _ in tally.longest]
    return (shortest[0] if shortest else None), (longest[0] if longest else None)


def _span(b: _Bounds) -> str:
    low = "" if b.low is None else f"at least {b.low:g}"
    high = "" if b.high is None else f"at most {b.high:g}"
    return " and ".join(x for x in (low, high) if x) + " characters"


def _message(name: str, tally: LengthTally, n: int, b: _Bounds, certain: int, possible: int) -> str:
    lo, hi = _extremes(tally)
    said = f"the {n:,} non-empty values of {name} are {lo:,} to {hi:,} characters long"
    rule = f"bounds: {_span(b)} ({b.source})"
    if not certain and not possible:
        return f"{said}, within the {rule}."
    out = (
        f"{certain:,} of the {n:,} non-empty values of {name} ({format_share(certain / n)}) "
        f"are outside the {rule}; the values are {lo:,} to {hi:,} characters long"
    )
    if possible:
        out += (
            f"; {possible:,} more lie in length buckets that straddle a bound and may be "
            "outside too"
        )
    return (
        out + ". Look for shifted fields, concatenated or truncated values in the source, "
        "or declare the column's true bounds (bounds: {column: [min, max]})."
    )


def _examples(tally: LengthTally, b: _Bounds) -> list[TableDetail]:
    rows: list[list[Cell]] = [
        [show_special(v), n, "longer than the bound"]
        for n, _, v in tally.longest
        if b.high is not None and n > b.high
    ]
    rows += [
        [show_special(v), n, "shorter than the bound"]
        for n, _, v in tally.shortest
        if b.low is not None and 1 <= n < b.low
    ]
    if not rows:
        return []
    return [
        TableDetail(
            name="out_of_bounds_values",
            title="Longest and shortest values out of bounds",
            columns=["value", "length", "side"],
            rows=rows,
            note="the five longest and five shortest values at most; long values cut at 60 "
            "characters; personal columns shown by their shape",
        )
    ]
