"""Where each check lives: its id and the module that defines (and registers) it.

An audit imports only the modules of the checks it runs: each check module costs 5-30 ms to
import (pydantic builds the option model), the families together about 0.3 s, a tenth of a
drift run.  A test checks that this table and the registered checks agree.
"""

from __future__ import annotations

__all__ = ["CHECK_MODULES"]

CHECK_MODULES: dict[str, str] = {
    "drift.dataset": "mlaudit.checks.drift.dataset",
    "drift.multivariate": "mlaudit.checks.drift.multivariate",
    "drift.over_time": "mlaudit.checks.drift.over_time",
    "drift.pca": "mlaudit.checks.drift.pca",
    "drift.univariate": "mlaudit.checks.drift.univariate",
    "fairness.four_fifths": "mlaudit.checks.fairness.four_fifths",
    "fairness.group_metrics": "mlaudit.checks.fairness.group_metrics",
    "leakage.event_time": "mlaudit.checks.leakage.event_time",
    "leakage.identifier": "mlaudit.checks.leakage.identifier",
    "leakage.shared_rows": "mlaudit.checks.leakage.shared_rows",
    "leakage.target_proxy": "mlaudit.checks.leakage.target_proxy",
    "operations.latency": "mlaudit.checks.operations.latency",
    "operations.onnx_conversion": "mlaudit.checks.operations.onnx_conversion",
    "operations.pruning": "mlaudit.checks.operations.pruning",
    "performance.benchmark": "mlaudit.checks.performance.benchmark",
    "performance.calibration": "mlaudit.checks.performance.calibration",
    "performance.challenger": "mlaudit.checks.performance.challenger",
    "performance.change_points": "mlaudit.checks.performance.change_points",
    "performance.estimate_vs_actual": "mlaudit.checks.performance.estimated",
    "performance.estimated": "mlaudit.checks.performance.estimated",
    "performance.metrics": "mlaudit.checks.performance.metrics",
    "performance.over_time": "mlaudit.checks.performance.over_time",
    "performance.rating_grades": "mlaudit.checks.performance.rating_grades",
    "performance.score_stability": "mlaudit.checks.performance.score_stability",
    "performance.weak_segments": "mlaudit.checks.performance.weak_segments",
    "quality.allowed_values": "mlaudit.checks.quality.allowed_values",
    "quality.cardinality": "mlaudit.checks.quality.cardinality",
    "quality.class_imbalance": "mlaudit.checks.quality.class_imbalance",
    "quality.completeness": "mlaudit.checks.quality.completeness",
    "quality.conflicting_labels": "mlaudit.checks.quality.conflicting_labels",
    "quality.constant": "mlaudit.checks.quality.constant",
    "quality.disguised_missing": "mlaudit.checks.quality.disguised_missing",
    "quality.duplicate_keys": "mlaudit.checks.quality.duplicate_keys",
    "quality.duplicate_rows": "mlaudit.checks.quality.duplicate_rows",
    "quality.feature_correlation": "mlaudit.checks.quality.feature_correlation",
    "quality.format_validity": "mlaudit.checks.quality.format_validity",
    "quality.inconsistent_categories": "mlaudit.checks.quality.inconsistent_categories",
    "quality.metric_history": "mlaudit.checks.quality.metric_history",
    "quality.mixed_types": "mlaudit.checks.quality.mixed_types",
    "quality.outliers": "mlaudit.checks.quality.outliers",
    "quality.over_time": "mlaudit.checks.quality.over_time",
    "quality.padding": "mlaudit.checks.quality.padding",
    "quality.pattern": "mlaudit.checks.quality.pattern",
    "quality.rare_formats": "mlaudit.checks.quality.rare_formats",
    "quality.required_columns": "mlaudit.checks.quality.required_columns",
    "quality.row_anomalies": "mlaudit.checks.quality.row_anomalies",
    "quality.row_count": "mlaudit.checks.quality.row_count",
    "quality.rules": "mlaudit.checks.quality.rules",
    "quality.schema_match": "mlaudit.checks.quality.schema_match",
    "quality.special_characters": "mlaudit.checks.quality.special_characters",
    "quality.string_length": "mlaudit.checks.quality.string_length",
    "quality.type_conformance": "mlaudit.checks.quality.type_conformance",
    "quality.value_range": "mlaudit.checks.quality.value_range",
    "robustness.category_swap": "mlaudit.checks.robustness.perturbation",
    "robustness.missing_values": "mlaudit.checks.robustness.perturbation",
    "robustness.numeric_noise": "mlaudit.checks.robustness.perturbation",
}
