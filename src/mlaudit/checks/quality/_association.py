"""Association measures from the scan's pair summaries (:class:`mlaudit.summary.Correlations`).

* Cramér's V without bias correction, ``sqrt(chi2 / (n · (min(r, c) - 1)))`` with Pearson's
  chi-squared of the contingency table (no continuity correction; rows and columns without
  counts dropped): what ``scipy.stats.contingency.association(method="cramer")`` gives.
* The correlation ratio eta, ``sqrt(SS_between / SS_total)`` of the numeric column grouped by
  the categories (:func:`category_moments`): 1 when the category fixes the value, 0 when every
  category has the same mean.
* Variance inflation factors: the diagonal of the inverse of the correlation matrix, equal to
  ``1 / (1 - R²)`` of each feature regressed on the others with an intercept (statsmodels'
  ``variance_inflation_factor`` on the features with a constant column added).
* Spearman's rho from ranks: average ranks of each column over its own non-missing values, then
  Pearson's r of the ranks over the rows where both are present.
* The Fisher z test of a change of Pearson's r between two independent samples, with Holm's
  step-down correction across the pairs tested.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = [
    "category_moments",
    "cramers_v",
    "eta",
    "fisher_z_p",
    "holm",
    "kurtosis_factor",
    "spearman_matrix",
    "vif",
]


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V (no bias correction) of a contingency table; NaN when undefined."""
    t = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = float(t.sum())
    k = min(t.shape) - 1 if t.size else 0
    if n == 0 or k < 1:
        return float("nan")
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / n
    chi2 = float(((t - expected) ** 2 / expected).sum())
    return math.sqrt(min(chi2 / (n * k), 1.0))


def eta(groups: np.ndarray) -> tuple[float, int]:
    """Correlation ratio and row count from per-category (count, mean, M2) rows."""
    n, mean, m2 = groups[:, 0], groups[:, 1], groups[:, 2]
    total = float(n.sum())
    if total < 2 or int((n > 0).sum()) < 2:
        return float("nan"), int(total)
    grand = float((n * mean).sum() / total)
    between = float((n * (mean - grand) ** 2).sum())
    ss = between + float(m2.sum())
    if ss <= 0:
        return float("nan"), int(total)
    return math.sqrt(min(between / ss, 1.0)), int(total)


def category_moments(frame: pl.DataFrame, by: str, numeric: list[str]) -> dict[str, np.ndarray]:
    """Per category of ``by``: count, mean and M2 of each numeric column (rows with both)."""
    x = {n: pl.col(n).cast(pl.Float64) for n in numeric}
    clean = frame.select(
        pl.col(by).cast(pl.String), *(pl.when(e.is_finite()).then(e).alias(n) for n, e in x.items())
    )
    g = (
        clean.filter(pl.col(by).is_not_null())
        .group_by(by)
        .agg(
            *(pl.col(n).count().alias(f"\0n{k}") for k, n in enumerate(numeric)),
            *(pl.col(n).mean().alias(f"\0m{k}") for k, n in enumerate(numeric)),
            *(
                (pl.col(n) - pl.col(n).mean()).pow(2).sum().alias(f"\0s{k}")
                for k, n in enumerate(numeric)
            ),
        )
    )
    return {
        n: g.select(f"\0n{k}", f"\0m{k}", f"\0s{k}").fill_null(0.0).to_numpy().astype(float)
        for k, n in enumerate(numeric)
    }


def vif(r: np.ndarray) -> np.ndarray:
    """Variance inflation factors from a correlation matrix (inf when singular)."""
    p = r.shape[0]
    if p < 2:
        return np.full(p, np.nan)
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        return np.full(p, np.inf)
    out = np.diag(inv).copy()
    out[(out > 1e12) | (out < 1 - 1e-9)] = np.inf  # numerically singular (or not a correlation)
    return out


def spearman_matrix(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's rho and pair counts of the numeric columns of ``frame`` (NaN and null missing)."""
    ranks = frame.select(
        pl.when(pl.col(c).cast(pl.Float64).is_finite())
        .then(pl.col(c).cast(pl.Float64))
        .rank("average")
        .cast(pl.Float64)
        for c in frame.columns
    )
    x = ranks.to_numpy().astype(np.float64)
    ok = np.isfinite(x)
    okf = ok.astype(np.float64)
    n = okf.T @ okf
    centre = np.where(ok, x, 0.0).sum(axis=0) / np.maximum(ok.sum(axis=0), 1)
    x0 = np.where(ok, x - centre, 0.0)
    s, q, p2 = x0.T @ okf, (x0 * x0).T @ okf, x0.T @ x0
    with np.errstate(invalid="ignore", divide="ignore"):
        c = p2 - s * s.T / n
        v = q - s * s / n
        rho = c / np.sqrt(v * v.T)
    rho[(n < 2) | ~np.isfinite(rho)] = np.nan
    return np.clip(rho, -1.0, 1.0), n


def kurtosis_factor(frame: pl.DataFrame) -> np.ndarray:
    """How much wider the sampling distribution of Fisher's z is than under normality, per pair.

    ``n · Var(r)`` for data that need not be normal (the delta method over fourth moments of
    the standardised columns u, v: ``r²/4 · (E u⁴ + E v⁴ + 2 E u²v²) - r · (E u³v + E uv³)
    + E u²v²``), divided by its normal value ``(1 - r²)²``: 1 for bivariate normal data, above
    1 for heavy tails.  Moments over the rows where both values are present (each column
    standardised over its own present values); NaN where undefined.
    """
    x = frame.select(pl.col(c).cast(pl.Float64) for c in frame.columns).to_numpy()
    ok = np.isfinite(x)
    okf = ok.astype(np.float64)
    cnt = np.maximum(ok.sum(axis=0), 1)
    mean = np.where(ok, x, 0.0).sum(axis=0) / cnt
    dev = np.where(ok, x - mean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = dev / np.sqrt((dev * dev).sum(axis=0) / cnt)
        u = np.where(np.isfinite(u), u, 0.0)
        n = okf.T @ okf
        r = (u.T @ u) / n
        u2 = u * u
        a = (u2.T @ u2) / n
        four = (u2 * u2).T @ okf / n
        d = (u2 * u).T @ u / n
        v = r * r / 4 * (four + four.T + 2 * a) - r * (d + d.T) + a
        out: np.ndarray = v / (1 - r * r) ** 2
    out[(n < 4) | ~np.isfinite(out) | (out <= 0)] = np.nan
    return out


def fisher_z_p(
    r1: float, n1: float, r2: float, n2: float, *, k1: float = 1.0, k2: float = 1.0
) -> float:
    """Two-sided p-value that Pearson's r is the same in two independent samples (Fisher z).

    ``k1``, ``k2`` widen the variance ``1 / (n - 3)`` of each z for data that are not normal
    (:func:`kurtosis_factor`); 1 is Fisher's classic test.
    """
    if n1 <= 3 or n2 <= 3 or not (math.isfinite(r1) and math.isfinite(r2)):
        return float("nan")
    lim = 1 - 1e-12
    z1, z2 = math.atanh(max(-lim, min(lim, r1))), math.atanh(max(-lim, min(lim, r2)))
    z = abs(z1 - z2) / math.sqrt(k1 / (n1 - 3) + k2 / (n2 - 3))
    return float(special.erfc(z / math.sqrt(2)))


def holm(p: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (same order as ``p``)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
