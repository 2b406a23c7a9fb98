"""Simulated label sets for performance estimated without labels.

Each draw is one label set ``y_i ~ Bernoulli(p_i)``; every metric is a function of ``(TP, FN,
Rc)``, so a draw keeps only those sums, simulated per predicted class (the two groups are
independent): exactly by Poisson thinning when a group expects few label flips, else from a
skew-corrected bivariate normal (see :mod:`mlaudit.stats._estimation`, **Bands**).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["ROW_CHUNK", "Simulation", "metrics_from_sums", "row_chunks", "simulate"]

FloatArray = npt.NDArray[np.float64]

_EXACT_FLIPS = 200.0
"""Most expected label flips per draw for which a group is simulated exactly.

Above it the group's count has variance at least ``0.36·200 = 72`` (``q(1−q) ≥ 0.36·(−log(1−q))``
for ``q ≤ ½``), where the skew-corrected normal approximation is good to a count or so."""

ROW_CHUNK = 1 << 20
"""Rows per chunk of the sums over a window's rows (:func:`row_chunks`)."""

_EXACT_EVENTS = 2_000_000
"""Most simulated flips (all draws together) per group on the exact path: about 50 ms."""


@dataclass(frozen=True)
class Simulation:
    """Simulated sums of ``draws`` label sets for one window.

    Attributes
    ----------
    sums
        draws × 3: TP, FN and Rc (centred rank sum of the positives) per label set.
    means
        Their exact expectations.
    n, n1
        Rows and predicted positives.
    method
        How each group was drawn, in words.
    """

    sums: FloatArray
    means: FloatArray
    n: int
    n1: int
    method: str

    def metrics(self) -> dict[str, FloatArray]:
        """Each metric per simulated label set; NaN where undefined."""
        tp, fn, rc = self.sums.T
        return metrics_from_sums(tp, fn, rc, self.n, self.n1)


def metrics_from_sums(
    tp: FloatArray, fn: FloatArray, rc: FloatArray, n: int, n1: int
) -> dict[str, FloatArray]:
    """Accuracy, precision, recall, F1 and ROC AUC from the sums ``(TP, FN, Rc)``.

    Parameters
    ----------
    tp, fn
        True positives and false negatives, one per label set.
    rc
        Centred rank sums of the positives, ``Σ y_i·(r_i − (n+1)/2)``.
    n, n1
        Rows and predicted positives of the window.

    Returns
    -------
    dict of str to numpy.ndarray
        Keyed by metric name; NaN where a metric is undefined for a label set.
    """
    m = tp + fn
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "accuracy": (tp + (n - n1) - fn) / n,
            "precision": tp / n1 if n1 > 0 else np.full(tp.shape, np.nan),
            "recall": np.where(m > 0, tp / m, np.nan),
            "f1": np.where(n1 + m > 0, 2.0 * tp / (n1 + m), np.nan),
            "roc_auc": np.where((m > 0) & (m < n), 0.5 + rc / (m * (n - m)), np.nan),
        }


def simulate(
    p: FloatArray, hit: npt.NDArray[np.bool_], rc: FloatArray, draws: int, seed: int
) -> Simulation:
    """Draw the sums ``(TP, FN, Rc)`` for ``draws`` label sets, group by predicted class."""
    n = int(p.size)
    rng = np.random.default_rng(seed)
    sums, means, how = np.zeros((draws, 3)), np.zeros(3), []
    for column, group in enumerate((hit, ~hit)):
        pg, rg = p[group], rc[group]
        count, rank, method = _simulate_group(pg, rg, draws, rng)
        sums[:, column], sums[:, 2] = count, sums[:, 2] + rank
        means[column], means[2] = pg.sum(), means[2] + pg @ rg
        how.append(f"{method} for predicted {('positives', 'negatives')[column]}")
    return Simulation(sums, means, n, int(hit.sum()), ", ".join(how))


def _simulate_group(
    p: FloatArray, r: FloatArray, draws: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, str]:
    """Draw ``(Σ y, Σ y·r)`` over one group's rows for ``draws`` label sets ``y ~ Bern(p)``."""
    flips = sum(float(_flip_rate(p[c]).sum()) for c in row_chunks(p.size))
    if flips <= _EXACT_FLIPS and flips * draws <= _EXACT_EVENTS:
        return (*_thinning(p, r, _flip_rate(p), draws, rng), "exact simulation")
    count, rank = _normal_draws(p, r, draws, rng)
    return count, rank, "normal approximation"


def _flip_rate(p: FloatArray) -> FloatArray:
    """A row's label flips away from its likelier value when a Poisson(rate) count is >= 1."""
    return -np.log1p(-np.minimum(p, 1.0 - p))


def row_chunks(n: int) -> list[slice]:
    """Slices of at most :data:`ROW_CHUNK` rows covering ``range(n)`` (one slice when shorter).

    Sums over millions of rows are taken a chunk at a time, so that their temporaries (8 bytes
    a row each) stay bounded.  Up to ``ROW_CHUNK`` rows there is one chunk and the arithmetic
    is exactly the unchunked one; beyond, only the order of the additions differs.
    """
    return [slice(i, min(i + ROW_CHUNK, n)) for i in range(0, n, ROW_CHUNK)] or [slice(0, 0)]


def _normal_draws(
    p: FloatArray, r: FloatArray, draws: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Correlated normal draws of ``(Σ y, Σ y·r)`` with a first-order Cornish–Fisher correction.

    Each standardised component ``z`` becomes ``z + γ·(z² − 1)/6`` with ``γ`` its exact
    skewness (third cumulant ``Σ p(1−p)(1−2p)·w³`` over the standard deviation cubed), which
    moves the tail quantiles of a skewed sum by the Edgeworth correction.
    """
    # Σ v, Σ v·r², Σ v·r, Σ third, Σ third·r³, Σ p, Σ p·r, with v = p(1−p) and
    # third = p(1−p)(1−2p), a chunk of rows at a time.
    m = np.zeros(7)
    for c in row_chunks(p.size):
        pc, rc = p[c], r[c]
        v = pc * (1.0 - pc)
        vr = v * rc
        third = v - 2.0 * v * pc
        m += [v.sum(), vr @ rc, vr.sum(), third.sum(), (third * rc * rc) @ rc, pc.sum(), pc @ rc]
    sd = np.sqrt(m[:2])
    safe = np.where(sd > 0.0, sd, 1.0)
    corr = float(np.clip(m[2] / (safe[0] * safe[1]), -1.0, 1.0))
    skew = m[3:5] / safe**3
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, corr], [corr, 1.0]], size=draws, method="eigh")
    x = m[5:7] + sd * (z + skew * (z * z - 1.0) / 6.0)
    return np.clip(np.rint(x[:, 0]), 0.0, float(p.size)), x[:, 1]


def _thinning(
    p: FloatArray, r: FloatArray, rate: FloatArray, draws: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Exact draws by Poisson thinning: each row starts at its likelier label and may flip.

    Row ``i`` has a Poisson(``draws·rate_i``) number of events over all draws, each landing in
    a uniformly chosen draw (so independent Poisson(``rate_i``) counts per draw); the row's
    label flips in the draws it has at least one event in.
    """
    start = p > 0.5
    count = np.full(draws, float(start.sum()))
    rank = np.full(draws, float(r[start].sum()))
    events = rng.poisson(draws * rate)
    row = np.repeat(np.arange(p.size, dtype=np.int64), events)
    key = np.sort(row * draws + rng.integers(0, draws, size=row.size))
    key = key[np.r_[True, key[1:] != key[:-1]]] if key.size else key
    row, draw = np.divmod(key, draws)
    sign = np.where(start[row], -1.0, 1.0)  # a flip removes a positive or adds one
    count += np.bincount(draw, weights=sign, minlength=draws)
    rank += np.bincount(draw, weights=sign * r[row], minlength=draws)
    return count, rank
