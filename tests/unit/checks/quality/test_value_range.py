"""quality.value_range: exact counts from scan rules and sketch estimates, against numpy."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.value_range import ValueRange, outside_count, range_rule
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.results import CheckResult, Status
from mlaudit.summary import ScanPlan, profile_frame

NAN, INF = float("nan"), float("inf")


def _schema(df: pl.DataFrame) -> Schema:
    return Schema(
        columns=[
            ColumnSchema(name=c, dtype=str(df.schema[c]), type=ColumnType.NUMERIC)
            for c in df.columns
        ]
    )


def _ctx(df: pl.DataFrame, check: ValueRange, plan: ScanPlan | None = None) -> CheckContext:
    schema = _schema(df)
    plan = check.scan_plan(plan or ScanPlan())
    return CheckContext(current=profile_frame(df, schema, plan), schema=schema)


def _outside(x: np.ndarray, lo: float | None, hi: float | None) -> int:
    v = x[~np.isnan(x)]
    lo_, hi_ = -np.inf if lo is None else lo, np.inf if hi is None else hi
    return int(((v < lo_) | (v > hi_)).sum())


def test_rule_counts_match_numpy_and_ignore_nan() -> None:
    x = np.array([17.0, 18.0, 45.0, 100.0, 101.0, NAN, 250.0, INF, 30.0, NAN])
    name = 'âge "years"'
    df = pl.DataFrame({name: x})
    check = ValueRange(bounds={name: (18, 100)})
    ctx = _ctx(df, check)
    assert ctx.current.rule_violations[f"range:{name}"] >= 4  # the scan ran the rule
    (r,) = check.compute(ctx)  # type: ignore[misc]
    assert r.metrics["outside"] == _outside(x, 18, 100) == 4
    assert r.metrics["values"] == int((~np.isnan(x)).sum()) == 8
    assert r.metrics["outside_share"] == 4 / 8
    assert r.status is Status.FAIL
    assert r.exact
    assert "4 of 8 values (50.0%) outside [18, 100]" in r.message
    ex = r.details[0]
    assert ex.kind == "examples"
    assert sorted(map(str, (row[1] for row in ex.rows))) == ["101.0", "17.0", "250.0", "inf"]


def test_one_sided_bounds() -> None:
    x = np.array([-5.0, 0.0, 3.0, NAN, 1e9])
    df = pl.DataFrame({"income": x})
    (lo_only,) = ValueRange(bounds={"income": (0, None)}).compute(  # type: ignore[misc]
        _ctx(df, ValueRange(bounds={"income": (0, None)}))
    )
    assert lo_only.metrics["outside"] == _outside(x, 0, None) == 1
    (hi_only,) = ValueRange(bounds={"income": (None, 1e6)}).compute(  # type: ignore[misc]
        _ctx(df, ValueRange(bounds={"income": (None, 1e6)}))
    )
    assert hi_only.metrics["outside"] == _outside(x, None, 1e6) == 1
    assert "outside [-inf, 1e+06]" in hi_only.message


def test_inside_passes_and_tolerance() -> None:
    a = np.linspace(0, 1, 101)
    df = pl.DataFrame({"a": a})
    check = ValueRange(bounds={"a": (0, 1)})
    (r,) = check.compute(_ctx(df, check))  # type: ignore[misc]
    assert r.status is Status.PASS
    assert r.metrics["outside"] == 0
    tolerant = ValueRange(bounds={"a": (0, 0.95)}, warn=0.01, fail=0.10)
    (t,) = tolerant.compute(_ctx(df, tolerant))  # type: ignore[misc]
    assert t.metrics["outside"] == _outside(a, 0, 0.95)
    assert t.status is Status.WARN


def test_range_rule_sql_quotes_names() -> None:
    assert range_rule('a"b', 1.5, None) == '"a""b" IS NULL OR ("a""b" >= 1.5)'
    assert range_rule("x", None, 2) == '"x" IS NULL OR ("x" <= 2.0)'


def test_sketch_estimate_without_rules_is_within_its_error() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=200_000)
    df = pl.DataFrame({"z": x})
    prof = profile_frame(df, _schema(df))  # no rules: the check falls back to the quantile sketch
    num = prof.columns["z"].numeric
    assert num is not None
    found = outside_count(num, -2.0, 2.5)
    truth_below, truth_above = int((x < -2.0).sum()), int((x > 2.5).sum())
    assert found.error > 0
    assert abs(found.below - truth_below) <= found.error
    assert abs(found.above - truth_above) <= found.error
    (r,) = ValueRange(bounds={"z": (-2.0, 2.5)}).compute(  # type: ignore[misc]
        CheckContext(current=prof, schema=_schema(df))
    )
    assert not r.exact
    assert "outside_share" in r.bounds
    b = r.bounds["outside_share"]
    assert b.low is not None
    assert b.high is not None
    assert b.low <= (truth_below + truth_above) / x.size <= b.high


def test_small_sketch_is_exact() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, -INF])
    prof = profile_frame(pl.DataFrame({"v": x}), _schema(pl.DataFrame({"v": x})))
    num = prof.columns["v"].numeric
    assert num is not None
    found = outside_count(num, 2.0, 4.0)
    assert (found.below, found.above, found.error) == (2.0, 1.0, 0.0)  # -inf and 1; 5


def test_reference_range_warns_with_histogram_counts() -> None:
    rng = np.random.default_rng(5)
    ref_x = rng.uniform(10, 20, size=1_000)
    cur_x = np.concatenate([rng.uniform(8, 22, size=1_000), [NAN]])
    ref_df, cur_df = pl.DataFrame({"t": ref_x}), pl.DataFrame({"t": cur_x})
    schema = _schema(ref_df)
    ref = profile_frame(ref_df, schema)
    edges = list(np.linspace(ref_x.min(), ref_x.max(), 31))
    ref2 = profile_frame(ref_df, schema, ScanPlan(histogram_edges={"t": edges}))
    cur = profile_frame(cur_df, schema, ScanPlan(histogram_edges={"t": edges}))
    ctx = CheckContext(current=cur, schema=schema, reference=ref2)
    (r,) = ValueRange().compute(ctx)  # type: ignore[misc]
    truth = _outside(cur_x, float(ref_x.min()), float(ref_x.max()))
    assert r.metrics["outside"] == truth
    assert r.metrics["below"] == int((cur_x < ref_x.min()).sum())
    assert r.status is Status.WARN
    assert r.exact
    assert any(d.kind == "distribution" for d in r.details)
    assert ref.columns["t"].numeric is not None


def test_no_bounds_no_reference_skipped_and_text_column_skipped() -> None:
    df = pl.DataFrame({"a": [1.0]})
    r = ValueRange().compute(_ctx(df, ValueRange()))
    assert not isinstance(r, list)
    assert r.status is Status.SKIPPED
    sdf = pl.DataFrame({"s": ["x"]})
    schema = Schema(columns=[ColumnSchema(name="s", dtype="str", type=ColumnType.TEXT)])
    (t,) = ValueRange(bounds={"s": (0, 1)}).compute(  # type: ignore[misc]
        CheckContext(current=profile_frame(sdf, schema), schema=schema)
    )
    assert t.status is Status.SKIPPED
    assert "not numeric" in t.message


@pytest.mark.parametrize("value", [NAN, None])
def test_only_missing_values_skipped(value: float | None) -> None:
    df = pl.DataFrame({"a": [value, value]}, schema={"a": pl.Float64})
    check = ValueRange(bounds={"a": (0, 1)})
    (r,) = check.compute(_ctx(df, check))  # type: ignore[misc]
    assert r.status is Status.SKIPPED


def _reference_result(ref_x: np.ndarray, cur_x: np.ndarray, **opts: float) -> CheckResult:
    ref_df, cur_df = pl.DataFrame({"t": ref_x}), pl.DataFrame({"t": cur_x})
    schema = _schema(ref_df)
    edges = list(np.linspace(ref_x.min(), ref_x.max(), 31))
    plan = ScanPlan(histogram_edges={"t": edges})
    ctx = CheckContext(
        current=profile_frame(cur_df, schema, plan),
        schema=schema,
        reference=profile_frame(ref_df, schema, plan),
    )
    (r,) = ValueRange(**opts).compute(ctx)  # type: ignore[misc]
    return r


def _hypergeom_tail(k: int, n: int, m: int) -> float:
    # P(the k largest of n + m pooled values are all current) = C(m, k) / C(n + m, k)
    return math.comb(m, k) / math.comb(n + m, k)


def test_a_few_values_beyond_the_reference_extreme_are_chance() -> None:
    rng = np.random.default_rng(11)
    ref_x = rng.normal(size=400)
    cur_x = np.concatenate([rng.normal(size=397), [ref_x.max() + 0.01] * 3])
    r = _reference_result(ref_x, cur_x)
    k = int((cur_x > ref_x.max()).sum())
    k_low = int((cur_x < ref_x.min()).sum())
    p = min(1.0, 2 * min(_hypergeom_tail(k, 400, 400), _hypergeom_tail(k_low, 400, 400)))
    assert r.metrics["above"] == k >= 3
    assert r.metrics["p_value"] == pytest.approx(p, rel=1e-9)
    assert r.metrics["expected_beyond_each_side"] == pytest.approx(400 / 401)
    assert p > 0.01
    assert r.status is Status.PASS
    assert "expected by chance" in r.message


def test_a_real_range_breach_warns() -> None:
    rng = np.random.default_rng(12)
    ref_x = rng.normal(size=400)
    # 12 values above the reference maximum: (1/2)^12 by exchangeability, far below 1%
    cur_x = np.concatenate([rng.normal(size=388), ref_x.max() + np.arange(1.0, 13.0)])
    r = _reference_result(ref_x, cur_x)
    k = int((cur_x > ref_x.max()).sum())
    k_low = int((cur_x < ref_x.min()).sum())
    p = min(1.0, 2 * min(_hypergeom_tail(k, 400, 400), _hypergeom_tail(k_low, 400, 400)))
    assert r.metrics["p_value"] == pytest.approx(p, rel=1e-9)
    assert p < 1e-3
    assert r.status is Status.WARN
    # farthest value beyond, in reference IQRs (numpy's inverted-CDF quartiles)
    q1, q3 = np.quantile(ref_x, [0.25, 0.75], method="inverted_cdf")
    far = (cur_x.max() - ref_x.max()) / (q3 - q1)
    assert r.metrics["beyond_in_iqr"] == pytest.approx(far, rel=1e-9)
    # a share floor above the breach keeps it quiet
    assert _reference_result(ref_x, cur_x, warn=0.05).status is Status.PASS


def test_declared_bounds_stay_hard_limits() -> None:
    df = pl.DataFrame({"a": [1.0, 2.0, 3.0, 101.0]})
    check = ValueRange(bounds={"a": (0.0, 100.0)})
    (r,) = check.compute(_ctx(df, check))  # type: ignore[misc]
    assert r.status is Status.FAIL
    assert r.metrics["outside"] == 1
