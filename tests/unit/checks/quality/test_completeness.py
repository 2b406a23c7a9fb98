"""quality.completeness against counts taken independently with pandas (``isna``)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.completeness import Completeness, format_share
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import Status
from mlaudit.summary import profile_frame

NAN = float("nan")


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "income": [1.0, None, NAN, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],  # 2 of 10 missing
            "age": list(range(10)),  # none missing
            "région": ["a", None, "b", None, None, "c", "d", "e", "f", "g"],  # 3 of 10
            "junk": [None] * 10,
        },
        schema={"income": pl.Float64, "age": pl.Int64, "région": pl.String, "junk": pl.Float64},
    )


def _ctx(df: pl.DataFrame) -> CheckContext:
    types = {
        "income": ColumnType.NUMERIC,
        "age": ColumnType.INTEGER,
        "région": ColumnType.CATEGORICAL,
        "junk": ColumnType.NUMERIC,
    }
    schema = Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype=str(df.schema[c]),
                type=types[c],
                role=Role.IGNORED if c == "junk" else Role.FEATURE,
            )
            for c in df.columns
        ]
    )
    return CheckContext(current=profile_frame(df, schema), schema=schema)


def test_per_column_shares_and_statuses_match_pandas() -> None:
    df = _frame()
    oracle = df.to_pandas().isna().sum().to_dict()  # pandas counts NaN and None alike
    results = {r.column: r for r in Completeness().compute(_ctx(df))}
    assert "junk" not in results  # ignored role
    assert results["income"].metrics["missing"] == oracle["income"] == 2
    assert results["income"].metrics["missing_share"] == 0.2
    assert results["income"].status is Status.WARN  # 0.2 is not above the 0.2 failure limit
    assert results["income"].metrics["nan"] == 1
    assert results["income"].metrics["nulls"] == 1
    assert results["age"].status is Status.PASS
    assert results["age"].metrics["missing"] == 0
    assert results["région"].metrics["missing"] == oracle["région"] == 3
    assert results["région"].status is Status.FAIL
    assert results["income"].message == (
        "income is missing in 2 of 10 rows (20.0%), above the 5.0% warning limit."
    )
    assert "above the 20.0% failure limit" in results["région"].message


def test_dataset_level_rows_with_missing_is_informational() -> None:
    df = _frame()
    pdf = df.to_pandas()
    expected = int(pdf.isna().any(axis=1).sum())  # junk is all null: every row
    row = Completeness().compute(_ctx(df))[-1]
    assert row.column is None
    assert row.metrics["rows_with_missing"] == expected == 10
    assert row.status is Status.PASS
    table = row.details[0]
    assert table.kind == "table"
    assert [r[0] for r in table.rows][:2] == ["région", "income"]  # most missing first
    assert table.rows[0][3] == 3


def test_max_rows_missing_fails_above_limit() -> None:
    df = _frame().drop("junk")
    expected = int(df.to_pandas().isna().any(axis=1).sum())  # rows 1, 2, 3, 4
    row = Completeness(max_rows_missing=0.3).compute(_ctx_no_junk(df))[-1]
    assert row.metrics["rows_with_missing"] == expected == 4
    assert row.status is Status.FAIL
    assert "above the 30.0% limit" in row.message
    ok = Completeness(max_rows_missing=0.5).compute(_ctx_no_junk(df))[-1]
    assert ok.status is Status.PASS


def _ctx_no_junk(df: pl.DataFrame) -> CheckContext:
    types = {
        "income": ColumnType.NUMERIC,
        "age": ColumnType.INTEGER,
        "région": ColumnType.CATEGORICAL,
    }
    schema = Schema(
        columns=[ColumnSchema(name=c, dtype=str(df.schema[c]), type=types[c]) for c in df.columns]
    )
    return CheckContext(current=profile_frame(df, schema), schema=schema)


def test_contract_limits_override_defaults() -> None:
    df = _frame().drop("junk")
    check = Completeness(max_missing={"age": 0.0, "income": 0.1, "région": 0.5})
    res = {r.column: r for r in check.compute(_ctx_no_junk(df)) if r.column}
    assert res["age"].status is Status.PASS  # never missing, limit 0
    assert res["income"].status is Status.FAIL  # 20% > 10%
    assert res["income"].threshold is not None
    assert res["income"].threshold.fail == 0.1
    assert res["income"].threshold.warn is None
    assert res["région"].status is Status.PASS  # 30% <= 50%
    assert "the limit of 10.0%" in res["income"].message


def test_columns_option_restricts() -> None:
    res = Completeness(columns=["age"]).compute(_ctx_no_junk(_frame().drop("junk")))
    assert [r.column for r in res] == ["age", None]


def test_empty_frame_is_skipped() -> None:
    df = _frame().drop("junk").head(0)
    res = Completeness().compute(_ctx_no_junk(df))
    assert all(r.status is Status.SKIPPED for r in res)
    assert all("no rows" in r.message for r in res)


def test_large_random_share_matches_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=20_000)
    mask = rng.random(20_000) < 0.07
    x[mask] = np.nan
    df = pl.DataFrame({"x": x})
    schema = Schema(columns=[ColumnSchema(name="x", dtype="double", type=ColumnType.NUMERIC)])
    (r, _) = Completeness().compute(CheckContext(current=profile_frame(df, schema), schema=schema))
    assert r.metrics["missing"] == int(np.isnan(x).sum())
    assert math.isclose(r.metrics["missing_share"] or 0, np.isnan(x).mean())
    assert r.status is Status.WARN


def test_format_share() -> None:
    assert format_share(0.12) == "12.0%"
    assert format_share(0.0) == "0.0%"
    assert format_share(3e-5) == "0.003%"
    assert format_share(float("nan")) == "n/a"


def _with_missing(n: int, missing: int) -> pl.DataFrame:
    return pl.DataFrame({"x": [None] * missing + [1.0] * (n - missing)}, schema={"x": pl.Float64})


def _reference_ctx(cur: pl.DataFrame, ref: pl.DataFrame) -> CheckContext:
    schema = Schema(columns=[ColumnSchema(name="x", dtype="Float64", type=ColumnType.NUMERIC)])
    return CheckContext(
        current=profile_frame(cur, schema), schema=schema, reference=profile_frame(ref, schema)
    )


def _z_test(x1: int, n1: int, x0: int, n0: int) -> float:
    # pooled two-proportion z test, one-sided (rise), from scipy's normal survival function
    from scipy.stats import norm

    p = (x1 + x0) / (n1 + n0)
    z = (x1 / n1 - x0 / n0) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    return float(norm.sf(z))


def test_structural_missingness_as_high_as_in_the_reference_passes() -> None:
    ctx = _reference_ctx(_with_missing(2_000, 1_020), _with_missing(2_000, 1_000))
    (r, _rows) = Completeness().compute(ctx)
    assert r.status is Status.PASS
    assert r.metrics["missing_share"] == 0.51
    assert r.metrics["reference_missing_share"] == 0.5
    p = _z_test(1_020, 2_000, 1_000, 2_000)
    assert math.isclose(r.metrics["p_value"] or 0, p, rel_tol=1e-9)
    assert "against 50.0% in the reference" in r.message


def test_a_real_jump_in_missing_share_warns_then_fails() -> None:
    ref = _with_missing(2_000, 200)  # 10 %
    (warn, _) = Completeness().compute(_reference_ctx(_with_missing(2_000, 400), ref))
    assert math.isclose(warn.metrics["missing_share_increase"] or 0, 0.1)
    assert math.isclose(
        warn.metrics["p_value"] or 0, _z_test(400, 2_000, 200, 2_000), rel_tol=1e-9, abs_tol=1e-300
    )
    assert warn.status is Status.WARN
    (fail, _) = Completeness().compute(_reference_ctx(_with_missing(2_000, 700), ref))
    assert math.isclose(fail.metrics["missing_share_increase"] or 0, 700 / 2_000 - 200 / 2_000)
    assert fail.status is Status.FAIL


def test_a_rise_that_chance_explains_passes_and_a_contract_limit_stays_hard() -> None:
    # 4 of 40 against 1 of 40: a 7.5-point rise, but p > 1 % on so few rows
    ctx = _reference_ctx(_with_missing(40, 4), _with_missing(40, 1))
    (r, _) = Completeness().compute(ctx)
    assert _z_test(4, 40, 1, 40) > 0.01
    assert r.status is Status.PASS
    (hard, _) = Completeness(max_missing={"x": 0.05}).compute(ctx)
    assert hard.status is Status.FAIL
