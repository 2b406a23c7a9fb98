"""Ground-truth entries for the planted model-evaluation defects of the credit sample: training
rows entered again in the evaluation period, and a segment whose scores are inverted."""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.datasets import _defects as d
from mlaudit.datasets._ground_truth import PlantedIssue

__all__ = ["model_issues"]


def _segment_rule() -> str:
    return " and ".join(f'{c} = "{v}"' for c, v in d.WEAK_SEGMENT.items())


def _error_rate(frame: pl.DataFrame) -> float:
    wrong = (frame["prediction"] != frame["default"]).to_numpy()
    return float(wrong.mean()) if wrong.size else 0.0


def model_issues(
    current: pl.DataFrame, shared: tuple[np.ndarray, np.ndarray], weak_rows: np.ndarray
) -> list[PlantedIssue]:
    """The shared training rows and the weak segment, measured on the final current frame."""
    rows, sources = shared
    inside = current[weak_rows]
    outside = current.filter(~pl.Series(np.isin(np.arange(current.height), weak_rows)))
    return [
        PlantedIssue(
            id="leakage.shared_rows",
            kind="model",
            columns=(),
            description=f"{len(rows)} current rows were also written into the reference "
            "(training) data, every value but application_id and application_date: the "
            "training data holds applications the model is evaluated on; `rows` are the "
            "current rows, `related_rows` the reference rows that hold their copies (the "
            "sample's model was fitted before they were written, so its scores are unchanged)",
            why_it_matters="the model has seen these applications with their outcome: its "
            "predictions there are memory, and the evaluation looks better than it is",
            expected_check="leakage.shared_rows",
            rows=tuple(int(i) for i in rows),
            count=len(rows),
            related_rows=tuple(int(i) for i in sources),
            expected={"shared_share": len(rows) / current.height},
        ),
        PlantedIssue(
            id="performance.weak_segment",
            kind="model",
            columns=tuple(d.WEAK_SEGMENT),
            description=f"in the segment {_segment_rule()} ({len(weak_rows)} rows) the "
            "predictions are inverted (1 - prediction, a sign error in a broker's integration; "
            "the scores are unchanged), so the decisions are wrong there far more often than "
            "elsewhere",
            why_it_matters="the model's average quality hides a group of applicants for whom "
            "its decisions are mostly wrong",
            expected_check="performance.weak_segments",
            rows=tuple(int(i) for i in weak_rows),
            count=len(weak_rows),
            expected={
                "error_rate_segment": _error_rate(inside),
                "error_rate_elsewhere": _error_rate(outside),
            },
        ),
    ]
