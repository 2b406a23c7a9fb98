"""stats.auc: the AUC against scikit-learn, DeLong's variance against a hand calculation,
the pairwise O(m·n) definition and a stratified bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlaudit.errors import DataError, UndefinedMetricWarning
from mlaudit.stats.auc import delong_auc


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
