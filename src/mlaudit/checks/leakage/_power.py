"""How well one column alone separates the two classes: its ROC AUC with DeLong's interval.

* A **numeric** column is its own score.  A missing value is placed below every value or above
  every value, whichever separates better (a field filled only after the outcome is known gives
  itself away by being missing), and the AUC is oriented: ``max(AUC, 1 - AUC)``, since a
  column that predicts the negative class is as telling.
* A **categorical** column (text, booleans) scores each row by its category's positive rate,
  **cross-fitted**: the rows are split in two halves at random (the audit's seed), each half
  scored with the rates of the other half (:func:`mlaudit.stats.out_of_fold_rates`; a category
  the other half lacks gets that half's rate), so a column of unique values (an id) scores 0.5,
  not 1.  Missing is a category.
* An **order** score (identifiers): the rank of the value (numbers by value, text in
  lexicographic order), oriented.

The interval is DeLong's (:func:`mlaudit.stats.delong_auc`), flipped with the orientation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from mlaudit.stats import delong_auc, out_of_fold_rates

__all__ = ["Separation", "category_separation", "numeric_separation", "order_separation"]


@dataclass(frozen=True)
class Separation:
    """A column's oriented AUC, its DeLong bounds and variance, and how it was scored."""

    auc: float
    low: float
    high: float
    variance: float
    how: str


def _oriented(y: np.ndarray, score: np.ndarray, how: str) -> Separation:
    a = delong_auc(y, score)
    if a.auc >= 0.5:
        return Separation(a.auc, a.low, a.high, a.variance, how)
    return Separation(1.0 - a.auc, 1.0 - a.high, 1.0 - a.low, a.variance, f"{how}, reversed")


def numeric_separation(column: pl.Series, y: np.ndarray) -> Separation:
    """The AUC of the column's values, missing values at the better end."""
    x = column.cast(pl.Float64).to_numpy()
    missing = ~np.isfinite(x)
    if not missing.any():
        return _oriented(y, x, "higher values")
    present = x[~missing]
    low, high = (float(present.min()) - 1.0, float(present.max()) + 1.0) if present.size else (0, 0)
    below = _oriented(y, np.where(missing, low, x), "higher values, missing lowest")
    above = _oriented(y, np.where(missing, high, x), "higher values, missing highest")
    return below if below.auc >= above.auc else above


def category_separation(column: pl.Series, y: np.ndarray, seed: int) -> Separation:
    """The AUC of each row's category's positive rate, cross-fitted over two random halves."""
    keys = column.cast(pl.String).fill_null("\x00missing")
    codes = keys.rank("dense").cast(pl.Int64).to_numpy() - 1
    half = np.random.default_rng(seed).permutation(y.size) % 2
    score = out_of_fold_rates(codes, y, half, n_groups=2, smoothing=0.0)[:, 1]
    return _oriented(y, score, "category's positive rate (cross-fitted)")


def order_separation(column: pl.Series, y: np.ndarray) -> Separation:
    """The AUC of the values' order (numbers by value, text lexicographically)."""
    keep = column.is_not_null().to_numpy()
    ranks = column.rank("average").cast(pl.Float64).to_numpy()
    return _oriented(y[keep], ranks[keep], "order of the values")
