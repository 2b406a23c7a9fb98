"""Confidence intervals for shares estimated on a sample."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mlaudit._lazy import lazy_import
from mlaudit.results import Bound

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["wilson_bound", "wilson_interval"]


def wilson_interval(k: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share of ``k`` successes in ``n`` trials.

    Computed by ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``; scipy is imported
    here, on first use, to keep the command line quick to start.
    """
    ci = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    low, high = float(ci.low), float(ci.high)
    return (0.0 if math.isnan(low) else low, high)


def wilson_bound(k: int, n: int, *, level: float = 0.95) -> Bound:
    """:func:`wilson_interval` as a result bound for a share estimated on a sample."""
    low, high = wilson_interval(k, n, level=level)
    return Bound(
        low=low,
        high=high,
        kind="confidence_interval",
        level=level,
        method="Wilson score interval on the sample",
    )
