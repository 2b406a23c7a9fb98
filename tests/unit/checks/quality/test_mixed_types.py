"""quality.mixed_types on hand-made frames whose counts are known."""

from __future__ import annotations

import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.mixed_types import MixedTypes, numeric_texts, type_mix
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import Status
from mlaudit.summary import profile_frame


def _ctx(
    df: pl.DataFrame, personal: tuple[str, ...] = (), role: Role = Role.FEATURE
) -> CheckContext:
    schema = Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="large_string",
                type=ColumnType.CATEGORICAL,
                role=role,
                personal=c in personal,
            )
            for c in df.columns
        ]
    )
    return CheckContext(current=profile_frame(df, schema), schema=schema)


def _run(values: list[str | None], **kw: object) -> list:  # type: ignore[type-arg]
    df = pl.DataFrame({"years_at_address": values}, schema={"years_at_address": pl.String})
    return MixedTypes(**kw).compute(_ctx(df))  # type: ignore[arg-type]


def test_numeric_column_with_words_warns_and_lists_them() -> None:
    values = ["12"] * 500 + ["3"] * 480 + ["unknown"] * 15 + ["n/a"] * 5
    (r,) = _run(values)
    assert r.status is Status.WARN
    assert r.column == "years_at_address"
    assert r.metrics["numeric_values"] == 980
    assert r.metrics["non_numeric_values"] == 20
    assert r.metrics["non_numeric_share"] == 20 / 1000
    assert "20 of 1,000" in r.message
    assert "2.0%" in r.message
    (table,) = r.details
    assert table.rows == [["unknown", 15], ["n/a", 5]]


def test_all_numeric_passes() -> None:
    (r,) = _run(["1", "2", " 3 ", "4.5"] * 10)
    assert r.status is Status.PASS
    assert r.metrics["non_numeric_values"] == 0


def test_text_majority_is_not_a_mix() -> None:
    (r,) = _run(["clerk"] * 900 + ["0"] * 100)
    assert r.status is Status.PASS
    assert r.metrics["non_numeric_share"] == 0.9


def test_minority_below_min_share_passes() -> None:
    values = [str(i % 50) for i in range(9999)] + ["x"]
    (r,) = _run(values)
    assert r.status is Status.PASS
    assert r.metrics["non_numeric_share"] == 1 / 10_000
    (r2,) = _run(values, min_share=0.00005)
    assert r2.status is Status.WARN


def test_blank_and_null_values_count_on_neither_side() -> None:
    (r,) = _run(["1"] * 90 + [""] * 5 + ["  "] * 3 + [None] * 2)
    assert r.status is Status.PASS
    assert r.metrics["values"] == 90
    assert r.metrics["non_numeric_values"] == 0


def test_edge_inputs_do_not_crash() -> None:
    (empty,) = _run([])
    assert empty.status is Status.SKIPPED
    (nulls,) = _run([None, None])
    assert nulls.status is Status.SKIPPED
    (one,) = _run(["7"])
    assert one.status is Status.PASS


def test_personal_column_warns_without_listing_values() -> None:
    df = pl.DataFrame({"ñame ü": ["1"] * 95 + ["secret"] * 5})
    (r,) = MixedTypes().compute(_ctx(df, personal=("ñame ü",)))
    assert r.status is Status.WARN
    assert r.details == []


def test_ignored_columns_are_left_out() -> None:
    df = pl.DataFrame({"a": ["1", "x"]})
    assert MixedTypes().compute(_ctx(df, role=Role.IGNORED)) == []


def test_numeric_texts_rule() -> None:
    assert numeric_texts(["12", " -3.5 ", "1e3", "unknown", "1,000", "", "nan"]) == [
        True,
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    mix = type_mix(100, 60, blank=10)
    assert (mix.numeric, mix.other, mix.total) == (60, 30, 90)
