"""One batch's column scans: each column's summary, on the worker pool.

A column is summarised by :class:`ColumnScan` (:mod:`mlaudit.summary._build` runs every column
of a batch on the worker pool): the numeric summary from the values sorted once (quantile sketch,
distinct values, extremes), the categories and text summaries from the distinct values weighted
by their counts, and in the second pass the histograms and outlier counts against the edges and
fences pass 1 gave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from mlaudit.data import ColumnSchema
from mlaudit.errors import ConfigError
from mlaudit.summary import _columns as colmod
from mlaudit.summary._columns import Extremes
from mlaudit.summary._formats import format_tally
from mlaudit.summary._hashing import hash_series, mask_strings
from mlaudit.summary._hashset import unique_of_sorted
from mlaudit.summary._hll import HLL
from mlaudit.summary._merge import mg_reduce
from mlaudit.summary._model import (
    CategoryCounts,
    ColumnSummary,
    NumericSummary,
    ScanPlan,
    TextSummary,
)
from mlaudit.summary._personal import keyed_hll, redacted_numeric
from mlaudit.summary._shapes import shape_counts
from mlaudit.summary._strings import length_tally, special_tally

__all__ = ["ColumnOut", "ColumnScan", "ScanFlags"]


@dataclass(frozen=True)
class ScanFlags:
    """What a batch's column scans do beyond the first pass's summaries."""

    second_pass: bool = False
    """Only histograms, outliers and rules (the rest is left empty)."""
    approx_distinct: frozenset[str] = frozenset()
    """Numeric columns whose running distinct count is an HLL already: their values go
    straight into an HLL instead of an exact distinct set."""
    keep_sorted: bool = False
    """Hand each numeric column's sorted finite values and extremes to the builder."""


ColumnOut = tuple[ColumnSummary, np.ndarray | None, Extremes | None]
"""A column's summary, plus its sorted finite values and extremes when the builder keeps them."""


@dataclass(frozen=True)
class ColumnScan:
    """One batch's column scans: the batch and what every column's scan shares."""

    df: pl.DataFrame
    plan: ScanPlan
    row_offset: int
    flags: ScanFlags
    key: bytes | None
    """The mask key when the batch has personal columns."""

    def column(self, c: ColumnSchema, kind: colmod.Kind) -> ColumnOut:
        df, plan, flags = self.df, self.plan, self.flags
        personal = c.personal or c.name in plan.personal
        out = ColumnSummary(name=c.name, dtype=c.dtype, type=c.type, personal=personal)
        needs_values = c.name in plan.histogram_edges or c.name in plan.outlier_fences
        if flags.second_pass and not needs_values:
            return out, None, None
        values = None
        if kind.numeric or needs_values:
            values = colmod.float_values(df.get_column(c.name))
            _fences(out, values, plan, self.row_offset)
        if flags.second_pass:
            return out, None, None
        out.count, out.null_count = df.height, df[c.name].null_count()
        kept: tuple[np.ndarray | None, Extremes | None] = (None, None)
        all_keys = None
        if kind.numeric and values is not None:
            kept = self._numeric(out, values, kind, approx=c.name in flags.approx_distinct)
        if kind.categories:
            key = self.key if personal else None
            out.categories, out.text, all_keys = _categories(df[c.name], key, plan, kind.text)
        generic = None if kind.categories or kind.numeric else df[c.name]
        if personal and generic is not None and self.key is not None:
            out._hll, generic = keyed_hll(generic.drop_nulls(), self.key), None
        _set_distinct(out, plan.category_cap, all_keys if all_keys is not None else generic)
        return out, *kept

    def _numeric(
        self, out: ColumnSummary, values: np.ndarray, kind: colmod.Kind, *, approx: bool
    ) -> tuple[np.ndarray | None, Extremes | None]:
        """Fill the numeric summary (and exact distinct values); the sorted values and extremes
        when the builder keeps them."""
        plan = self.plan
        out.numeric, s = colmod.numeric_batch(
            values, out.null_count, exact_capacity=plan.sketch_exact
        )
        if out.personal and self.key is not None:  # counts and keyed hashes only
            if not kind.categories:
                u = unique_of_sorted(_with_infinities(s, out.numeric))
                out._hll = keyed_hll(u, self.key)
            out.numeric = redacted_numeric(out.numeric)
            return None, None
        if not kind.categories:
            out._distinct_values, out._hll = colmod.distinct_from_sorted(
                _with_infinities(s, out.numeric),
                plan.category_cap,
                approximate=approx,
                estimate=plan.distinct,
            )
            if out._distinct_values is None and out._hll is None:
                out.distinct, out.distinct_exact = math.nan, False
        if not self.flags.keep_sorted:
            return None, None
        return s, colmod.extremes(values, s, self.row_offset)


def _with_infinities(s: np.ndarray, num: NumericSummary) -> np.ndarray:
    """Sorted finite ``s`` with -inf and +inf added when the batch has them (distinct values)."""
    if not (num.neginf_count or num.posinf_count):
        return s
    parts = [np.array([-math.inf])] if num.neginf_count else []
    parts.append(s)
    if num.posinf_count:
        parts.append(np.array([math.inf]))
    return np.concatenate(parts)


def _fences(out: ColumnSummary, values: np.ndarray, plan: ScanPlan, row_offset: int) -> None:
    name = out.name
    if name not in plan.histogram_edges and name not in plan.outlier_fences:
        return
    finite = np.isfinite(values)
    everywhere = bool(finite.all())
    x = values if everywhere else values[finite]  # no copy when every value is finite
    if name in plan.histogram_edges:
        out.histogram = colmod.histogram_counts(x, plan.histogram_edges[name])
    if name in plan.outlier_fences:

        def rows(where: np.ndarray) -> np.ndarray:  # row indices, only for the outliers
            return (where if everywhere else np.flatnonzero(finite)[where]) + row_offset

        out.outliers = colmod.outlier_counts(x, rows, plan.outlier_fences[name])


def _category_keys(s: pl.Series) -> pl.Series:
    if s.dtype == pl.Boolean:
        return s.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
    return s.cast(pl.String)


def _categories(
    s: pl.Series, key: bytes | None, plan: ScanPlan, text: bool
) -> tuple[CategoryCounts, TextSummary | None, pl.Series | None]:
    """Counts (masked under ``key`` for personal columns), the text summary, and every key
    when the counts are no longer exact (for the distinct count's HLL)."""
    personal = key is not None
    keys = _category_keys(s).drop_nulls()
    vc = keys.to_frame("v").group_by("v").len()
    summary = None
    if text:
        try:
            patterns = plan.patterns.get(s.name, {})
            summary = colmod.text_from_counts(vc["v"], vc["len"], patterns)
            if s.name in plan.formats:  # before masking: the raw values are tested
                fmt = plan.formats[s.name]
                summary.format = format_tally(vc["v"], vc["len"], fmt, seed=plan.seed, key=key)
            if plan.shapes:
                summary.shapes = shape_counts(vc["v"], vc["len"], seed=plan.seed, personal=personal)
        except pl.exceptions.PolarsError as exc:
            raise ConfigError(
                f"a pattern for column {s.name!r} is not a valid regex: {exc}",
                fix="check the pattern's syntax (Rust regex)",
            ) from None
    if summary is not None:
        _set_strings(summary, vc, plan.seed, key)
    if personal and summary is not None:  # no raw spelling, no raw number
        summary.numeric_like_min = summary.numeric_like_max = None
        if summary.missing_markers:
            summary.missing_markers = colmod.normalised_markers(summary.missing_markers)
    v = mask_strings(vc["v"], key) if key is not None else vc["v"]
    counts = dict(zip(v.to_list(), vc["len"].to_list(), strict=True))
    reduced, t = mg_reduce(counts, plan.category_cap)
    out = CategoryCounts(reduced, t == 0, t, plan.category_cap, personal)
    return out, summary, (v if t else None)


def _set_strings(summary: TextSummary, vc: pl.DataFrame, seed: int, key: bytes | None) -> None:
    """Unusual characters and lengths, counted on the raw distinct values."""
    summary.special = special_tally(vc["v"], vc["len"], seed=seed, key=key)
    markers = list(summary.missing_markers or {})  # as written: not normalised yet
    summary.lengths = length_tally(vc["v"], vc["len"], seed=seed, key=key, markers=markers)


def _set_distinct(out: ColumnSummary, cap: int, hashed: pl.Series | None) -> None:
    """The distinct count: from ``hashed`` values' HLL (category keys beyond the cap, or a
    column neither numeric nor categorical), else the exact categories or values."""
    if hashed is not None:
        out._hll = HLL()
        out._hll.update_hashes(hash_series(hashed))
    if out._hll is not None:
        out.distinct, out.distinct_exact = out._hll.estimate(), False
        out.distinct_error = out._hll.relative_error
    elif out.categories is not None:
        out.distinct = float(len(out.categories.counts))
    elif out._distinct_values is not None:
        out.distinct = float(out._distinct_values.size)
    # else: a numeric column's count was not asked for beyond the cap (left NaN)
