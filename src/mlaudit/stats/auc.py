"""ROC AUC with a DeLong confidence interval.

The AUC is the Mann–Whitney statistic: the share of (positive, negative) pairs in which the
positive scores higher, ties counting one half.  Its variance follows DeLong, DeLong and
Clarke-Pearson (1988), "Comparing the areas under two or more correlated receiver operating
characteristic curves", *Biometrics* 44(3), computed in O(n log n) with mid-ranks as in Sun and
Xu (2014), "Fast implementation of DeLong's algorithm", *IEEE Signal Processing Letters* 21(11):

* ``V10[i]`` = share of negatives the ``i``-th positive beats (ties ½), ``V01[j]`` = share of
  positives that beat the ``j``-th negative;
* ``var(AUC) = var(V10) / m + var(V01) / n`` (sample variances, ``ddof=1``), with ``m``
  positives and ``n`` negatives.

The interval is the normal one, ``AUC ± z · sqrt(var)``, clipped to [0, 1].  scikit-learn has
the AUC but not its variance, hence this module; scipy gives the ranks and the normal quantile.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlaudit.errors import DataError, UndefinedMetricWarning

__all__ = ["AucInterval", "delong_auc"]


@dataclass(frozen=True)
class AucInterval:
    """An AUC, its DeLong variance and confidence interval.

    Attributes
    ----------
    auc
        Area under the ROC curve (NaN when one class is absent).
    variance
        DeLong variance of ``auc`` (NaN when undefined).
    low, high
        Bounds of the ``level`` confidence interval, clipped to [0, 1].
    level
        Confidence level of the interval.
    n_positive, n_negative
        Class counts.
    """

    auc: float
    variance: float
    low: float
    high: float
    level: float
    n_positive: int
    n_negative: int


def _check_inputs(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    y = np.asarray(y_true).ravel()
    s = np.asarray(y_score, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise DataError(
            f"y_true has {y.size} values but y_score has {s.size}",
            fix="pass one score per label",
        )
    labels = set(np.unique(y).tolist())
    if not labels <= {0, 1}:
        raise DataError(
            f"y_true must hold 0/1 labels; found {sorted(map(str, labels))[:5]}",
            fix="encode the positive class as 1 and the negative class as 0",
        )
    if not np.all(np.isfinite(s)):
        bad = int((~np.isfinite(s)).sum())
        raise DataError(
            f"y_score holds {bad} NaN or infinite value(s)",
            fix="drop or impute rows with non-finite scores before computing the AUC",
        )
    return y.astype(bool), s


def delong_auc(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, *, level: float = 0.95
) -> AucInterval:
    """ROC AUC of ``y_score`` for the 0/1 labels ``y_true``, with DeLong's interval.

    Parameters
    ----------
    y_true
        Labels, 1 for the positive class and 0 for the negative.
    y_score
        Scores, higher meaning more likely positive; must be finite.
    level
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    AucInterval
        With NaN figures and an :class:`~mlaudit.errors.UndefinedMetricWarning` when one class
        is absent; with zero variance when either class has a single member.

    Raises
    ------
    DataError
        When the lengths differ, labels are not 0/1 or a score is not finite.
    """
    if not 0.0 < level < 1.0:
        raise DataError(f"level={level} is outside (0, 1)", fix="use e.g. level=0.95")
    from scipy import stats  # imported on use: keeps start-up quick

    y, s = _check_inputs(y_true, y_score)
    pos, neg = s[y], s[~y]
    m, n = int(pos.size), int(neg.size)
    if m == 0 or n == 0:
        warnings.warn(
            f"the AUC is undefined with {m} positive and {n} negative label(s); returning NaN",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        nan = float("nan")
        return AucInterval(nan, nan, nan, nan, level, m, n)
    rank_all = stats.rankdata(np.concatenate([pos, neg]))  # mid-ranks: ties count one half
    rank_pos, rank_neg = stats.rankdata(pos), stats.rankdata(neg)
    v10 = (rank_all[:m] - rank_pos) / n
    v01 = 1.0 - (rank_all[m:] - rank_neg) / m
    auc = float(v10.mean())
    s10 = float(np.var(v10, ddof=1)) if m > 1 else 0.0
    s01 = float(np.var(v01, ddof=1)) if n > 1 else 0.0
    variance = s10 / m + s01 / n
    half = float(stats.norm.ppf(0.5 + level / 2.0)) * math.sqrt(variance)
    return AucInterval(
        auc=auc,
        variance=variance,
        low=max(0.0, auc - half),
        high=min(1.0, auc + half),
        level=level,
        n_positive=m,
        n_negative=n,
    )
