"""quality.type_conformance: counts checked against numpy and plain Python parsing."""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.type_conformance import TypeConformance, nonconformity
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.results import Status
from mlaudit.summary import ColumnSummary, profile_frame

INF = float("inf")


def _ctx(df: pl.DataFrame, types: dict[str, ColumnType]) -> CheckContext:
    schema = Schema(
        columns=[ColumnSchema(name=c, dtype=str(df.schema[c]), type=types[c]) for c in df.columns]
    )
    return CheckContext(current=profile_frame(df, schema), schema=schema)


def _is_float(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def test_without_expectations_only_infinities_in_numeric_columns() -> None:
    x = np.array([1.0, INF, -INF, INF, np.nan, 2.0, 3.0, 4.0])
    df = pl.DataFrame({"amount": x, "label": ["a"] * 8})
    res = TypeConformance().compute(
        _ctx(df, {"amount": ColumnType.NUMERIC, "label": ColumnType.CATEGORICAL})
    )
    assert isinstance(res, list)
    assert [r.column for r in res] == ["amount"]
    (r,) = res
    n_inf = int(np.isinf(x).sum())
    n_valid = int((~np.isnan(x)).sum())  # NaN is missing, not a value
    assert r.metrics["nonconforming"] == n_inf == 3
    assert r.metrics["values"] == n_valid == 7
    assert r.metrics["nonconforming_share"] == 3 / 7
    assert r.status is Status.FAIL
    assert "(2 +inf, 1 -inf)" in r.message
    table = r.details[0]
    assert table.kind == "table"
    assert table.rows == [["+inf", 2], ["-inf", 1]]
    examples = r.details[1]
    assert examples.kind == "examples"
    assert len(examples.rows) == 3


def test_finite_numeric_passes() -> None:
    df = pl.DataFrame({"amount": [1.0, 2.5, None]})
    (r,) = TypeConformance().compute(_ctx(df, {"amount": ColumnType.NUMERIC}))  # type: ignore[misc]
    assert r.status is Status.PASS
    assert r.metrics["nonconforming"] == 0


def test_numbers_stored_as_text() -> None:
    values = ["1", " 2.5 ", "abc", None, "1e3", "n/a", "7"]
    df = pl.DataFrame({"income": values})
    expected_bad = sum(1 for v in values if v is not None and not _is_float(v))
    (r,) = TypeConformance(types={"income": ColumnType.NUMERIC}).compute(  # type: ignore[misc]
        _ctx(df, {"income": ColumnType.TEXT})
    )
    assert r.metrics["nonconforming"] == expected_bad == 2
    assert r.metrics["values"] == 6
    assert r.status is Status.FAIL
    assert "stored as String" in r.message
    ex = r.details[1]
    assert sorted(row[1] for row in ex.rows) == ["abc", "n/a"]


def test_all_numeric_text_still_warns_about_storage() -> None:
    df = pl.DataFrame({"income": ["1", "2", "3"]})
    (r,) = TypeConformance(types={"income": ColumnType.NUMERIC}).compute(  # type: ignore[misc]
        _ctx(df, {"income": ColumnType.CATEGORICAL})
    )
    assert r.metrics["nonconforming"] == 0
    assert r.status is Status.WARN


def test_integer_expectation_counts_fractions() -> None:
    x = [1.0, 2.5, 3.0, 4.25, None]
    df = pl.DataFrame({"n": x})
    expected = sum(1 for v in x if v is not None and not float(v).is_integer())
    (r,) = TypeConformance(types={"n": ColumnType.INTEGER}).compute(  # type: ignore[misc]
        _ctx(df, {"n": ColumnType.NUMERIC})
    )
    assert r.metrics["nonconforming"] == expected == 2
    assert sorted(row[1] for row in r.details[1].rows) == [2.5, 4.25]  # type: ignore[union-attr]


def test_boolean_and_datetime_expectations() -> None:
    df = pl.DataFrame(
        {
            "flag": ["yes", "no", "maybe", "Y", None],
            "when": ["2024-01-01"] * 5,
            "ok": [True, False, None, True, True],
        }
    )
    types = {"flag": ColumnType.CATEGORICAL, "when": ColumnType.TEXT, "ok": ColumnType.BOOLEAN}
    check = TypeConformance(
        types={
            "flag": ColumnType.BOOLEAN,
            "when": ColumnType.DATETIME,
            "ok": ColumnType.BOOLEAN,
        }
    )
    res = {r.column: r for r in check.compute(_ctx(df, types))}  # type: ignore[union-attr]
    assert res["flag"].metrics["nonconforming"] == 1  # "maybe"
    assert res["when"].status is Status.FAIL
    assert res["when"].metrics["nonconforming_share"] is None
    assert res["ok"].status is Status.PASS


def test_free_types_accept_anything() -> None:
    s = ColumnSummary(name="c", dtype="int64", type=ColumnType.INTEGER, count=3)
    found = nonconformity(s, ColumnType.CATEGORICAL)
    assert found is not None
    assert found.total == 0


def test_all_null_column_is_skipped() -> None:
    df = pl.DataFrame({"x": [None, None]}, schema={"x": pl.Float64})
    (r,) = TypeConformance().compute(_ctx(df, {"x": ColumnType.NUMERIC}))  # type: ignore[misc]
    assert r.status is Status.SKIPPED
