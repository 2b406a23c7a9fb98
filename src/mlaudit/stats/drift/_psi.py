"""Population stability index (PSI), the credit-risk industry's drift measure.

``PSI = Σ (c_i − r_i) · ln(c_i / r_i)`` over bins, with ``r_i`` and ``c_i`` the reference and
current shares.  Numeric columns use 10 bins whose inner edges are the reference deciles; each
bin is ``(e_{i-1}, e_i]`` with open ends, so values outside the reference range fall in the
first or last bin.  Shares come from the sketches' CDFs (exact while the sketches are exact;
otherwise each share is within ``2·ε`` of the truth, ``ε`` the sketch's rank error).  Tied
deciles (heavily repeated values) are merged, so a column can get fewer than 10 bins.

Empty bins: a share of 0 would make ``ln`` infinite, so shares below ``epsilon`` (default
``1e-4``: one in ten thousand, below what a 10-bin PSI can resolve on typical samples) are
replaced by ``epsilon`` before the sum; the shares are not renormalised.  Rule of thumb used in
model monitoring: below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 significant shift.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from mlaudit.summary import QuantileSketch

__all__ = ["PSI_EPSILON", "decile_edges", "psi", "psi_from_counts", "psi_sketch", "sketch_shares"]

PSI_EPSILON = 1e-4
"""Floor applied to empty-bin shares before the PSI sum."""

Floats = npt.NDArray[np.float64]


def psi(
    reference_shares: npt.ArrayLike, current_shares: npt.ArrayLike, *, epsilon: float = PSI_EPSILON
) -> float:
    """PSI between two share vectors over the same bins (zero shares floored at ``epsilon``)."""
    r = np.maximum(np.asarray(reference_shares, dtype=np.float64), epsilon)
    c = np.maximum(np.asarray(current_shares, dtype=np.float64), epsilon)
    if r.shape != c.shape:
        raise ValueError(f"share vectors differ in length: {r.size} vs {c.size}")
    return float(np.sum((c - r) * np.log(c / r)))


def decile_edges(reference: QuantileSketch, bins: int = 10) -> Floats:
    """Inner bin edges: the reference's ``1/bins … (bins-1)/bins`` quantiles, ties merged."""
    qs = np.arange(1, bins) / bins
    return np.unique(reference.quantiles(qs))


def sketch_shares(sketch: QuantileSketch, inner_edges: Floats) -> Floats:
    """Shares of the values in ``(-inf, e_1], (e_1, e_2], …, (e_k, inf)``."""
    cdf = sketch.cdf(inner_edges)
    return np.diff(np.concatenate(([0.0], cdf)))


def psi_sketch(
    reference: QuantileSketch,
    current: QuantileSketch,
    *,
    bins: int = 10,
    epsilon: float = PSI_EPSILON,
) -> float:
    """PSI over the reference's decile bins, shares from the sketches' CDFs."""
    edges = decile_edges(reference, bins)
    return psi(sketch_shares(reference, edges), sketch_shares(current, edges), epsilon=epsilon)


def psi_from_counts(
    reference: Mapping[str, float], current: Mapping[str, float], *, epsilon: float = PSI_EPSILON
) -> float:
    """Categorical PSI over the union of categories from two count dictionaries."""
    keys = sorted(set(reference) | set(current))
    r = np.array([reference.get(k, 0) for k in keys], dtype=np.float64)
    c = np.array([current.get(k, 0) for k in keys], dtype=np.float64)
    if r.sum() <= 0 or c.sum() <= 0:
        raise ValueError("PSI needs a positive total count on both sides")
    return psi(r / r.sum(), c / c.sum(), epsilon=epsilon)
