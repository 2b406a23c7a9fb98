"""Two-sample Kolmogorov–Smirnov test on quantile sketches, exact while the sketches are.

* **Exact path** (both sketches exact, i.e. they still hold every value): the raw values go to
  :func:`scipy.stats.ks_2samp` with its default ``method="auto"`` (exact distribution for small
  samples, asymptotic otherwise), so the statistic and p-value are scipy's.
* **Sketch path**: ``D̂ = sup |F̂_ref − F̂_cur|`` evaluated at every retained item of both
  sketches (the estimated CDFs are step functions that only jump there, so this is the exact
  supremum of the estimated difference).  Each estimated CDF is within its sketch's hard rank
  error ``ε`` of the true CDF at every point, so ``|D̂ − D| ≤ ε_ref + ε_cur``, a hard bound.  The
  p-value is the asymptotic one scipy uses (``scipy.stats.kstwo`` with ``n·m/(n+m)`` rounded),
  at ``D̂``; the p-values at the ends of the statistic's bound bracket the p-value at the true D.

The sketch path does not import :mod:`scipy.stats` (most of a second at start-up): the finite-n
distribution is :func:`~mlaudit.stats.drift._kolmogorov.ks_two_sided_sf` and the limiting one
:func:`scipy.special.kolmogorov`, both equal to scipy's ``kstwo.sf`` / ``kstwobign.sf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mlaudit._lazy import lazy_import
from mlaudit._warnings import capture_warnings
from mlaudit.stats.drift._kolmogorov import ks_two_sided_sf
from mlaudit.summary import QuantileSketch

if TYPE_CHECKING:
    from scipy import special
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["CdfGap", "KSResult", "cdf_gap", "ks_asymptotic_p", "ks_sketch"]


@dataclass(frozen=True)
class KSResult:
    """Outcome of a two-sample KS comparison.

    ``statistic_low``/``statistic_high`` bound the true statistic (equal to it when exact);
    ``p_value_low``/``p_value_high`` are the asymptotic p-values at those ends.
    """

    statistic: float
    p_value: float
    exact: bool
    statistic_low: float
    statistic_high: float
    p_value_low: float
    p_value_high: float
    n_reference: int
    n_current: int
    method: str


_SCIPY_EXACT_MAX = 10_000
"""scipy's ``ks_2samp`` tries the exact p-value up to this many values a side (``MAX_AUTO_N``)."""


def _scipy_ks(a: np.ndarray, b: np.ndarray) -> tuple[float, float, bool]:
    """``ks_2samp``'s statistic and p-value, and whether it fell back to the asymptotic p-value.

    When scipy's exact p-value does not converge it switches to the asymptotic one with a
    RuntimeWarning; the method then says so instead of a warning on the user's console.  The
    fall-back is told by the p-value being the asymptotic one to the bit (scipy computes it the
    same way), not by catching the warning: ``warnings.catch_warnings`` swaps the process's
    handler and filters under every thread, and checks run side by side.  The warning itself
    goes to a scope of this thread's own, dropped; a filter that turns it into an error (``-W
    error``) gives the asymptotic p-value directly.
    """
    with capture_warnings(check=True):
        try:
            res = scipy_stats.ks_2samp(a, b)
        except RuntimeWarning:
            res = scipy_stats.ks_2samp(a, b, method="asymp")
            return float(res.statistic), float(res.pvalue), True
    d, p = float(res.statistic), float(res.pvalue)
    if max(a.size, b.size) > _SCIPY_EXACT_MAX:
        return d, p, False
    return d, p, p == float(scipy_stats.ks_2samp(a, b, method="asymp").pvalue)


def ks_asymptotic_p(statistic: float, n: int, m: int) -> float:
    """Two-sided asymptotic p-value of the two-sample KS statistic, as ``ks_2samp`` computes it.

    Uses the one-sample distribution of the statistic (scipy's :data:`~scipy.stats.kstwo`,
    here :func:`~mlaudit.stats.drift._kolmogorov.ks_two_sided_sf`) with the effective size
    ``round(n·m/(n+m))`` (scipy's ``method="asymp"``).  Above an effective size of 10,000 it
    uses the limiting Kolmogorov distribution (:data:`~scipy.stats.kstwobign`, i.e.
    :func:`scipy.special.kolmogorov`) at ``statistic·sqrt(en)`` instead: the finite-n
    computation costs about 0.2 s per call at such sizes (10 s for a 50-column table), and the
    two differ by O(1/sqrt(en)) — far inside the sketch's own error on the statistic.
    """
    en = max(int(np.round(n * m / (n + m))), 1)
    if en > _LIMITING_SIZE:
        x = statistic * np.sqrt(en)
        p = 1.0 if x <= 0 else float(special.kolmogorov(x))  # kstwobign's support starts at 0
    else:
        p = ks_two_sided_sf(statistic, en)
    return float(np.clip(p, 0.0, 1.0))


_LIMITING_SIZE = 10_000


@dataclass(frozen=True)
class CdfGap:
    """The gap between two sketches' estimated CDFs: its supremum and its integral.

    ``statistic`` is ``sup |F̂_ref − F̂_cur|`` (the KS statistic of the weighted items) and
    ``w1`` is ``∫ |F̂_ref − F̂_cur| dx`` (their first Wasserstein distance), both exact for the
    weighted items.
    """

    statistic: float
    w1: float


def cdf_gap(reference: QuantileSketch, current: QuantileSketch) -> CdfGap:
    """:class:`CdfGap` of two non-empty sketches in one merge of their sorted items.

    The weighted items of both sketches are merged (a stable sort of two sorted runs, linear
    time), the running weights give both CDFs at every distinct value, and the KS statistic and
    W1 follow: the same numbers as ``scipy.stats.wasserstein_distance`` on the weighted items
    and as evaluating both CDFs on the union of the items, about three times faster than the
    two separately (it matters when every window of a monitoring series is compared).
    """
    u, uw = reference.items()
    v, vw = current.items()
    values = np.concatenate([u, v])
    order = np.argsort(values, kind="stable")
    merged = values[order]
    f = np.cumsum(np.concatenate([uw, np.zeros(v.size, np.int64)])[order]) / reference.n
    g = np.cumsum(np.concatenate([np.zeros(u.size, np.int64), vw])[order]) / current.n
    last = np.empty(merged.size, dtype=bool)  # the last of each run of equal values
    last[-1] = True
    np.not_equal(merged[1:], merged[:-1], out=last[:-1])
    grid, gap = merged[last], np.abs(f[last] - g[last])
    return CdfGap(statistic=float(gap.max()), w1=float(np.dot(gap[:-1], np.diff(grid))))


def ks_sketch(
    reference: QuantileSketch, current: QuantileSketch, *, gap: CdfGap | None = None
) -> KSResult:
    """Two-sample KS test between the values summarised by two quantile sketches.

    Parameters
    ----------
    reference, current
        Non-empty sketches of the finite values of each period.
    gap
        :func:`cdf_gap` of the two sketches, when the caller already has it.

    Returns
    -------
    KSResult
        Exact (scipy's ``ks_2samp`` on the raw values) when both sketches are exact; otherwise
        the sketch estimate with its hard error bound and asymptotic p-value.
    """
    n, m = reference.n, current.n
    if n == 0 or m == 0:
        raise ValueError(f"KS needs values on both sides, got n_reference={n}, n_current={m}")
    if reference.is_exact and current.is_exact:
        # Only on the exact path (at most 131,072 values a side).
        d, p, switched = _scipy_ks(reference.values(), current.values())
        how = (
            "ks_2samp (exact values; asymptotic p-value)" if switched else "ks_2samp (exact values)"
        )
        return KSResult(d, p, True, d, d, p, p, n, m, how)
    d = (gap or cdf_gap(reference, current)).statistic
    eps = reference.normalized_rank_error + current.normalized_rank_error
    lo, hi = max(d - eps, 0.0), min(d + eps, 1.0)
    return KSResult(
        statistic=d,
        p_value=ks_asymptotic_p(d, n, m),
        exact=False,
        statistic_low=lo,
        statistic_high=hi,
        p_value_low=ks_asymptotic_p(hi, n, m),
        p_value_high=ks_asymptotic_p(lo, n, m),
        n_reference=n,
        n_current=m,
        method="sup |F_ref - F_cur| over the sketches' items; asymptotic Kolmogorov p-value",
    )
