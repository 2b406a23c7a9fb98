"""quality.rules: exact counts from the scan, sample fallback, errors; counts by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest
from pydantic import ValidationError

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.rules import RowRules, rule_violations
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.errors import ConfigError
from mlaudit.results import ExamplesDetail, Status
from mlaudit.summary import profile_frame
from mlaudit.summary._model import ScanPlan

RULES = {"adult": "age >= 18", "employment": "years_employed <= age - 14"}


def _frame() -> pl.DataFrame:
    # age 17 at rows 1 and 5 (adult); years_employed > age - 14 at rows 2 and 5; row 4 null age.
    return pl.DataFrame(
        {
            "age": [30, 17, 20, 45, None, 17, 60, 25],
            "years_employed": [10, 1, 9, 20, 3, 4, 40, 11],
            "name": ["a", "b", "c", "d", "e", "f", "g", "h"],
        }
    )


def _schema(personal: tuple[str, ...] = ()) -> Schema:
    return Schema(
        columns=[
            ColumnSchema(name="age", dtype="int64", type=ColumnType.INTEGER),
            ColumnSchema(name="years_employed", dtype="int64", type=ColumnType.INTEGER),
            ColumnSchema(
                name="name", dtype="large_string", type=ColumnType.TEXT, personal="name" in personal
            ),
        ]
    )


def _ctx(check: RowRules, df: pl.DataFrame, *, planned: bool = True) -> CheckContext:
    schema = _schema(personal=("name",))
    plan = check.scan_plan(ScanPlan()) if planned else ScanPlan()
    return CheckContext(current=profile_frame(df, schema, plan), schema=schema)


def test_exact_counts_from_the_scan() -> None:
    check = RowRules(rules=RULES)
    adult, employment = check.compute(_ctx(check, _frame()))
    assert adult.status is Status.FAIL
    assert adult.exact
    assert adult.metrics == {"violations": 2, "rows": 8, "violation_share": 2 / 8}
    assert "'adult'" in adult.message
    assert "2 of 8 rows" in adult.message
    ex = next(d for d in adult.details if isinstance(d, ExamplesDetail))
    assert ex.columns == ["row", "age"]
    assert ex.rows == [[1, 17], [5, 17]]
    assert employment.metrics["violations"] == 2  # rows 2 (9 > 6) and 5 (4 > 3)
    ex2 = next(d for d in employment.details if isinstance(d, ExamplesDetail))
    assert [r[0] for r in ex2.rows] == [2, 5]
    assert set(ex2.columns) == {"row", "age", "years_employed"}


def test_rule_that_holds_passes() -> None:
    check = RowRules(rules={"positive": "years_employed >= 0"})
    (r,) = check.compute(_ctx(check, _frame()))
    assert r.status is Status.PASS
    assert r.metrics["violations"] == 0


def test_max_share_allows_a_few_violations() -> None:
    check = RowRules(rules={"adult": "age >= 18"}, max_share=0.25)
    (r,) = check.compute(_ctx(check, _frame()))
    assert r.status is Status.PASS
    assert "within the 25.0% limit" in r.message


def test_sample_fallback_is_approximate_with_wilson_interval() -> None:
    check = RowRules(rules={"adult": "age >= 18"})
    (r,) = check.compute(_ctx(check, _frame(), planned=False))
    assert not r.exact
    assert r.status is Status.FAIL
    assert r.metrics["violations"] == 2
    assert r.metrics["rows"] == 8
    # Wilson score interval by hand: k=2, n=8, z=1.959964.
    k, n, z = 2, 8, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    b = r.bounds["violation_share"]
    assert b.low == pytest.approx(centre - half, abs=1e-9)
    assert b.high == pytest.approx(centre + half, abs=1e-9)


def test_invalid_expression_is_a_config_error() -> None:
    with pytest.raises(ValidationError, match="not a valid polars SQL expression"):
        RowRules(rules={"broken": "age >= "})


def test_rule_on_missing_column_is_an_error_result() -> None:
    check = RowRules(rules={"ghost": "ghost > 1", "adult": "age >= 18"})
    ghost, adult = check.compute(_ctx(check, _frame(), planned=False))
    assert ghost.status is Status.ERROR
    assert "ghost" in ghost.message
    assert adult.status is Status.FAIL


def test_scan_plan_adds_rules_and_rejects_conflicts() -> None:
    plan = RowRules(rules=RULES).scan_plan(ScanPlan(rules={"other": "age < 200"}))
    assert plan.rules == {"other": "age < 200", **RULES}
    with pytest.raises(ConfigError, match="adult"):
        RowRules(rules={"adult": "age > 21"}).scan_plan(plan)


def test_edge_inputs() -> None:
    assert RowRules().compute(_ctx(RowRules(), _frame()))[0].status is Status.SKIPPED
    check = RowRules(rules={"adult": "age >= 18"})
    (r,) = check.compute(_ctx(check, _frame().head(0)))
    assert r.status is Status.SKIPPED


def test_rule_violations_treats_null_as_satisfied() -> None:
    out = rule_violations(_frame(), "age >= 18")
    assert out.get_column("age").to_list() == [17, 17]
