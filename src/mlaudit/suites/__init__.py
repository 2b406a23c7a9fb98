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
    "MODEL_CHECKS",
    "NEEDS_REFERENCE",
    "SUITES",
    "SuiteName",
    "contract_checks",
    "dump_contract",
    "load_contract",
    "require_reference",
    "suggest_contract",
    "suite_checks",
]

SuiteName = Literal["data_quality", "drift", "full", "none"]

DATA_QUALITY: tuple[str, ...] = (
    "quality.row_count",
    "quality.schema_match",
    "quality.completeness",
    "quality.disguised_missing",
    "quality.duplicate_rows",
    "quality.duplicate_keys",
    "quality.conflicting_labels",
    "quality.class_imbalance",
    "quality.type_conformance",
    "quality.mixed_types",
    "quality.inconsistent_categories",
    "quality.padding",
    "quality.special_characters",
    "quality.string_length",
    "quality.value_range",
    "quality.allowed_values",
    "quality.format_validity",
    "quality.rare_formats",
    "quality.constant",
    "quality.cardinality",
    "quality.outliers",
    "quality.row_anomalies",
    "quality.feature_correlation",
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
    "performance.metrics",
    "performance.calibration",
    "performance.rating_grades",
    "performance.score_stability",
)

# Checks that run the model object itself (robustness, latency, challengers): they join an
# audit when it has a model (``--model``) and its suite is not "none".
MODEL_CHECKS: tuple[str, ...] = (
    "robustness.numeric_noise",
    "robustness.category_swap",
    "robustness.missing_values",
    "operations.latency",
    "operations.pruning",
    "operations.onnx_conversion",
    "performance.benchmark",
)

EXPLAIN: tuple[str, ...] = (
    "explain.permutation_importance",
    "explain.importance_drift",
    "explain.partial_dependence",
)
"""What drives the model (they run the model object; the drift one needs reference rows)."""
MODEL_CHECKS += EXPLAIN

MODEL: tuple[str, ...] = (
    "performance.weak_segments",
    "leakage.shared_rows",
    "leakage.target_proxy",
    "leakage.identifier",
)
"""Checks of the model's evaluation on the predictions-only path (each skips what it lacks:
a target, a prediction, reference data); ``leakage.event_time`` joins when configured."""

FAIRNESS: tuple[str, ...] = (
    "fairness.group_metrics",
    "fairness.four_fifths",
    "fairness.bias_audit",
    "fairness.proxies",
    "fairness.over_time",
)
"""Group fairness of the model's decisions (each skips without a sensitive attribute or a
prediction or score)."""

# Every family's default checks; checks that only make sense with options (patterns, rules)
# join an audit when its configuration names them.
FULL: tuple[str, ...] = DATA_QUALITY + tuple(i for i in DRIFT if i not in DATA_QUALITY)
FULL += MODEL + FAIRNESS

SUITES: dict[str, tuple[str, ...]] = {
    "data_quality": DATA_QUALITY,
    "drift": DRIFT,
    "full": FULL,
    "none": (),
}


NEEDS_REFERENCE: frozenset[str] = frozenset({"drift"})
"""Suites that compare two periods: without reference data they have nothing to compare."""


def require_reference(name: str, *, has_reference: bool) -> None:
    """A usage error when suite ``name`` compares periods and no reference was given."""
    if name in NEEDS_REFERENCE and not has_reference:
        raise ConfigError(
            f"the {name} suite compares the current data with reference data, and none was given",
            fix="pass --reference (data or a saved baseline, see mlaudit profile --out), "
            "or choose --suite data_quality",
        )


def suite_checks(name: str) -> list[str]:
    """The check ids of suite ``name``, in report order, limited to known checks."""
    registered = set(check_ids())
    if name not in SUITES:
        raise ConfigError(f"unknown suite {name!r}", fix=f"use one of: {', '.join(SUITES)}")
    return [i for i in SUITES[name] if i in registered]
