"""Group fairness statistics from confusion counts, with intervals that hold for small groups.

A group's rates are shares of counts, so every figure here is computed from four counts per
group (true and false positives and negatives, a "positive" being the outcome the rates are
about: the favourable decision for a selection rate), never from rows:

* **rates** (:data:`RATES`): selection rate, TPR, FPR, FNR, PPV, NPV and accuracy, each with
  its Wilson score interval (Wilson 1927), which keeps its coverage near the nominal level for
  a handful of rows and for rates near 0 or 1, where the normal (Wald) interval fails; closed
  form, vectorised over groups (equal to ``scipy.stats.binomtest(...).proportion_ci("wilson")``);
* **differences** of a rate between two groups with Newcombe's hybrid score interval (Newcombe
  1998, method 10: the two Wilson intervals combined), the interval statsmodels calls
  ``newcomb``; fairlearn reports differences without an interval, or with bootstrap quantiles
  that are unreliable for small groups;
* **ratios** (disparate impact) with the Katz log interval (Katz et al. 1978); with a zero count
  the log is undefined, and 0.5 is added to every count (the "log-adjusted" interval);
* **a test of the gap** between two groups' rates: Fisher's exact test when an expected count
  is under 5, otherwise the pooled two-proportion z-test (the chi-squared test of the 2×2
  table without continuity correction);
* **the Theil index** of the benefits ``b = ŷ − y + 1`` (Speicher et al. 2018): 0 for a
  classifier whose errors are spread evenly; it needs only the counts, as ``b`` takes the
  values 0 (a false negative), 1 (a right decision) and 2 (a false positive).

NaN marks a rate whose denominator is 0 (a TPR in a group without positives): no evidence,
not a zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = [
    "RATES",
    "ConfusionCounts",
    "Interval",
    "gap_p_value",
    "newcombe_difference",
    "rate_parts",
    "ratio_interval",
    "theil_index",
    "wilson_arrays",
]

FloatArray = npt.NDArray[np.float64]

RATES = ("selection_rate", "tpr", "fpr", "fnr", "ppv", "npv", "accuracy")
"""The rates of a group, in the order the reports list them."""


@dataclass(frozen=True)
class ConfusionCounts:
    """Counts per group (arrays of one length, or scalars): ``tp`` favourable decisions for
    rows whose label is favourable, ``fp`` favourable decisions for the others, ``tn`` and
    ``fn`` the unfavourable ones."""

    tp: FloatArray
    fp: FloatArray
    tn: FloatArray
    fn: FloatArray

    @classmethod
    def of(
        cls, tp: npt.ArrayLike, fp: npt.ArrayLike, tn: npt.ArrayLike, fn: npt.ArrayLike
    ) -> ConfusionCounts:
        """Counts as float arrays (one value a group)."""
        arrays = [np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (tp, fp, tn, fn)]
        return cls(*arrays)

    @property
    def n(self) -> FloatArray:
        """Rows per group."""
        return self.tp + self.fp + self.tn + self.fn


@dataclass(frozen=True)
class Interval:
    """An estimate with its interval (arrays, one value a group or pair; NaN: undefined)."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray


def rate_parts(c: ConfusionCounts) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Each rate of :data:`RATES` as (successes, trials) per group."""
    pos, neg = c.tp + c.fn, c.fp + c.tn
    return {
        "selection_rate": (c.tp + c.fp, c.n),
        "tpr": (c.tp, pos),
        "fpr": (c.fp, neg),
        "fnr": (c.fn, pos),
        "ppv": (c.tp, c.tp + c.fp),
        "npv": (c.tn, c.tn + c.fn),
        "accuracy": (c.tp + c.tn, c.n),
    }


def _z(level: float) -> float:
    return float(scipy_stats.norm.ppf(0.5 + level / 2))


def wilson_arrays(k: npt.ArrayLike, n: npt.ArrayLike, *, level: float = 0.95) -> Interval:
    """The share ``k / n`` per element with its Wilson score interval (NaN where ``n`` is 0)."""
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    z = _z(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_arr / n_arr
        denom = 1 + z * z / n_arr
        centre = (p + z * z / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z * z / (4 * n_arr * n_arr)) / denom
    low = np.where(k_arr <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k_arr >= n_arr, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = n_arr <= 0
    return Interval(
        np.where(empty, np.nan, p), np.where(empty, np.nan, low), np.where(empty, np.nan, high)
    )


def newcombe_difference(
    k1: npt.ArrayLike,
    n1: npt.ArrayLike,
    k2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    level: float = 0.95,
) -> Interval:
    """``k1/n1 − k2/n2`` with Newcombe's hybrid score interval (method 10)."""
    a = wilson_arrays(k1, n1, level=level)
    b = wilson_arrays(k2, n2, level=level)
    d = a.estimate - b.estimate
    low = d - np.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2)
    high = d + np.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2)
    return Interval(d, low, high)


def ratio_interval(
    k1: npt.ArrayLike,
    n1: npt.ArrayLike,
    k2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    level: float = 0.95,
) -> Interval:
    """``(k1/n1) / (k2/n2)`` with the Katz log interval; 0.5 added to every count of a pair
    with a zero count (the estimate stays the plain ratio; NaN when ``k2`` is 0 or a group is
    empty)."""
    k1a, n1a, k2a, n2a = (np.asarray(x, dtype=np.float64) for x in (k1, n1, k2, n2))
    z = _z(level)
    zero = (k1a == 0) | (k2a == 0) | (k1a == n1a) | (k2a == n2a)
    adj = np.where(zero, 0.5, 0.0)
    a, b = k1a + adj, k2a + adj
    na, nb = n1a + adj, n2a + adj
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (k1a / n1a) / (k2a / n2a)
        centre = np.log((a / na) / (b / nb))
        se = np.sqrt(1 / a - 1 / na + 1 / b - 1 / nb)
        low, high = np.exp(centre - z * se), np.exp(centre + z * se)
    bad = (n1a <= 0) | (n2a <= 0) | (k2a <= 0)
    return Interval(
        np.where(bad, np.nan, ratio), np.where(bad, np.nan, low), np.where(bad, np.nan, high)
    )


def gap_p_value(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of "the two groups' rates are equal": Fisher's exact test when an
    expected count is under 5, else the pooled two-proportion z-test; NaN when a group is
    empty."""
    if n1 <= 0 or n2 <= 0:
        return math.nan
    total_k, total_n = k1 + k2, n1 + n2
    if total_k in (0, total_n):
        return 1.0
    expected = [n * share for n in (n1, n2) for share in (total_k / total_n, 1 - total_k / total_n)]
    if min(expected) < 5:
        table = [[k1, n1 - k1], [k2, n2 - k2]]
        return float(scipy_stats.fisher_exact(table, alternative="two-sided").pvalue)
    pooled = total_k / total_n
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (k1 / n1 - k2 / n2) / se
    return float(2 * scipy_stats.norm.sf(abs(z)))


def theil_index(c: ConfusionCounts) -> float:
    """The Theil index of the benefits ``ŷ − y + 1`` over every row counted (all groups
    together): ``(1/n) Σ (b/μ) ln(b/μ)``, with ``0 ln 0 = 0``; NaN without rows or when every
    benefit is 0."""
    n = float(c.n.sum())
    right, fp = float((c.tp + c.tn).sum()), float(c.fp.sum())
    if n <= 0:
        return math.nan
    mu = (right + 2 * fp) / n
    if mu <= 0:
        return math.nan
    total = 0.0
    for count, benefit in ((right, 1.0), (fp, 2.0)):
        if count:
            total += count * (benefit / mu) * math.log(benefit / mu)
    return total / n
