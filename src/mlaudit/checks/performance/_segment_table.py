"""The weak-segment and error-tree tables of ``performance.weak_segments``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mlaudit._lazy import lazy_import
from mlaudit.checks.performance._error_tree import Leaf
from mlaudit.checks.performance._segments import Slices
from mlaudit.results import Cell, TableDetail
from mlaudit.stats import wilson_bound

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["interval", "segment_table", "tree_table"]


def interval(slices: Slices, i: int, *, classify: bool) -> tuple[float, float]:
    """95% interval of slice ``i``'s metric: Wilson (error rate) or Student's t (mean)."""
    n = int(slices.rows[i])
    if classify:
        b = wilson_bound(round(float(slices.sums[i])), n)
        return float(b.low or 0.0), float(b.high or 0.0)
    mean = float(slices.sums[i]) / n
    var = max(float(slices.squares[i]) / n - mean * mean, 0.0) * n / max(n - 1, 1)
    half = float(scipy_stats.t.ppf(0.975, max(n - 1, 1))) * math.sqrt(var / n)
    return mean - half, mean + half


def segment_table(
    slices: Slices, found: list[tuple[int, float]], *, classify: bool, overall: float, n: int
) -> TableDetail:
    """One row per weak segment, worst first."""
    metric = "error rate" if classify else "mean absolute error"
    effect = "difference" if classify else "relative difference"
    rows: list[list[Cell]] = []
    for i, eff in found:
        low, high = interval(slices, i, classify=classify)
        size = int(slices.rows[i])
        assert slices.p_value is not None and slices.adjusted is not None
        rows.append(
            [
                slices.rules[i],
                size,
                size / n,
                float(slices.sums[i]) / size,
                low,
                high,
                eff,
                float(slices.p_value[i]),
                float(slices.adjusted[i]),
            ]
        )
    return TableDetail(
        name="weak_segments",
        title=f"Segments where the {metric} is significantly worse than overall ({overall:.4g})",
        columns=[
            "segment",
            "rows",
            "share of rows",
            metric,
            "95% low",
            "95% high",
            effect,
            "p-value",
            "adjusted p-value (BH)",
        ],
        rows=rows,
        note="Counts are rows of the seeded sample; p-values are one-sided, the segment against "
        "the rest of the rows, adjusted by Benjamini-Hochberg across every segment tested.",
    )


def tree_table(leaves: list[Leaf], *, classify: bool) -> TableDetail:
    """The error tree's leaves as rules, worst first."""
    metric = "error rate" if classify else "mean absolute error"
    return TableDetail(
        name="error_tree",
        title="Where the model errs: leaves of a shallow decision tree fitted to the errors",
        columns=["rule", "rows", metric],
        rows=[[leaf.rule, leaf.rows, leaf.value] for leaf in leaves],
        note="Descriptive: the tree chose these rules to separate the errors of this sample, so "
        "their rates are optimistic; the segments above are the tested findings.",
    )
