"""Disguised missing values: text markers (``'?'``, ``'N/A'``) and numeric sentinels.

**Text markers** (:func:`text_markers`): values that, stripped of surrounding whitespace and
case-folded, are in :data:`mlaudit.data.KNOWN_MARKERS`, counted exactly at scan time
(``TextSummary.missing_markers``), or from the category counts of a profile saved before
that count existed (exact, or heavy hitters whose counts may be low by the stated error).

**Numeric sentinels** (:func:`find_sentinels`): a code for "no value" (``99999``, ``-1``) at
the edge of a column.  A value is reported as a sentinel when all four hold:

1. **At the edge**: it is the column's minimum or maximum.
2. **Sentinel-like**: all nines of at least two digits at the maximum (``99``, ``999``,
   ``99999``, ``99.99``), or a negative code at the minimum (``-1``, ``-9``, ``-99``, ``-999``);
   see :func:`mlaudit.data.is_sentinel_like`.
3. **A mass point**: at least ``min_share`` of the rows (default 0.1 %) and ``min_count``
   rows hold exactly that value, beyond the quantile sketch's rank error; one stray value is
   an outlier, not a code.
4. **Apart from the other values**: the gap to the nearest other value is at least
   ``min_gap`` (default 10 %) of the other values' range, and the value is either beyond the
   far-out Tukey fence of the other values (``Q3 + 3 IQR``, ``Q1 - 3 IQR``, quartiles of the
   column without the candidate) or, for a negative code, the other values are all ``>= 0``
   (a negative code in a quantity that is never negative).  A column whose values run up to
   ``99`` one by one (hours worked, 97, 98, 99) has no gap and no sentinel.

Counts come from the quantile sketch: exact while it holds every value (131,072 values by
default), otherwise within its rank error (a hard bound), which is subtracted before the mass
test so that an approximate count never makes a sentinel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlaudit.data import KNOWN_MARKERS, is_sentinel_like, normalise_marker
from mlaudit.summary import ColumnSummary, NumericSummary

__all__ = [
    "Sentinel",
    "SentinelRule",
    "TextMarkers",
    "count_at",
    "find_sentinels",
    "show_value",
    "text_markers",
]


@dataclass(frozen=True)
class TextMarkers:
    """A column's text markers: value as written (normalised for personal columns) → count;
    ``error`` bounds how low each count may be (0: exact)."""

    counts: dict[str, int]
    error: int = 0

    @property
    def total(self) -> int:
        """Values that are a marker."""
        return sum(self.counts.values())


def text_markers(col: ColumnSummary) -> TextMarkers:
    """The known missing markers among a text column's values, with their counts."""
    if col.text is not None and col.text.missing_markers is not None:
        return TextMarkers(dict(col.text.missing_markers))
    cats = col.categories
    if col.text is None or cats is None or cats.hashed:
        return TextMarkers({})
    found = {v: n for v, n in cats.counts.items() if normalise_marker(v) in KNOWN_MARKERS}
    return TextMarkers(dict(sorted(found.items())), 0 if cats.exact else cats.error)


def show_value(value: str) -> str:
    """A text value quoted so that its spaces show (``"' ?'"``)."""
    return repr(value)


@dataclass(frozen=True)
class SentinelRule:
    """The thresholds of :func:`find_sentinels`."""

    min_share: float = 0.001
    min_count: int = 5
    min_gap: float = 0.1
    fence: float = 3.0


@dataclass(frozen=True)
class Sentinel:
    """A sentinel found: the value, its rows, and the nearest other value."""

    value: float
    count: int
    nearest: float
    side: str
    """``"max"`` or ``"min"``."""


def count_at(num: NumericSummary, value: float) -> int:
    """Rows holding exactly ``value`` according to the quantile sketch (exact when exact)."""
    sk = num.sketch
    if sk is None or sk.is_empty:
        return 0
    share = sk.rank(value, inclusive=True) - sk.rank(value, inclusive=False)
    return round(share * sk.n)


def find_sentinels(num: NumericSummary, rule: SentinelRule | None = None) -> list[Sentinel]:
    """The column's sentinels (at most one at each end), by the rule of the module docstring."""
    rule = rule or SentinelRule()
    sk = num.sketch
    if sk is None or sk.is_empty or num.min is None or num.max is None or num.min == num.max:
        return []
    out = []
    for side, value in (("min", num.min), ("max", num.max)):
        found = _at_edge(num, side, value, rule)
        if found is not None:
            out.append(found)
    return out


def _at_edge(num: NumericSummary, side: str, value: float, rule: SentinelRule) -> Sentinel | None:
    sk = num.sketch
    assert sk is not None
    if not is_sentinel_like(value) or (side == "max") != (value > 0):
        return None
    n = sk.n
    count = count_at(num, value)
    if count - sk.rank_error_abs < max(rule.min_count, rule.min_share * n) or count >= n:
        return None
    others = n - count
    # Quantiles of the other values: shift the levels past the candidate's mass.
    start = count if side == "min" else 0
    levels = [(start + f * others) / n for f in (0.25, 0.75)]
    q1, q3 = num.quantiles([min(max(q, 0.0), 1.0) for q in levels])
    near_level = (count + 1) / n if side == "min" else others / n
    nearest = num.quantile(min(near_level, 1.0))
    lo, hi = (nearest, num.max) if side == "min" else (num.min, nearest)
    assert lo is not None and hi is not None
    gap = abs(value - nearest)
    if not math.isfinite(gap) or gap < rule.min_gap * (hi - lo) or gap == 0:
        return None
    iqr = q3 - q1
    if side == "max":
        apart = value > q3 + rule.fence * iqr
    else:
        apart = value < q1 - rule.fence * iqr or lo >= 0
    return Sentinel(float(value), int(count), float(nearest), side) if apart else None
