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
    df = TABLES[name]()
    judged = warned = 0
    failed: list[str] = []
    for seed in SEEDS:
        ref, cur = t.random_halves(df, seed)
        report = Audit(
            cur, reference=ref, suite="none", checks={c: {} for c in REFERENCE_CHECKS}
        ).run()
        for r in report.checks:
            judged += r.status in ("pass", "warn", "fail")
            warned += r.status == "warn"
            if r.status in ("fail", "error"):
                failed.append(f"seed {seed}: {r.id} {r.column}: {r.message}")
    assert judged >= len(SEEDS) * 2  # the checks did run
    assert failed == []
    assert warned <= ALPHA * judged, f"{warned} warnings in {judged} results"


@pytest.mark.parametrize("name", ["compas", "adult"])
def test_level_findings_on_halves_are_findings_of_the_whole_table(name: str) -> None:
    df = TABLES[name]()
    checks = {c: {} for c in LEVEL_CHECKS}
    whole = Audit(df, suite="none", checks=checks).run()
    found = {(r.id, r.column) for r in whole.checks if r.status == "warn"}
    for seed in SEEDS[:4]:
        ref, cur = t.random_halves(df, seed)
        half = Audit(cur, reference=ref, suite="none", checks=checks).run()
        assert not [r for r in half.checks if r.status in ("fail", "error")]
        on_half = {(r.id, r.column) for r in half.checks if r.status == "warn"}
        assert on_half <= found, on_half - found
