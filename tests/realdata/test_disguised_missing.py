"""quality.disguised_missing and declared missing markers on real tables.

Adult (UCI census income) writes unknown workclass, occupation and native country as ``' ?'``
(with the space after the separator) and top-codes capital gains at 99,999: both are found,
with the counts pandas gives.  Clean random halves of the real tables give no failure and
warnings at most at the test's level (1 %): their disguised shares are the same in both halves.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.data import Dataset, MissingMarkers
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

_CHECK = {"quality.disguised_missing": {}}
_MARKED = ("workclass", "occupation", "native_country")


def _adult_raw() -> tuple[pd.DataFrame, pl.DataFrame]:
    """Adult as written (``' ?'`` with its space), for pandas and for the audit."""
    raw = pd.read_csv(io.BytesIO(t.adult_csv()))
    raw.columns = [c.strip() for c in raw.columns]
    return raw, pl.from_pandas(raw)


def test_adult_question_marks_and_capital_gain_top_code_are_found() -> None:
    raw, df = _adult_raw()
    result = Audit(df, suite="none", checks=_CHECK).run()
    by = {r.column: r for r in result.checks}
    for name in _MARKED:
        expected = int(raw[name].value_counts()[" ?"])
        assert by[name].status == "warn"
        assert by[name].metrics["disguised"] == expected, name
        assert "' ?'" in by[name].message
    gains = int((raw["capital_gain"] == 99999).sum())
    assert by["capital_gain"].metrics["disguised"] == gains
    assert "99999" in by["capital_gain"].message
    quiet = {"age", "hours_per_week", "fnlwgt", "education_num", "capital_loss"}
    assert all(by[c].status == "pass" for c in quiet)


def test_adult_declared_markers_are_counted_as_missing() -> None:
    raw, df = _adult_raw()
    markers = MissingMarkers(("?",))
    checks = {"quality.completeness": {}, "quality.disguised_missing": {}}
    result = Audit(Dataset(df, missing_markers=markers), suite="none", checks=checks).run()
    by = {(r.id, r.column): r for r in result.checks}
    for name in _MARKED:
        expected = int(raw[name].value_counts()[" ?"])
        assert by["quality.completeness", name].metrics["missing"] == expected
        assert by["quality.disguised_missing", name].metrics["disguised"] == 0
    info = result.inputs[0].missing_markers
    assert info is not None
    assert info.counts["workclass"] == {"?": int((raw["workclass"] == " ?").sum())}


TABLES: dict[str, Callable[[], pl.DataFrame]] = {
    "adult_raw": lambda: _adult_raw()[1],
    **t.HALVES_TABLES,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_random_halves_give_no_failure_and_few_warnings(name: str) -> None:
    halves = t.audit_halves(TABLES[name](), range(10), _CHECK)  # no fail, no error
    judged, warned = halves.judged, halves.warned
    assert judged >= 10 * 5
    assert warned <= 0.01 * judged, f"{warned} warnings in {judged} results"
