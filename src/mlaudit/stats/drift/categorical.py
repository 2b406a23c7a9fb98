"""Categorical drift: chi-square or G-test of homogeneity on the 2×k table of counts.

Rows are the two periods, columns the categories seen in either.  The test is
:func:`scipy.stats.chi2_contingency` with ``correction=False`` (Yates' correction only exists
for 2×2 tables; leaving it off keeps one test for every k), and ``lambda_="log-likelihood"`` for
the G-test.  The effect size is Cramér's V, ``sqrt(χ² / (N · (min(2, k) − 1)))`` from the
Pearson statistic, which for a 2×k table equals Cohen's w (0.1 small, 0.3 medium, 0.5 large).
Categories new in the current period and categories that vanished from it are listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = ["CategoricalResult", "categorical_test", "cramers_v"]


@dataclass(frozen=True)
class CategoricalResult:
    """Test statistic, p-value, degrees of freedom, Cramér's V and the category changes."""

    statistic: float
    p_value: float
    dof: int
    cramers_v: float
    method: str
    categories: list[str]
    reference_counts: list[float]
    current_counts: list[float]
    new: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)


def cramers_v(chi2: float, n: float, k: int) -> float:
    """Cramér's V of a 2×k table with Pearson statistic ``chi2`` and total ``n``."""
    dof = min(2, k) - 1
    return float(np.sqrt(chi2 / (n * dof))) if n > 0 and dof > 0 else 0.0


def categorical_test(
    reference: Mapping[str, float],
    current: Mapping[str, float],
    *,
    method: Literal["chi2", "g_test"] = "chi2",
) -> CategoricalResult:
    """Chi-square (or G) test that both periods share one categorical distribution.

    Parameters
    ----------
    reference, current
        Category → count.  Categories with a zero count on both sides are dropped.
    method
        ``"chi2"`` (Pearson) or ``"g_test"`` (log-likelihood ratio).
    """
    from scipy import stats  # imported on use: keeps start-up quick

    keys = sorted(
        k for k in set(reference) | set(current) if reference.get(k, 0) + current.get(k, 0) > 0
    )
    r = np.array([reference.get(k, 0) for k in keys], dtype=np.float64)
    c = np.array([current.get(k, 0) for k in keys], dtype=np.float64)
    if r.sum() <= 0 or c.sum() <= 0:
        raise ValueError("a categorical test needs a positive total count on both sides")
    new = [k for k in keys if reference.get(k, 0) == 0]
    vanished = [k for k in keys if current.get(k, 0) == 0]
    stat, p, dof, v = 0.0, 1.0, 0, 0.0
    if len(keys) >= 2:
        table = np.vstack([r, c])
        pearson = stats.chi2_contingency(table, correction=False)
        res = pearson
        if method == "g_test":
            res = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        stat, p, dof = float(res.statistic), float(res.pvalue), int(res.dof)
        v = cramers_v(float(pearson.statistic), float(table.sum()), len(keys))
    return CategoricalResult(
        statistic=stat,
        p_value=p,
        dof=dof,
        cramers_v=v,
        method=method,
        categories=keys,
        reference_counts=r.tolist(),
        current_counts=c.tolist(),
        new=new,
        vanished=vanished,
    )
