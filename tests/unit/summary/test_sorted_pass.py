"""Pass 2 from sorted values: the same histograms, outliers and examples as from every value."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.summary import ScanPlan, profile_frame
from mlaudit.summary._columns import (
    distinct_from_sorted,
    extremes,
    histogram_counts,
    histogram_from_sorted,
    merge_extremes,
    numeric_batch,
    outlier_counts,
    outlier_counts_from_sorted,
)
from mlaudit.summary._merge import merge
from mlaudit.summary._quantiles import QuantileSketch


def _parts(x: np.ndarray, cuts: list[int]) -> list[np.ndarray]:
    return [np.sort(p) + 0.0 for p in np.split(x, cuts)]


@pytest.mark.parametrize("seed", range(5))
def test_histogram_from_sorted_parts_equals_numpy_histogram(seed: int) -> None:
    rng = np.random.default_rng(seed)
    edges = np.linspace(-2.0, 2.0, 9)
    # values on every edge, outside both ends, ties and -0.0
    x = np.concatenate([rng.normal(size=2_000), edges, edges, [-3.0, 5.0, -0.0, 0.0]])
    rng.shuffle(x)
    got = histogram_from_sorted(_parts(x, [500, 1_300]), edges.tolist())
    assert got == histogram_counts(x, edges.tolist())
    inside = x[(x >= edges[0]) & (x <= edges[-1])]
    assert got.counts == np.histogram(inside, bins=edges)[0].tolist()  # numpy is the oracle
    assert (got.below, got.above) == (int((x < -2).sum()), int((x > 2).sum()))


@pytest.mark.parametrize("seed", range(8))
def test_outliers_from_sorted_parts_equal_outliers_from_every_value(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3_000
    x = np.round(rng.standard_cauchy(n), 1)  # heavy tails, many ties
    x[rng.choice(n, 40, replace=False)] = x.max()  # a tie group at the top
    x[rng.choice(n, 7, replace=False)] = x.min()
    x[rng.choice(n, 5, replace=False)] = np.nan
    x[rng.choice(n, 2, replace=False)] = np.inf
    finite = np.isfinite(x)
    fences = (-4.0, 4.0, "fixed")
    rows = np.flatnonzero(finite)
    expected = outlier_counts(x[finite], rows, fences)
    cuts = [700, 1_900]
    ext = None
    parts = []
    for start, part in zip([0, *cuts], np.split(x, cuts), strict=True):
        s = np.sort(part[np.isfinite(part)]) + 0.0
        parts.append(s)
        ext = merge_extremes(ext, extremes(part, s, start))
    assert ext is not None
    got = outlier_counts_from_sorted(parts, ext, fences)
    assert got == expected
    assert len(got.examples) == 5
    lows = sorted((v, r) for r, v in zip(rows, x[finite], strict=True))[:5]
    assert ext[0] == [(r, v) for v, r in lows]  # the 5 lowest, ties by row


def test_numeric_batch_matches_numpy_and_gives_the_sorted_finite_values() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(size=1_000), [0.0, -0.0, 0.0, np.nan, np.inf, -np.inf, 2.0]])
    num, s = numeric_batch(x, 0, exact_capacity=100)  # over capacity: compacted
    f = x[np.isfinite(x)]
    assert s.tolist() == np.sort(f).tolist()
    assert not np.signbit(s[s == 0]).any()  # -0.0 folded into 0.0
    assert (num.min, num.max) == (f.min(), f.max())
    assert num.zeros == int((f == 0).sum()) == 3
    assert num.negatives == int((f < 0).sum())
    assert (num.nan_count, num.posinf_count, num.neginf_count) == (1, 1, 1)
    assert num.moments.mean == pytest.approx(f.mean(), rel=1e-12)
    assert num.non_integer_count == int((np.floor(f) != f).sum())


@pytest.mark.parametrize("cap", [50, 100_000])
def test_sketch_update_sorted_equals_update(cap: int) -> None:
    rng = np.random.default_rng(1)
    a, b = QuantileSketch(k=64, exact_capacity=cap), QuantileSketch(k=64, exact_capacity=cap)
    for _ in range(4):
        x = rng.normal(size=300)
        a.update(x)
        b.update_sorted(np.sort(x) + 0.0)
    qs = [0.0, 0.01, 0.25, 0.5, 0.9, 1.0]
    assert a.quantiles(qs).tolist() == b.quantiles(qs).tolist()
    assert a.rank_error_abs == b.rank_error_abs
    assert (a.n, a.min, a.max) == (b.n, b.min, b.max)


def test_distinct_from_sorted_without_estimate_stops_at_the_cap() -> None:
    s = np.arange(10.0)
    u, hll = distinct_from_sorted(np.repeat(s, 3), 20, estimate=False)
    assert hll is None and u is not None and u.tolist() == s.tolist()
    assert distinct_from_sorted(np.arange(30.0), 20, estimate=False) == (None, None)
    u, hll = distinct_from_sorted(np.arange(30.0), 20)
    assert u is None and hll is not None and abs(hll.estimate() - 30) < 2


def _schema() -> Schema:
    return Schema(
        columns=[
            ColumnSchema(name="x", dtype="double", type=ColumnType.NUMERIC),
            ColumnSchema(name="k", dtype="int64", type=ColumnType.INTEGER),
        ]
    )


def test_a_plan_without_distinct_or_duplicates_leaves_them_unknown() -> None:
    rng = np.random.default_rng(0)
    df = pl.DataFrame({"x": rng.normal(size=5_000), "k": rng.integers(0, 7, 5_000)})
    lean = ScanPlan(category_cap=1_000, distinct=False, duplicates=False)
    a = profile_frame(df.head(2_500), _schema(), lean)
    b = profile_frame(df.tail(2_500), _schema(), lean)
    for p in (a, merge(a, b)):
        assert math.isnan(p.columns["x"].distinct)  # beyond the cap: not counted
        assert not p.columns["x"].distinct_exact
        assert p.columns["k"].distinct == 7  # within the cap: exact as always
        assert p.columns["k"].distinct_exact
        assert math.isnan(p.duplicate_rows)
    full = profile_frame(df, _schema(), ScanPlan(category_cap=1_000))
    assert full.columns["x"].distinct == pytest.approx(5_000, rel=0.03)  # HLL estimate
    assert full.duplicate_rows == 0


def test_scan_scratch_stays_with_the_builder_never_on_the_saved_model() -> None:
    import dataclasses

    from mlaudit.summary import ProfileBuilder
    from mlaudit.summary._model import ColumnSummary, DatasetProfile

    saved = {f.name for cls in (ColumnSummary, DatasetProfile) for f in dataclasses.fields(cls)}
    assert not saved & {"_sorted", "_extremes", "_all_keys"}
    df = pl.DataFrame({"x": [3.0, -0.0, np.nan, 1.0, 7.0], "k": [2, 1, 2, 1, 5]})
    plain = ProfileBuilder(_schema(), ScanPlan())
    plain.add(df.head(3), 0)
    assert plain.last_sorted == {} and plain.extremes == {}
    builder = ProfileBuilder(_schema(), ScanPlan(), keep_sorted=True)
    builder.add(df.head(3), 0)
    assert builder.last_sorted["x"].tolist() == [0.0, 3.0]
    builder.add(df.tail(2), 3)
    assert builder.last_sorted["x"].tolist() == [1.0, 7.0]
    # Lowest and highest finite values with their rows, by hand: -0.0 at row 1 is 0.0.
    low, high = builder.extremes["x"]
    assert low == [(1, 0.0), (3, 1.0), (0, 3.0), (4, 7.0)]
    assert high == [(4, 7.0), (0, 3.0), (3, 1.0), (1, 0.0)]
    prof = builder.finish()
    assert not hasattr(prof.columns["x"], "_extremes")
