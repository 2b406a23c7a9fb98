"""Adjusted p-values for testing many columns at once.

* ``"bh"``: Benjamini–Hochberg (1995), controls the false discovery rate: with the m p-values
  sorted, the i-th becomes ``min_{j ≥ i} p_(j)·m/j`` (capped at 1), the smallest level at which
  the step-up procedure would reject it.  Equal to :func:`scipy.stats.false_discovery_control`
  (``method="bh"``; tested to 1e-15) without importing :mod:`scipy.stats`.
* ``"holm"``: Holm's step-down, controls the family-wise error rate under any dependence.
* ``"bonferroni"``: ``min(1, m·p)``, family-wise, the most conservative.
* ``"none"``: the raw p-values.

NaN p-values (columns not tested) are kept as NaN and do not count in ``m``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Correction", "adjust_p_values"]

Correction = Literal["bh", "holm", "bonferroni", "none"]
Floats = npt.NDArray[np.float64]


def _holm(p: Floats) -> Floats:
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _bh(p: Floats) -> Floats:
    m = p.size
    if m <= 1:
        return p.copy()
    order = np.argsort(p)
    stepped = p[order] * (m / np.arange(1, m + 1))
    np.minimum.accumulate(stepped[::-1], out=stepped[::-1])  # running minimum from the top
    out = np.empty(m)
    out[order] = stepped
    return np.clip(out, 0.0, 1.0)


def adjust_p_values(p_values: npt.ArrayLike, method: Correction = "bh") -> Floats:
    """Adjusted p-values, in the input order.

    Parameters
    ----------
    p_values
        Raw p-values in [0, 1]; NaN for tests that were not run.
    method
        ``"bh"``, ``"holm"``, ``"bonferroni"`` or ``"none"``.
    """
    p = np.asarray(p_values, dtype=np.float64).reshape(-1)
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        raise ValueError(f"p-values must lie in [0, 1], got {p[ok].tolist()}")
    out = np.full(p.size, np.nan)
    x = p[ok]
    if x.size == 0:
        return out
    if method == "bh":
        out[ok] = _bh(x)
    elif method == "holm":
        out[ok] = _holm(x)
    elif method == "bonferroni":
        out[ok] = np.minimum(x * x.size, 1.0)
    elif method == "none":
        out[ok] = x
    else:
        raise ValueError(f"unknown correction {method!r}; use bh, holm, bonferroni or none")
    return out
