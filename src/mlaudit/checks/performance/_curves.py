"""A binary model's curves and threshold table: ROC, precision–recall, confusion, costs.

Every figure comes from one sort of the scores (:func:`mlaudit.stats.ranked_counts`): the
positives and negatives scored at or above each distinct score.  Curves are thinned to at most
200 points, evenly spread over the distinct thresholds, so the report stays small on any data.

**Costs.**  With a declared cost of a false positive (``cost_fp``) and of a false negative
(``cost_fn``), the expected cost of a threshold ``t`` is ``(cost_fp·FP(t) + cost_fn·FN(t)) / n``
per row.  The recommended threshold minimises it over every distinct score (and "flag no row"),
exactly; the table lists it beside the chosen threshold and a fixed grid (0.1 … 0.9 for
probabilities, the score's deciles otherwise).  Thresholds are on the score as the metrics read
it, higher meaning positive (``1 − p`` or the negated score when the schema says
``higher_is_negative``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlaudit.checks.performance._labels import ModelRows
from mlaudit.results import CurveDetail, Detail, TableDetail
from mlaudit.stats import ranked_counts

if TYPE_CHECKING:
    from mlaudit.checks.performance._evaluation import Evaluation

__all__ = ["binary_details", "thin"]

_MAX_POINTS = 200


def thin(*arrays: np.ndarray, points: int = _MAX_POINTS) -> list[list[float]]:
    """At most ``points`` entries of each array, evenly spread, first and last kept."""
    size = arrays[0].size
    idx = np.unique(np.linspace(0, size - 1, min(size, points)).round().astype(np.int64))
    return [[float(v) for v in a[idx]] for a in arrays]


def binary_details(
    ev: Evaluation,
    y: np.ndarray,
    score: np.ndarray,
    rows: ModelRows,
    cost_fp: float,
    cost_fn: float,
) -> list[Detail]:
    """ROC and PR curves, the confusion matrix and the threshold table; costs into ``ev``."""
    thresholds, tp, fp = ranked_counts(y, score)
    p, n = float(tp[-1]), float(fp[-1])
    zero = np.zeros(1)
    roc = thin(np.r_[zero, fp / n], np.r_[zero, tp / p])
    pr = thin(np.r_[zero, tp / p], np.r_[np.ones(1), tp / (tp + fp)])
    cost = cost_fp * np.r_[zero, fp] + cost_fn * (p - np.r_[zero, tp])
    best = int(np.argmin(cost))
    recommended = float(thresholds[best - 1]) if best else float("inf")
    total = y.size
    chosen = _oriented_threshold(rows)
    m = ev.metrics
    m["expected_cost"] = (
        (cost_fp * m["false_positives"] + cost_fn * m["false_negatives"]) / total  # type: ignore[operator]
    )
    m["recommended_threshold"] = recommended if np.isfinite(recommended) else None
    m["expected_cost_at_recommended"] = float(cost[best]) / total
    m["threshold"] = chosen
    return [
        CurveDetail(
            name="roc_curve",
            title="ROC curve",
            x_label="false positive rate",
            y_label="true positive rate",
            curves={"current": {"x": roc[0], "y": roc[1]}},
            diagonal=True,
        ),
        CurveDetail(
            name="pr_curve",
            title="Precision–recall curve",
            x_label="recall",
            y_label="precision",
            curves={"current": {"x": pr[0], "y": pr[1]}},
        ),
        _confusion(m),
        _threshold_table(y, score, rows, chosen, recommended, cost_fp, cost_fn),
    ]


def _oriented_threshold(rows: ModelRows) -> float | None:
    """The chosen threshold on the oriented score (None: classes from a prediction column)."""
    scale = rows.scale
    if scale is None or scale.threshold is None:
        return None
    if scale.direction == "higher_is_positive":
        return scale.threshold
    return 1.0 - scale.threshold if scale.probability else -scale.threshold


def _confusion(m: dict[str, float | int | None]) -> TableDetail:
    return TableDetail(
        name="confusion_matrix",
        title="Confusion matrix at the chosen threshold (rows: true class)",
        columns=["true \\ predicted", "negative", "positive"],
        rows=[
            ["negative", m["true_negatives"], m["false_positives"]],
            ["positive", m["false_negatives"], m["true_positives"]],
        ],
    )


def _grid(score: np.ndarray, probability: bool) -> np.ndarray:
    if probability:
        return np.round(np.arange(1, 10) / 10, 10)
    return np.unique(np.quantile(score, np.arange(1, 10) / 10))


def _threshold_table(
    y: np.ndarray,
    score: np.ndarray,
    rows: ModelRows,
    chosen: float | None,
    recommended: float,
    cost_fp: float,
    cost_fn: float,
) -> TableDetail:
    probability = rows.scale is not None and rows.scale.probability
    grid = [float(t) for t in _grid(score, probability)]
    marks = dict.fromkeys(grid, "")
    if chosen is not None:
        marks[float(chosen)] = "chosen"
    if np.isfinite(recommended):
        marks[recommended] = (marks.get(recommended, "") + " recommended").strip()
    pos, neg = np.sort(score[y == 1]), np.sort(score[y == 0])
    ts = np.array(sorted(marks))
    tp = pos.size - np.searchsorted(pos, ts, side="left")
    fp = neg.size - np.searchsorted(neg, ts, side="left")
    fn = pos.size - tp
    out = []
    for t, a, b, c in zip(ts.tolist(), tp.tolist(), fp.tolist(), fn.tolist(), strict=True):
        prec = a / (a + b) if a + b else None
        rec = a / pos.size
        f1 = 2 * a / (2 * a + b + c) if a + b + c else None
        cost = (cost_fp * b + cost_fn * c) / y.size
        out.append([t, marks[t], a + b, prec, rec, f1, cost])
    oriented = rows.scale is not None and rows.scale.direction == "higher_is_negative"
    return TableDetail(
        name="thresholds",
        title="Metrics per threshold (a row is flagged positive at or above it)",
        columns=["threshold", "mark", "flagged", "precision", "recall", "f1", "expected_cost"],
        rows=out,
        note=(
            f"expected cost per row = ({cost_fp:g}·false positives + {cost_fn:g}·false "
            "negatives) / rows"
            + (
                "; thresholds on the score oriented so that higher means positive"
                if oriented
                else ""
            )
        ),
    )
