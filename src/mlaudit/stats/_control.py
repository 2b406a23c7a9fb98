"""Control limits learned from reference windows (Shewhart's individuals chart).

A statistic measured on each reference window (a drift distance, a missing share, an accuracy)
varies from window to window by chance alone.  Its mean ± ``k`` standard deviations over the
reference windows (``k = 3`` by default: a false alarm rate near 0.3% per window if the values are
roughly normal) are the limits a current window's value is held to.  Fewer than ``min_windows``
reference windows give no limits: a standard deviation from two values means little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ControlLimits", "control_limits"]


@dataclass(frozen=True)
class ControlLimits:
    """Centre line and limits; ``lower``/``upper`` are clipped to ``[floor, ceiling]``."""

    center: float
    lower: float
    upper: float
    sd: float
    n_windows: int
    k: float

    def outside(self, value: float) -> bool:
        """True when ``value`` lies strictly outside the limits (NaN is never outside)."""
        return bool(value < self.lower or value > self.upper)


def control_limits(
    values: list[float] | np.ndarray,
    *,
    k: float = 3.0,
    min_windows: int = 3,
    floor: float = -math.inf,
    ceiling: float = math.inf,
) -> ControlLimits | None:
    """Mean ± ``k``·SD (ddof=1) of the finite ``values``; ``None`` with too few windows.

    Examples
    --------
    >>> lim = control_limits([0.1, 0.2, 0.3], k=3, floor=0.0)
    >>> round(lim.center, 6), round(lim.upper, 6), lim.lower
    (0.2, 0.5, 0.0)
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size < min_windows:
        return None
    center, sd = float(v.mean()), float(v.std(ddof=1))
    return ControlLimits(
        center=center,
        lower=max(center - k * sd, floor),
        upper=min(center + k * sd, ceiling),
        sd=sd,
        n_windows=int(v.size),
        k=k,
    )
