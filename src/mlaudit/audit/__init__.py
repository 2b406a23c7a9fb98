"""The audit runner: configuration → plan of checks → scans → results.

:class:`Audit` runs an audit; :func:`profile_data` and :func:`profile_windows` profile one data
set (for ``mlaudit profile`` and baselines); a :class:`ProgressReporter` receives progress
(:func:`make_progress` draws it on a terminal).
"""

from mlaudit.audit._explain import explain_rows, export_reasons, reasons_frame
from mlaudit.audit._plan import build_checks
from mlaudit.audit._progress import NullProgress, ProgressReporter, make_progress
from mlaudit.audit._runner import Audit, open_dataset, profile_data, profile_windows, run_checks

__all__ = [
    "Audit",
    "NullProgress",
    "ProgressReporter",
    "build_checks",
    "explain_rows",
    "export_reasons",
    "make_progress",
    "open_dataset",
    "profile_data",
    "profile_windows",
    "reasons_frame",
    "run_checks",
]
