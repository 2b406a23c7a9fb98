"""Confidence intervals for shares estimated on a sample."""

from __future__ import annotations

import math

from mlaudit.results import Bound

__all__ = ["wilson_bound", "wilson_interval"]


def wilson_interval(k: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share of ``k`` successes in ``n`` trials.

    Computed by ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``; scipy is imported
    here, on first use, to keep the command line quick to start.
    """
    from scipy import stats

    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
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
