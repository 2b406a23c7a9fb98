"""Seeded, vectorised bootstrap intervals for metrics without an exact interval.

**Resamples as weight rows (the Poisson bootstrap).**  A resample gives each row a weight, how
often it is drawn.  Drawing ``m`` rows with replacement makes the weights multinomial; the
Poisson bootstrap draws each weight independently from Poisson(1) instead, which has the same
first two moments and the same limit (Hanley and MacGibbon 2006, *Computer Methods and Programs
in Biomedicine* 83; Chamandy et al. 2012, "Estimating uncertainty for massive data streams",
Google) and is ten times cheaper to draw: one 16-bit uniform per weight, turned into a count by a
table of Poisson(1)'s distribution function (each count's probability rounded to a multiple of
2⁻¹⁶, so it is off by less than 1.6·10⁻⁵; counts above 8, probability 10⁻⁶, are never drawn).
A statistic is computed on weighted rows for many resamples at once: a matrix ``W`` of shape
``(r, m)`` holds ``r`` resamples (one a row, contiguous, in single precision: the counts and
their sums up to 2²⁴ are exact), and every metric is a matrix product or a cumulative sum over
it (:mod:`mlaudit.stats._metrics`), so no Python loop runs over resamples.  Resamples are
processed in chunks of about a million weights, which bounds the memory at a few tens of MB
whatever the number of rows or resamples.  The generator is seeded, so the same inputs and seed
give the same interval.

**Large data: m out of n.**  Weighting 1,000,000 rows for each of 1,000 resamples is 10⁹ random
numbers and 10¹⁰ operations for the metrics, far over the ten seconds an audit may spend on them.
Above ``max_rows`` rows (default 50,000) the resamples are drawn from a seeded random
subsample of ``m = max_rows`` rows, and the spread of the replicates around the subsample's own
estimate ``θ̂ₘ`` is scaled by ``√(m/n)`` around the full data's estimate ``θ̂``:
``[θ̂ + √(m/n)·(q_lo − θ̂ₘ), θ̂ + √(m/n)·(q_hi − θ̂ₘ)]``.  For a statistic
whose error shrinks as ``1/√n`` (means, rates, AUC-like rank statistics, smooth functions of
them) this is the rescaled m-out-of-n bootstrap (Bickel, Götze and van Zwet 1997, *Statistica
Sinica* 7; Politis, Romano and Wolf 1999, *Subsampling*, ch. 2); with 50,000 rows the
subsample's replicates estimate the spread as well as the full data would for any practical
purpose.  At or below ``max_rows`` rows the interval is the plain percentile bootstrap
(Efron and Tibshirani 1993, ch. 13).

**Interval.**  The bias-corrected percentile interval (Efron 1981, "Nonparametric standard errors
and confidence intervals", *Canadian Journal of Statistics* 9; Efron and Tibshirani 1993, §14.3):
with ``z0 = Φ⁻¹(share of replicates below the estimate)``, the percentiles
``Φ(2·z0 ∓ z)`` of the replicates, ``z`` the normal quantile of the level.  It is the plain
percentile interval when the replicates are centred on the estimate, and corrects the
statistics that resampling pushes one way: the KS statistic, a maximum, is larger on almost
every resample: at the 95% level the plain percentile interval held its true value in 77% of
simulated samples of 400 rows, the corrected one in 84% (93% at 2,000 rows): on small samples
the KS interval is still too narrow, and the documentation says so
(tests/unit/checks/performance/test_metrics_coverage.py).  Replicates
where the statistic is undefined (NaN: a resample without positives) are left out, and when more
than half are undefined no interval is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlaudit.stats._auc import normal_quantile

__all__ = ["BootstrapInterval", "Statistic", "bootstrap_intervals", "resample_weights"]

Statistic = Callable[[Sequence[np.ndarray]], Callable[[np.ndarray], dict[str, np.ndarray]]]
"""``statistic(arrays)`` prepares the metrics on these rows once (sorts, per-row terms) and
returns ``f(W)``: each metric's value for each row of the weight matrix ``W`` (r × m)."""

_CHUNK_COUNTS = 1 << 20
"""Weights per chunk of resamples (4 MB in single precision)."""


@dataclass(frozen=True)
class BootstrapInterval:
    """A metric's bootstrap interval.

    Attributes
    ----------
    low, high
        Bounds of the ``level`` percentile interval (NaN when undefined).
    level
        Confidence level.
    n_resamples
        Resamples drawn; ``defined`` of them gave a value.
    rows_resampled
        Rows each resample drew (``m``; the number of rows unless above ``max_rows``).
    n_rows
        Rows the estimate was computed on.
    """

    low: float
    high: float
    level: float
    n_resamples: int
    defined: int
    rows_resampled: int
    n_rows: int

    @property
    def method(self) -> str:
        """The method in words, for a result's bound."""
        if self.rows_resampled < self.n_rows:
            return (
                f"Poisson bootstrap (bias-corrected percentile), {self.n_resamples:,} resamples of "
                f"{self.rows_resampled:,} rows rescaled by sqrt(m/n) to {self.n_rows:,} rows "
                "(m out of n)"
            )
        return f"Poisson bootstrap (bias-corrected percentile), {self.n_resamples:,} resamples"


def _poisson_table() -> npt.NDArray[np.float32]:
    """Count for each 16-bit uniform: Poisson(1)'s inverse distribution function."""
    k = np.arange(12)
    pmf = np.exp(-1.0) / np.cumprod(np.r_[1.0, k[1:].astype(np.float64)])
    edges = np.round(np.cumsum(pmf) * 65536.0)
    return np.searchsorted(edges, np.arange(65536), side="right").astype(np.float32)


_POISSON = _poisson_table()


def resample_weights(rng: np.random.Generator, m: int, r: int) -> npt.NDArray[np.float32]:
    """Weights ``(r, m)``: Poisson(1) counts, row ``j`` the weights of resample ``j``."""
    return _POISSON[rng.integers(0, 65536, size=(r, m), dtype=np.uint16)]


def bootstrap_intervals(
    arrays: Sequence[np.ndarray],
    statistic: Statistic,
    estimates: dict[str, float],
    *,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    max_rows: int = 50_000,
) -> dict[str, BootstrapInterval]:
    """Percentile bootstrap intervals of the metrics ``statistic`` computes on ``arrays``.

    Parameters
    ----------
    arrays
        Row arrays of equal length ``n`` (labels, scores, ...), passed to ``statistic``.
    statistic
        ``statistic(arrays)`` returns ``f``; ``f(W)`` gives, per metric name, its value for
        each row of the weight matrix ``W`` (resamples × rows).
    estimates
        The metrics on the whole data (``statistic`` with one column of ones), the centres.
    n_resamples, level, seed
        Number of resamples, confidence level in (0, 1), seed of the generator.
    max_rows
        Above this many rows, resamples of a seeded subsample of ``max_rows`` rows, rescaled
        (m out of n; see the module docstring).

    Returns
    -------
    dict[str, BootstrapInterval]
        One interval per metric of ``estimates``.
    """
    n = len(arrays[0]) if arrays else 0
    rng = np.random.default_rng(seed)
    if n == 0:
        return {}
    m = min(n, max_rows)
    if m < n:
        keep = np.sort(rng.choice(n, size=m, replace=False))
        run = statistic([a[keep] for a in arrays])
        centre = run(np.ones((1, m)))
    else:
        run = statistic(arrays)
        centre = {k: np.array([v]) for k, v in estimates.items()}
    per_chunk = max(1, _CHUNK_COUNTS // m)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in estimates}
    for start in range(0, n_resamples, per_chunk):
        out = run(resample_weights(rng, m, min(per_chunk, n_resamples - start)))
        for k in parts:
            parts[k].append(np.asarray(out[k], dtype=np.float64))
    scale = math.sqrt(m / n)
    return {
        k: _interval(
            np.concatenate(parts[k]),
            estimates[k],
            float(centre[k][0]),
            scale,
            level=level,
            m=m,
            n=n,
        )
        for k in estimates
    }


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _interval(
    reps: np.ndarray, estimate: float, centre: float, scale: float, *, level: float, m: int, n: int
) -> BootstrapInterval:
    defined = reps[np.isfinite(reps)]
    nan = float("nan")
    if defined.size * 2 <= reps.size or not (math.isfinite(estimate) and math.isfinite(centre)):
        return BootstrapInterval(nan, nan, level, reps.size, int(defined.size), m, n)
    # Bias correction: z0 from the share of replicates below the centre (ties count half).
    below = np.count_nonzero(defined < centre) + 0.5 * np.count_nonzero(defined == centre)
    share = min(max(below / defined.size, 1.0 / (defined.size + 1)), 1.0 - 1.0 / (defined.size + 1))
    z0 = normal_quantile(share)
    z = normal_quantile((1.0 + level) / 2.0)
    lo, hi = np.quantile(defined, [_normal_cdf(2 * z0 - z), _normal_cdf(2 * z0 + z)])
    low = estimate + scale * (float(lo) - centre)
    high = estimate + scale * (float(hi) - centre)
    return BootstrapInterval(low, high, level, reps.size, int(defined.size), m, n)
