"""quality.outliers: engine fences (two passes) and the robust-z sample fallback."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from scipy import stats

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.outliers import Outliers
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.engines._local import profile
from mlaudit.results import CheckResult, ExamplesDetail, NoteDetail, Status
from mlaudit.summary import profile_frame
from mlaudit.summary._model import ScanPlan


class _Frame:
    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.df.to_arrow().to_batches(max_chunksize=4096)


def _schema(df: pl.DataFrame, roles: dict[str, Role] | None = None) -> Schema:
    roles = roles or {}
    return Schema(
        columns=[
            ColumnSchema(
                name=c, dtype="double", type=ColumnType.NUMERIC, role=roles.get(c, Role.FEATURE)
            )
            for c in df.columns
        ]
    )


def _two_pass(
    df: pl.DataFrame, roles: dict[str, Role] | None = None, **kw: object
) -> dict[str, CheckResult]:
    schema = _schema(df, roles)
    ctx = CheckContext(current=profile(_Frame(df), schema, ScanPlan()), schema=schema)
    return {r.column or "": r for r in Outliers(**kw).compute(ctx)}  # type: ignore[arg-type]


def _planted(n: int, k: int, seed: int = 0) -> tuple[pl.DataFrame, np.ndarray]:
    x = np.random.default_rng(seed).normal(50_000, 10_000, size=n)
    x[np.arange(k) * (n // k)] = 9_999_999.0  # sentinel codes
    return pl.DataFrame({"income": x}), x


def _robust_fences(x: np.ndarray) -> tuple[float, float]:
    """Oracle for the engine's fences, from numpy quantiles and scipy's normal quantiles."""
    q10, q25, q50, q75, q90 = np.quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9], method="inverted_cdf")
    iqr_per_q90 = (stats.norm.ppf(0.75) - stats.norm.ppf(0.25)) / stats.norm.ppf(0.9)
    lo = max(q75 - q25, iqr_per_q90 * (q50 - q10))
    hi = max(q75 - q25, iqr_per_q90 * (q90 - q50))
    return q25 - 3 * lo, q75 + 3 * hi


def _exact_tukey_count(x: np.ndarray) -> int:
    q1, q3 = np.percentile(x, [25, 75])
    return int(((x < q1 - 3 * (q3 - q1)) | (x > q3 + 3 * (q3 - q1))).sum())


def test_planted_sentinels_warn_with_examples() -> None:
    df, x = _planted(20_000, 40)
    assert _exact_tukey_count(x) == 40  # oracle: exact quartiles agree with the planting
    r = _two_pass(df)["income"]
    assert r.metrics["outliers"] == 40
    assert r.metrics["above"] == 40
    assert r.metrics["outlier_share"] == 40 / 20_000
    assert r.status is Status.WARN  # 0.2% > 0.1%
    assert r.exact  # 20,000 values: the quantile sketch holds them all, the quartiles are exact
    assert r.metrics["quantile_rank_error"] == 0.0
    lo, hi = _robust_fences(x)
    assert r.metrics["lower_fence"] == pytest.approx(lo, rel=1e-6)
    assert r.metrics["upper_fence"] == pytest.approx(hi, rel=1e-6)
    note = next(d for d in r.details if isinstance(d, NoteDetail))
    assert "The quantiles are exact." in note.text
    ex = next(d for d in r.details if isinstance(d, ExamplesDetail))
    assert all(row[1] == 9_999_999.0 and row[2] == "above" for row in ex.rows)
    assert {row[0] for row in ex.rows} <= {i * 500 for i in range(40)}
    assert any(d.kind == "distribution" for d in r.details)


def test_large_column_fences_carry_a_hard_rank_error_bound() -> None:
    df, x = _planted(200_000, 100)  # beyond the sketch's 131,072 exact values
    schema = _schema(df)
    prof = profile(_Frame(df), schema, ScanPlan())
    (r,) = Outliers().compute(CheckContext(current=prof, schema=schema))
    num = prof.columns["income"].numeric
    assert num is not None
    err = r.metrics["quantile_rank_error"]
    assert err == num.quantile_rank_error
    assert isinstance(err, float)
    assert 0 < err < 0.005
    assert not r.exact
    xs = np.sort(x)
    for q in (0.25, 0.75):  # oracle: true ranks of the sketch's quartiles, from the sorted data
        v = num.quantile(q)
        assert np.searchsorted(xs, v, side="left") / xs.size <= q + err
        assert np.searchsorted(xs, v, side="right") / xs.size >= q - err
    lo, hi = r.metrics["lower_fence"], r.metrics["upper_fence"]
    assert isinstance(lo, float)
    assert isinstance(hi, float)
    assert r.metrics["outliers"] == int(((x < lo) | (x > hi)).sum())  # counts given fences: exact
    note = next(d for d in r.details if isinstance(d, NoteDetail))
    assert "rank error" in note.text
    assert "hard bound, not a probability" in note.text


def test_clean_normal_passes_and_heavy_contamination_fails() -> None:
    clean = pl.DataFrame({"x": np.random.default_rng(1).normal(size=20_000)})
    assert _two_pass(clean)["x"].status is Status.PASS
    df, _ = _planted(10_000, 600)
    assert _two_pass(df)["income"].status is Status.WARN  # 6%: without a reference, never fail


def test_column_limits_override() -> None:
    df, _ = _planted(10_000, 20)
    r = _two_pass(df, column_limits={"income": (0.01, None)})["income"]
    assert r.status is Status.PASS
    assert r.threshold is not None
    assert r.threshold.warn == 0.01


def test_skipped_roles() -> None:
    df = pl.DataFrame({"id": [1.0, 2.0], "target": [0.0, 1.0], "score": [0.1, 0.9]})
    roles = {"id": Role.ID, "target": Role.TARGET, "score": Role.SCORE}
    assert _two_pass(df, roles) == {}


def test_sample_fallback_matches_scipy_robust_z() -> None:
    x = np.random.default_rng(2).lognormal(size=3_000)
    df = pl.DataFrame({"amount": x})
    schema = _schema(df)
    prof = profile_frame(df, schema)
    assert prof.columns["amount"].outliers is None
    (r,) = Outliers().compute(CheckContext(current=prof, schema=schema))
    z = (x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")
    expected = int((np.abs(z) > 4.72).sum())
    assert expected > 0
    assert r.metrics["outliers"] == expected
    assert r.metrics["sample_values"] == 3_000
    assert not r.exact
    assert "outlier_share" in r.bounds
    b = r.bounds["outlier_share"]
    assert b.low is not None
    assert b.high is not None
    assert b.low <= expected / 3_000 <= b.high
    ex = next(d for d in r.details if isinstance(d, ExamplesDetail))
    assert ex.rows[0][1] == pytest.approx(x.max())  # most extreme first


def test_edge_inputs() -> None:
    cases = {
        "empty": pl.DataFrame({"a": []}, schema={"a": pl.Float64}),
        "nulls": pl.DataFrame({"a": [None, None]}, schema={"a": pl.Float64}),
        "one": pl.DataFrame({"a": [1.0]}),
        "constant": pl.DataFrame({"a": [2.0] * 100}),
        "nan_inf": pl.DataFrame({"a": [1.0, 2.0, float("nan"), float("inf"), 3.0]}),
    }
    for name, df in cases.items():
        for r in _two_pass(df).values():
            assert r.status in (Status.SKIPPED, Status.PASS, Status.WARN, Status.FAIL), name
        schema = _schema(df)
        ctx = CheckContext(current=profile_frame(df, schema), schema=schema)
        Outliers().compute(ctx)
    assert _two_pass(cases["empty"])["a"].status is Status.SKIPPED
    assert _two_pass(cases["constant"])["a"].status is Status.SKIPPED
