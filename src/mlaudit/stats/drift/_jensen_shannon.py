"""Jensen–Shannon distance (base 2, so it lies in [0, 1]) between two binned distributions.

With ``P`` and ``Q`` the two count vectors over common bins normalised to shares and
``M = (P + Q)/2``, the divergence is ``JSD = (KL(P‖M) + KL(Q‖M)) / 2`` with
``KL(P‖M) = Σ p·log₂(p/m)`` (an empty bin adds 0, :func:`scipy.special.rel_entr`), and the
*distance* is its square root.  Unlike PSI it is symmetric, bounded and defined when a bin is
empty on one side, so it needs no epsilon.  The same computation as
:func:`scipy.spatial.distance.jensenshannon` with ``base=2`` (tested equal to 1e-12), written
out so that the drift suite does not import :mod:`scipy.spatial`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = ["js_distance", "js_distance_from_counts"]


def js_distance(reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike) -> float:
    """JS distance (base 2) between two count or share vectors over the same bins."""
    p = np.asarray(reference_counts, dtype=np.float64)
    q = np.asarray(current_counts, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"count vectors differ in length: {p.size} vs {q.size}")
    if p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("the Jensen-Shannon distance needs a positive total on both sides")
    p, q = p / np.sum(p), q / np.sum(q)
    m = (p + q) / 2.0
    divergence = (np.sum(special.rel_entr(p, m)) + np.sum(special.rel_entr(q, m))) / np.log(2.0)
    return float(np.clip(np.sqrt(divergence / 2.0), 0.0, 1.0))


def js_distance_from_counts(reference: Mapping[str, float], current: Mapping[str, float]) -> float:
    """JS distance over the union of categories of two count dictionaries."""
    keys = sorted(set(reference) | set(current))
    p = [reference.get(k, 0) for k in keys]
    q = [current.get(k, 0) for k in keys]
    return js_distance(p, q)
