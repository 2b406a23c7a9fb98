"""The vectorised Poisson bootstrap: its weights, its determinism and its coverage."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from scipy import stats as sps

from mlaudit.stats import bootstrap_intervals, regression_metrics_on, resample_weights


def _mae(arrays: Sequence[np.ndarray]) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    run = regression_metrics_on(arrays[0], arrays[1])
    return lambda w: {"mae": run(w)["mae"]}


def _mean_abs(arrays: Sequence[np.ndarray]) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    a = np.abs(arrays[0])
    return lambda w: {"mae": (w @ a.astype(w.dtype)) / w.sum(axis=1)}


def test_weights_follow_poisson_one() -> None:
    w = resample_weights(np.random.default_rng(0), 100_000, 4)
    assert w.shape == (4, 100_000)
    counts = np.bincount(w.astype(np.int64).ravel(), minlength=9)[:6]
    expected = sps.poisson(1.0).pmf(np.arange(6)) * w.size
    assert sps.chisquare(counts, expected * counts.sum() / expected.sum()).pvalue > 0.001
    assert w.mean() == pytest.approx(1.0, abs=0.005)
    assert w.var() == pytest.approx(1.0, abs=0.01)


def test_same_seed_same_interval_other_seed_other() -> None:
    rng = np.random.default_rng(1)
    y, p = rng.normal(size=500), rng.normal(size=500)
    est = {"mae": float(np.mean(np.abs(y - p)))}
    a = bootstrap_intervals([y, p], _mae, est, n_resamples=200, seed=3)["mae"]
    b = bootstrap_intervals([y, p], _mae, est, n_resamples=200, seed=3)["mae"]
    c = bootstrap_intervals([y, p], _mae, est, n_resamples=200, seed=4)["mae"]
    assert (a.low, a.high) == (b.low, b.high)
    assert (a.low, a.high) != (c.low, c.high)
    assert a.low < est["mae"] < a.high


def test_interval_width_matches_the_standard_error() -> None:
    """The 95% interval of a mean spans about 2·1.96 standard errors (the CLT as the oracle)."""
    rng = np.random.default_rng(2)
    y = rng.normal(size=4000)
    p = np.zeros_like(y)
    est = {"mae": float(np.mean(np.abs(y)))}
    iv = bootstrap_intervals([y, p], _mae, est, n_resamples=2000, seed=0)["mae"]
    se = np.std(np.abs(y), ddof=1) / math.sqrt(y.size)
    assert iv.high - iv.low == pytest.approx(2 * 1.96 * se, rel=0.1)


@pytest.mark.parametrize("max_rows", [100_000, 500])
def test_coverage_of_the_true_value_is_nominal(max_rows: int) -> None:
    """In 200 seeded samples the 90% interval holds the true MAE about 90% of the time.

    Errors are N(0, 1), so the true MAE is sqrt(2/pi); with ``max_rows=500`` the 2,000-row
    samples take the m-out-of-n path.
    """
    truth = math.sqrt(2 / math.pi)
    rng = np.random.default_rng(7)
    hits = 0
    sims = 200
    for seed in range(sims):
        y = rng.normal(size=2000)
        est = {"mae": float(np.mean(np.abs(y)))}
        iv = bootstrap_intervals(
            [y], _mean_abs, est, n_resamples=300, level=0.9, seed=seed, max_rows=max_rows
        )["mae"]
        hits += iv.low <= truth <= iv.high
    # binomial(200, 0.9): 3 standard deviations is ±0.064
    assert 0.83 <= hits / sims <= 0.97


def test_undefined_replicates_give_no_interval() -> None:
    y = np.zeros(50)
    est = {"mae": 0.0}

    def nan_stat(arrays: Sequence[np.ndarray]) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
        return lambda w: {"mae": np.full(w.shape[0], np.nan)}

    iv = bootstrap_intervals([y], nan_stat, est, n_resamples=50)["mae"]
    assert math.isnan(iv.low) and iv.defined == 0
