"""mlaudit: audit machine-learning models and their data.

The public API is listed in ``__all__``; everything else may change between releases.
"""

from __future__ import annotations

from mlaudit.audit import Audit, explain_rows, export_reasons, profile_data, reasons_frame
from mlaudit.checks import Check, CheckContext, list_checks, register
from mlaudit.config import AuditConfig, Settings, WindowConfig, load_config
from mlaudit.data import ColumnType, Dataset, Role, Schema
from mlaudit.errors import (
    ConfigError,
    DataError,
    MLAuditError,
    MLAuditWarning,
    UndefinedMetricWarning,
)
from mlaudit.report import load_result, write_reports
from mlaudit.results import AuditResult, CheckResult, Severity, Status

__all__ = [
    "Audit",
    "AuditConfig",
    "AuditResult",
    "Check",
    "CheckContext",
    "CheckResult",
    "ColumnType",
    "ConfigError",
    "DataError",
    "Dataset",
    "MLAuditError",
    "MLAuditWarning",
    "Role",
    "Schema",
    "Settings",
    "Severity",
    "Status",
    "UndefinedMetricWarning",
    "WindowConfig",
    "explain_rows",
    "export_reasons",
    "list_checks",
    "load_config",
    "load_result",
    "profile_data",
    "reasons_frame",
    "register",
    "write_reports",
]
