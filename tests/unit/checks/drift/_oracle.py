"""Independent oracles for the drift effect sizes (numpy and scipy only)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats


def robust_effect(reference: npt.ArrayLike, current: npt.ArrayLike, tail: float = 0.01) -> float:
    """W1 of both samples clipped to the 1st-99th percentile range, over the reference IQR/1.349.

    Written from the definition: quantiles with numpy's ``inverted_cdf`` (the empirical
    quantile), the clipped W1 from :func:`scipy.stats.wasserstein_distance`, the normal
    constant from :func:`scipy.stats.norm.ppf`.
    """
    r = np.asarray(reference, dtype=np.float64)
    c = np.asarray(current, dtype=np.float64)
    q = lambda x, p: float(np.quantile(x, p, method="inverted_cdf"))  # noqa: E731
    lo, hi = min(q(r, tail), q(c, tail)), max(q(r, 1 - tail), q(c, 1 - tail))
    w = stats.wasserstein_distance(np.clip(r, lo, hi), np.clip(c, lo, hi))
    iqr = q(r, 0.75) - q(r, 0.25)
    return float(w / (iqr / (2 * stats.norm.ppf(0.75))))
