"""quality.special_characters and quality.string_length on real tables.

The tables hold names, charge descriptions, dates and codes; none holds a control, invisible or
undecodable character or a symbol-only value (checked here with ``unicodedata``), and their
lengths vary from fixed-width codes to free text.  Whole tables without a reference, and clean
random halves against each other, must give no finding; a planted zero-width space and a
planted 400-character value must be found.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable

import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

CHECKS = {"quality.special_characters": {}, "quality.string_length": {}}
SEEDS = range(10)
ALPHA = 0.01


def adult_as_shipped() -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(t.adult_csv()), infer_schema_length=None)


TABLES: dict[str, Callable[[], pl.DataFrame]] = {**t.HALVES_TABLES, "adult_raw": adult_as_shipped}


def _unusual(value: str) -> bool:
    return any(
        unicodedata.category(c) in ("Cc", "Cf", "Co") and c not in "\t\n\r\u200c\u200d"
        for c in value
    ) or ("\ufffd" in value)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_whole_tables_give_no_finding(name: str) -> None:
    df = TABLES[name]()
    for c in df.columns:  # the oracle: no unusual character anywhere
        if df[c].dtype == pl.String:
            assert not any(_unusual(v) for v in df[c].drop_nulls().unique().to_list())
    report = Audit(df, suite="none", checks=CHECKS).run()
    for r in report.checks:
        assert r.status in (Status.PASS, Status.SKIPPED), f"{r.id} {r.column}: {r.message}"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_random_halves_never_fail_and_warn_at_most_at_alpha(name: str) -> None:
    halves = t.audit_halves(TABLES[name](), SEEDS, CHECKS)  # no fail, no error
    judged, warned = halves.judged, halves.warned
    if name != "breast_cancer":  # all numeric: nothing to judge
        assert judged >= len(SEEDS)
    assert warned <= ALPHA * max(judged, 1), f"{warned} warnings in {judged} results"


def test_planted_defects_in_compas_are_found() -> None:
    df = t.compas()
    ref, cur = t.random_halves(df, 0)
    cur = cur.with_columns(
        pl.when(pl.int_range(pl.len()) < 5)
        .then(pl.col("race") + "\u200b")
        .otherwise(pl.col("race"))
        .alias("race"),
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("X" * 400))
        .otherwise(pl.col("c_case_number"))
        .alias("c_case_number"),
    )
    report = Audit(cur, reference=ref, suite="none", checks=CHECKS).run()
    found = {(r.id, r.column) for r in report.checks if r.status in (Status.WARN, Status.FAIL)}
    assert found == {
        ("quality.special_characters", "race"),
        ("quality.string_length", "c_case_number"),
    }
