"""Finite-n two-sided KS distribution and the two-sample asymptotic p-value, scipy as oracle."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from mlaudit.stats.drift import _kolmogorov as kolmogorov
from mlaudit.stats.drift._kolmogorov import ks_two_sided_sf
from mlaudit.stats.drift._ks import ks_asymptotic_p


def _grid(n: int, rng: np.random.Generator) -> np.ndarray:
    """Statistics over every region of Simard and L'Ecuyer's rule for this n."""
    return np.concatenate(
        [
            rng.uniform(0.0, 1.0, 25),
            rng.uniform(0.0, min(1.0, 3.0 / math.sqrt(n)), 40),  # the body: Durbin / Pomeranz / PG
            rng.uniform(0.5 / n, 1.0 / n, 3),  # n·d ≤ 1
            rng.uniform(1.0 - 1.0 / n, 1.0, 3) if n > 1 else [],  # n·d ≥ n − 1
            np.arange(1, min(n, 40) + 1) / n,  # the knots k/n (fractional part 0)
            (np.arange(1, min(n, 20) + 1) - 0.5) / n,  # fractional part exactly 1/2
            [0.5 / n, 1.0 / n, 0.5, 1.0 - 1.0 / n],
        ]
    )


@pytest.fixture
def methods(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the calls of each numerical method, to show the grid reaches all of them."""
    seen: Counter[str] = Counter()

    def spy(name: str) -> None:
        inner = getattr(kolmogorov, name)

        def wrapped(*args: float) -> object:
            seen[name] += 1
            return inner(*args)

        monkeypatch.setattr(kolmogorov, name, wrapped)

    for name in ("_ruben_gambino_cdf", "_durbin_cdf", "_pomeranz_cdf", "_pelz_good_cdf"):
        spy(name)
    return seen


@pytest.mark.parametrize(
    "ns",
    [
        list(range(1, 30)),
        [31, 47, 64, 99, 100, 139, 140],
        [141, 150, 257, 1000, 4_321],
        [9_999, 10_000],
    ],
)
def test_equals_scipy_kstwo_on_every_branch(ns: list[int], methods: Counter[str]) -> None:
    rng = np.random.default_rng(ns[0])
    for n in ns:
        d = _grid(n, rng)
        ours = np.array([ks_two_sided_sf(float(x), n) for x in d])
        np.testing.assert_allclose(ours, stats.kstwo.sf(d, n), rtol=1e-12, atol=0, err_msg=f"{n}")
    expected = {"_durbin_cdf"} | ({"_pomeranz_cdf"} if ns[0] <= 140 else {"_pelz_good_cdf"})
    if ns[0] <= 140:
        expected.add("_ruben_gambino_cdf")
    assert expected <= set(methods)


def test_large_n_pelz_good_and_zero_tail() -> None:
    # Beyond 100,000 Durbin's matrix is no longer used; far in the tail the value is 0.
    for n, d in [(100_001, 0.002), (100_001, 0.004), (250_000, 0.001), (200, 0.12), (5000, 0.3)]:
        assert ks_two_sided_sf(d, n) == pytest.approx(float(stats.kstwo.sf(d, n)), rel=1e-12, abs=0)
    assert ks_two_sided_sf(0.3, 5000) == 0.0  # n·d² = 450 ≥ 370


def test_ends_and_invalid_sizes() -> None:
    assert ks_two_sided_sf(0.0, 10) == 1.0 == stats.kstwo.sf(0.0, 10)
    assert ks_two_sided_sf(0.05, 10) == 1.0 == stats.kstwo.sf(0.05, 10)  # d ≤ 1/(2n)
    assert ks_two_sided_sf(1.0, 10) == 0.0 == stats.kstwo.sf(1.0, 10)
    assert ks_two_sided_sf(1.5, 10) == 0.0 == stats.kstwo.sf(1.5, 10)
    assert math.isnan(ks_two_sided_sf(math.nan, 10)) and np.isnan(stats.kstwo.sf(np.nan, 10))
    # n = 1: D_1 = max(U, 1 − U) ≥ 1/2, so P(D_1 ≥ d) = 2(1 − d) on [1/2, 1].
    assert ks_two_sided_sf(0.8, 1) == pytest.approx(0.4, rel=1e-15)
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError, match="positive integer"):
            ks_two_sided_sf(0.1, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "m"),
    [(30, 45), (200, 201), (1_000, 3), (4_000, 9_000), (15_000, 12_000), (7, 7), (30_000, 25_000)],
)
def test_asymptotic_p_equals_ks_2samp_asymp(n: int, m: int) -> None:
    rng = np.random.default_rng(n + m)
    for shift in (0.0, 0.05, 0.2, 1.0):
        x, y = rng.normal(0, 1, n), rng.normal(shift, 1, m)
        ref = stats.ks_2samp(x, y, method="asymp")
        en = n * m / (n + m)
        p = ks_asymptotic_p(float(ref.statistic), n, m)
        if round(en) > 10_000:  # the limiting distribution, kstwobign
            want = stats.kstwobign.sf(ref.statistic * math.sqrt(round(en)))
            assert p == pytest.approx(float(want), rel=1e-12, abs=0)
        else:
            assert p == pytest.approx(float(ref.pvalue), rel=1e-12, abs=0)


def test_asymptotic_p_rounds_the_effective_size_as_scipy() -> None:
    # n·m/(n+m) = 2.5 and 3.5: numpy rounds half to even, as ks_2samp does.
    for n, m, en in [(5, 5, 2), (7, 7, 4), (3, 6, 2)]:
        assert int(np.round(n * m / (n + m))) == en
        for d in (0.3, 0.45, 0.6, 0.9):
            assert ks_asymptotic_p(d, n, m) == pytest.approx(
                float(stats.kstwo.sf(d, en)), rel=1e-12, abs=0
            )


def test_asymptotic_p_limiting_distribution_and_ends() -> None:
    n = m = 1_000_000
    for d in (0.0, 1e-4, 0.001, 0.002, 0.01):
        want = stats.kstwobign.sf(d * math.sqrt(500_000))
        assert ks_asymptotic_p(d, n, m) == pytest.approx(float(want), rel=1e-12, abs=0)
    assert ks_asymptotic_p(0.0, n, m) == 1.0
    assert math.isnan(ks_asymptotic_p(math.nan, n, m))
    assert math.isnan(ks_asymptotic_p(math.nan, 50, 60))
