"""quality.format_validity on clean random halves of real tables: nothing to find.

Only COMPAS has a column of a well-known format, ``dob`` (ISO dates, all valid): it passes.
German credit's ``telephone`` ("none"/"yes") is named like a phone column and must be recognised
as not one (skipped, never warn or fail).  The other tables have nothing to judge.
"""

from __future__ import annotations

import pytest

from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

SEEDS = range(5)
TABLES = t.HALVES_TABLES


@pytest.mark.parametrize("name", sorted(TABLES))
def test_no_false_alarm_on_random_halves(name: str) -> None:
    df = TABLES[name]()
    checks = {"quality.format_validity": {}}
    current_rows = df.height - df.height // 2  # random_halves' second half
    for results in t.audit_halves(df, SEEDS, checks).results.values():  # no fail, no error
        mine = [r for r in results if r.id == "quality.format_validity"]
        if name == "german":
            (phone,) = mine
            assert phone.status is Status.SKIPPED and phone.column == "telephone"
            assert "do not look like phone numbers" in phone.message
        elif name == "compas":
            (dob,) = mine
            assert dob.status is Status.PASS and dob.column == "dob"
            assert dob.metrics["invalid"] == 0 and dob.metrics["values"] == current_rows
        else:
            assert mine == []
