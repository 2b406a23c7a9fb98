"""quality.constant: constant, all-null and near-constant columns, by role."""

from __future__ import annotations

import math

import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.constant import Constant
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import CheckResult, Status
from mlaudit.summary import profile_frame

_DTYPE = {pl.String: "large_string", pl.Float64: "double", pl.Int64: "int64"}
_TYPE = {
    pl.String: ColumnType.CATEGORICAL,
    pl.Float64: ColumnType.NUMERIC,
    pl.Int64: ColumnType.INTEGER,
}


def _run(
    df: pl.DataFrame, roles: dict[str, Role] | None = None, **kw: float
) -> dict[str, CheckResult]:
    roles = roles or {}
    schema = Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype=_DTYPE[df.schema[c].base_type()],
                type=_TYPE[df.schema[c].base_type()],
                role=roles.get(c, Role.FEATURE),
            )
            for c in df.columns
        ]
    )
    ctx = CheckContext(current=profile_frame(df, schema), schema=schema)
    return {r.column or "": r for r in Constant(**kw).compute(ctx)}  # type: ignore[arg-type]


def test_constant_feature_warns_and_constant_target_fails() -> None:
    df = pl.DataFrame({"country": ["FR"] * 50, "default": [0] * 50, "ok": [1, 2] * 25})
    out = _run(df, {"default": Role.TARGET})
    assert out["country"].status is Status.WARN
    assert "'FR'" in out["country"].message
    assert out["default"].status is Status.FAIL
    assert "target" in out["default"].message
    assert out["ok"].status is Status.PASS
    assert out["ok"].metrics["top_value_share"] == 0.5


def test_all_null_column() -> None:
    df = pl.DataFrame(
        {"empty": [None] * 10, "pred": [None] * 10},
        schema={"empty": pl.Float64, "pred": pl.Float64},
    )
    out = _run(df, {"pred": Role.PREDICTION})
    assert out["empty"].status is Status.WARN
    assert "missing in all 10 rows" in out["empty"].message
    assert out["pred"].status is Status.FAIL


def test_constant_numeric_with_nan_is_still_constant() -> None:
    df = pl.DataFrame({"x": [3.0] * 9 + [float("nan")]})
    assert _run(df)["x"].status is Status.WARN
    df2 = pl.DataFrame({"x": [3.0] * 9 + [float("inf")]})
    assert _run(df2)["x"].status is Status.PASS  # 3.0 and inf: two values, top share 90%


def test_near_constant_feature_but_not_target() -> None:
    df = pl.DataFrame({"channel": ["web"] * 995 + ["branch"] * 5, "fraud": [0] * 995 + [1] * 5})
    out = _run(df, {"fraud": Role.TARGET})
    assert out["channel"].status is Status.WARN
    assert out["channel"].metrics["top_value_share"] == 995 / 1000
    assert "nearly constant" in out["channel"].message
    assert out["fraud"].status is Status.PASS
    assert "imbalance" in out["fraud"].message
    relaxed = _run(df, near_constant_share=0.999)
    assert relaxed["channel"].status is Status.PASS


def test_zero_inflated_numeric_is_near_constant() -> None:
    df = pl.DataFrame({"late_payments": [0.0] * 992 + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]})
    r = _run(df)["late_payments"]
    assert r.status is Status.WARN
    assert r.metrics["top_value_share"] == 0.992


def test_edge_inputs() -> None:
    empty = pl.DataFrame({"a": []}, schema={"a": pl.Float64})
    assert _run(empty)["a"].status is Status.SKIPPED
    one = pl.DataFrame({"ünicode naïve": ["x"]})
    assert _run(one)["ünicode naïve"].status is Status.WARN  # one row is one value
    ignored = pl.DataFrame({"a": [1, 1]})
    assert _run(ignored, {"a": Role.IGNORED}) == {}


def test_numeric_without_categories_uses_sample() -> None:
    df = pl.DataFrame({"x": [float(i) for i in range(100)]})
    r = _run(df)["x"]
    assert r.status is Status.PASS
    assert math.isclose(r.metrics["top_value_share"] or 0, 1 / 100)
