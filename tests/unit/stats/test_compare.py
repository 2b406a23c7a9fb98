"""stats._compare: paired DeLong against the O(m·n) placement-value formula of DeLong et al.
(1988) written here; McNemar against statsmodels; the paired bootstrap of a mean error against
the paired normal interval (large n) and its size under equal models."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from mlaudit.errors import DataError
from mlaudit.stats import mcnemar, paired_bootstrap, paired_delong


def _paired_delong_by_definition(
    y: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[float, float, float]:
    """AUC_a, AUC_b and var(AUC_b − AUC_a) by psi(X_i, Y_j) over every pair (1988, sec. 3)."""
    comps = []
    for s in (a, b):
        pos, neg = s[y == 1], s[y == 0]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        comps.append((psi.mean(), psi.mean(axis=1), psi.mean(axis=0)))
    m, n = int((y == 1).sum()), int((y == 0).sum())
    s10 = np.cov(np.vstack([comps[0][1], comps[1][1]]))
    s01 = np.cov(np.vstack([comps[0][2], comps[1][2]]))
    s = s10 / m + s01 / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    return float(comps[0][0]), float(comps[1][0]), float(var)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_paired_delong_equals_the_pairwise_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    a = y + rng.normal(0, 1.2, 300)
    b = 0.6 * a + 0.8 * y + rng.normal(0, 0.8, 300)
    b = np.round(b, 1)  # ties, counted one half
    auc_a, auc_b, var = _paired_delong_by_definition(y, a, b)
    r = paired_delong(y, a, b)
    assert r.auc_a == pytest.approx(auc_a, abs=1e-12)
    assert r.auc_b == pytest.approx(auc_b, abs=1e-12)
    assert r.std_error == pytest.approx(math.sqrt(var), rel=1e-9)
    z = (auc_b - auc_a) / math.sqrt(var)
    assert r.z == pytest.approx(z, rel=1e-9)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    half = stats.norm.ppf(0.975) * math.sqrt(var)
    assert (r.low, r.high) == pytest.approx((z * math.sqrt(var) - half, z * math.sqrt(var) + half))


def test_paired_delong_same_scores_and_bad_input() -> None:
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    r = paired_delong(y, s, s)
    assert r.difference == 0.0 and r.p_value == 1.0
    with pytest.raises(DataError, match="two rows of each class"):
        paired_delong([1, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])


def test_paired_delong_size_under_equal_models() -> None:
    # two models of equal quality on the same rows: p < 0.05 in about 5 % of 200 seeds
    rejected = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        y = rng.integers(0, 2, 400)
        common = rng.normal(0, 1, 400)
        a = y + common + rng.normal(0, 1, 400)
        b = y + common + rng.normal(0, 1, 400)
        rejected += paired_delong(y, a, b).p_value < 0.05
    assert rejected <= 20  # binomial(200, 0.05): mean 10, P(> 20) < 0.2 %


@pytest.mark.parametrize(
    ("b", "c"), [(0, 0), (3, 0), (5, 9), (12, 12), (13, 11), (30, 12), (100, 140), (7, 60)]
)
def test_mcnemar_equals_statsmodels(b: int, c: int) -> None:
    both, neither = 50, 20
    correct_a = np.array([True] * both + [True] * b + [False] * c + [False] * neither)
    correct_b = np.array([True] * both + [False] * b + [True] * c + [False] * neither)
    r = mcnemar(correct_a, correct_b)
    assert (r.only_a_right, r.only_b_right) == (b, c)
    if b + c == 0:
        assert r.p_value == 1.0
        return
    table = [[both, b], [c, neither]]
    exact = b + c < 25
    ref = sm_mcnemar(table, exact=exact, correction=True)
    assert r.exact is exact
    assert r.p_value == pytest.approx(min(1.0, ref.pvalue), rel=1e-9)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-9)


def test_paired_bootstrap_matches_the_paired_normal_interval() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    err_a = np.abs(rng.normal(0, 1.0, n))
    err_b = np.abs(err_a * 0.9 + rng.normal(0, 0.2, n))
    r = paired_bootstrap(err_a, err_b, n_resamples=2000, seed=1)
    d = err_b - err_a
    se = d.std(ddof=1) / math.sqrt(n)
    assert r.difference == pytest.approx(d.mean())
    assert r.low == pytest.approx(d.mean() - 1.96 * se, abs=0.15 * se * 1.96)
    assert r.high == pytest.approx(d.mean() + 1.96 * se, abs=0.15 * se * 1.96)
    z = d.mean() / se
    assert abs(z) > 5 and r.p_value == pytest.approx(1 / 2001 * 2)  # far beyond every draw


def test_paired_bootstrap_rmse_and_equal_models() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(0, 1, 800)
    sq_a = (y - (y + rng.normal(0, 1, 800))) ** 2
    r = paired_bootstrap(sq_a, sq_a, finish=np.sqrt, n_resamples=300, seed=0)
    assert r.value_a == pytest.approx(math.sqrt(sq_a.mean()))
    assert r.difference == 0.0 and r.p_value == 1.0
    rejected = 0
    for seed in range(100):
        g = np.random.default_rng(100 + seed)
        y = g.normal(0, 1, 300)
        a = (g.normal(0, 1, 300)) ** 2
        b = (g.normal(0, 1, 300)) ** 2
        rejected += (
            paired_bootstrap(a, b, finish=np.sqrt, n_resamples=400, seed=seed).p_value < 0.05
        )
    assert rejected <= 12  # binomial(100, 0.05): mean 5, P(> 12) < 0.2 %
    with pytest.raises(DataError):
        paired_bootstrap([1.0, np.nan], [1.0, 2.0])
