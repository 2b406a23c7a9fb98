"""Data slices of one or two features and one-sided tests of a metric in each slice.

A **slice** is the set of rows where one feature, or two, take one level: a numeric feature is
cut at its quantiles (the cut points rounded to two significant digits, so that the rule a
reader sees, ``income < 32,000``, is exactly the rule applied), a feature with few distinct
values and a categorical feature give one level per value (the most frequent ``max_levels``),
and a missing value is a level of its own.  Counts per slice come from ``numpy.bincount`` over
the level codes, never a Python loop over rows.

Tests compare a slice with the **rest** of the rows (its complement), one-sided (is the slice
worse?):

* a share of errors (classification): Fisher's exact test, ``P(X >= k)`` for ``X`` the errors a
  slice of ``n`` rows would hold if the ``K`` errors of the ``N`` rows fell at random
  (hypergeometric; the same p-value as ``scipy.stats.fisher_exact(..., alternative="greater")``);
* a mean of absolute errors (regression): Welch's t test on the slice against the rest, with the
  Welch-Satterthwaite degrees of freedom (as ``scipy.stats.ttest_ind(equal_var=False,
  alternative="greater")``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = [
    "FeatureLevels",
    "feature_levels",
    "fisher_greater",
    "format_number",
    "welch_greater",
]

_FEW_VALUES = 10
"""A numeric feature with at most this many distinct values gives a level per value."""


def format_number(value: float) -> str:
    """A number for people: thousands separators, no trailing zeros (``32000 → '32,000'``)."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _round2(value: float) -> float:
    """``value`` rounded to two significant digits."""
    return float(f"{value:.2g}") if value else 0.0


@dataclass(frozen=True)
class FeatureLevels:
    """One feature's level of every row (``-1``: a level not tested) and each level's rule."""

    name: str
    codes: np.ndarray
    rules: list[str]
    partition: bool = True
    """False for a split of a numeric feature at one cut point (``x < c`` against ``x ≥ c``),
    which overlaps the feature's bins."""


def _quote(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(float(value))
    text = str(value).replace('"', '\\"')
    return f'"{text}"'


def feature_levels(column: pl.Series, *, bins: int, max_levels: int) -> list[FeatureLevels]:
    """The levels of ``column`` (none when it has fewer than two levels to compare).

    A numeric feature cut into bins also gives, for each cut point ``c``, the split ``x < c``
    against ``x ≥ c`` (missing values in neither), so that a weak range spanning several bins
    is tested as one slice.
    """
    name = column.name
    missing = column.is_null()
    if column.dtype.is_float():
        missing = missing | column.is_nan()
    numeric = column.dtype.is_numeric() and column.dtype != pl.Boolean
    present = column.filter(~missing)
    splits: list[FeatureLevels] = []
    if numeric and present.n_unique() > _FEW_VALUES:
        codes, rules = _numeric_bins(present, ~missing.to_numpy(), bins, name)
        splits = _splits(codes, rules, name)
    else:
        codes, rules = _categories(column, missing, max_levels, name)
    if missing.any():
        codes[missing.to_numpy()] = len(rules)
        rules.append(f"{name} is missing")
    if len(set(codes[codes >= 0].tolist())) < 2:
        return []
    return [FeatureLevels(name, codes, rules), *splits]


def _splits(codes: np.ndarray, rules: list[str], name: str) -> list[FeatureLevels]:
    """``x < c`` against ``x ≥ c`` at each cut point (a side equal to a bin is left out later)."""
    out = []
    shown = [r.rsplit(" < ", 1)[-1] for r in rules[:-1]]
    for k in range(len(shown)):
        split = np.where(codes < 0, -1, (codes > k).astype(np.int64))
        out.append(
            FeatureLevels(name, split, [f"{name} < {shown[k]}", f"{name} ≥ {shown[k]}"], False)
        )
    return out


def _numeric_bins(
    present: pl.Series, where: np.ndarray, bins: int, name: str
) -> tuple[np.ndarray, list[str]]:
    values = present.cast(pl.Float64).to_numpy()
    qs = np.quantile(values, np.arange(1, bins) / bins)
    lo, hi = float(values.min()), float(values.max())
    edges = sorted({_round2(float(q)) for q in qs if math.isfinite(q)})
    edges = [e for e in edges if lo < e <= hi]
    codes = np.full(where.size, -1, dtype=np.int64)
    codes[where] = np.searchsorted(np.asarray(edges), values, side="right")
    shown = [format_number(e) for e in edges]
    if not edges:
        return codes, [f"{name} is present"]
    rules = [f"{name} < {shown[0]}"]
    rules += [f"{shown[i - 1]} ≤ {name} < {shown[i]}" for i in range(1, len(edges))]
    rules.append(f"{name} ≥ {shown[-1]}")
    return codes, rules


def _categories(
    column: pl.Series, missing: pl.Series, max_levels: int, name: str
) -> tuple[np.ndarray, list[str]]:
    counts = (
        column.filter(~missing)
        .value_counts(sort=True, name="__n")
        .sort(["__n", column.name], descending=[True, False], nulls_last=True)
    )
    top = counts.get_column(column.name).head(max_levels)
    frame = pl.DataFrame({"v": top, "code": np.arange(top.len(), dtype=np.int64)})
    codes = (
        pl.DataFrame({"v": column})
        .join(frame, on="v", how="left", maintain_order="left")
        .get_column("code")
        .fill_null(-1)
        .to_numpy()
        .astype(np.int64)
    )
    return codes, [f"{name} = {_quote(v)}" for v in top.to_list()]


def fisher_greater(
    errors: np.ndarray, rows: np.ndarray, total_errors: int, total: int
) -> np.ndarray:
    """One-sided Fisher exact p-values: does a slice of ``rows`` rows hold too many ``errors``?

    ``P(X >= errors)`` for ``X ~ Hypergeometric(total, total_errors, rows)``, vectorised over
    slices.
    """
    k = np.asarray(errors, dtype=np.float64)
    n = np.asarray(rows, dtype=np.float64)
    p = scipy_stats.hypergeom.sf(k - 1, total, total_errors, n)
    return np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)


def welch_greater(
    sums: np.ndarray, squares: np.ndarray, rows: np.ndarray, totals: tuple[float, float, int]
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Welch t test of each slice's mean against the rest's: p-values and means.

    ``sums``, ``squares`` and ``rows`` are the slices' sums, sums of squares and sizes;
    ``totals`` the same three figures over every row.  A slice or rest of fewer than two rows,
    or without spread on both sides, gets p = 1.
    """
    s, q, n = (np.asarray(a, dtype=np.float64) for a in (sums, squares, rows))
    big_s, big_q, big_n = totals
    m = big_n - n
    with np.errstate(divide="ignore", invalid="ignore"):
        mean1, mean2 = s / n, (big_s - s) / m
        var1 = (q - n * mean1**2) / (n - 1)
        var2 = ((big_q - q) - m * mean2**2) / (m - 1)
        a, b = np.maximum(var1, 0) / n, np.maximum(var2, 0) / m
        se = np.sqrt(a + b)
        t = (mean1 - mean2) / se
        df = (a + b) ** 2 / (a**2 / (n - 1) + b**2 / (m - 1))
        p = scipy_stats.t.sf(t, df)
    ok = (n >= 2) & (m >= 2) & (se > 0) & np.isfinite(p)
    return np.where(ok, p, 1.0), mean1
