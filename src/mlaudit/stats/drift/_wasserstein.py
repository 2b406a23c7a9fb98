"""First Wasserstein (earth mover's) distance between two periods, normalised by scale.

The distance is ``W1 = ∫ |F − G| dx``, the area between the two empirical CDFs.  Both are step
functions that only jump at observed values, so on the merged, sorted values ``x_1 ≤ … ≤ x_N``
of both periods ``W1 = Σ |F(x_i) − G(x_i)| · (x_{i+1} − x_i)``, with ``F(x_i)`` the share of
the reference at or below ``x_i`` (:func:`w1_distance`, the same sum as
:func:`scipy.stats.wasserstein_distance`, tested equal to 1e-12 relative).  It is computed on
the raw values when both sketches are exact, else on the sketches' weighted retained items
(:func:`~mlaudit.stats.drift._ks.cdf_gap`).

Why normalise by the reference standard deviation: W1 is in the column's units (euros, days),
so a single threshold cannot serve every column.  Divided by the reference's standard deviation
it becomes unit-free and reads like Cohen's d: for a pure location shift by ``δ``, W1 = ``|δ|``,
so the normalised value is the shift in reference standard deviations.  When the reference is
constant (standard deviation 0) the scale falls back to the current standard deviation, then to
``|reference mean|``, then to 1 (documented in the result).

Error bound on the sketch path: W1 = ∫ |F_ref − F_cur| dx over ``[min, max]`` (exact ends), and
each estimated CDF is within its sketch's hard rank error ``ε``, so the estimate is within
``(ε_ref + ε_cur) · (max − min)`` of the true distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlaudit.stats.drift._ks import CdfGap, cdf_gap
from mlaudit.summary import QuantileSketch

__all__ = [
    "RobustShift",
    "WassersteinResult",
    "normalising_scale",
    "robust_shift",
    "w1_distance",
    "wasserstein_sketch",
    "weighted_w1",
]


@dataclass(frozen=True)
class WassersteinResult:
    """W1 in the column's units, its normalised value, and the error bound (0 when exact)."""

    distance: float
    normalized: float
    scale: float
    scale_source: str
    exact: bool
    error_bound: float


def w1_distance(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """First Wasserstein distance between two samples (any order, finite values).

    Equal to :func:`scipy.stats.wasserstein_distance` without weights.

    Raises
    ------
    ValueError
        When either sample is empty.
    """
    u = np.sort(np.asarray(reference, dtype=np.float64).reshape(-1))
    v = np.sort(np.asarray(current, dtype=np.float64).reshape(-1))
    if u.size == 0 or v.size == 0:
        raise ValueError("the Wasserstein distance needs values on both sides")
    grid = np.sort(np.concatenate([u, v]), kind="mergesort")
    f = np.searchsorted(u, grid[:-1], side="right") / u.size
    g = np.searchsorted(v, grid[:-1], side="right") / v.size
    return float(np.vecdot(np.abs(f - g), np.diff(grid)))


def normalising_scale(
    reference_std: float, current_std: float, reference_mean: float
) -> tuple[float, str]:
    """The scale W1 is divided by, and where it came from (see the module docstring)."""
    for value, source in (
        (reference_std, "reference standard deviation"),
        (current_std, "current standard deviation (the reference is constant)"),
        (abs(reference_mean), "|reference mean| (both periods are constant)"),
    ):
        if math.isfinite(value) and value > 0:
            return float(value), source
    return 1.0, "1 (both periods are constant at 0)"


def wasserstein_sketch(
    reference: QuantileSketch,
    current: QuantileSketch,
    *,
    reference_std: float,
    current_std: float,
    reference_mean: float,
    gap: CdfGap | None = None,
) -> WassersteinResult:
    """W1 between two sketched samples, and W1 divided by :func:`normalising_scale`.

    ``gap`` is :func:`~mlaudit.stats.drift._ks.cdf_gap` of the two sketches when the caller
    already has it (the sketch path then costs nothing more).
    """
    if reference.n == 0 or current.n == 0:
        raise ValueError("the Wasserstein distance needs values on both sides")
    exact = reference.is_exact and current.is_exact
    if exact:
        dist = w1_distance(reference.values(), current.values())
        bound = 0.0
    else:
        dist = (gap or cdf_gap(reference, current)).w1
        eps = reference.normalized_rank_error + current.normalized_rank_error
        span = max(reference.max, current.max) - min(reference.min, current.min)
        bound = eps * span
    scale, source = normalising_scale(reference_std, current_std, reference_mean)
    return WassersteinResult(dist, dist / scale, scale, source, exact, bound)


_IQR_TO_SD = 1.3489795003921634  # 2·Φ⁻¹(0.75): the IQR of a normal distribution in SDs


@dataclass(frozen=True)
class RobustShift:
    """The body of the distribution's W1, in robust standard deviations of the reference.

    ``distance`` is ``∫_lo^hi |F_ref − F_cur| dx``, the W1 between both samples clipped to
    ``[lo, hi]``; ``normalized`` is ``distance / scale``.  ``error_bound`` bounds the sketch
    estimate of ``distance`` (0 when exact).
    """

    distance: float
    normalized: float
    scale: float
    scale_source: str
    lo: float
    hi: float
    normalized_low: float
    normalized_high: float


def robust_shift(
    reference: QuantileSketch,
    current: QuantileSketch,
    *,
    reference_std: float,
    current_std: float,
    reference_mean: float,
    tail: float = 0.01,
    gap_bound: float = 1.0,
) -> RobustShift:
    """W1 of the body of both periods divided by the reference's robust standard deviation.

    The values are clipped to ``[lo, hi]``, from the lower of both periods' ``tail`` quantiles
    to the higher of their ``1 − tail`` quantiles, so a handful of extreme values cannot
    inflate the distance (each sample's ``tail`` share at either end is set to the clip
    point); a shift of the whole distribution lies inside the range and counts in full.  For
    a pure location shift by ``δ`` inside the range the distance is ``|δ|``.  The scale is the
    reference's IQR divided by 1.349 (the standard deviation of a normal distribution with
    that IQR); when the IQR is 0 (over half the values equal) it falls back to
    :func:`normalising_scale`.

    Sketch path (hard bounds ``normalized_low``/``normalized_high``): a true quantile at level
    ``q`` lies between the sketch's quantiles at ``q ∓ 2ε``, which bounds the true clip points
    and IQR; the integrand ``|F − G|`` is at most ``gap_bound`` (an upper bound on the KS
    statistic, 1 when not given), so moving a clip point by ``Δ`` moves the distance by at most
    ``Δ · gap_bound``; the CDF errors add ``(ε_ref + ε_cur) · (hi − lo)``.
    """
    if reference.n == 0 or current.n == 0:
        raise ValueError("the Wasserstein distance needs values on both sides")
    rq = reference.quantiles([tail, 0.25, 0.75, 1.0 - tail])
    cq = current.quantiles([tail, 1.0 - tail])
    lo, hi = float(min(rq[0], cq[0])), float(max(rq[3], cq[1]))
    u, uw = reference.items()
    v, vw = current.items()
    dist = weighted_w1(np.clip(u, lo, hi), uw, np.clip(v, lo, hi), vw)
    iqr = float(rq[2] - rq[1])
    if math.isfinite(iqr) and iqr > 0:
        scale, source = iqr / _IQR_TO_SD, "reference IQR / 1.349 (robust standard deviation)"
    else:
        scale, source = normalising_scale(reference_std, current_std, reference_mean)
        source += " (the reference IQR is 0)"
    effect = dist / scale
    if reference.is_exact and current.is_exact:
        return RobustShift(dist, effect, scale, source, lo, hi, effect, effect)
    er, ec = 2 * reference.normalized_rank_error, 2 * current.normalized_rank_error
    levels = np.clip(np.array([tail, 0.25, 0.75, 1.0 - tail])[:, None] + [-er, er], 0.0, 1.0)
    r_lo, r_hi = reference.quantiles(levels[:, 0]), reference.quantiles(levels[:, 1])
    c_lv = np.clip(np.array([tail, 1.0 - tail])[:, None] + [-ec, ec], 0.0, 1.0)
    c_lo, c_hi = current.quantiles(c_lv[:, 0]), current.quantiles(c_lv[:, 1])
    moves = (min(r_hi[0], c_hi[0]) - min(r_lo[0], c_lo[0])) + (
        max(r_hi[3], c_hi[1]) - max(r_lo[3], c_lo[1])
    )
    slack = (er + ec) / 2 * (hi - lo) + float(moves) * min(gap_bound, 1.0)
    if math.isfinite(iqr) and iqr > 0:
        s_lo, s_hi = (r_lo[2] - r_hi[1]) / _IQR_TO_SD, (r_hi[2] - r_lo[1]) / _IQR_TO_SD
    else:
        s_lo = s_hi = scale
    low = max(dist - slack, 0.0) / s_hi
    high = (dist + slack) / s_lo if s_lo > 0 else math.inf
    return RobustShift(dist, effect, scale, source, lo, hi, float(low), float(high))


def weighted_w1(
    u: npt.NDArray[np.float64],
    uw: npt.NDArray[np.int64],
    v: npt.NDArray[np.float64],
    vw: npt.NDArray[np.int64],
) -> float:
    """W1 between two weighted samples (``scipy.stats.wasserstein_distance`` with weights)."""
    values = np.concatenate([u, v])
    order = np.argsort(values, kind="stable")
    merged = values[order]
    f = np.cumsum(np.concatenate([uw, np.zeros(v.size, np.int64)])[order]) / uw.sum()
    g = np.cumsum(np.concatenate([np.zeros(u.size, np.int64), vw])[order]) / vw.sum()
    return float(np.dot(np.abs(f - g)[:-1], np.diff(merged)))
