"""quality.outliers and quality.row_anomalies on random halves of real tables: no false alarms."""

from __future__ import annotations

import polars as pl
import pytest

from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

TABLES = t.HALVES_TABLES


def _statuses(df: pl.DataFrame, check: str, seeds: range) -> list[str]:
    """The statuses of ``check`` on random halves (none fails or errs)."""
    halves = t.audit_halves(df, seeds, {check: {}})
    return [c.status.value for c in halves.all]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_outliers_on_random_halves_never_fail_and_rarely_warn(name: str) -> None:
    statuses = _statuses(TABLES[name](), "quality.outliers", range(8))
    assert "fail" not in statuses
    assert statuses.count("warn") <= max(1, round(0.01 * len(statuses)))  # alpha = 0.01


@pytest.mark.parametrize("name", sorted(TABLES))
def test_row_anomalies_on_random_halves_pass(name: str) -> None:
    statuses = _statuses(TABLES[name](), "quality.row_anomalies", range(3))
    assert statuses.count("warn") <= 1
    assert "fail" not in statuses
