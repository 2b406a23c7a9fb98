# READY: mlaudit.summary.profile_frame(df, schema, plan=None) works (all fields filled).
"""Profiles of one frame against numpy / scipy / polars oracles."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import scipy.stats

from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.errors import ConfigError, SchemaError
from mlaudit.summary import ProfileBuilder, ScanPlan, profile_frame


def _schema(
    df: pl.DataFrame, types: dict[str, ColumnType], personal: tuple[str, ...] = ()
) -> Schema:
    return Schema(
        columns=[
            ColumnSchema(name=c, dtype=str(df.schema[c]), type=types[c], personal=c in personal)
            for c in df.columns
        ]
    )


@pytest.fixture
def frame() -> tuple[pl.DataFrame, Schema]:
    rng = np.random.default_rng(7)
    n = 5_000
    x = rng.gamma(2.0, 3.0, n)
    x[rng.random(n) < 0.05] = np.nan
    xs = pl.Series("x", x).to_list()
    for i in rng.choice(n, 40, replace=False):
        xs[i] = None
    xs[1], xs[2], xs[3] = math.inf, -math.inf, math.inf
    df = pl.DataFrame(
        {
            "x": pl.Series(xs, dtype=pl.Float64),
            "k": rng.integers(-3, 20, n),
            "s": rng.choice(["alpha", "beta", " gamma", "", "12.5", "  "], n),
            "b": rng.random(n) < 0.4,
            "é名": rng.choice(["u", "v"], n),
        }
    )
    types = {
        "x": ColumnType.NUMERIC,
        "k": ColumnType.INTEGER,
        "s": ColumnType.TEXT,
        "b": ColumnType.BOOLEAN,
        "é名": ColumnType.CATEGORICAL,
    }
    return df, _schema(df, types, personal=("é名",))


def test_numeric_counts_and_moments(frame: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = frame
    p = profile_frame(df, schema)
    raw = df["x"].to_numpy()  # nulls become NaN here
    nulls = df["x"].null_count()
    finite = raw[np.isfinite(raw)]
    c = p.columns["x"]
    num = c.numeric
    assert num is not None
    assert c.count == 5_000
    assert c.null_count == nulls == 40
    assert num.nan_count == int(np.isnan(raw).sum()) - nulls
    assert (num.posinf_count, num.neginf_count) == (2, 1)
    assert c.missing == int(np.isnan(raw).sum())
    assert num.moments.n == finite.size
    assert num.min == finite.min()
    assert num.max == finite.max()
    assert num.sum == pytest.approx(finite.sum(), rel=1e-12)
    assert num.moments.mean == pytest.approx(finite.mean(), rel=1e-12)
    assert num.moments.variance == pytest.approx(np.var(finite, ddof=1), rel=1e-10)
    assert num.moments.skewness == pytest.approx(scipy.stats.skew(finite), rel=1e-9)
    assert num.moments.kurtosis == pytest.approx(scipy.stats.kurtosis(finite), rel=1e-9)
    assert num.zeros == 0
    assert num.negatives == 0
    assert num.non_integer_count == finite.size
    k = df["k"].to_numpy()
    nk = p.columns["k"].numeric
    assert nk is not None
    assert nk.zeros == int((k == 0).sum())
    assert nk.negatives == int((k < 0).sum())
    assert nk.non_integer_count == 0


def test_quantiles_within_rank_error() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=200_000)
    df = pl.DataFrame({"x": x})
    p = profile_frame(df, _schema(df, {"x": ColumnType.NUMERIC}))
    num = p.columns["x"].numeric
    assert num is not None
    eps = num.quantile_rank_error
    assert 0 < eps < 0.005  # hard bound of the quantile sketch (was 0.02 for KLL at 99%)
    xs = np.sort(x)
    for q in (0.01, 0.25, 0.5, 0.75, 0.99):
        rank = np.searchsorted(xs, num.quantile(q), side="right") / xs.size
        assert abs(rank - q) <= eps


def test_small_column_quantiles_exact() -> None:
    df = pl.DataFrame({"x": [5.0, 1.0, 3.0]})
    num = profile_frame(df, _schema(df, {"x": ColumnType.NUMERIC})).columns["x"].numeric
    assert num is not None
    assert num.quantile_rank_error == 0.0
    assert (num.quantile(0.0), num.quantile(0.5), num.quantile(1.0)) == (1.0, 3.0, 5.0)


def test_categories_text_and_personal(frame: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = frame
    p = profile_frame(df, schema, ScanPlan(patterns={"s": {"greek": "^[a-z]+$", "digit": r"\d"}}))
    s = df["s"]
    cats = p.columns["s"].categories
    assert cats is not None
    assert cats.exact
    expected = dict(zip(*s.value_counts().to_dict(as_series=False).values(), strict=True))
    assert cats.counts == expected
    t = p.columns["s"].text
    assert t is not None
    lengths = [len(v) for v in s.to_list()]
    assert (t.min_length, t.max_length, t.total_length) == (0, 6, sum(lengths))
    assert t.empty_count == sum(v.strip() == "" for v in s.to_list())
    assert t.padded_count == sum(v != v.strip() for v in s.to_list())
    assert t.numeric_like_count == (s == "12.5").sum()
    assert t.pattern_matches == {
        "greek": int(s.is_in(["alpha", "beta"]).sum()),
        "digit": int((s == "12.5").sum()),
    }
    b = p.columns["b"].categories
    assert b is not None
    assert b.counts == {"true": int(df["b"].sum()), "false": int((~df["b"]).sum())}
    pc = p.columns["é名"].categories
    assert pc is not None
    assert pc.hashed
    assert all(k.startswith("h:") and len(k) == 18 for k in pc.counts)
    assert sorted(pc.counts.values()) == sorted(df["é名"].value_counts()["count"].to_list())
    assert p.sample is not None
    assert set(p.sample["é名"].to_list()) <= set(pc.counts)


def test_distinct_exact_and_approximate() -> None:
    rng = np.random.default_rng(11)
    n = 60_000
    df = pl.DataFrame(
        {
            "lo": rng.integers(0, 50, n).astype(np.float64),
            "hi": rng.normal(size=n),
            "id": [f"id{v}" for v in rng.integers(0, 40_000, n)],
        }
    )
    types = {"lo": ColumnType.NUMERIC, "hi": ColumnType.NUMERIC, "id": ColumnType.ID}
    p = profile_frame(df, _schema(df, types), ScanPlan(category_cap=1_000))
    lo, hi, ids = p.columns["lo"], p.columns["hi"], p.columns["id"]
    assert lo.distinct_exact
    assert lo.distinct == df["lo"].n_unique()
    for col, true in ((hi, df["hi"].n_unique()), (ids, df["id"].n_unique())):
        assert not col.distinct_exact
        assert col.distinct_error == pytest.approx(1.04 / math.sqrt(2**14))
        assert abs(col.distinct - true) <= 3 * col.distinct_error * true


def test_misra_gries_bound() -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate([rng.integers(0, 3, 30_000), rng.integers(100, 5_000, 20_000)])
    rng.shuffle(values)
    df = pl.DataFrame({"c": [f"v{v}" for v in values]})
    cap = 50
    plan = ScanPlan(category_cap=cap)
    b = ProfileBuilder(_schema(df, {"c": ColumnType.CATEGORICAL}), plan)
    for i in range(0, df.height, 7_000):
        b.add(df.slice(i, 7_000), i)
    cats = b.finish().columns["c"].categories
    assert cats is not None
    assert not cats.exact
    true = dict(zip(*df["c"].value_counts().to_dict(as_series=False).values(), strict=True))
    assert 0 < cats.error <= df.height / (cap + 1)
    assert len(cats.counts) <= cap
    for k, v in true.items():
        est = cats.counts.get(k, 0)
        assert v - cats.error <= est <= v
    assert {k for k, _ in cats.top(3)} == {"v0", "v1", "v2"}


def test_dataset_level_fields() -> None:
    df = pl.DataFrame(
        {
            "a": [1, 1, 2, None, 1, 3, 3],
            "b": ["x", "x", "y", "z", "x", None, "w"],
            "f": [0.5, 0.5, float("nan"), 1.0, 0.5, 2.0, 2.0],
        }
    )
    types = {"a": ColumnType.INTEGER, "b": ColumnType.CATEGORICAL, "f": ColumnType.NUMERIC}
    plan = ScanPlan(rules={"a_small": "a < 3", "f_pos": "f > 0.6"}, keys=[("a",), ("a", "b")])
    p = profile_frame(df, _schema(df, types), plan)
    assert p.n_rows == 7
    assert p.rows_with_missing == 3  # rows 2 (NaN), 3 (null a), 5 (null b)
    assert p.duplicate_rows == df.height - df.unique().height
    assert p.duplicates_exact
    keyed = df.drop_nulls("a")
    assert p.key_duplicates["a"] == keyed.height - keyed["a"].n_unique()
    ab = df.drop_nulls(["a", "b"])
    assert p.key_duplicates["a,b"] == ab.height - ab.unique().height
    assert p.rule_violations == {"a_small": 2, "f_pos": 3}  # null/NaN rows: NaN > 0.6 is False
    assert p.rule_examples["a_small"] == [5, 6]


def test_invalid_rule_and_missing_column() -> None:
    df = pl.DataFrame({"a": [1, 2]})
    schema = _schema(df, {"a": ColumnType.INTEGER})
    with pytest.raises(ConfigError, match="bad"):
        profile_frame(df, schema, ScanPlan(rules={"bad": "a >>>= )"}))
    with pytest.raises(ConfigError, match="nope"):
        profile_frame(df, schema, ScanPlan(rules={"r": "nope > 1"}))
    other = Schema(columns=[ColumnSchema(name="zz", dtype="int64", type=ColumnType.INTEGER)])
    with pytest.raises(SchemaError, match="zz"):
        profile_frame(df, other)


def test_histogram_and_outliers_vs_numpy() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_t(3, 20_000)
    df = pl.DataFrame({"x": x})
    edges = [float(e) for e in np.linspace(-4, 4, 31)]
    plan = ScanPlan(histogram_edges={"x": edges}, outlier_fences={"x": (-6.0, 5.0, "fixed")})
    p = profile_frame(df, _schema(df, {"x": ColumnType.NUMERIC}), plan)
    h = p.columns["x"].histogram
    assert h is not None
    assert h.counts == np.histogram(x, bins=edges)[0].tolist()
    assert (h.below, h.above) == (int((x < -4).sum()), int((x > 4).sum()))
    o = p.columns["x"].outliers
    assert o is not None
    assert (o.below, o.above) == (int((x < -6).sum()), int((x > 5).sum()))
    dist = np.maximum(-6 - x, x - 5)
    top = np.argsort(-dist, kind="stable")[:5]
    assert o.examples == [(int(i), float(x[i])) for i in top]


def test_edge_inputs() -> None:
    types = {"x": ColumnType.NUMERIC, "s": ColumnType.CATEGORICAL}
    empty = pl.DataFrame(
        {"x": pl.Series([], dtype=pl.Float64), "s": pl.Series([], dtype=pl.String)}
    )
    p = profile_frame(empty, _schema(empty, types))
    assert p.n_rows == 0
    assert p.columns["x"].count == 0
    assert p.columns["x"].numeric is not None
    assert math.isnan(p.columns["x"].numeric.quantile(0.5))
    assert math.isnan(p.columns["x"].missing_share)
    one = pl.DataFrame({"x": [2.5], "s": ["a"]})
    p1 = profile_frame(one, _schema(one, types))
    n1 = p1.columns["x"].numeric
    assert n1 is not None
    assert n1.min == n1.max == 2.5
    assert math.isnan(n1.moments.variance)
    nulls = pl.DataFrame(
        {"x": pl.Series([None] * 4, dtype=pl.Float64), "s": [None] * 4},
        schema={"x": pl.Float64, "s": pl.String},
    )
    pn = profile_frame(nulls, _schema(nulls, types))
    assert pn.columns["x"].null_count == 4
    assert pn.columns["x"].distinct == 0
    assert pn.rows_with_missing == 4
    assert pn.columns["s"].categories.counts == {}
    const = pl.DataFrame({"x": [7.0] * 10, "s": ["c"] * 10})
    pc = profile_frame(const, _schema(const, types))
    nc = pc.columns["x"].numeric
    assert nc is not None
    assert nc.moments.variance == 0
    assert math.isnan(nc.moments.skewness)
    assert pc.duplicate_rows == 9


def test_builder_batches_equal_one_frame(frame: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = frame
    plan = ScanPlan(sample_size=100, seed=3)
    whole = profile_frame(df, schema, plan)
    b = ProfileBuilder(schema, plan)
    for i in range(0, df.height, 999):
        b.add(df.slice(i, 999).to_arrow().to_batches()[0], i)
    parts = b.finish()
    assert parts.sample is not None
    assert whole.sample is not None
    assert parts.sample.equals(whole.sample)
    assert parts.sample.height == 100
    assert parts.duplicate_rows == whole.duplicate_rows
    assert parts.columns["s"].categories == whole.columns["s"].categories
