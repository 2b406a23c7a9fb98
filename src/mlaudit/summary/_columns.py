"""Per-batch column summaries: one polars ``select`` for every column's aggregates at once.

:func:`column_aggregates` builds the expressions; :func:`numeric_from_row`, :func:`text_from_row`
turn the one-row result into model objects; the numpy parts (quantile sketch, distinct values,
histograms, outliers) work on each numeric column's float64 array.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import polars as pl

from mlaudit.data import KNOWN_MARKERS, ColumnSchema, ColumnType, normalise_marker
from mlaudit.summary._hashing import hash_floats
from mlaudit.summary._hashset import unique_of_sorted
from mlaudit.summary._hll import HLL
from mlaudit.summary._model import (
    Histogram,
    Moments,
    NumericSummary,
    OutlierCounts,
    TextSummary,
)
from mlaudit.summary._quantiles import QuantileSketch

__all__ = [
    "PADDING_KINDS",
    "Extremes",
    "Kind",
    "column_kind",
    "distinct_from_sorted",
    "extremes",
    "float_values",
    "histogram_counts",
    "histogram_from_sorted",
    "merge_extremes",
    "normalised_markers",
    "numeric_batch",
    "numeric_expr",
    "outlier_counts",
    "outlier_counts_from_sorted",
    "reference_over",
    "text_from_counts",
]

Extremes = tuple[list[tuple[int, float]], list[tuple[int, float]]]
"""A column's lowest and highest finite values as (row, value) pairs (see :func:`extremes`)."""

_NO_NUMERIC = (ColumnType.ID, ColumnType.BOOLEAN, ColumnType.TEXT)
_CATEGORY_TYPES = (ColumnType.CATEGORICAL, ColumnType.BOOLEAN, ColumnType.TEXT, ColumnType.ID)


class Kind:
    """Which summaries a column gets, decided from its schema type and storage dtype."""

    def __init__(self, numeric: bool, categories: bool, text: bool) -> None:
        self.numeric = numeric
        self.categories = categories
        self.text = text


def column_kind(col: ColumnSchema, dtype: pl.DataType) -> Kind:
    """Numeric for numeric/temporal dtypes (not ids), categories for labels, text for strings."""
    is_bool = dtype == pl.Boolean
    numeric_dtype = (dtype.is_numeric() or dtype.is_temporal()) and not is_bool
    numeric = numeric_dtype and col.type not in _NO_NUMERIC
    is_str = dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    categories = is_bool or is_str or col.type in _CATEGORY_TYPES
    return Kind(numeric, categories, is_str)


def numeric_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column as float64; datetimes and dates as epoch microseconds."""
    c = pl.col(name)
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        c = c.dt.epoch("us")
    elif isinstance(dtype, pl.Duration):
        c = c.dt.total_microseconds()
    elif dtype == pl.Time:
        c = c.cast(pl.Int64) // 1000
    return c.cast(pl.Float64)


_DIRECT = (
    pl.Float64,
    pl.Float32,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
)


def float_values(s: pl.Series) -> np.ndarray:
    """The series as float64 values (nulls as NaN), as :func:`numeric_expr` casts it.

    Floats and integers go straight to numpy (no copy for float64 without nulls; the same
    round-to-nearest conversion as polars' cast for integers); temporal columns through
    :func:`numeric_expr`.
    """
    if s.dtype in _DIRECT:
        return np.asarray(s.to_numpy(), dtype=np.float64)
    out = s.to_frame().select(numeric_expr(s.name, s.dtype)).to_series().to_numpy()
    return np.asarray(out, dtype=np.float64)


def numeric_batch(
    values: np.ndarray, null_count: int, *, exact_capacity: int = 131_072
) -> tuple[NumericSummary, np.ndarray]:
    """A batch's :class:`NumericSummary` from its float64 values (nulls appear as NaN), and
    the batch's finite values sorted (``-0.0`` as ``0.0``).

    ``exact_capacity`` is the quantile sketch's (see :class:`QuantileSketch`).

    The values are sorted once, and everything order-free comes from the sorted copy: the
    quantile sketch takes it as it is, the range, zeros and negatives are binary searches, and
    callers derive the distinct values (:func:`distinct_from_sorted`) and, in a second pass,
    exact histograms and outlier counts (:func:`histogram_from_sorted`,
    :func:`outlier_counts_from_sorted`) from it.  The moments are summed over the values in
    their original order (numpy's pairwise summation, as ``f.sum()`` and ``f.mean()`` do):
    measured about 4x faster than the equivalent polars aggregations.
    """
    finite_mask = np.isfinite(values)
    f = values if finite_mask.all() else values[finite_mask]
    n = int(f.size)
    sketch = QuantileSketch(exact_capacity=exact_capacity)
    out = NumericSummary(sketch=sketch)
    if f is not values:
        out.nan_count = int(np.count_nonzero(np.isnan(values))) - null_count
        out.posinf_count = int(np.count_nonzero(values == math.inf))
        out.neginf_count = int(np.count_nonzero(values == -math.inf))
    if n == 0:
        return out, np.empty(0, dtype=np.float64)
    # -0.0 -> 0.0, then polars' sort: 25 to 35 % quicker than numpy's on the scan's batches
    # of floats, with two columns sorting at once (measured; the sorted values are the same).
    s = pl.Series(f + 0.0).sort().to_numpy()
    sketch.update_sorted(s)
    # Values near the float limit overflow the sums: the moments then hold inf (a variance
    # beyond 1.8e308 cannot be represented), without a warning on the console.
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(f.sum())
        mean = total / n  # what f.mean() computes: the same pairwise sum divided by n
        if not math.isfinite(total):  # the sum overflowed (values near 1.8e308): scale it down
            scale = max(abs(float(s[0])), abs(float(s[-1])))
            mean = float((f / scale).sum()) / n * scale
        d = f - mean
        d2 = d * d
        # Elementwise products, not np.dot: multithreaded BLAS measured 10x slower under load.
        tmp = np.multiply(d2, d)
        m3 = float(tmp.sum())
        m4 = float(np.multiply(d2, d2, out=tmp).sum())
        out.moments = Moments(n, mean, float(d2.sum()), m3, m4)
    out.min, out.max, out.sum = float(s[0]), float(s[-1]), total
    neg, nonpos = int(np.searchsorted(s, 0.0, "left")), int(np.searchsorted(s, 0.0, "right"))
    out.negatives, out.zeros = neg, nonpos - neg
    out.non_integer_count = int(np.count_nonzero(np.floor(s, out=d) != s))
    return out, s


def distinct_from_sorted(
    s: np.ndarray, cap: int, *, approximate: bool = False, estimate: bool = True
) -> tuple[np.ndarray | None, HLL | None]:
    """Exact distinct values up to ``cap``, else an HLL of them, from sorted values without
    NaN (``-0.0`` already ``0.0``); ``approximate`` skips the exact attempt (the running
    summary is an HLL already).

    With ``estimate=False`` more than ``cap`` distinct values give ``(None, None)``: the count
    is not wanted beyond the exact range, and hashing every value for an HLL is skipped.
    """
    u = unique_of_sorted(s)
    if u.size <= cap and not approximate:
        return u, None
    if not estimate:
        return None, None
    hll = HLL()
    hll.update_hashes(hash_floats(u))
    return None, hll


def text_from_counts(values: pl.Series, counts: pl.Series, patterns: dict[str, str]) -> TextSummary:
    """A batch's :class:`TextSummary` from its distinct strings and their counts.

    Working on the distinct values (weighted by count) instead of every row makes the string
    work proportional to the cardinality, not the row count.
    """
    s = values.cast(pl.String)
    w = counts.cast(pl.Int64)
    stripped = s.str.strip_chars()
    length = s.str.len_chars().cast(pl.Int64)

    def weighted(mask: pl.Series) -> int:
        return int((w * mask.fill_null(False).cast(pl.Int64)).sum())

    numbers = stripped.cast(pl.Float64, strict=False)
    finite = numbers.filter(numbers.is_finite())
    out = TextSummary(
        min_length=None if s.len() == 0 else int(length.min()),  # type: ignore[arg-type]
        max_length=None if s.len() == 0 else int(length.max()),  # type: ignore[arg-type]
        total_length=int((length * w).sum()),
        empty_count=weighted(stripped == ""),
        padded_count=weighted(s != stripped),
        numeric_like_count=weighted(numbers.is_not_null()),
        numeric_like_min=None if finite.is_empty() else float(finite.min()),  # type: ignore[arg-type]
        numeric_like_max=None if finite.is_empty() else float(finite.max()),  # type: ignore[arg-type]
        pattern_matches={p: weighted(s.str.contains(rx)) for p, rx in patterns.items()},
        missing_markers=_marker_counts(s, w, stripped),
    )
    _set_padding(out, s, stripped, weighted)
    return out


PADDING_KINDS: dict[str, str] = {
    "space": " ",
    "tab": "\t",
    "nbsp": "\u00a0\u2007\u202f",
    "line_break": "\n\r\v\f\u0085\u2028\u2029",
    "other": "\u1680"
    + "".join(map(chr, (*range(0x2000, 0x2007), 0x2008, 0x2009, 0x200A)))
    + "\u205f\u3000",
}
"""Kinds of whitespace and their characters: together, Unicode's White_Space set (25
characters), which is what ``str.strip_chars()`` (Rust ``char::is_whitespace``) strips."""


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def _set_padding(
    out: TextSummary, s: pl.Series, stripped: pl.Series, weighted: Callable[[pl.Series], int]
) -> None:
    """Leading, trailing and both-end whitespace of the non-blank values, and its kinds."""
    blank = stripped == ""
    if not (s != stripped).fill_null(False).any():
        return  # the usual case: nothing padded, no regex work
    lead = s.str.extract(r"^(\s+)", 1).fill_null("")
    trail = s.str.extract(r"(\s+)$", 1).fill_null("")
    has_lead, has_trail = (lead != "") & ~blank, (trail != "") & ~blank
    pad = lead + trail
    kinds = {
        k: weighted(pad.str.contains(_char_class(cls)) & ~blank) for k, cls in PADDING_KINDS.items()
    }
    out.leading_count, out.trailing_count = weighted(has_lead), weighted(has_trail)
    out.both_count = weighted(has_lead & has_trail)
    out.padding_kinds = {k: n for k, n in kinds.items() if n}


def _marker_counts(s: pl.Series, w: pl.Series, stripped: pl.Series) -> dict[str, int]:
    """Distinct values that are a known missing marker (stripped, case-folded) → count."""
    hit = stripped.str.to_lowercase().is_in(list(KNOWN_MARKERS)).fill_null(False)
    if not hit.any():
        return {}
    return dict(sorted(zip(s.filter(hit).to_list(), w.filter(hit).to_list(), strict=True)))


def normalised_markers(counts: dict[str, int]) -> dict[str, int]:
    """Marker counts keyed by the normalised marker (for personal columns: no raw spelling)."""
    out: dict[str, int] = {}
    for value, n in counts.items():
        key = normalise_marker(value)
        out[key] = out.get(key, 0) + n
    return dict(sorted(out.items()))


def histogram_counts(x: np.ndarray, edges: list[float]) -> Histogram:
    """Counts of finite ``x`` over ``edges`` with ``numpy.histogram``'s bin rule, plus outside.

    Bin ``j`` holds ``e[j] <= x < e[j+1]``, the last one closed on the right.  A count per edge
    of the values below it gives every bin as a difference, without an index per value: one
    vectorised comparison per edge, measured 4x quicker than locating each value (an
    arithmetic guess and two corrections, or a binary search) on 250,000 values and 30 bins,
    the second pass's work on every numeric column.  Past :data:`_COUNTING_EDGES` edges the
    values are located instead, a block at a time so that the temporaries stay in cache.
    """
    e = np.asarray(edges, dtype=np.float64)
    below = int(np.count_nonzero(x < e[0]))
    above = int(np.count_nonzero(x > e[-1]))
    if e.size <= _COUNTING_EDGES:
        under = [below, *(int(np.count_nonzero(x < v)) for v in e[1:-1]), x.size - above]
        counts = np.diff(np.asarray(under, dtype=np.int64))
    else:
        inside = x if below == above == 0 else x[(x >= e[0]) & (x <= e[-1])]
        counts = np.zeros(e.size - 1, dtype=np.int64)
        for start in range(0, inside.size, _BLOCK):
            block = inside[start : start + _BLOCK]
            counts += np.bincount(_bin_index(block, e), minlength=e.size - 1)
    return Histogram(list(map(float, e)), [int(c) for c in counts], below, above)


_COUNTING_EDGES = 64
"""Most edges for which :func:`histogram_counts` counts per edge rather than per value."""
_BLOCK = 65_536
"""Values located at a time past :data:`_COUNTING_EDGES` edges (temporaries stay in cache)."""


def _bin_index(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Bin of each ``x`` in ``[e[0], e[-1]]``: ``e[i] <= x < e[i+1]``, last bin closed."""
    nb = e.size - 1
    width = (e[-1] - e[0]) / nb
    if nb > 1 and np.allclose(np.diff(e), width, rtol=1e-9, atol=0.0):
        # Equal widths: arithmetic guess (off by at most one bin next to an edge), then one
        # exact correction step against the edges themselves.
        t = np.subtract(x, e[0])
        t *= 1.0 / width
        idx: np.ndarray = t.astype(np.intp)  # t >= 0: truncation is floor
        np.minimum(idx, nb - 1, out=idx)
        idx -= x < e[idx]
        upper = e.copy()
        upper[-1] = np.inf  # the last bin is closed on the right
        idx += x >= upper[idx + 1]
        return idx
    idx = np.searchsorted(e, x, side="right") - 1
    idx[idx == nb] = nb - 1  # the last bin is closed on the right
    return idx


def outlier_counts(
    x: np.ndarray,
    rows: np.ndarray | Callable[[np.ndarray], np.ndarray],
    fences: tuple[float, float, str],
    n_examples: int = 5,
) -> OutlierCounts:
    """Finite values outside ``fences`` with the ``n_examples`` most extreme (row, value).

    ``rows`` gives the row index of each value of ``x``: an array aligned with ``x``, or a
    function from positions in ``x`` to row indices (called only when there are outliers).
    """
    lower, upper, method = fences
    lo, hi = x < lower, x > upper
    out = OutlierCounts(float(lower), float(upper), method)
    out.below, out.above = int(np.count_nonzero(lo)), int(np.count_nonzero(hi))
    if out.below or out.above:
        where = np.flatnonzero(lo | hi)
        at = rows[where] if isinstance(rows, np.ndarray) else rows(where)
        out.examples = top_examples(
            list(zip(at.tolist(), x[where].tolist(), strict=True)), out, n_examples
        )
    return out


def histogram_from_sorted(parts: list[np.ndarray], edges: list[float]) -> Histogram:
    """:func:`histogram_counts` of finite values given as sorted parts, by binary search.

    The same counts as :func:`histogram_counts` on the values in any order.
    """
    e = np.asarray(edges, dtype=np.float64)
    at = np.zeros(e.size, dtype=np.int64)  # values below each edge (all parts)
    n = 0
    for s in parts:
        cut = np.searchsorted(s, e, side="left")
        cut[-1] = np.searchsorted(s, e[-1], side="right")  # the last bin is closed on the right
        at += cut
        n += int(s.size)
    counts = np.diff(at)
    return Histogram(list(map(float, e)), [int(c) for c in counts], int(at[0]), n - int(at[-1]))


def outlier_counts_from_sorted(
    parts: list[np.ndarray],
    extremes: Extremes,
    fences: tuple[float, float, str],
    n_examples: int = 5,
) -> OutlierCounts:
    """:func:`outlier_counts` of finite values given as sorted parts, with their
    :func:`extremes`.

    The counts are binary searches; the examples are the extremes outside the fences, ranked
    as :func:`top_examples` ranks them, which are the examples :func:`outlier_counts` finds:
    the values below the lower fence come first in (value, row) order, so the most extreme of
    them are among the lowest few of the column (and likewise above the upper fence).
    """
    lower, upper, method = fences
    out = OutlierCounts(float(lower), float(upper), method)
    out.below = sum(int(np.searchsorted(s, lower, side="left")) for s in parts)
    out.above = sum(int(s.size - np.searchsorted(s, upper, side="right")) for s in parts)
    if out.below or out.above:
        seen = {r: v for r, v in (*extremes[0], *extremes[1]) if v < lower or v > upper}
        out.examples = top_examples(list(seen.items()), out, n_examples)
    return out


def extremes(values: np.ndarray, s: np.ndarray, row_offset: int, n: int = 5) -> Extremes:
    """The ``n`` lowest finite values in (value, row) order and the ``n`` highest in
    (-value, row) order, as (row, value) pairs; ``s`` is ``values``' finite part, sorted.

    Kept from the first pass so that a second pass can name the most extreme outliers without
    the values in row order (see :func:`outlier_counts_from_sorted`).
    """
    if s.size == 0:
        return [], []
    lo_t, hi_t = s[min(n, s.size) - 1], s[max(s.size - n, 0)]
    lo_v, hi_v = s[0], s[-1]
    # Strictly beyond the n-th value there are fewer than n rows; of the ties at it, the
    # first n rows are enough (ties rank by row).
    low_rows = np.concatenate(
        [np.flatnonzero((values < lo_t) & (values >= lo_v)), np.flatnonzero(values == lo_t)[:n]]
    )
    high_rows = np.concatenate(
        [np.flatnonzero((values > hi_t) & (values <= hi_v)), np.flatnonzero(values == hi_t)[:n]]
    )

    def pairs(rows: np.ndarray, sign: float) -> list[tuple[int, float]]:
        found = [(int(r) + row_offset, float(values[r]) + 0.0) for r in rows]
        return sorted(found, key=lambda rv: (sign * rv[1], rv[0]))[:n]

    return pairs(low_rows, 1.0), pairs(high_rows, -1.0)


def merge_extremes(
    a: Extremes | None, b: Extremes | None, shift: int = 0, n: int = 5
) -> Extremes | None:
    """:func:`extremes` of two parts (``b``'s rows shifted by ``shift``)."""
    if b is not None and shift:
        b = ([(r + shift, v) for r, v in b[0]], [(r + shift, v) for r, v in b[1]])
    if a is None or b is None:
        return a or b
    low = sorted(a[0] + b[0], key=lambda rv: (rv[1], rv[0]))[:n]
    high = sorted(a[1] + b[1], key=lambda rv: (-rv[1], rv[0]))[:n]
    return low, high


def top_examples(
    candidates: list[tuple[int, float]], fences: OutlierCounts, n: int = 5
) -> list[tuple[int, float]]:
    """The ``n`` candidates farthest outside the fences, ties by row index."""

    def distance(rv: tuple[int, float]) -> float:
        return max(fences.lower_fence - rv[1], rv[1] - fences.upper_fence)

    ranked = sorted(candidates, key=lambda rv: (-distance(rv), rv[0]))
    return [(int(r), float(v)) for r, v in ranked[:n]]


def reference_over(ref: Histogram, cur: Histogram) -> tuple[Histogram, slice] | None:
    """The reference histogram over the current's edges, and where its own bins lie in them.

    The engine extends the reference's edges with bins of the same width out to the current's
    range (see :func:`mlaudit.engines.derive_second_pass`): the current's edges are then the
    reference's with bins added on either side, the top reference edge moved up by one ulp
    when bins are added above it (so a value equal to the reference maximum stays in the
    reference's last bin, which is closed on the right, as it was counted in the reference).
    The reference has no value in the added bins (they lie outside its range), so its counts
    there are zeros.  None when the edges are not of that form, or when the reference has
    values outside its own edges (their bins would be unknown).
    """
    if ref.edges == cur.edges:
        return ref, slice(0, len(ref.counts))
    re, ce = ref.edges, cur.edges
    if ref.below or ref.above or len(ce) <= len(re) or re[0] not in ce:
        return None
    i = ce.index(re[0])
    j = i + len(re) - 1
    if j >= len(ce) or ce[i:j] != re[:-1]:
        return None
    top_ok = ce[j] == re[-1] if j == len(ce) - 1 else ce[j] == math.nextafter(re[-1], math.inf)
    if not top_ok:
        return None
    counts = [0] * i + list(ref.counts) + [0] * (len(cur.counts) - j)
    return Histogram(list(ce), counts, 0, 0), slice(i, j)
