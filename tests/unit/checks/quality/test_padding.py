"""quality.padding on hand-made frames whose padding is counted by hand."""

from __future__ import annotations

import polars as pl
import pytest

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.padding import Padding, strip_padding
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import CheckResult, Severity, Status
from mlaudit.summary import merge, profile_frame

NBSP = "\u00a0"


def _schema(df: pl.DataFrame, personal: tuple[str, ...] = ()) -> Schema:
    return Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="large_string",
                type=ColumnType.CATEGORICAL,
                role=Role.FEATURE,
                personal=c in personal,
            )
            for c in df.columns
        ]
    )


def _run(
    values: list[str | None],
    reference: list[str | None] | None = None,
    personal: tuple[str, ...] = (),
) -> CheckResult:
    df = pl.DataFrame({"v": values}, schema={"v": pl.String})
    schema = _schema(df, personal)
    ref = None
    if reference is not None:
        ref_df = pl.DataFrame({"v": reference}, schema={"v": pl.String})
        ref = profile_frame(ref_df, schema)
    ctx = CheckContext(current=profile_frame(df, schema), schema=schema, reference=ref)
    (r,) = Padding().compute(ctx)
    return r


# Hand count: 3 leading only (' a' x2, '\tb'), 2 trailing only ('c '), 4 both (NBSP 'd' NBSP
# x4), 5 clean ('e'), 2 blank ('  ', ''), 1 null: 14 non-blank values, 9 padded.
MIXED = [" a", " a", "\tb", "c ", "c "] + [f"{NBSP}d{NBSP}"] * 4 + ["e"] * 5 + ["  ", "", None]


def test_hand_counts_of_leading_trailing_both_and_kinds() -> None:
    r = _run(MIXED)
    assert r.status is Status.WARN
    assert r.severity is Severity.MEDIUM
    m = r.metrics
    assert (m["values"], m["padded_values"]) == (14, 9)
    assert (m["leading"], m["trailing"], m["both_ends"]) == (7, 6, 4)
    assert m["padded_share"] == pytest.approx(9 / 14)
    assert (m["space_values"], m["tab_values"], m["nbsp_values"]) == (4, 1, 4)
    assert "9 of 14 non-blank values" in r.message
    assert "3 at the start only, 2 at the end only, 4 at both ends" in r.message
    assert "non-breaking spaces (4)" in r.message


def test_examples_are_quoted_with_the_whitespace_visible() -> None:
    (table,) = _run(MIXED).details
    rows = {row[0]: row for row in table.rows}
    assert set(rows) == {"' a'", "'\\tb'", "'c '", "'\\xa0d\\xa0'"}
    assert rows["'\\xa0d\\xa0'"][1:3] == [4, "1 character at the start and 1 character at the end"]
    assert rows["' a'"][1] == 2


def test_clean_column_passes() -> None:
    r = _run(["a", "b c", "d"] * 5)
    assert r.status is Status.PASS
    assert r.metrics["padded_values"] == 0


def test_systematic_padding_is_a_low_warning_with_the_fix() -> None:
    r = _run([" Private", " State-gov", " Private", " ?"])
    assert r.status is Status.WARN
    assert r.severity is Severity.LOW
    assert "every one of the 4 non-blank values of v starts with whitespace" in r.message
    assert "skip_initial_space" in r.message


def test_padded_values_that_collide_name_the_pair_and_refer_to_inconsistent_categories() -> None:
    r = _run(["Male"] * 10 + [" Male"] * 2 + ["Female"] * 8)
    assert r.metrics["values_equal_to_another_when_stripped"] == 1
    assert "' Male' and 'Male'" in r.message
    assert "quality.inconsistent_categories" in r.message
    assert r.details[0].rows[0][3] is True


def test_personal_columns_give_counts_but_no_values() -> None:
    r = _run([" jane", "bob", " ann"], personal=("v",))
    assert r.status is Status.WARN
    assert r.metrics["padded_values"] == 2
    assert r.details == []
    assert "jane" not in r.message and "ann" not in r.message


def test_same_padding_in_the_reference_passes_with_a_note() -> None:
    r = _run([" a", " b"] * 50, reference=[" a", " b", " c"] * 40)
    assert r.status is Status.PASS
    assert "The reference has the same padding" in r.message
    assert r.metrics["reference_padded_share"] == 1.0


def test_a_padded_share_that_rose_warns_despite_a_padded_reference() -> None:
    # 50 of 100 padded against 1 of 100: the pooled z test gives p far below 1 %.
    r = _run([" a"] * 50 + ["a"] * 50, reference=[" a"] + ["a"] * 99)
    assert r.status is Status.WARN
    assert r.metrics["p_value"] < 0.01


def test_padding_absent_from_the_reference_warns() -> None:
    r = _run([" a", "b"] * 10, reference=["a", "b"] * 10)
    assert r.status is Status.WARN


def test_counts_merge_across_batches() -> None:
    df1 = pl.DataFrame({"v": [" a", "b "]})
    df2 = pl.DataFrame({"v": ["\ta\t", "b"]})
    schema = _schema(df1)
    both = merge(profile_frame(df1, schema), profile_frame(df2, schema))
    t = both.columns["v"].text
    assert t is not None
    assert (t.leading_count, t.trailing_count, t.both_count) == (2, 2, 1)
    assert t.padding_kinds == {"space": 2, "tab": 1}


def test_strip_padding_strips_unicode_whitespace_only() -> None:
    assert strip_padding("\u3000x\u2009\n") == "x"
    assert strip_padding("\u200bx") == "\u200bx"  # zero-width space is not White_Space
