"""Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic for finite n.

``P(D_n ≥ d)`` for ``D_n = sup_x |F_n(x) − F(x)|``, the distance between the empirical CDF of
``n`` values drawn from a continuous ``F`` and ``F`` itself.  The two-sample test uses it with
``n`` the effective size ``round(n·m/(n+m))``.

No single formula is both fast and accurate for every ``(n, d)``; Simard and L'Ecuyer (2011,
"Computing the two-sided Kolmogorov–Smirnov distribution", J. Stat. Softw. 39(11)) compared the
known ones and gave a rule choosing among them.  This module follows that rule:

* ``n·d ≤ 1`` and ``n·d ≥ n − 1``: the closed forms of Ruben and Gambino (1982),
  ``P(D_n ≤ d) = n!/nⁿ · (2nd − 1)ⁿ`` and ``P(D_n ≥ d) = 2(1 − d)ⁿ``.
* ``d ≥ 1/2``: the events ``D_n⁺ ≥ d`` and ``D_n⁻ ≥ d`` cannot both happen, so
  ``P(D_n ≥ d) = 2·P(D_n⁺ ≥ d)``, Smirnov's exact one-sided tail
  (:func:`scipy.special.smirnov`).  For large ``n·d²`` the same doubled tail is an approximation
  with a negligible error (Miller, 1956), used for ``n·d² > 4`` (``n ≤ 140``) or ``n·d² ≥ 2.2``.
* Small ``d``: Durbin's (1968) matrix formula, ``P(D_n < d) = n!/nⁿ · (Hⁿ)_kk``, evaluated as
  Marsaglia, Tsang and Wang (2003) do (``H`` is ``(2k−1)×(2k−1)``, ``k = ⌈n·d⌉``; the power is
  taken by repeated squaring with exact power-of-two rescaling).
* ``n ≤ 140`` in between: Pomeranz's (1974) recursion over the points where the band
  ``|F_n − F| < d`` changes, a product of truncated Poisson convolutions.
* ``n > 140`` in between: the asymptotic series of Pelz and Good (1976),
  ``K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^{3/2}`` with ``z = d·√n``.

The thresholds between the methods are the paper's, which are also the ones of
``scipy.stats.kstwo``; the result equals ``scipy.stats.kstwo.sf(d, n)`` (tested to 1e-12
relative) without importing :mod:`scipy.stats`, which costs most of a second at start-up.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = ["ks_two_sided_sf"]

Floats = npt.NDArray[np.float64]

_EXP = 128
_BIG = math.ldexp(1.0, _EXP)
_SMALL = math.ldexp(1.0, -_EXP)
# Rescaling factors of the final products.  They are long doubles, as in scipy's evaluation:
# once a product has been rescaled, the rest of it (and 1 − P) is carried in extended
# precision.  Rounding as scipy does is what keeps P(D_n ≥ d) = 1 − P(D_n < d) equal to its
# value where P is close to 1 (a relative error of 1e-15 in P becomes 1e-12 in 1 − P there).
_BIG_LD = np.ldexp(np.longdouble(1), _EXP)
_SMALL_LD = np.ldexp(np.longdouble(1), -_EXP)
_SMALL_N = 140
"""Up to this n the exact recursions (Durbin, Pomeranz) cover the body of the distribution."""


def ks_two_sided_sf(statistic: float, n: int) -> float:
    """``P(D_n ≥ statistic)`` for the two-sided one-sample KS statistic of ``n`` values.

    Parameters
    ----------
    statistic
        The observed statistic; values at or below ``1/(2n)`` give 1, at or above 1 give 0,
        NaN gives NaN.
    n
        Sample size, a positive integer.

    Returns
    -------
    float
        The survival function, equal to ``scipy.stats.kstwo.sf(statistic, n)``.
    """
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n, d = int(n), float(statistic)
    if math.isnan(d):
        return math.nan
    if d <= 0.5 / n:
        return 1.0
    if d >= 1.0:
        return 0.0
    return min(max(_survival(n, d), 0.0), 1.0)


def _survival(n: int, d: float) -> float:
    """The method chosen by Simard and L'Ecuyer's rule, for ``1/(2n) < d < 1``."""
    t = n * d
    if t <= 1.0:  # Ruben–Gambino, lower end
        return 1.0 - _ruben_gambino_cdf(n, t)
    if t >= n - 1:  # Ruben–Gambino, upper end
        return float(2.0 * (1.0 - d) ** n)
    if d >= 0.5:
        return 2.0 * float(special.smirnov(n, d))
    nd2 = t * d
    if n <= _SMALL_N:
        if nd2 <= 0.754693:
            return float(1.0 - _durbin_cdf(n, d))
        if nd2 <= 4.0:
            return float(1.0 - _pomeranz_cdf(n, d))
        return 2.0 * float(special.smirnov(n, d))
    if nd2 >= 370.0:  # the tail is below 2·exp(−2·n·d²) < 1e-321: 0 in double precision
        return 0.0
    if nd2 >= 2.2:
        return 2.0 * float(special.smirnov(n, d))
    if n <= 100_000 and n * d**1.5 <= 1.4:
        return float(1.0 - _durbin_cdf(n, d))
    return 1.0 - _pelz_good_cdf(n, d)


def _ruben_gambino_cdf(n: int, t: float) -> float:
    """``n!/nⁿ · (2t − 1)ⁿ`` for ``1/2 < t = n·d ≤ 1``."""
    if n <= _SMALL_N:
        return float(np.prod(np.arange(1, n + 1) * (1.0 / n) * (2 * t - 1)))
    # n!/nⁿ < 1e-58 here, so the exact value no longer shows in 1 − P.
    return math.exp(math.lgamma(n + 1) - n * math.log(n) + n * math.log(2 * t - 1))


def _inverse_factorials(m: int) -> Floats:
    """``1/0!, 1/1!, …, 1/m!`` by repeated division."""
    out = np.empty(m + 1)
    out[0] = 1.0
    for j in range(1, m + 1):
        out[j] = out[j - 1] / j
    return out


def _durbin_cdf(n: int, d: float) -> np.floating[Any]:
    """``P(D_n < d)`` by Durbin's matrix formula (Marsaglia, Tsang and Wang's evaluation)."""
    nd = n * d
    k = math.ceil(nd)
    h = k - nd
    m = 2 * k - 1
    inv_fact = _inverse_factorials(m)
    # H[a, b] = 1/(a − b + 1)! where a − b + 1 ≥ 0; its first column and last row are corrected
    # for the fractional part h.
    lag = np.arange(m)[:, None] - np.arange(m)[None, :] + 1
    H = np.where(lag >= 0, inv_fact[np.clip(lag, 0, m)], 0.0)
    edge = (1.0 - h ** np.arange(1, m + 1)) * inv_fact[1:]
    edge[-1] = (1.0 + (max(2 * h - 1.0, 0.0) ** m - 2 * h**m)) * inv_fact[m]
    H[:, 0] = edge
    H[-1, :] = edge[::-1]
    power, power_exp = np.eye(m), 0
    base_exp, rest = 0, n
    while rest > 0:  # Hⁿ by repeated squaring; the scale is kept apart as a power of two
        if rest % 2:
            power = power @ H
            power_exp += base_exp
        H = H @ H
        base_exp *= 2
        if abs(H[k - 1, k - 1]) > _BIG:
            H = H / _BIG
            base_exp += _EXP
        rest //= 2
    p: np.floating[Any] = power[k - 1, k - 1]
    for i in range(1, n + 1):  # times n!/nⁿ, one factor i/n at a time
        p = i * p / n
        if abs(p) < _SMALL:
            p = p * _BIG_LD
            power_exp -= _EXP
    out: np.floating[Any] = np.clip(np.ldexp(p, power_exp), 0.0, 1.0)
    return out


def _poisson_steps(step: float, size: int) -> Floats:
    """``(step)^r / r!`` for ``r = 0 … size−1`` (``step`` already divided by n)."""
    out = np.empty(size)
    out[0] = 1.0
    for r in range(1, size):
        out[r] = out[r - 1] * step / r
    return out


def _pomeranz_bounds(i: int, n: int, ell: int, up: int, rnd: int) -> tuple[int, int]:
    """Allowed counts ``N(A_i)`` of values at or below the ``i``-th break point (1-based).

    With ``t = n·d = ell + f`` and ``g = min(f, 1 − f)`` the break points are
    ``A_1 = 0``, ``A_2j = j − 1 + g``, ``A_2j+1 = j − g`` and ``A_2n+2 = n``, and the band is
    ``A − t < N(A) < A + t``; ``up`` is 1 when ``f > 0`` and ``rnd`` when ``f > 1/2``.
    """
    if i == 1:
        return 0, 0
    if i == 2 * n + 2:
        lo, hi = n - ell + 1 - up, n + ell + up - 1
    elif i % 2 == 0:
        a = i // 2 - 1  # A = a + g
        lo, hi = a - ell + 1 - rnd, a + ell + up - 1
    else:
        a = i // 2  # A = a − g
        lo, hi = a - ell + 1 - up, a + ell - 1 + rnd
    return max(lo, 0), min(hi, n)


def _pomeranz_cdf(n: int, d: float) -> np.floating[Any]:
    """``P(D_n < d)`` by Pomeranz's recursion, for ``n ≤ 140``."""
    t = n * d
    ell = math.floor(t)
    f = t - ell
    g = min(f, 1.0 - f)
    up, rnd = int(f > 0), int(f > 0.5)
    size = 2 * (ell + 1)
    # Between consecutive break points the gap is g (first and last), 1 − 2g or 2g.
    step_g = _poisson_steps(g / n, size)
    step_2g = _poisson_steps(2 * g / n, size)
    step_1_2g = _poisson_steps((1 - 2 * g) / n, size)
    row, row_lo = np.ones(1), 0
    scale_exp = 0
    for i in range(2, 2 * n + 3):
        lo, hi = _pomeranz_bounds(i, n, ell, up, rnd)
        steps = step_g if i in (2, 2 * n + 2) else (step_2g if i % 2 == 0 else step_1_2g)
        width = hi - row_lo + 1
        if width <= 0 or hi < lo:
            return np.float64(0.0)
        prev = np.zeros(width)
        keep = min(width, row.size)
        prev[:keep] = row[:keep]
        # N(A_i) = N(A_{i−1}) + (values in the gap): a Poisson-like convolution, truncated.
        row = np.convolve(prev, steps[:width])[lo - row_lo : hi - row_lo + 1]
        row_lo = lo
        top = float(np.max(row))
        if 0.0 < top < _SMALL:
            row = row * _BIG
            scale_exp -= _EXP
    p: np.floating[Any] = row[n - row_lo]
    for j in range(1, n + 1):  # times n!
        if abs(p) > _BIG:
            p = p * _SMALL_LD
            scale_exp += _EXP
        p = p * j
    out: np.floating[Any] = np.clip(np.ldexp(p, scale_exp), 0.0, 1.0)
    return out


def _pelz_good_cdf(n: int, d: float) -> float:
    """``P(D_n ≤ d)`` by Pelz and Good's series (Simard and L'Ecuyer's eqs. for K₀ … K₃)."""
    z = math.sqrt(n) * d
    z2, z3, z4, z6 = z**2, z**3, z**4, z**6
    pi2, pi4, pi6 = math.pi**2, math.pi**4, math.pi**6
    log_q = -pi2 / 8 / z2
    if log_q < -708:  # every term underflows
        return 0.0
    q = float(np.exp(log_q))  # numpy's exp (not math.exp): the same last bit as scipy
    terms = math.ceil(16 * z / math.pi)
    # Sums over odd j = 2k − 1 of c(j)·q^{j²}, by Horner's rule in q^{8k} from the largest k.
    acc = np.zeros(4)
    for k in range(terms, 0, -1):
        j2 = (2 * k - 1) ** 2
        coeffs = np.array(
            [
                1.0,
                -z2 + pi2 / 4 * j2,
                (6 * z6 + 2 * z4)
                + (2 * z4 - 5 * z2) * pi2 / 4 * j2
                + pi4 * (1 - 2 * z2) / 16 * j2**2,
                (-30 * z6 - 90 * z**8)
                + pi2 * (135 * z4 - 96 * z6) / 4 * j2
                + pi4 * (-60 * z2 + 212 * z4) / 16 * j2**2
                + pi6 * (5 - 30 * z2) / 64 * j2**3,
            ]
        )
        acc = acc * q ** (8 * k) + coeffs
    root_2pi = math.sqrt(2 * math.pi)
    K = acc * q * root_2pi / np.array([z, 6 * z4, 72 * z**7, 6480 * z**10])
    # Terms of K₂ and K₃ that run over every integer k, in q' = exp(−π²/(2z²)).
    ks = np.arange(terms, 0, -1)
    k2 = ks**2
    q_k2 = float(np.exp(-pi2 / 2 / z2)) ** k2
    s3z, pik = math.sqrt(3) * z, math.pi * ks
    K[2] += float(np.sum(k2 * q_k2)) * (pi2 * root_2pi / (-36 * z3))
    K[3] += float(np.sum((s3z + pik) * (s3z - pik) * k2 * q_k2)) * (pi2 * root_2pi / (216 * z6))
    K /= np.power(float(n), np.arange(4) / 2.0)
    return float(K[0] + K[1] + K[2] + K[3])
