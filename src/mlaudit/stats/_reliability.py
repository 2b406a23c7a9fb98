"""How well a binary model's predicted probabilities match observed rates.

**Reliability bins.** :func:`reliability_bins` cuts [0, 1] into ``n_bins`` equal-width bins (a
probability on an inner edge belongs to the bin below it, as in
``sklearn.calibration.calibration_curve`` and
:func:`~mlaudit.stats._calibration.expected_calibration_error`) and gives each bin's rows,
positives, mean predicted probability, observed rate and the Wilson interval of that rate: the
reliability diagram.  The expected calibration error (ECE) is
``Σ_b (n_b/n)·|observed_b − predicted_b|`` over the same bins, computed by
:func:`~mlaudit.stats._calibration.expected_calibration_error`.

**ECE interval.** The ECE depends on the rows only through each bin's count and sum of
``y − p``.  Efron's bootstrap of the rows draws the bins' counts from a multinomial and, within a
bin of ``m`` drawn rows, a sum of ``m`` draws from that bin's ``y − p``; by the central limit
theorem that sum is normal with mean ``m·μ_b`` and variance ``m·σ_b²`` (the bin's mean and
variance of ``y − p``).  :func:`ece_interval` draws ``n_boot`` resamples that way (a
``n_boot × bins`` array: vectorised, independent of the number of rows) and returns the *basic*
(reverse-percentile) interval ``[2·ECE − q_{1−α/2}, 2·ECE − q_{α/2}]``, clipped at 0.  The basic
interval, not the percentile one, because the ECE is biased upwards (an absolute value of a
noisy gap: a perfectly calibrated model on 500 rows has an ECE near 0.05) and its bootstrap
distribution is shifted up again by as much; the basic interval reflects that shift back.  Its
coverage of the population ECE (same bins) is tested in a seeded simulation.  The normal draw
within a bin is an approximation for bins of a few rows, whose weight ``n_b/n`` is small.

**Brier decomposition** (Murphy, 1973).  With the same bins, ``reliability = Σ n_b (p̄_b −
ō_b)² / n``, ``resolution = Σ n_b (ō_b − ō)² / n``, ``uncertainty = ō (1 − ō)``.  The identity
``Brier = reliability − resolution + uncertainty`` holds exactly only when every forecast in a
bin is the same; with binned continuous forecasts it misses the within-bin term (Stephenson,
Coelho and Jolliffe, 2008, *Weather and Forecasting* 23), which :class:`BrierDecomposition`
reports as ``within_bin`` so that the four terms add up to the Brier score exactly.

**Hosmer–Lemeshow test** by score deciles (Hosmer and Lemeshow, *Applied Logistic Regression*,
2013, §5.2.2): the rows are cut into ``groups`` groups at the deciles of the predicted
probability (ties kept together, so a heavily tied score gives fewer groups),
``C = Σ_g (O_g − E_g)² / (E_g (1 − E_g/n_g))`` with ``O_g`` the positives and ``E_g`` the sum
of probabilities in group ``g``, compared with χ² on ``groups − 2`` degrees of freedom, as
credit validators use it.  Known caveats: the grouping is arbitrary (other cuts give other
p-values); with many rows it rejects trivially small miscalibration, with few it has little
power; expected counts below about 5 in a group make the χ² approximation poor; and on data the
model was not fitted on, Hosmer and Lemeshow compare with ``groups`` degrees of freedom, so
``groups − 2`` rejects somewhat more often there.  Hence a check should weigh it with an effect
size (the ECE), never alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mlaudit._lazy import lazy_import
from mlaudit.errors import DataError
from mlaudit.stats._calibration import (
    FloatArray,
    expected_calibration_error,
    probabilities_in_unit,
    same_length,
    zero_one,
)
from mlaudit.stats._intervals import wilson_interval

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = [
    "BrierDecomposition",
    "HosmerLemeshow",
    "ReliabilityBin",
    "brier_decomposition",
    "ece_interval",
    "hosmer_lemeshow",
    "reliability_bins",
]


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of the reliability diagram."""

    low: float
    high: float
    rows: int
    positives: int
    predicted: float
    """Mean predicted probability (NaN for an empty bin)."""
    observed: float
    """Observed rate of positives (NaN for an empty bin)."""
    observed_low: float
    observed_high: float
    """Wilson interval of the observed rate (NaN for an empty bin)."""


@dataclass(frozen=True)
class BrierDecomposition:
    """Murphy's decomposition of the Brier score over bins, with the within-bin remainder."""

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bin: float
    """``brier − (reliability − resolution + uncertainty)``: 0 when each bin's forecasts agree."""


@dataclass(frozen=True)
class HosmerLemeshow:
    """The Hosmer–Lemeshow statistic by score groups, its degrees of freedom and p-value."""

    statistic: float
    df: int
    p_value: float
    groups: int
    min_expected: float
    """Smallest expected count of either class in a group (below ~5: the χ² is rough)."""


def _checked(probabilities: npt.ArrayLike, labels: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    p = probabilities_in_unit(probabilities, "probabilities")
    y = zero_one(labels, "labels")
    same_length(probabilities=p, labels=y)
    if p.size == 0:
        raise DataError("no rows to assess calibration on", fix="pass at least one row")
    return p, y


def _bins(p: FloatArray, n_bins: int) -> npt.NDArray[np.intp]:
    if n_bins < 1:
        raise DataError(f"n_bins={n_bins} is below 1", fix="use e.g. n_bins=10")
    inner = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    return np.searchsorted(inner, p, side="left")


def reliability_bins(
    probabilities: npt.ArrayLike, labels: npt.ArrayLike, *, n_bins: int = 10, level: float = 0.95
) -> list[ReliabilityBin]:
    """The reliability diagram over ``n_bins`` equal-width bins of [0, 1].

    Parameters
    ----------
    probabilities
        Predicted probabilities of the positive class, in [0, 1].
    labels
        0/1 labels, one per probability.
    n_bins
        Number of bins.
    level
        Confidence level of each bin's Wilson interval.

    Returns
    -------
    list of ReliabilityBin
        One per bin, empty bins included (with NaN rates).

    Raises
    ------
    DataError
        When the inputs are empty, of different lengths, or not probabilities and 0/1 labels.
    """
    p, y = _checked(probabilities, labels)
    b = _bins(p, n_bins)
    rows = np.bincount(b, minlength=n_bins)
    pos = np.bincount(b, weights=y, minlength=n_bins)
    psum = np.bincount(b, weights=p, minlength=n_bins)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    out = []
    for i in range(n_bins):
        n, k = int(rows[i]), round(float(pos[i]))
        nan = math.nan
        lo, hi = wilson_interval(k, n, level=level) if n else (nan, nan)
        pred, obs = (psum[i] / n, k / n) if n else (nan, nan)
        out.append(ReliabilityBin(float(edges[i]), float(edges[i + 1]), n, k, pred, obs, lo, hi))
    return out


def brier_decomposition(
    probabilities: npt.ArrayLike, labels: npt.ArrayLike, *, n_bins: int = 10
) -> BrierDecomposition:
    """Brier score and its Murphy decomposition over ``n_bins`` equal-width bins.

    Returns
    -------
    BrierDecomposition
        ``brier = reliability − resolution + uncertainty + within_bin`` exactly.

    Raises
    ------
    DataError
        As :func:`reliability_bins`.
    """
    p, y = _checked(probabilities, labels)
    b = _bins(p, n_bins)
    n = float(p.size)
    rows = np.bincount(b, minlength=n_bins).astype(np.float64)
    obs = np.bincount(b, weights=y, minlength=n_bins)
    pred = np.bincount(b, weights=p, minlength=n_bins)
    used = rows > 0
    o_b, p_b = obs[used] / rows[used], pred[used] / rows[used]
    base = float(y.mean())
    reliability = float(np.sum(rows[used] * (p_b - o_b) ** 2) / n)
    resolution = float(np.sum(rows[used] * (o_b - base) ** 2) / n)
    uncertainty = base * (1.0 - base)
    brier = float(np.mean((p - y) ** 2))
    within = brier - (reliability - resolution + uncertainty)
    return BrierDecomposition(brier, reliability, resolution, uncertainty, within)


def ece_interval(
    probabilities: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    n_bins: int = 10,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """The ECE and its basic bootstrap interval (see the module's notes).

    Returns
    -------
    tuple of float
        ``(ece, low, high)``; ``low`` is clipped at 0.

    Raises
    ------
    DataError
        As :func:`reliability_bins`, or when ``n_boot`` is below 1.
    """
    p, y = _checked(probabilities, labels)
    if n_boot < 1:
        raise DataError(f"n_boot={n_boot} is below 1", fix="use e.g. n_boot=1000")
    ece = expected_calibration_error(p, y, n_bins=n_bins)
    b = _bins(p, n_bins)
    rows = np.bincount(b, minlength=n_bins).astype(np.float64)
    g = y - p
    gsum = np.bincount(b, weights=g, minlength=n_bins)
    g2 = np.bincount(b, weights=g * g, minlength=n_bins)
    safe = np.maximum(rows, 1.0)
    mu = gsum / safe
    var = np.maximum(g2 / safe - mu * mu, 0.0)
    rng = np.random.default_rng(seed)
    m = rng.multinomial(p.size, rows / p.size, size=n_boot).astype(np.float64)
    sums = m * mu + np.sqrt(m * var) * rng.standard_normal(m.shape)
    boot = np.abs(sums).sum(axis=1) / p.size
    alpha = 1.0 - level
    q_low, q_high = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    return ece, max(0.0, 2 * ece - float(q_high)), max(0.0, 2 * ece - float(q_low))


def _deciles(p: FloatArray, groups: int) -> npt.NDArray[np.intp]:
    """Group of each row: cut at the ``groups``-quantiles of ``p``, ties kept together."""
    inner = np.unique(np.quantile(p, np.arange(1, groups) / groups))
    g = np.searchsorted(inner, p, side="left")
    used = np.bincount(g, minlength=inner.size + 1) > 0  # drop groups left empty by ties
    return (np.cumsum(used) - 1)[g].astype(np.intp)


def hosmer_lemeshow(
    probabilities: npt.ArrayLike, labels: npt.ArrayLike, *, groups: int = 10
) -> HosmerLemeshow:
    """The Hosmer–Lemeshow goodness-of-fit test over score groups (see the module's notes).

    Parameters
    ----------
    probabilities
        Predicted probabilities of the positive class, in [0, 1].
    labels
        0/1 labels, one per probability.
    groups
        Groups asked for (deciles: 10); ties in the scores can leave fewer.

    Returns
    -------
    HosmerLemeshow
        Statistic, ``df = groups used − 2`` and the χ² p-value (NaN when fewer than 3 groups).

    Raises
    ------
    DataError
        As :func:`reliability_bins`, or when ``groups`` is below 3.
    """
    p, y = _checked(probabilities, labels)
    if groups < 3:
        raise DataError(f"groups={groups} is below 3", fix="use e.g. groups=10 (deciles)")
    g = _deciles(p, groups)
    k = int(g.max()) + 1
    n_g = np.bincount(g, minlength=k).astype(np.float64)
    o = np.bincount(g, weights=y, minlength=k)
    e = np.bincount(g, weights=p, minlength=k)
    denom = e * (1.0 - e / n_g)
    gap = (o - e) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        zero = np.where(gap > 0, np.inf, 0.0)  # no expected count: any gap is infinite
        terms = np.where(denom > 0, gap / np.where(denom > 0, denom, 1.0), zero)
    stat = float(terms.sum())
    df = k - 2
    p_value = float(scipy_stats.chi2.sf(stat, df)) if df >= 1 else math.nan
    min_expected = float(np.minimum(e, n_g - e).min())
    return HosmerLemeshow(stat, df, p_value, k, min_expected)
