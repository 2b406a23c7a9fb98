"""``exp``, ``log``, the logistic function and log-loss from IEEE arithmetic alone.

numpy's vectorised ``exp`` and ``log`` may round differently on different processors; these
are polynomial evaluations in a fixed order, so the classifier gives bit-identical scores on
any machine with IEEE-754 doubles and the same numpy.
"""

from __future__ import annotations

import decimal
import math

import numpy as np
import numpy.typing as npt

__all__ = ["exp", "log", "log_loss", "sigmoid"]

FloatArray = npt.NDArray[np.float64]

_LN2_HI = 6.93147180369123816490e-01  # ln 2 in two parts: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10
_TABLE = 32  # exp works on x = (32e + j) ln2 / 32 + r
_TABLE_OVER_LN2 = 46.16624130844683  # 32 / ln 2, written out so no libm call can round it


def _two_powers() -> FloatArray:
    """``2**(j/32)`` for j = 0..31, rounded to doubles the same way on every machine."""
    with decimal.localcontext() as ctx:
        ctx.prec = 40  # libmpdec: platform-independent; then one rounding to a double
        return np.array(
            [float(decimal.Decimal(2) ** (decimal.Decimal(j) / _TABLE)) for j in range(_TABLE)]
        )


_TWO_POW = _two_powers()
_EXP_TERMS = tuple(1.0 / math.factorial(k) for k in range(7))  # Taylor series of exp to r**6
_LOG_TERMS = tuple(1.0 / (2 * k + 1) for k in range(12))  # atanh series to s**23


def exp(x: FloatArray) -> FloatArray:
    """``exp(x)`` for ``x <= 0`` from IEEE arithmetic only (within a few ulp).

    ``x = (32e + j)·ln2/32 + r`` with ``|r| <= ln2/64`` (``ln 2`` in two parts, after Cody and
    Waite), so ``exp(x) = 2**e · 2**(j/32) · exp(r)``: a table of the 32 powers, the Taylor
    polynomial of ``exp(r)`` to degree 6 (truncation below 4e-18) and ``np.ldexp``.

    Parameters
    ----------
    x
        Non-positive numbers (below -745 they give 0).

    Returns
    -------
    numpy.ndarray
        ``exp(x)`` element-wise.
    """
    x = np.maximum(x, -745.0)
    k = np.rint(x * _TABLE_OVER_LN2)
    r = (x - k * (_LN2_HI / _TABLE)) - k * (_LN2_LO / _TABLE)
    poly = np.full_like(r, _EXP_TERMS[-1])
    for c in _EXP_TERMS[-2::-1]:
        poly = poly * r + c
    ki = k.astype(np.int64)
    out: FloatArray = np.ldexp(_TWO_POW[ki & (_TABLE - 1)] * poly, ki >> 5)
    return out


def log(x: FloatArray) -> FloatArray:
    """Natural logarithm of positive finite ``x`` from IEEE arithmetic only (about 1 ulp).

    ``x = m·2**e`` with ``m`` in [√½, √2) (``np.frexp``, exact); ``log m = 2·atanh(s)`` with
    ``s = (m−1)/(m+1)``, ``|s| < 0.172``, summed to ``s**23``; plus ``e·ln 2``.

    Parameters
    ----------
    x
        Positive finite numbers.

    Returns
    -------
    numpy.ndarray
        ``log(x)`` element-wise.
    """
    m, e = np.frexp(x)
    low = m < math.sqrt(0.5)
    m = np.where(low, 2.0 * m, m)
    e = np.where(low, e - 1, e).astype(np.float64)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    poly = np.full_like(s, _LOG_TERMS[-1])
    for c in _LOG_TERMS[-2::-1]:
        poly = poly * s2 + c
    return (e * _LN2_HI + 2.0 * s * poly) + e * _LN2_LO


def sigmoid(raw: FloatArray) -> FloatArray:
    """``1 / (1 + exp(-raw))`` without overflow, with :func:`exp`.

    Parameters
    ----------
    raw
        Log-odds.

    Returns
    -------
    numpy.ndarray
        Probabilities, element-wise.
    """
    e = exp(-np.abs(raw))
    d = 1.0 / (1.0 + e)
    return np.where(raw >= 0, d, e * d)


def log_loss(y: FloatArray, raw: FloatArray) -> float:
    """Mean logistic loss ``log(1 + exp(raw)) - y·raw`` of log-odds ``raw``.

    Parameters
    ----------
    y
        0/1 labels as floats.
    raw
        Log-odds, one per label.

    Returns
    -------
    float
        The mean loss.
    """
    softplus = np.maximum(raw, 0.0) + log(1.0 + exp(-np.abs(raw)))
    return float(np.mean(softplus - y * raw))
