"""Paired comparisons of two models scored on the same rows: is one significantly better?

Both models predict the same labelled rows, so their errors are correlated; an unpaired test
(two separate intervals that overlap or not) would throw that correlation away and miss real
differences.  Each test here compares the two on the same rows:

* :func:`paired_delong` — two correlated ROC AUCs, DeLong, DeLong and Clarke-Pearson (1988),
  *Biometrics* 44(3), section 3: with the placement values ``V10`` (share of negatives each
  positive beats, ties ½) and ``V01`` (share of positives that beat each negative) of both
  models, ``S10`` and ``S01`` their 2×2 sample covariance matrices (``ddof=1``),
  ``S = S10/m + S01/n`` and ``var(A − B) = S₁₁ + S₂₂ − 2·S₁₂``; ``z = (A − B)/√var`` is
  standard normal under equal AUCs, and the p-value is two-sided.  The placement values come
  from mid-ranks in O(n log n) (Sun and Xu 2014), as in :func:`mlaudit.stats.delong_auc`.
* :func:`mcnemar` — two accuracies on the same rows: only the discordant rows count (``b``: A
  right and B wrong, ``c``: the reverse).  Under equal accuracy ``b ~ Binomial(b + c, ½)``.
  With fewer than :data:`MCNEMAR_EXACT_BELOW` discordant rows the exact two-sided binomial
  p-value ``min(1, 2·P(X ≤ min(b, c)))``; otherwise the chi-squared statistic with Edwards'
  continuity correction ``(|b − c| − 1)² / (b + c)`` on one degree of freedom — what
  ``statsmodels.stats.contingency_tables.mcnemar`` gives with ``exact=True`` and
  ``exact=False, correction=True``.
* :func:`paired_bootstrap` — a difference of error metrics (RMSE, MAE) on the same rows: rows
  are resampled with replacement, the same resample for both models (the pairing), and the
  difference recomputed on each; the interval is the percentile interval and the two-sided
  p-value ``min(1, 2·min(P*(d ≤ 0), P*(d ≥ 0)))`` with the ``(k + 1)/(B + 1)`` correction, so
  it is never 0.  Resamples are drawn as multinomial row counts, in chunks, vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mlaudit._lazy import lazy_import
from mlaudit.errors import DataError
from mlaudit.stats._auc import _check_inputs, midranks, normal_quantile

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = [
    "MCNEMAR_EXACT_BELOW",
    "McNemar",
    "PairedAuc",
    "PairedDifference",
    "mcnemar",
    "paired_bootstrap",
    "paired_delong",
]

MCNEMAR_EXACT_BELOW = 25
"""Discordant rows below which McNemar's test is the exact binomial one."""


@dataclass(frozen=True)
class PairedAuc:
    """Two correlated AUCs on the same rows and DeLong's test of their difference."""

    auc_a: float
    auc_b: float
    difference: float
    """``auc_b − auc_a``."""
    std_error: float
    z: float
    p_value: float
    """Two-sided p-value of equal AUCs."""
    low: float
    high: float
    """Interval of ``difference`` at ``level``."""
    level: float


def _placements(
    y: npt.NDArray[np.bool_], s: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``V10`` (per positive) and ``V01`` (per negative) of the scores ``s``."""
    pos, neg = s[y], s[~y]
    m, n = pos.size, neg.size
    rank_all = midranks(np.concatenate([pos, neg]))
    v10 = (rank_all[:m] - midranks(pos)) / n
    v01 = 1.0 - (rank_all[m:] - midranks(neg)) / m
    return v10, v01


def paired_delong(
    y_true: npt.ArrayLike,
    score_a: npt.ArrayLike,
    score_b: npt.ArrayLike,
    *,
    level: float = 0.95,
) -> PairedAuc:
    """DeLong's test of two correlated ROC AUCs: models A and B scored on the same rows.

    Parameters
    ----------
    y_true
        0/1 labels.
    score_a, score_b
        Finite scores of the two models (higher: more likely positive), one per label.
    level
        Confidence level of the interval of the difference.

    Returns
    -------
    PairedAuc
        The two AUCs, ``auc_b − auc_a`` with its standard error, interval and two-sided p-value.

    Raises
    ------
    DataError
        When lengths differ, labels are not 0/1, a score is not finite, or one class has fewer
        than two rows (the covariance is undefined).
    """
    y, a = _check_inputs(y_true, score_a)
    _, b = _check_inputs(y_true, score_b)
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:
        raise DataError(
            f"the paired DeLong test needs two rows of each class; found {m} positive and "
            f"{n} negative",
            fix="compare the models on data with both classes",
        )
    a10, a01 = _placements(y, a)
    b10, b01 = _placements(y, b)
    s10 = np.cov(np.vstack([a10, b10]), ddof=1)
    s01 = np.cov(np.vstack([a01, b01]), ddof=1)
    cov = s10 / m + s01 / n
    var = max(float(cov[0, 0] + cov[1, 1] - 2.0 * cov[0, 1]), 0.0)
    auc_a, auc_b = float(a10.mean()), float(b10.mean())
    diff = auc_b - auc_a
    se = math.sqrt(var)
    z, p = _z_test(diff, se)
    half = normal_quantile(0.5 + level / 2.0) * se
    return PairedAuc(auc_a, auc_b, diff, se, z, p, diff - half, diff + half, level)


def _z_test(diff: float, se: float) -> tuple[float, float]:
    """z and its two-sided normal p-value; a zero standard error gives 1 or 0."""
    if se == 0.0:
        return (0.0, 1.0) if diff == 0.0 else (math.copysign(math.inf, diff), 0.0)
    z = diff / se
    return z, math.erfc(abs(z) / math.sqrt(2.0))


@dataclass(frozen=True)
class McNemar:
    """McNemar's test of two accuracies on the same rows."""

    only_a_right: int
    """Rows model A predicts right and model B wrong (``b``)."""
    only_b_right: int
    """Rows model B predicts right and model A wrong (``c``)."""
    statistic: float
    """``min(b, c)`` for the exact test; the corrected chi-squared statistic otherwise."""
    p_value: float
    exact: bool


def mcnemar(correct_a: npt.ArrayLike, correct_b: npt.ArrayLike) -> McNemar:
    """McNemar's test of equal accuracy of models A and B on the same rows.

    Parameters
    ----------
    correct_a, correct_b
        Booleans, one per row: whether each model predicted the row right.

    Returns
    -------
    McNemar
        Discordant counts, statistic and two-sided p-value (exact binomial below
        :data:`MCNEMAR_EXACT_BELOW` discordant rows, chi-squared with continuity correction
        otherwise); p = 1 when the models never disagree on correctness.

    Raises
    ------
    DataError
        When the lengths differ.
    """
    a = np.asarray(correct_a, dtype=bool).ravel()
    b = np.asarray(correct_b, dtype=bool).ravel()
    if a.shape != b.shape:
        raise DataError(
            f"correct_a has {a.size} values but correct_b has {b.size}",
            fix="pass one value per row for both models",
        )
    only_a = int(np.count_nonzero(a & ~b))
    only_b = int(np.count_nonzero(b & ~a))
    total = only_a + only_b
    if total == 0:
        return McNemar(0, 0, 0.0, 1.0, True)
    if total < MCNEMAR_EXACT_BELOW:
        k = min(only_a, only_b)
        p = min(1.0, 2.0 * float(special.bdtr(k, total, 0.5)))
        return McNemar(only_a, only_b, float(k), p, True)
    stat = (abs(only_a - only_b) - 1.0) ** 2 / total
    return McNemar(only_a, only_b, stat, float(special.chdtrc(1, stat)), False)


@dataclass(frozen=True)
class PairedDifference:
    """A paired bootstrap of ``metric(B) − metric(A)`` on the same rows."""

    value_a: float
    value_b: float
    difference: float
    """``value_b − value_a`` on the rows as given."""
    low: float
    high: float
    """Percentile interval of the difference at ``level``."""
    p_value: float
    """Two-sided bootstrap p-value of no difference."""
    level: float
    n_resamples: int


ErrorMetric = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]
"""Turns per-resample means of per-row errors ``(resamples,)`` into the metric (e.g. sqrt)."""


def paired_bootstrap(
    error_a: npt.ArrayLike,
    error_b: npt.ArrayLike,
    *,
    finish: ErrorMetric | None = None,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> PairedDifference:
    """Paired bootstrap of the difference of a mean-based error metric of models A and B.

    Parameters
    ----------
    error_a, error_b
        Per-row errors of the two models on the same rows (squared errors for RMSE, absolute
        errors for MAE).
    finish
        Applied to the mean error (``np.sqrt`` for RMSE); default: the mean itself.
    n_resamples
        Bootstrap resamples (each resamples the rows once, for both models).
    level
        Confidence level of the interval.
    seed
        Seed of the resampling.

    Returns
    -------
    PairedDifference

    Raises
    ------
    DataError
        When the lengths differ, there are no rows, or an error is not finite.
    """
    a = np.asarray(error_a, dtype=np.float64).ravel()
    b = np.asarray(error_b, dtype=np.float64).ravel()
    if a.shape != b.shape or a.size == 0:
        raise DataError(
            f"error_a has {a.size} values and error_b {b.size}; both need the same rows",
            fix="pass one error per row for both models",
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise DataError("an error is NaN or infinite", fix="drop rows without a prediction")
    done = finish or (lambda v: v)
    value_a = float(done(np.array([a.mean()]))[0])
    value_b = float(done(np.array([b.mean()]))[0])
    draws = _resampled_differences(a, b, done, n_resamples, seed)
    tail = (1.0 - level) / 2.0
    low, high = (float(v) for v in np.quantile(draws, [tail, 1.0 - tail]))
    below = (int(np.count_nonzero(draws <= 0.0)) + 1) / (n_resamples + 1)
    above = (int(np.count_nonzero(draws >= 0.0)) + 1) / (n_resamples + 1)
    p = min(1.0, 2.0 * min(below, above))
    return PairedDifference(value_a, value_b, value_b - value_a, low, high, p, level, n_resamples)


def _resampled_differences(
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    finish: ErrorMetric,
    n_resamples: int,
    seed: int,
) -> npt.NDArray[np.float64]:
    """``finish(mean_b*) − finish(mean_a*)`` over resamples, in chunks of about 4M counts."""
    rng = np.random.default_rng(seed)
    n = a.size
    chunk = max(1, min(n_resamples, 4_000_000 // n))
    out = np.empty(n_resamples)
    pair = np.vstack([a, b]).T  # (n, 2)
    for start in range(0, n_resamples, chunk):
        k = min(chunk, n_resamples - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=k).astype(np.float64)
        means = counts @ pair / n  # (k, 2)
        out[start : start + k] = finish(means[:, 1]) - finish(means[:, 0])
    return out
