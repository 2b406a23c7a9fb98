"""Deterministic sample data for the demo, the documentation and the tests.

:func:`make_credit_sample` builds a credit-scoring data set in two periods with planted data
defects and drift, a fitted scikit-learn model and the exact ground truth of what was planted;
:func:`write_credit_sample` writes it to disk; :func:`save_credit_models` writes the model and a
challenger fitted on the same rows as skops files.  See ``docs/sample-data.md``.
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
from mlaudit.datasets._models import build_challenger, fit_challenger, save_credit_models

__all__ = [
    "FEATURE_COLUMNS",
    "HISTORY_QUARTERS",
    "PERSONAL_COLUMNS",
    "SENSITIVE_COLUMNS",
    "CreditSample",
    "GroundTruth",
    "PlantedIssue",
    "build_challenger",
    "build_model",
    "fit_challenger",
    "history_frames",
    "make_credit_sample",
    "save_credit_models",
    "save_credit_sample",
    "write_credit_sample",
]
