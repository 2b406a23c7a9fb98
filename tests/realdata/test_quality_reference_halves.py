"""Reference-based quality checks on clean random halves of real tables: nothing to find.

The two halves of a table are exchangeable samples of one population, so any warning of a
check that compares current with reference data is a false alarm.  The checks test at
``alpha = 1 %``; over the seeds, their warnings may not exceed that share of their results
(pooled per table) and none may fail.  The level checks (constant, cardinality, inconsistent
spellings) do not compare with the reference: what they report on a half must be a finding of
the whole table, not of the split.
"""

from __future__ import annotations

import pytest

from mlaudit import Audit
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

SEEDS = range(10)
ALPHA = 0.01
REFERENCE_CHECKS = (
    "quality.value_range",
    "quality.completeness",
    "quality.duplicate_rows",
    "quality.allowed_values",
)
LEVEL_CHECKS = ("quality.constant", "quality.cardinality", "quality.inconsistent_categories")
TABLES = t.HALVES_TABLES


@pytest.mark.parametrize("name", sorted(TABLES))
def test_reference_checks_stay_quiet_on_random_halves(name: str) -> None:
    checks = {c: {} for c in REFERENCE_CHECKS}
    halves = t.audit_halves(TABLES[name](), SEEDS, checks)  # no fail, no error
    judged, warned = halves.judged, halves.warned
    assert judged >= len(SEEDS) * 2  # the checks did run
    assert warned <= ALPHA * judged, f"{warned} warnings in {judged} results"


@pytest.mark.parametrize("name", ["compas", "adult"])
def test_level_findings_on_halves_are_findings_of_the_whole_table(name: str) -> None:
    df = TABLES[name]()
    checks = {c: {} for c in LEVEL_CHECKS}
    whole = Audit(df, suite="none", checks=checks).run()
    found = {(r.id, r.column) for r in whole.checks if r.status == "warn"}
    for results in t.audit_halves(df, SEEDS[:4], checks).results.values():  # no fail, error
        on_half = {(r.id, r.column) for r in results if r.status == "warn"}
        assert on_half <= found, on_half - found
