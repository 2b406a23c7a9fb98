"""Power of the two-sample KS test: the smallest statistic it can call significant.

The large-sample critical value of the two-sample KS statistic at level ``α`` is
``c(α) · sqrt((n + m) / (n · m))`` with ``c(α) = sqrt(−ln(α / 2) / 2)`` (Smirnov's asymptotic
distribution, first term).  A drift whose KS distance is below it cannot be detected.

To compare it with an effect floor stated in standard deviations, the floor ``d`` is read as a
location shift of a normal distribution: the KS distance between N(0, 1) and N(d, 1) is
``sup_x |Φ(x) − Φ(x − d)| = 2·Φ(d/2) − 1`` (reached at ``x = d/2``).  A column is
*underpowered* when that distance is below the minimal detectable statistic: a drift as large
as the floor would probably be missed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = ["ks_critical_constant", "ks_distance_normal_shift", "min_detectable_ks", "underpowered"]


def ks_critical_constant(alpha: float) -> float:
    """``c(α) = sqrt(−ln(α/2) / 2)``."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    return math.sqrt(-math.log(alpha / 2.0) / 2.0)


def min_detectable_ks(n: int, m: int, alpha: float) -> float:
    """Smallest KS statistic significant at ``alpha`` for sample sizes ``n`` and ``m``."""
    if n <= 0 or m <= 0:
        return float("nan")
    return ks_critical_constant(alpha) * math.sqrt((n + m) / (n * m))


def ks_distance_normal_shift(shift_sd: float) -> float:
    """KS distance between N(0, 1) and N(shift, 1): ``2·Φ(|shift|/2) − 1``.

    ``Φ`` is :func:`scipy.special.ndtr`, the function behind ``scipy.stats.norm.cdf``.
    """
    return float(2.0 * special.ndtr(abs(shift_sd) / 2.0) - 1.0)


def underpowered(n: int, m: int, alpha: float, effect_floor_sd: float) -> bool:
    """True when a normal location shift of ``effect_floor_sd`` is below the detectable KS."""
    return ks_distance_normal_shift(effect_floor_sd) < min_detectable_ks(n, m, alpha)
