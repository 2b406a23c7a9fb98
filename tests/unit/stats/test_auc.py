"""stats.auc: the AUC against scikit-learn, DeLong's variance against a hand calculation,
the pairwise O(m·n) definition and a stratified bootstrap; the whole interval against the same
formulas with scipy's ranks and normal quantile; mid-ranks against ``scipy.stats.rankdata``;
the normal quantile against ``scipy.special.ndtri``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats
from sklearn.metrics import roc_auc_score

from mlaudit.errors import DataError, UndefinedMetricWarning
from mlaudit.stats._auc import delong_auc, midranks, normal_quantile, roc_auc


def _pairwise_delong(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """DeLong (1988) by its definition: psi(X_i, Y_j) over every pair."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    var = v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size
    return float(psi.mean()), float(var)


def test_hand_calculation() -> None:
    # positives 0.9, 0.8, 0.4; negatives 0.7, 0.3.  V10 = [1, 1, 1/2], V01 = [2/3, 1]
    # AUC = 5/6; var = (1/6 / 2) / 3 + (1/18) / 2 = 1/36 + 1/36 = 1/18
    r = delong_auc([1, 1, 1, 0, 0], [0.9, 0.8, 0.4, 0.7, 0.3])
    assert r.auc == pytest.approx(5 / 6)
    assert r.variance == pytest.approx(1 / 18)
    half = 1.959963984540054 * math.sqrt(1 / 18)
    assert r.low == pytest.approx(max(0.0, 5 / 6 - half))
    assert r.high == 1.0  # clipped
    assert (r.n_positive, r.n_negative) == (3, 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_matches_sklearn_and_variance_matches_pairwise(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=400)
    s = rng.normal(size=400) + 0.8 * y
    s = np.round(s, 1)  # ties
    r = delong_auc(y, s)
    assert r.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    auc, var = _pairwise_delong(y, s)
    assert r.auc == pytest.approx(auc, abs=1e-12)
    assert r.variance == pytest.approx(var, rel=1e-10)


def test_variance_close_to_stratified_bootstrap() -> None:
    rng = np.random.default_rng(11)
    pos, neg = rng.normal(1.0, 1.0, 300), rng.normal(0.0, 1.0, 300)
    y = np.r_[np.ones(300), np.zeros(300)].astype(int)
    r = delong_auc(y, np.r_[pos, neg])
    boot = []
    for _ in range(2000):
        p, q = rng.choice(pos, 300), rng.choice(neg, 300)
        # Mann-Whitney U / (m n) is the AUC (scipy; quicker than roc_auc_score in a loop)
        boot.append(stats.mannwhitneyu(p, q).statistic / (300 * 300))
    assert r.variance == pytest.approx(np.var(boot, ddof=1), rel=0.12)
    # the interval is the normal one at the requested level
    z = stats.norm.ppf(0.95)
    r90 = delong_auc(y, np.r_[pos, neg], level=0.90)
    assert r90.high - r90.auc == pytest.approx(z * math.sqrt(r.variance))


def test_perfect_separation_and_reversal() -> None:
    y = [0, 0, 0, 1, 1, 1]
    r = delong_auc(y, [1, 2, 3, 4, 5, 6])
    assert (r.auc, r.variance, r.low, r.high) == (1.0, 0.0, 1.0, 1.0)
    assert delong_auc(y, [6, 5, 4, 3, 2, 1]).auc == 0.0
    assert delong_auc(y, [1, 1, 1, 1, 1, 1]).auc == 0.5


def test_one_class_warns_and_gives_nan() -> None:
    with pytest.warns(UndefinedMetricWarning, match="0 negative"):
        r = delong_auc([1, 1, 1], [0.1, 0.2, 0.3])
    assert math.isnan(r.auc) and math.isnan(r.low)


@pytest.mark.parametrize(
    ("y", "s", "match"),
    [
        ([0, 1], [0.1], "2 values"),
        ([0, 2], [0.1, 0.2], "0/1 labels"),
        ([0, 1], [0.1, float("nan")], "non-finite|NaN"),
        ([0, 1], [0.1, float("inf")], "infinite"),
    ],
)
def test_bad_inputs_raise(y: list[int], s: list[float], match: str) -> None:
    with pytest.raises(DataError, match=match):
        delong_auc(y, s)
    with pytest.raises(DataError, match="level"):
        delong_auc([0, 1], [0.0, 1.0], level=1.5)


def _delong_with_scipy(y: np.ndarray, s: np.ndarray, level: float) -> tuple[float, ...]:
    """The module's formulas with scipy's mid-ranks and normal quantile (the former code)."""
    pos, neg = s[y == 1], s[y == 0]
    m, n = pos.size, neg.size
    rank_all = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (rank_all[:m] - stats.rankdata(pos)) / n
    v01 = 1.0 - (rank_all[m:] - stats.rankdata(neg)) / m
    auc = float(v10.mean())
    var = float(np.var(v10, ddof=1)) / m + float(np.var(v01, ddof=1)) / n
    half = float(stats.norm.ppf(0.5 + level / 2)) * math.sqrt(var)
    return auc, var, max(0.0, auc - half), min(1.0, auc + half)


@pytest.mark.parametrize(("seed", "level"), [(0, 0.95), (1, 0.9), (2, 0.99), (3, 0.5)])
def test_interval_equals_the_scipy_formulas(seed: int, level: float) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=3000)
    s = np.round(rng.normal(size=3000) + 0.3 * y, 2)  # ties
    r = delong_auc(y, s, level=level)
    auc, var, low, high = _delong_with_scipy(y, s, level)
    assert (r.auc, r.variance, r.low, r.high) == pytest.approx((auc, var, low, high), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_roc_auc_equals_sklearn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = [50, 1000, 40_000, 7][seed]
    y = rng.integers(0, 2, size=n)
    y[:2] = [0, 1]
    for s in (rng.normal(size=n) + y, np.round(rng.normal(size=n), 1), rng.integers(0, 3, n)):
        assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert roc_auc([0, 0, 1, 1], [1, 1, 1, 1]) == 0.5
    assert roc_auc([0, 1], [0.0, 1.0]) == 1.0 and roc_auc([1, 0], [0.0, 1.0]) == 0.0


def test_roc_auc_edge_cases() -> None:
    with pytest.warns(UndefinedMetricWarning, match="undefined"):
        assert math.isnan(roc_auc([1, 1], [0.1, 0.2]))
    with pytest.raises(DataError, match="0/1"):
        roc_auc([0, 3], [0.1, 0.2])
    with pytest.raises(DataError, match="infinite"):
        roc_auc([0, 1], [0.1, float("-inf")])


def test_midranks_equal_scipy_rankdata() -> None:
    rng = np.random.default_rng(4)
    for v in (rng.integers(0, 5, 200), np.round(rng.normal(size=500), 1), rng.normal(size=50)):
        assert np.array_equal(midranks(v), stats.rankdata(v))
    assert midranks([3, 1, 3]).tolist() == [2.5, 1.0, 2.5]
    assert midranks([]).size == 0


def test_normal_quantile_equals_ndtri() -> None:
    p = np.r_[np.linspace(1e-6, 1 - 1e-6, 4001), 1e-300, 1e-15, 0.975, 0.995, 0.5, 0.5 + 1e-12]
    got = np.array([normal_quantile(float(v)) for v in p])
    assert got == pytest.approx(special.ndtri(p), rel=1e-13, abs=1e-13)
    assert normal_quantile(0.975) == pytest.approx(1.959963984540054, abs=1e-15)
    for bad in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(DataError, match="outside"):
            normal_quantile(bad)
