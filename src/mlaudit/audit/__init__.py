"""The audit runner: configuration → plan of checks → results."""

from mlaudit.audit.runner import Audit, open_dataset, profile_data, profile_windows, run_checks

__all__ = ["Audit", "open_dataset", "profile_data", "profile_windows", "run_checks"]
