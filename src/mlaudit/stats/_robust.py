"""Robust location and scale: median, MAD, robust z-scores and Tukey's fences.

Robust statistics resist the very outliers they are used to find: a handful of extreme values
barely moves the median or the median absolute deviation (MAD), whereas they inflate the mean
and the standard deviation and so hide themselves.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAD_TO_SD",
    "MEANAD_TO_SD",
    "TUKEY_FAR_Z",
    "robust_scale",
    "robust_z",
    "tukey_fences",
]

MAD_TO_SD = 1.482602218505602
"""``1 / Φ⁻¹(0.75)``: scales the MAD to the standard deviation of a normal distribution."""

MEANAD_TO_SD = 1.2533141373155001
"""``√(π/2)``: scales the mean absolute deviation to the standard deviation of a normal."""

TUKEY_FAR_Z = 4.72
"""Robust |z| equivalent to Tukey's far-out fences (k = 3) for a symmetric distribution.

For a symmetric distribution the fence ``Q3 + 3·IQR`` lies ``3.5·IQR = 7·MAD`` from the median,
that is ``7 / 1.4826 ≈ 4.72`` robust standard deviations.
"""


def robust_scale(values: npt.ArrayLike) -> tuple[float, float]:
    """Median and robust standard deviation of the finite values of ``values``.

    The scale is ``1.4826 · MAD``; when the MAD is 0 (more than half the values are equal) it
    falls back to ``1.2533 · mean absolute deviation`` around the median (Iglewicz and Hoaglin,
    1993), which is 0 only when every value equals the median.

    Parameters
    ----------
    values
        Numbers; NaN and ±inf are ignored.

    Returns
    -------
    tuple of float
        ``(median, scale)``; ``(nan, nan)`` when there is no finite value.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan")
    med = float(np.median(x))
    dev = np.abs(x - med)
    mad = float(np.median(dev))
    if mad > 0:
        return med, MAD_TO_SD * mad
    return med, MEANAD_TO_SD * float(np.mean(dev))


def robust_z(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Robust z-scores ``(x - median) / (1.4826 · MAD)`` of ``values``.

    Parameters
    ----------
    values
        Numbers; the median and scale come from the finite ones.

    Returns
    -------
    numpy.ndarray
        One score per value: NaN stays NaN, ±inf gives ±inf.  When the scale is 0 (every finite
        value equal), values equal to the median score 0 and others ±inf.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    med, scale = robust_scale(x)
    if np.isnan(med):
        return np.full(x.shape, np.nan)
    diff = x - med
    if scale > 0:
        return np.asarray(diff / scale, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(diff == 0, 0.0, np.sign(diff) * np.inf)
    return np.where(np.isnan(x), np.nan, z).astype(np.float64)


def tukey_fences(q1: float, q3: float, *, k: float = 3.0) -> tuple[float, float]:
    """Tukey's fences ``(Q1 - k·IQR, Q3 + k·IQR)``; ``k=1.5`` inner, ``k=3`` far-out."""
    iqr = q3 - q1
    return q1 - k * iqr, q3 + k * iqr
