"""Categorical drift: chi-square or G-test of homogeneity on the 2×k table of counts.

Rows are the two periods, columns the categories seen in either.  Under homogeneity the expected
count of a cell is ``row total × column total / N``; Pearson's statistic is
``Σ (O − E)² / E`` and the G (log-likelihood ratio) statistic ``2 Σ O·ln(O / E)`` (a cell with
``O = 0`` adds 0).  Both are referred to a chi-square distribution with ``k − 1`` degrees of
freedom, ``p = P(χ²_{k−1} ≥ stat)`` (:func:`scipy.special.chdtrc`).  This is what
:func:`scipy.stats.chi2_contingency` computes with ``correction=False`` (Yates' correction only
exists for 2×2 tables; leaving it off keeps one test for every k) and
``lambda_="log-likelihood"`` for the G-test, written out here so that the drift suite does not
import :mod:`scipy.stats`; the results are equal to scipy's (tested to 1e-12 relative).

The effect size is Cramér's V, ``sqrt(χ² / (N · (min(2, k) − 1)))`` from the Pearson
statistic, which for a 2×k table equals Cohen's w (0.1 small, 0.3 medium, 0.5 large).
Categories new in the current period and categories that vanished from it are listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = ["CategoricalResult", "categorical_test", "contingency_test", "cramers_v"]

Floats = npt.NDArray[np.float64]


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


def contingency_test(
    table: npt.ArrayLike, *, method: Literal["chi2", "g_test"] = "chi2"
) -> tuple[float, float, int]:
    """Statistic, p-value and degrees of freedom of the test of independence of a 2-D table.

    Parameters
    ----------
    table
        Counts, one row per period (or group), one column per category; non-negative.
    method
        ``"chi2"`` (Pearson) or ``"g_test"`` (log-likelihood ratio).

    Returns
    -------
    tuple of (float, float, int)
        Equal to ``chi2_contingency(table, correction=False)`` (``lambda_="log-likelihood"``
        for the G-test): ``(0.0, 1.0, 0)`` when there are no degrees of freedom.

    Raises
    ------
    ValueError
        For a negative count, an empty table, or a row or column summing to zero (an expected
        count of zero), as scipy does.
    """
    observed = np.asarray(table, dtype=np.float64)
    if observed.ndim != 2:
        raise ValueError(f"a contingency table has two dimensions, got shape {observed.shape}")
    if np.any(observed < 0):
        raise ValueError("every count of a contingency table must be non-negative")
    if observed.size == 0:
        raise ValueError("the contingency table is empty")
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True)
    expected = expected / observed.sum()
    if np.any(expected == 0):
        row, col = (int(i[0]) for i in np.nonzero(expected == 0))
        raise ValueError(
            f"the expected count of cell ({row}, {col}) is zero: a row or a column of the "
            "contingency table sums to zero; drop it first"
        )
    dof = observed.size - sum(observed.shape) + 1
    if dof == 0:
        return 0.0, 1.0, 0
    return _statistic_and_p(observed, expected, dof, method)


def _statistic_and_p(
    observed: Floats, expected: Floats, dof: int, method: Literal["chi2", "g_test"]
) -> tuple[float, float, int]:
    if method == "g_test":
        terms = 2.0 * special.xlogy(observed, observed / expected)
    else:
        terms = (observed - expected) ** 2 / expected
    stat = float(np.sum(terms))
    return stat, float(special.chdtrc(dof, stat)), dof


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
        stat, p, dof = pearson = contingency_test(table)
        if method == "g_test":
            stat, p, dof = contingency_test(table, method="g_test")
        v = cramers_v(pearson[0], float(table.sum()), len(keys))
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
