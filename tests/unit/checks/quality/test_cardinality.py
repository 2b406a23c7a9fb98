"""quality.cardinality: identifier-like and many-level columns, counts by construction."""

from __future__ import annotations

import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.cardinality import Cardinality
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import CheckResult, Status
from mlaudit.summary import profile_frame


def _run(
    df: pl.DataFrame,
    types: dict[str, ColumnType] | None = None,
    roles: dict[str, Role] | None = None,
    **kw: int,
) -> dict[str, CheckResult]:
    types, roles = types or {}, roles or {}
    schema = Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="large_string",
                type=types.get(c, ColumnType.CATEGORICAL),
                role=roles.get(c, Role.FEATURE),
            )
            for c in df.columns
        ]
    )
    ctx = CheckContext(current=profile_frame(df, schema), schema=schema)
    return {r.column or "": r for r in Cardinality(**kw).compute(ctx)}


def test_unique_values_look_like_an_identifier() -> None:
    df = pl.DataFrame({"customer_ref": [f"C{i:05d}" for i in range(200)]})
    r = _run(df)["customer_ref"]
    assert r.status is Status.WARN
    assert "identifier" in r.message
    assert r.metrics["distinct"] == 200
    assert r.metrics["distinct_share"] == 1.0


def test_declared_id_role_is_not_checked() -> None:
    df = pl.DataFrame({"customer_ref": [f"C{i:05d}" for i in range(200)]})
    assert _run(df, roles={"customer_ref": Role.ID}) == {}


def test_share_at_limit_warns_and_below_min_rows_passes() -> None:
    # 190 distinct in 200 rows: share exactly 0.95 (limit is inclusive).
    df = pl.DataFrame({"c": [f"v{i}" for i in range(190)] + ["v0"] * 10})
    assert _run(df)["c"].status is Status.WARN
    small = pl.DataFrame({"c": [f"v{i}" for i in range(99)]})
    assert _run(small)["c"].status is Status.PASS


def test_too_many_levels_for_a_categorical() -> None:
    df = pl.DataFrame({"postcode": [f"P{i % 1500}" for i in range(3000)]})
    r = _run(df)["postcode"]
    assert r.status is Status.WARN
    assert "1,000 levels" in r.message
    assert r.metrics["distinct_share"] == 0.5
    # free text is not judged by levels
    assert _run(df, types={"postcode": ColumnType.TEXT})["postcode"].status is Status.PASS
    assert _run(df, max_levels=2000)["postcode"].status is Status.PASS


def test_edge_inputs() -> None:
    one_level = pl.DataFrame({"c": ["a"] * 300})
    assert _run(one_level)["c"].status is Status.SKIPPED
    nulls = pl.DataFrame({"c": [None, None]}, schema={"c": pl.String})
    assert _run(nulls)["c"].status is Status.SKIPPED
    empty = pl.DataFrame({"ç": []}, schema={"ç": pl.String})
    assert _run(empty)["ç"].status is Status.SKIPPED
