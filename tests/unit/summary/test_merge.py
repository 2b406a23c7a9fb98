"""merge(build(a), build(b)) equals build(a ∪ b): hypothesis property tests."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.summary import ProfileBuilder, ScanPlan, merge, profile_frame
from mlaudit.summary._merge import count_duplicates, merge_moments
from mlaudit.summary._model import Moments

SCHEMA = Schema(
    columns=[
        ColumnSchema(name="x", dtype="double", type=ColumnType.NUMERIC),
        ColumnSchema(name="c", dtype="large_string", type=ColumnType.CATEGORICAL),
    ]
)
PLAN = ScanPlan(
    histogram_edges={"x": [-10.0, 0.0, 10.0]},
    rules={"pos": "x > 0"},
    keys=[("c",)],
    sample_size=5,
    category_cap=4,
)

floats = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False), st.just(math.nan), st.just(math.inf), st.none()
)
rows = st.lists(st.tuples(floats, st.sampled_from(["a", "b", "c", "d", "e", None])), max_size=40)


def _frame(r: list[tuple[float | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"x": [v for v, _ in r], "c": [c for _, c in r]}, schema={"x": pl.Float64, "c": pl.String}
    )


def _build(df: pl.DataFrame, offset: int) -> ProfileBuilder:
    b = ProfileBuilder(SCHEMA, PLAN)
    if df.height:
        b.add(df, offset)
    return b


@settings(max_examples=60, deadline=None)
@given(rows, rows)
def test_merge_equals_union(ra: list, rb: list) -> None:  # type: ignore[type-arg]
    a, b = _frame(ra), _frame(rb)
    whole = profile_frame(pl.concat([a, b]), SCHEMA, PLAN)
    pa_ = _build(a, 0).finish()
    pb = _build(b, a.height).finish()
    m = merge(pa_, pb)
    assert m.n_rows == whole.n_rows
    assert m.rows_with_missing == whole.rows_with_missing
    assert m.duplicate_rows == whole.duplicate_rows
    assert m.duplicates_exact
    assert m.key_duplicates == whole.key_duplicates
    assert m.rule_violations == whole.rule_violations
    assert m.rule_examples == whole.rule_examples
    for name in ("x", "c"):
        cm, cw = m.columns[name], whole.columns[name]
        assert (cm.count, cm.null_count, cm.distinct, cm.distinct_exact) == (
            cw.count,
            cw.null_count,
            cw.distinct,
            cw.distinct_exact,
        )
        assert cm.histogram == cw.histogram
    assert m.columns["c"].categories == whole.columns["c"].categories
    nm, nw = m.columns["x"].numeric, whole.columns["x"].numeric
    assert nm is not None
    assert nw is not None
    for f in (
        "min",
        "max",
        "zeros",
        "negatives",
        "nan_count",
        "posinf_count",
        "neginf_count",
        "non_integer_count",
    ):
        assert getattr(nm, f) == getattr(nw, f)
    assert nm.moments.n == nw.moments.n
    for f in ("mean", "m2", "m3", "m4"):
        assert getattr(nm.moments, f) == pytest.approx(getattr(nw.moments, f), rel=1e-9, abs=1e-6)
    finite = np.sort([v for v, _ in ra + rb if v is not None and math.isfinite(v)])
    for q in (0.0, 0.3, 0.5, 1.0):
        if finite.size == 0:
            assert math.isnan(nm.quantile(q))
            continue
        # exact sketch (few values): the inclusive-rank quantile of the sorted union
        assert nm.quantile_rank_error == 0.0
        assert nm.quantile(q) == finite[max(math.ceil(q * finite.size) - 1, 0)]
    assert m.sample is not None
    assert whole.sample is not None
    assert m.sample.equals(whole.sample)


def test_moments_merge_vs_scipy() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.exponential(size=1000) + 1e6, rng.normal(1e6, 3, size=37)

    def moments(x: np.ndarray) -> Moments:
        d = x - x.mean()
        return Moments(
            x.size, float(x.mean()), float((d**2).sum()), float((d**3).sum()), float((d**4).sum())
        )

    m = merge_moments(moments(a), moments(b))
    x = np.concatenate([a, b])
    assert m.mean == pytest.approx(x.mean(), rel=1e-12)
    assert m.variance == pytest.approx(x.var(ddof=1), rel=1e-9)
    assert m.skewness == pytest.approx(scipy.stats.skew(x), rel=1e-7)
    assert m.kurtosis == pytest.approx(scipy.stats.kurtosis(x), rel=1e-7)


def test_merge_large_quantiles_and_distinct_within_bounds() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=300_000)
    df = pl.DataFrame({"x": x, "c": rng.choice(list("abcdefgh"), x.size)})
    plan = ScanPlan(category_cap=100)
    m = merge(profile_frame(df[:100_000], SCHEMA, plan), profile_frame(df[100_000:], SCHEMA, plan))
    num = m.columns["x"].numeric
    assert num is not None
    xs = np.sort(x)
    for q in (0.1, 0.5, 0.9):
        rank = np.searchsorted(xs, num.quantile(q), side="right") / xs.size
        assert abs(rank - q) <= num.quantile_rank_error
    col = m.columns["x"]
    assert not col.distinct_exact
    assert abs(col.distinct - x.size) <= 3 * col.distinct_error * x.size
    # b was built from row 0: rows are shifted, the sample is a weighted merge
    assert m.sample is not None
    assert m.sample.height == plan.sample_size
    assert m.sample["__row__"].max() < x.size  # type: ignore[operator]
    assert m.duplicate_rows == df.height - df.unique().height


def test_deferred_duplicate_counts_match_eager_and_polars() -> None:
    # many batches with repeated rows and keys; oracle: polars' own distinct counts
    rng = np.random.default_rng(12)
    n = 5_000
    df = pl.DataFrame(
        {"x": rng.integers(0, 40, n).astype(np.float64), "c": rng.choice(list("abcdefg"), n)}
    )
    parts = [_build(df.slice(i, 700), i).finish() for i in range(0, n, 700)]
    eager, deferred = parts[0], parts[0]
    for p in parts[1:]:
        eager = merge(eager, p)
        deferred = merge(deferred, p, defer_counts=True)
    count_duplicates(deferred)
    assert deferred.duplicate_rows == eager.duplicate_rows == n - df.unique().height
    keys = df["c"].drop_nulls()
    assert deferred.key_duplicates == eager.key_duplicates == {"c": keys.len() - keys.n_unique()}
    assert deferred.duplicates_exact and eager.duplicates_exact
    # the builder defers while adding batches and counts once in finish()
    b = ProfileBuilder(SCHEMA, PLAN)
    for i in range(0, n, 700):
        b.add(df.slice(i, 700), i)
    built = b.finish()
    assert built.duplicate_rows == eager.duplicate_rows
    assert built.key_duplicates == eager.key_duplicates
