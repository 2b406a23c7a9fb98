"""The drift statistics written out with numpy and scipy.special, against scipy.stats and
scipy.spatial as oracles: chi-square / G-test, Benjamini–Hochberg, the normal-shift KS distance,
W1 and the Jensen–Shannon distance (seeded random inputs, ties and edge cases)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlaudit.stats.drift import (
    adjust_p_values,
    categorical_test,
    js_distance,
    ks_distance_normal_shift,
)
from mlaudit.stats.drift._categorical import contingency_test
from mlaudit.stats.drift._wasserstein import w1_distance


def _tables(seed: int) -> list[np.ndarray]:
    """2×k tables: small and large counts, zero cells in one row, fractional counts."""
    rng = np.random.default_rng(seed)
    out = []
    for k in (2, 3, 5, 12, 40):
        out.append(rng.integers(0, 20, (2, k)) + np.array([[1], [0]]))  # zeros in a row
        out.append(rng.integers(1_000, 1_000_000, (2, k)))
        shares = rng.dirichlet(np.ones(k))
        out.append(np.vstack([rng.multinomial(5_000, shares), rng.multinomial(800, shares)]))
        out.append(rng.uniform(0.5, 50.0, (2, k)))
    out.append(np.array([[120, 300, 80, 0], [150, 250, 0, 20]]))
    out.append(np.array([[10**9, 1], [1, 10**9]]))  # p-value underflows to 0
    out.append(np.array([[3, 6, 9], [1, 2, 3]]))  # proportional rows: statistic 0
    return [t for t in out if np.all(t.sum(axis=0) > 0)]


@pytest.mark.parametrize("method", ["chi2", "g_test"])
@pytest.mark.parametrize("seed", [0, 1])
def test_contingency_test_equals_chi2_contingency(method: str, seed: int) -> None:
    lam = "log-likelihood" if method == "g_test" else None
    for table in _tables(seed):
        stat, p, dof = contingency_test(table, method=method)  # type: ignore[arg-type]
        ref = stats.chi2_contingency(table, correction=False, lambda_=lam)
        assert stat == pytest.approx(float(ref.statistic), rel=1e-12, abs=1e-300), table
        assert p == pytest.approx(float(ref.pvalue), rel=1e-12, abs=0), table
        assert dof == int(ref.dof) == table.shape[1] - 1


@pytest.mark.parametrize("method", ["chi2", "g_test"])
def test_categorical_test_equals_scipy_on_random_counts(method: str) -> None:
    rng = np.random.default_rng(5)
    lam = "log-likelihood" if method == "g_test" else None
    for _ in range(20):
        k = int(rng.integers(2, 15))
        keys = [f"c{j}" for j in range(k)]
        r = rng.poisson(rng.uniform(0, 300, k))
        c = rng.poisson(rng.uniform(0, 300, k))
        r[0], c[0] = r[0] + 1, c[0] + 1  # positive totals
        ref = {key: int(v) for key, v in zip(keys, r, strict=True) if v or rng.random() < 0.5}
        cur = {key: int(v) for key, v in zip(keys, c, strict=True)}
        res = categorical_test(ref, cur, method=method)  # type: ignore[arg-type]
        kept = [key for key in keys if ref.get(key, 0) + cur.get(key, 0) > 0]
        table = np.array([[ref.get(x, 0) for x in kept], [cur.get(x, 0) for x in kept]])
        oracle = stats.chi2_contingency(table, correction=False, lambda_=lam)
        assert res.categories == sorted(kept)
        assert res.statistic == pytest.approx(float(oracle.statistic), rel=1e-12, abs=1e-300)
        assert res.p_value == pytest.approx(float(oracle.pvalue), rel=1e-12, abs=0)
        assert res.dof == oracle.dof
        v = stats.contingency.association(table, method="cramer", correction=False)
        assert res.cramers_v == pytest.approx(v, rel=1e-12)


def test_contingency_edge_cases_behave_as_scipy() -> None:
    for table in ([[4], [7]], [[1, 2, 3]]):  # no degrees of freedom
        ref = stats.chi2_contingency(table, correction=False)
        assert contingency_test(table) == (ref.statistic, ref.pvalue, ref.dof) == (0.0, 1.0, 0)
    for table in ([[1, -2], [3, 4]], [[0, 2], [0, 4]], np.zeros((2, 0))):
        with pytest.raises(ValueError):
            stats.chi2_contingency(table, correction=False)
        with pytest.raises(ValueError):
            contingency_test(table)
    with pytest.raises(ValueError, match="cell \\(0, 0\\)"):
        contingency_test([[0, 2], [0, 4]])
    # Categories absent from both sides are dropped; one level left is no drift.
    res = categorical_test({"a": 10, "b": 0}, {"a": 99, "b": 0})
    assert (res.statistic, res.p_value, res.dof, res.categories) == (0.0, 1.0, 0, ["a"])
    with pytest.raises(ValueError, match="positive total"):
        categorical_test({"a": 0}, {"a": 3})


def test_bh_equals_false_discovery_control() -> None:
    rng = np.random.default_rng(11)
    cases = [rng.uniform(0, 1, m) for m in (2, 3, 7, 50, 400)]
    cases += [rng.uniform(0, 0.05, 30), rng.beta(0.2, 3, 60)]
    cases += [np.round(rng.uniform(0, 0.2, 40), 2)]  # ties
    cases += [np.array([0.0, 0.0, 1.0, 1.0, 0.5]), np.array([0.3]), np.array([1e-300, 1e-12])]
    for p in cases:
        np.testing.assert_allclose(
            adjust_p_values(p, "bh"),
            stats.false_discovery_control(p, method="bh"),
            rtol=1e-15,
            atol=0,
        )
    # NaN (untested columns) stay NaN and do not count in m.
    p = np.array([0.04, np.nan, 0.01, 0.03, np.nan])
    out = adjust_p_values(p, "bh")
    assert np.isnan(out[[1, 4]]).all()
    np.testing.assert_allclose(out[[0, 2, 3]], stats.false_discovery_control(p[[0, 2, 3]]))
    assert np.isnan(adjust_p_values([np.nan, np.nan], "bh")).all()


def test_normal_shift_ks_distance_equals_norm_cdf() -> None:
    for shift in (-3.0, -0.2, 0.0, 1e-9, 0.1, 0.3, 2.5, 40.0):
        want = 2.0 * stats.norm.cdf(abs(shift) / 2.0) - 1.0
        assert ks_distance_normal_shift(shift) == pytest.approx(float(want), rel=1e-15, abs=0)
    assert math.isnan(ks_distance_normal_shift(math.nan))


@pytest.mark.parametrize(("n", "m"), [(1, 1), (1, 9), (50, 70), (3_000, 2_000), (131_072, 1)])
def test_w1_equals_wasserstein_distance(n: int, m: int) -> None:
    rng = np.random.default_rng(n * 7 + m)
    cases = [
        (rng.normal(10, 2, n), rng.gamma(2.0, 5.0, m)),
        (np.round(rng.normal(0, 1, n), 1), np.round(rng.normal(0.2, 1, m), 1)),  # ties
        (rng.integers(0, 4, n).astype(float), rng.integers(0, 4, m).astype(float)),
        (rng.normal(0, 1e6, n), rng.normal(1e6, 1e6, m)),
    ]
    for u, v in cases:
        want = stats.wasserstein_distance(u, v)
        assert w1_distance(u, v) == pytest.approx(want, rel=1e-12, abs=0)
        assert w1_distance(v, u) == pytest.approx(want, rel=1e-12, abs=0)
    x = rng.normal(size=n)
    assert w1_distance(x, x) == 0.0 == stats.wasserstein_distance(x, x)
    with pytest.raises(ValueError, match="both sides"):
        w1_distance([], [1.0])


def test_js_distance_equals_jensenshannon() -> None:
    rng = np.random.default_rng(2)
    cases = []
    for k in (2, 3, 10, 100):
        cases.append((rng.integers(0, 50, k), rng.integers(0, 50, k)))
        cases.append((rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k) * 0.1)))
        cases.append((rng.uniform(0, 1e9, k), rng.uniform(0, 1e-3, k)))
    cases += [([1, 0], [0, 1]), ([5, 5], [3, 0]), ([1, 2, 3], [2, 4, 6]), ([0, 0, 7], [1, 0, 0])]
    for p, q in cases:
        p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
        if p.sum() <= 0 or q.sum() <= 0:
            continue
        want = float(np.clip(jensenshannon(p, q, base=2), 0.0, 1.0))
        assert js_distance(p, q) == pytest.approx(want, rel=1e-12, abs=1e-15), (p, q)
    assert js_distance([1, 0], [0, 1]) == 1.0
    assert js_distance([1, 2, 3], [2, 4, 6]) == 0.0
