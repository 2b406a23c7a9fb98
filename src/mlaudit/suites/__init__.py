"""Suites: named presets that expand into check ids.

A suite lists check ids; each check picks the columns it applies to from the schema's types and
roles, so a suite needs no column names.  ``full`` runs every family that exists.
"""

from __future__ import annotations

from typing import Literal

from mlaudit.checks import check_ids
from mlaudit.errors import ConfigError
from mlaudit.suites._contract import (
    contract_checks,
    dump_contract,
    load_contract,
    suggest_contract,
)

__all__ = [
    "SUITES",
    "SuiteName",
    "contract_checks",
    "dump_contract",
    "load_contract",
    "suggest_contract",
    "suite_checks",
]

SuiteName = Literal["data_quality", "drift", "full", "none"]

DATA_QUALITY: tuple[str, ...] = (
    "quality.row_count",
    "quality.schema_match",
    "quality.completeness",
    "quality.duplicate_rows",
    "quality.duplicate_keys",
    "quality.type_conformance",
    "quality.mixed_types",
    "quality.inconsistent_categories",
    "quality.value_range",
    "quality.allowed_values",
    "quality.constant",
    "quality.cardinality",
    "quality.outliers",
    "quality.row_anomalies",
    "quality.over_time",
)

DRIFT: tuple[str, ...] = (
    "quality.schema_match",
    "drift.univariate",
    "drift.dataset",
    "drift.multivariate",
    "drift.pca",
    "drift.over_time",
    "performance.over_time",
    "performance.change_points",
    "performance.estimated",
    "performance.estimate_vs_actual",
)

# Every family's default checks; checks that only make sense with options (patterns, rules)
# join an audit when its configuration names them.
FULL: tuple[str, ...] = DATA_QUALITY + tuple(i for i in DRIFT if i not in DATA_QUALITY)

SUITES: dict[str, tuple[str, ...]] = {
    "data_quality": DATA_QUALITY,
    "drift": DRIFT,
    "full": FULL,
    "none": (),
}


def suite_checks(name: str) -> list[str]:
    """The check ids of suite ``name``, in report order, limited to known checks."""
    registered = set(check_ids())
    if name not in SUITES:
        raise ConfigError(f"unknown suite {name!r}", fix=f"use one of: {', '.join(SUITES)}")
    return [i for i in SUITES[name] if i in registered]
