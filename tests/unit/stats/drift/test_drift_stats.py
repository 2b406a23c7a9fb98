"""Drift statistics against scipy and hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.stats.contingency import association

from mlaudit.stats.drift import (
    adjust_p_values,
    categorical_test,
    js_distance,
    js_distance_from_counts,
    ks_critical_constant,
    ks_distance_normal_shift,
    ks_sketch,
    min_detectable_ks,
    psi,
    psi_from_counts,
    psi_sketch,
    underpowered,
    wasserstein_sketch,
)
from mlaudit.summary._quantiles import QuantileSketch


def _sketch(x: np.ndarray, batch: int = 65_536) -> QuantileSketch:
    s = QuantileSketch()
    for i in range(0, x.size, batch):
        s.update(x[i : i + batch])
    return s


@pytest.mark.parametrize(("n", "m", "shift"), [(40, 55, 0.3), (800, 600, 0.0), (5000, 7000, 0.1)])
def test_exact_ks_equals_scipy(n: int, m: int, shift: float) -> None:
    rng = np.random.default_rng(n)
    x, y = rng.normal(0, 1, n), rng.normal(shift, 1, m)
    y[:10] = x[:10]  # ties across samples
    res = ks_sketch(_sketch(x), _sketch(y))
    ref = stats.ks_2samp(x, y)
    assert res.exact
    assert res.statistic == pytest.approx(ref.statistic, abs=1e-9)
    assert res.p_value == pytest.approx(ref.pvalue, abs=1e-9)


def test_sketch_ks_within_its_bound_on_500k_values() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 1, 500_000), rng.normal(0.01, 1.02, 500_000)
    sx, sy = _sketch(x), _sketch(y)
    res = ks_sketch(sx, sy)
    ref = stats.ks_2samp(x, y, method="asymp")
    eps = sx.normalized_rank_error + sy.normalized_rank_error
    assert not res.exact and eps > 0
    assert abs(res.statistic - ref.statistic) <= eps
    assert res.statistic_low <= ref.statistic <= res.statistic_high
    # p-value: asymptotic Kolmogorov at the estimated statistic, bracketing scipy's
    en = round(500_000 * 500_000 / 1_000_000)
    assert res.p_value == pytest.approx(stats.kstwo.sf(res.statistic, en), rel=1e-12)
    assert res.p_value_low <= ref.pvalue <= res.p_value_high


def test_wasserstein_equals_scipy_exact_and_within_bound_on_sketches() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(10, 2, 3000), rng.gamma(2.0, 5.0, 2000)
    w = wasserstein_sketch(
        _sketch(x), _sketch(y), reference_std=x.std(ddof=1), current_std=1.0, reference_mean=0
    )
    expected = stats.wasserstein_distance(x, y)
    assert w.exact
    assert w.distance == pytest.approx(expected, abs=1e-9)
    assert w.normalized == pytest.approx(expected / np.std(x, ddof=1), abs=1e-9)
    big_x, big_y = rng.normal(0, 1, 400_000), rng.normal(0.3, 1, 300_000)
    ws = wasserstein_sketch(
        _sketch(big_x), _sketch(big_y), reference_std=1.0, current_std=1.0, reference_mean=0
    )
    assert not ws.exact
    assert abs(ws.distance - stats.wasserstein_distance(big_x, big_y)) <= ws.error_bound


def test_wasserstein_scale_falls_back_for_constant_reference() -> None:
    x, y = np.full(100, 5.0), np.full(100, 6.0)
    w = wasserstein_sketch(
        _sketch(x), _sketch(y), reference_std=0.0, current_std=0.0, reference_mean=5.0
    )
    assert w.distance == pytest.approx(1.0)
    assert w.normalized == pytest.approx(1.0 / 5.0)  # |reference mean|
    assert "mean" in w.scale_source


def test_psi_by_hand() -> None:
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(
        (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    )
    # empty bin: floored at 1e-4
    assert psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) == pytest.approx(
        2 * (-0.1 * math.log(0.8)) + (0.2 - 1e-4) * math.log(0.2 / 1e-4)
    )
    assert psi_from_counts({"a": 30, "b": 70}, {"a": 60, "b": 40}) == pytest.approx(
        0.3 * math.log(0.6 / 0.3) + (-0.3) * math.log(0.4 / 0.7)
    )


def test_psi_over_reference_deciles_matches_numpy() -> None:
    rng = np.random.default_rng(11)
    x, y = rng.normal(0, 1, 2000), rng.normal(0.5, 1.5, 1500)
    edges = np.unique(np.quantile(x, np.arange(1, 10) / 10, method="inverted_cdf"))
    bins_x = np.bincount(np.searchsorted(edges, x, side="left"), minlength=10) / x.size
    bins_y = np.bincount(np.searchsorted(edges, y, side="left"), minlength=10) / y.size
    expected = float(np.sum((bins_y - bins_x) * np.log(bins_y / bins_x)))
    assert psi_sketch(_sketch(x), _sketch(y)) == pytest.approx(expected, rel=1e-9)


def test_js_distance_by_hand_and_scipy() -> None:
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    kl1 = 0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    kl2 = math.log2(1 / 0.75)
    assert js_distance([5, 5], [3, 0]) == pytest.approx(math.sqrt((kl1 + kl2) / 2))
    p, q = {"a": 10, "b": 20}, {"b": 5, "c": 5}
    assert js_distance_from_counts(p, q) == pytest.approx(
        jensenshannon([10, 20, 0], [0, 5, 5], base=2)
    )


@pytest.mark.parametrize("method", ["chi2", "g_test"])
def test_categorical_tests_equal_scipy(method: str) -> None:
    ref = {"a": 120, "b": 300, "c": 80}
    cur = {"a": 150, "b": 250, "d": 20}
    res = categorical_test(ref, cur, method=method)  # type: ignore[arg-type]
    table = np.array([[120, 300, 80, 0], [150, 250, 0, 20]])
    lam = "log-likelihood" if method == "g_test" else None
    exp = stats.chi2_contingency(table, correction=False, lambda_=lam)
    assert res.statistic == pytest.approx(exp.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(exp.pvalue, rel=1e-9, abs=1e-300)
    assert res.dof == 3
    assert res.cramers_v == pytest.approx(association(table, method="cramer", correction=False))
    assert res.new == ["d"] and res.vanished == ["c"]


def test_categorical_single_level_is_no_drift() -> None:
    res = categorical_test({"a": 10}, {"a": 99})
    assert (res.statistic, res.p_value, res.cramers_v) == (0.0, 1.0, 0.0)


def test_bh_equals_scipy_and_holm_bonferroni_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2, np.nan])
    bh = adjust_p_values(p, "bh")
    assert np.allclose(bh[:5], stats.false_discovery_control(p[:5], method="bh"), atol=1e-12)
    assert np.isnan(bh[5])
    # Holm: sorted 0.005, 0.01, 0.03, 0.04, 0.2 times 5,4,3,2,1 -> .025,.04,.09,.08,.2, cummax
    assert np.allclose(adjust_p_values(p[:5], "holm"), [0.04, 0.09, 0.09, 0.025, 0.2])
    assert np.allclose(adjust_p_values(p[:5], "bonferroni"), [0.05, 0.2, 0.15, 0.025, 1.0])
    assert np.allclose(adjust_p_values(p[:5], "none"), p[:5])
    with pytest.raises(ValueError):
        adjust_p_values([1.5], "bh")


def test_power_formulas() -> None:
    c = math.sqrt(-math.log(0.025) / 2)
    assert ks_critical_constant(0.05) == pytest.approx(c)
    assert c == pytest.approx(stats.kstwobign.isf(0.05), abs=1e-3)  # Smirnov's asymptotics
    assert min_detectable_ks(100, 400, 0.05) == pytest.approx(c * math.sqrt(500 / 40_000))
    grid = np.linspace(-10, 10, 200_001)
    sup = np.max(np.abs(stats.norm.cdf(grid) - stats.norm.cdf(grid - 0.3)))
    assert ks_distance_normal_shift(0.3) == pytest.approx(sup, abs=1e-9)
    # 0.1 sd shift -> KS 0.0399; detectable needs c*sqrt(2/n) <= 0.0399 -> n >= ~2,320
    assert underpowered(1000, 1000, 0.05, 0.1)
    assert not underpowered(5000, 5000, 0.05, 0.1)


def test_sketch_items_and_values() -> None:
    x = np.array([3.0, 1.0, 2.0, 2.0])
    s = _sketch(x)
    items, weights = s.items()
    assert items.tolist() == [1.0, 2.0, 2.0, 3.0] and weights.tolist() == [1, 1, 1, 1]
    assert s.values().tolist() == sorted(x.tolist())
    big = _sketch(np.random.default_rng(0).normal(size=300_000))
    items, weights = big.items()
    assert int(weights.sum()) == 300_000 and np.all(np.diff(items) >= 0)
    with pytest.raises(ValueError, match="approximate"):
        big.values()


def test_asymptotic_p_at_large_sizes_uses_the_limiting_distribution() -> None:
    from scipy import stats as st

    from mlaudit.stats.drift._ks import ks_asymptotic_p

    n = m = 400_000
    en = n * m // (n + m)
    for d in (0.001, 0.003, 0.005):
        oracle = st.kstwo.sf(d, en)  # scipy's finite-n distribution, the slow exact route
        assert abs(ks_asymptotic_p(d, n, m) - oracle) < 2e-3
    assert ks_asymptotic_p(0.05, 100, 120) == st.kstwo.sf(0.05, round(100 * 120 / 220))
