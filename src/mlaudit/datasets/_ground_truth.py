"""The ground truth of the credit sample: every planted defect and drift, with exact rows.

Row indices are 0-based positions in the *current* frame as returned by
:func:`~mlaudit.datasets.make_credit_sample` and as written to disk (row order is part of the
sample).  ``expected`` holds effect sizes as numbers; ``value_counts`` holds the exact counts of
the raw values a categorical defect or drift involves.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["GroundTruth", "PlantedIssue"]


@dataclass(frozen=True)
class PlantedIssue:
    """One planted defect or drift in the current period.

    Parameters
    ----------
    id
        Stable identifier, e.g. ``"quality.missing.income"``.
    kind
        ``"quality"`` for a data defect, ``"drift"`` for a change between the two periods,
        ``"model"`` for a defect of the model's evaluation (leakage, a weak segment),
        ``"fairness"`` for a disparity between groups of a sensitive attribute, or its proxy.
    columns
        The columns involved.
    description
        What was planted, in plain words.
    why_it_matters
        Why a validator should care.
    expected_check
        The mlaudit check id expected to find it.
    period
        ``"current"`` for defects planted in the current period only, ``"both"`` when the
        property holds in both periods (the constant ``currency`` column).
    rows
        Exact 0-based row indices in the current frame (empty for column-level properties).
    count
        How many rows (or, where ``rows`` is empty, which quantity ``description`` names).
    rule
        A polars SQL expression the valid rows satisfy (``pl.sql_expr(rule)``), if any.
    related_rows
        Companion rows, e.g. the originals of duplicated rows.
    expected
        Expected effect sizes (shares, ratios, correlations).
    value_counts
        Exact counts of the raw values involved, in the current frame.
    """

    id: str
    kind: Literal["quality", "drift", "model", "fairness"]
    columns: tuple[str, ...]
    description: str
    why_it_matters: str
    expected_check: str
    period: Literal["current", "both"] = "current"
    rows: tuple[int, ...] = ()
    count: int = 0
    rule: str | None = None
    related_rows: tuple[int, ...] = ()
    expected: dict[str, float] = field(default_factory=dict)
    value_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GroundTruth:
    """Everything planted in the credit sample, and the facts needed to audit it."""

    seed: int
    n_reference: int
    n_current: int
    target: str
    score_column: str
    prediction_column: str
    decision_threshold: float
    id_column: str
    timestamp_column: str
    feature_columns: tuple[str, ...]
    sensitive_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    issues: tuple[PlantedIssue, ...]
    reference_notes: tuple[str, ...] = ()
    measured: dict[str, float] = field(default_factory=dict)

    def issue(self, issue_id: str) -> PlantedIssue:
        """The planted issue with this id.

        Raises
        ------
        KeyError
            If no planted issue has this id; the message lists the known ids.
        """
        for item in self.issues:
            if item.id == issue_id:
                return item
        known = ", ".join(sorted(i.id for i in self.issues))
        raise KeyError(f"no planted issue {issue_id!r}; known ids: {known}")

    @property
    def issue_ids(self) -> list[str]:
        """Ids of every planted issue, in the order they are listed."""
        return [i.id for i in self.issues]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists, floats are finite and rounded)."""
        data: dict[str, Any] = _clean(asdict(self))
        return data

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, two-space indent, trailing newline."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, allow_nan=False) + "\n"


def _clean(value: Any) -> Any:
    """Lists for tuples; floats rounded to 10 significant digits so JSON is stable."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"ground truth holds a non-finite number {value!r}")
        return float(f"{value:.10g}")
    return value
