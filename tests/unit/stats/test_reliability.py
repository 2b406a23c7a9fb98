"""Reliability bins, Brier decomposition, ECE interval, Hosmer–Lemeshow and grade tests.

Oracles: scikit-learn's ``calibration_curve`` and ``brier_score_loss``, numpy by hand, scipy's
``chi2``, ``binomtest`` and ``beta``, and a seeded simulation for the interval's coverage.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from mlaudit.errors import DataError
from mlaudit.stats import (
    brier_decomposition,
    ece_interval,
    grade_test,
    hosmer_lemeshow,
    reliability_bins,
)


def _sample(n: int, seed: int, *, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(2.0, 4.0, n)
    y = (rng.random(n) < np.clip(p + shift, 0, 1)).astype(np.int64)
    return p, y


def test_reliability_bins_match_scikit_learn_calibration_curve() -> None:
    p, y = _sample(3000, 1)
    p[:3] = [0.2, 0.5, 1.0]  # values on edges go to the bin below, as in scikit-learn
    bins = reliability_bins(p, y, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    used = [b for b in bins if b.rows]
    np.testing.assert_allclose([b.observed for b in used], prob_true, rtol=1e-12)
    np.testing.assert_allclose([b.predicted for b in used], prob_pred, rtol=1e-12)
    assert sum(b.rows for b in bins) == p.size
    for b in used:
        ci = stats.binomtest(b.positives, b.rows).proportion_ci(method="wilson")
        assert (b.observed_low, b.observed_high) == pytest.approx((ci.low, ci.high))


def test_brier_decomposition_identity_and_terms_by_hand() -> None:
    p, y = _sample(4000, 2, shift=0.05)
    d = brier_decomposition(p, y, n_bins=10)
    assert d.brier == pytest.approx(brier_score_loss(y, p), abs=1e-15)
    total = d.reliability - d.resolution + d.uncertainty + d.within_bin
    assert total == pytest.approx(d.brier, abs=1e-15)
    b = np.minimum(np.ceil(p * 10) - 1, 9).clip(0).astype(int)  # hand binning, (lo, hi]
    rel = res = 0.0
    base = y.mean()
    for k in range(10):
        m = b == k
        if m.any():
            rel += m.sum() * (p[m].mean() - y[m].mean()) ** 2
            res += m.sum() * (y[m].mean() - base) ** 2
    assert d.reliability == pytest.approx(rel / p.size, rel=1e-10)
    assert d.resolution == pytest.approx(res / p.size, rel=1e-10)
    assert d.uncertainty == pytest.approx(base * (1 - base), rel=1e-12)


def test_brier_identity_is_exact_without_a_remainder_for_discrete_forecasts() -> None:
    rng = np.random.default_rng(3)
    p = rng.choice([0.05, 0.15, 0.35, 0.65, 0.95], 5000)
    y = (rng.random(5000) < p).astype(int)
    d = brier_decomposition(p, y, n_bins=10)
    assert d.within_bin == pytest.approx(0.0, abs=1e-15)
    assert d.reliability - d.resolution + d.uncertainty == pytest.approx(
        brier_score_loss(y, p), abs=1e-15
    )


def test_ece_equals_the_hand_sum_and_is_inside_its_interval() -> None:
    p, y = _sample(2000, 4, shift=0.1)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    counts = np.histogram(p, bins=np.linspace(0, 1, 11))[0]
    hand = float(np.sum(counts[counts > 0] * np.abs(prob_true - prob_pred)) / p.size)
    ece, low, high = ece_interval(p, y, n_boot=500, seed=0)
    assert ece == pytest.approx(hand, rel=1e-12)
    assert 0 <= low <= ece <= high
    assert ece_interval(p, y, n_boot=500, seed=0) == (ece, low, high)  # seeded


def test_ece_interval_covers_the_population_ece_at_its_nominal_rate() -> None:
    # p ~ U(0, 1), true rate 0.5p + 0.3: the population gap in bin b is 0.3 - 0.5·mid_b.
    mids = np.arange(10) / 10 + 0.05
    truth = float(np.sum(0.1 * np.abs(0.3 - 0.5 * mids)))
    rng = np.random.default_rng(5)
    runs, covered = 200, 0
    for i in range(runs):
        p = rng.random(20_000)
        y = (rng.random(p.size) < 0.5 * p + 0.3).astype(np.int64)
        _, low, high = ece_interval(p, y, n_boot=400, seed=i)
        covered += low <= truth <= high
    assert 0.90 <= covered / runs <= 0.99


def test_hosmer_lemeshow_by_hand_with_scipy_chi2() -> None:
    p, y = _sample(1000, 6, shift=0.03)
    hl = hosmer_lemeshow(p, y, groups=10)
    order = np.argsort(p)
    cuts = np.quantile(p, np.arange(1, 10) / 10)
    g = np.searchsorted(cuts, p, side="left")  # distinct scores: ten groups of 100
    assert np.bincount(g).tolist() == [100] * 10
    stat = 0.0
    for k in range(10):
        m = g == k
        obs1, exp1 = y[m].sum(), p[m].sum()
        obs0, exp0 = m.sum() - obs1, m.sum() - exp1
        stat += (obs1 - exp1) ** 2 / exp1 + (obs0 - exp0) ** 2 / exp0
    assert order.size == 1000
    assert hl.statistic == pytest.approx(stat, rel=1e-12)
    assert hl.df == 8
    assert hl.p_value == pytest.approx(stats.chi2.sf(stat, 8), rel=1e-12)


def test_hosmer_lemeshow_keeps_ties_together() -> None:
    p = np.repeat([0.1, 0.3, 0.6], [500, 300, 200])
    y = (np.random.default_rng(7).random(p.size) < p).astype(int)
    hl = hosmer_lemeshow(p, y, groups=10)
    assert hl.groups == 3 and hl.df == 1


@pytest.mark.parametrize(("d", "n", "pd"), [(0, 50, 0.01), (7, 100, 0.04), (30, 400, 0.1)])
def test_grade_tests_match_scipy(d: int, n: int, pd: float) -> None:
    t = grade_test(d, n, pd)
    assert t.binomial_p == pytest.approx(stats.binomtest(d, n, pd, alternative="greater").pvalue)
    assert t.jeffreys_p == pytest.approx(stats.beta.cdf(pd, d + 0.5, n - d + 0.5))
    assert t.observed == d / n


@pytest.mark.parametrize(
    "call",
    [
        lambda: reliability_bins([0.2, 1.2], [0, 1]),
        lambda: reliability_bins([0.2, math.nan], [0, 1]),
        lambda: brier_decomposition([], []),
        lambda: hosmer_lemeshow([0.1, 0.2], [0, 2]),
        lambda: hosmer_lemeshow([0.1, 0.2, 0.3], [0, 1, 1], groups=2),
        lambda: ece_interval([0.1], [1, 0]),
        lambda: grade_test(5, 3, 0.1),
        lambda: grade_test(1, 3, 1.5),
    ],
)
def test_bad_input_is_a_data_error(call: object) -> None:
    with pytest.raises(DataError):
        call()  # type: ignore[operator]
