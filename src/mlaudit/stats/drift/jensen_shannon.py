"""Jensen–Shannon distance (base 2, so it lies in [0, 1]) between two binned distributions.

Computed by :func:`scipy.spatial.distance.jensenshannon` on count vectors over common bins
(it normalises them to shares).  Unlike PSI it is symmetric, bounded and defined when a bin is
empty on one side, so it needs no epsilon.  The *distance* is the square root of the divergence.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

__all__ = ["js_distance", "js_distance_from_counts"]


def js_distance(reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike) -> float:
    """JS distance (base 2) between two count or share vectors over the same bins."""
    from scipy.spatial.distance import jensenshannon  # imported on use: keeps start-up quick

    p = np.asarray(reference_counts, dtype=np.float64)
    q = np.asarray(current_counts, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"count vectors differ in length: {p.size} vs {q.size}")
    if p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("the Jensen-Shannon distance needs a positive total on both sides")
    return float(np.clip(jensenshannon(p, q, base=2), 0.0, 1.0))


def js_distance_from_counts(reference: Mapping[str, float], current: Mapping[str, float]) -> float:
    """JS distance over the union of categories of two count dictionaries."""
    keys = sorted(set(reference) | set(current))
    p = [reference.get(k, 0) for k in keys]
    q = [current.get(k, 0) for k in keys]
    return js_distance(p, q)
