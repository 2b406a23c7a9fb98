"""Deterministic sample data for the demo, the documentation and the tests.

:func:`make_credit_sample` builds a credit-scoring data set in two periods with planted data
defects and drift, a fitted scikit-learn model and the exact ground truth of what was planted;
:func:`write_credit_sample` writes it to disk.  See ``docs/sample-data.md``.
"""

from __future__ import annotations

from mlaudit.datasets._credit import (
    FEATURE_COLUMNS,
    PERSONAL_COLUMNS,
    SENSITIVE_COLUMNS,
    CreditSample,
    build_model,
    make_credit_sample,
    save_credit_sample,
    write_credit_sample,
)
from mlaudit.datasets._ground_truth import GroundTruth, PlantedIssue
from mlaudit.datasets._history import HISTORY_QUARTERS, history_frames

__all__ = [
    "FEATURE_COLUMNS",
    "HISTORY_QUARTERS",
    "PERSONAL_COLUMNS",
    "SENSITIVE_COLUMNS",
    "CreditSample",
    "GroundTruth",
    "PlantedIssue",
    "build_model",
    "history_frames",
    "make_credit_sample",
    "save_credit_sample",
    "write_credit_sample",
]
