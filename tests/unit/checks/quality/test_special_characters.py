"""quality.special_characters on hand-made frames; counts by hand, p-values by scipy."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.special_characters import SpecialCharacters, show_special
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import CheckResult, Severity, Status, TableDetail
from mlaudit.summary import profile_frame

ZWSP, BOM = "\u200b", "\ufeff"


def _schema(personal: bool = False) -> Schema:
    col = ColumnSchema(
        name="v",
        dtype="large_string",
        type=ColumnType.CATEGORICAL,
        role=Role.FEATURE,
        personal=personal,
    )
    return Schema(columns=[col])


def _run(
    values: list[str | None], reference: list[str | None] | None = None, personal: bool = False
) -> CheckResult:
    schema = _schema(personal)

    def prof(v: list[str | None]):  # type: ignore[no-untyped-def]
        return profile_frame(pl.DataFrame({"v": v}, schema={"v": pl.String}), schema)

    ref = prof(reference) if reference is not None else None
    ctx = CheckContext(current=prof(values), schema=schema, reference=ref)
    (r,) = SpecialCharacters().compute(ctx)
    return r


def _pooled_p(x1: int, n1: int, x0: int, n0: int) -> float:
    """One-sided pooled two-proportion z test, by scipy's normal distribution."""
    p = (x1 + x0) / (n1 + n0)
    z = (x1 / n1 - x0 / n0) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    return float(stats.norm.sf(z))


# Hand count: 3 'Male' + ZWSP, 2 BOM + 'Female', 1 control, 1 replacement, 1 private use,
# 2 '###', 40 clean (accents and CJK among them), 1 null: 50 non-null values.
MIXED = (
    [f"Male{ZWSP}"] * 3
    + [f"{BOM}Female"] * 2
    + ["A\x01B", "caf\ufffd", "\ue000x", "###", "###"]
    + ["Male"] * 20
    + ["José", "Muñoz", "北京", "Zoë"] * 5
    + [None]
)


def test_hand_counts_without_reference() -> None:
    r = _run(MIXED)
    assert r.status is Status.WARN and r.severity is Severity.MEDIUM
    m = r.metrics
    assert m["values"] == 50
    assert (m["format_values"], m["control_values"]) == (5, 1)
    assert (m["replacement_values"], m["private_use_values"]) == (1, 1)
    assert (m["flagged_values"], m["symbol_values"]) == (8, 2)
    assert m["flagged_share"] == pytest.approx(8 / 50)
    (table,) = r.details
    assert isinstance(table, TableDetail)
    rows = {(row[1], row[2]) for row in table.rows}
    assert {("'Male\\u200b'", 3), ("'\\ufeffFemale'", 2), ("'A\\x01B'", 1)} <= rows
    assert {("'caf\\ufffd'", 1), ("'\\ue000x'", 1), ("###", 2)} <= rows


@pytest.mark.parametrize(
    "values",
    [
        ["José", "Muñoz", "北京市", "Zoë", "O'Brien", "a-b", "x\ty", "line\nbreak"],
        ["?", "-", "N/A", " ? ", "--", "Male"],  # missing markers: quality.disguised_missing's
        ["\u0628\u200c\u0627"],  # a zero-width non-joiner inside a Persian word
    ],
)
def test_clean_text_passes(values: list[str | None]) -> None:
    r = _run(values)
    assert r.status is Status.PASS, r.message
    assert r.metrics["flagged_values"] == r.metrics["symbol_values"] == 0


def test_stray_symbols_warn_low() -> None:
    r = _run(["A"] * 98 + ["***", "@@"])
    assert r.status is Status.WARN and r.severity is Severity.LOW
    assert r.metrics["symbol_values"] == 2


def test_symbols_as_vocabulary_pass() -> None:
    r = _run(["+", "++", "+++", "+", "A"])
    assert r.status is Status.PASS
    assert "vocabulary" in r.message


def test_same_share_as_reference_passes_with_the_evidence() -> None:
    cur = [f"a{ZWSP}"] * 5 + ["a"] * 95
    ref = [f"a{ZWSP}"] * 6 + ["a"] * 94
    r = _run(cur, ref)
    assert r.status is Status.PASS
    assert r.metrics["flagged_p_value"] == pytest.approx(_pooled_p(5, 100, 6, 100))
    assert r.details


def test_a_significant_rise_warns() -> None:
    cur = [f"a{ZWSP}"] * 30 + ["a"] * 70
    ref = [f"a{ZWSP}"] * 2 + ["a"] * 98
    r = _run(cur, ref)
    assert r.status is Status.WARN
    assert r.metrics["flagged_p_value"] == pytest.approx(_pooled_p(30, 100, 2, 100))
    assert r.metrics["flagged_p_value"] < 0.01


def test_reference_without_them_keeps_the_finding() -> None:
    r = _run([f"a{ZWSP}"] + ["a"] * 99, ["a"] * 100)
    assert r.status is Status.WARN and r.severity is Severity.MEDIUM


def test_personal_column_shows_shapes_only() -> None:
    r = _run([f"Jane{ZWSP}Doe", "Bob"], personal=True)
    assert r.status is Status.WARN
    (table,) = r.details
    assert [row[1] for row in table.rows] == ["'Aaaa\\u200bAaa'"]
    assert "Jane" not in str(r.model_dump())


def test_show_special_escapes_invisible_characters_only() -> None:
    assert show_special("plain é") == "plain é"
    assert show_special(f"x{ZWSP}") == "'x\\u200b'"
    assert show_special("a\tb\x7f") == "'a\\x09b\\x7f'"
