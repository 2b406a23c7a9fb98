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

__all__ = ["WassersteinResult", "normalising_scale", "w1_distance", "wasserstein_sketch"]


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
