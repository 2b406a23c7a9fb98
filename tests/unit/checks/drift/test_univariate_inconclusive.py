"""drift.univariate on the sketch path: a bound that covers a threshold gives ``inconclusive``.

Every sample has 200,000 values per side, above the quantile sketch's exact capacity (131,072),
so KS and the Wasserstein distance come from the sketches with hard error bounds.  The true
values are computed on the raw data with scipy (the oracle) and the data is built so that the
true effect sits exactly on a threshold.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import optimize, stats
from tests.unit.checks.drift._oracle import robust_effect

from mlaudit.checks._base import CheckContext
from mlaudit.checks.drift._compare import ColumnDrift
from mlaudit.checks.drift._verdict import decide
from mlaudit.checks.drift.univariate import UnivariateDrift
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.results import Bound, CheckResult, Status
from mlaudit.summary import profile_frame

N = 200_000
SCHEMA = Schema(columns=[ColumnSchema(name="x", dtype="double", type=ColumnType.NUMERIC)])


def _run(ref: np.ndarray, cur: np.ndarray, **options: object) -> CheckResult:
    ctx = CheckContext(
        current=profile_frame(pl.DataFrame({"x": cur}), SCHEMA),
        schema=SCHEMA,
        reference=profile_frame(pl.DataFrame({"x": ref}), SCHEMA),
    )
    assert not ctx.reference.columns["x"].numeric.sketch.is_exact  # type: ignore[union-attr]
    (r,) = UnivariateDrift(**options).compute(ctx)  # type: ignore[arg-type]
    return r


def _samples(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, N), rng.normal(0, 1, N)


def _shift_for_effect(ref: np.ndarray, cur: np.ndarray, effect: float) -> float:
    """The shift s with robust_effect(ref, cur + s) = effect (the oracle is continuous in s)."""
    return float(
        optimize.brentq(lambda s: robust_effect(ref, cur + s) - effect, 0.0, 3.0, xtol=1e-13)
    )


def _true_effect(ref: np.ndarray, cur: np.ndarray) -> float:
    return robust_effect(ref, cur)


def test_effect_exactly_at_the_floor_is_inconclusive() -> None:
    ref, cur0 = _samples()
    cur = cur0 + _shift_for_effect(ref, cur0, 0.1)
    true_effect = _true_effect(ref, cur)
    assert true_effect == pytest.approx(0.1, abs=1e-9)  # oracle: scipy on the raw values
    assert stats.ks_2samp(ref, cur).pvalue < 1e-50  # significant beyond doubt: only W1 decides

    r = _run(ref, cur)
    assert r.status is Status.INCONCLUSIVE
    assert not r.exact and r.metrics["drifted"] == 0
    b = r.bounds["effect_size"]
    assert b.low is not None and b.high is not None
    assert b.low <= true_effect <= b.high  # the hard bound holds the true value...
    assert b.low < 0.1 <= b.high  # ...and covers the floor
    assert "on both sides of the floor 0.1" in r.message
    assert "too large for exact KS" in r.message
    assert "sketch's error bound covers the threshold" in r.message
    assert f"raise the effect floor slightly, to {b.high:.3g} or more" in r.message
    assert "at most 131,072 values per side" in r.message


@pytest.mark.parametrize(
    ("effect", "status"),
    [(0.05, Status.PASS), (0.2, Status.WARN), (0.5, Status.FAIL)],
)
def test_clearly_below_or_above_is_decided(effect: float, status: Status) -> None:
    ref, cur0 = _samples(1)
    cur = cur0 + _shift_for_effect(ref, cur0, effect)
    true_effect = _true_effect(ref, cur)
    assert true_effect == pytest.approx(effect, abs=1e-9)
    r = _run(ref, cur)
    assert r.status is status
    b = r.bounds["effect_size"]
    assert b.low is not None and b.high is not None
    assert b.low <= true_effect <= b.high
    assert r.metrics["drifted"] == int(status in (Status.WARN, Status.FAIL))
    assert "inconclusive" not in r.message


def test_effect_at_the_fail_limit_has_drifted_and_warns_with_severity_open() -> None:
    ref, cur0 = _samples(2)
    cur = cur0 + _shift_for_effect(ref, cur0, 0.3)  # fail limit: 3 x the 0.1 floor
    assert _true_effect(ref, cur) == pytest.approx(0.3, abs=1e-9)
    r = _run(ref, cur)
    assert r.status is Status.WARN  # a finding for certain; only its severity is open
    assert r.metrics["drifted"] == 1  # drifted at both ends of the bound; warn or fail is open
    assert "x has drifted, but whether it fails is inconclusive" in r.message
    assert "on both sides of the fail limit 0.3" in r.message
    assert "raise fail_multiple slightly" in r.message


def _ks_statistic(a_sorted: np.ndarray, s: float) -> float:
    """KS statistic between a sample and the same sample shifted by s > 0 (exact)."""
    b = a_sorted + s
    grid = np.concatenate([a_sorted, b])
    fa = np.searchsorted(a_sorted, grid, side="right")
    fb = np.searchsorted(b, grid, side="right")
    return float(np.max(np.abs(fa - fb)) / a_sorted.size)


def test_p_value_bound_straddling_alpha_is_inconclusive() -> None:
    # The current data is the reference shifted by s, chosen so that the exact KS statistic
    # sits at the 5% critical value of the asymptotic distribution: sqrt(2/N) * K_{0.95}.
    ref = np.random.default_rng(3).normal(0, 1, N)
    a = np.sort(ref)
    critical = stats.kstwobign.isf(0.05) / np.sqrt(N / 2)
    s = optimize.bisect(lambda t: _ks_statistic(a, t) - critical, 1e-4, 0.1, xtol=1e-9)
    cur = ref + s
    exact = stats.ks_2samp(ref, cur, method="asymp")  # oracle
    assert exact.statistic == pytest.approx(critical, abs=2 / N)
    assert 0.03 < exact.pvalue < 0.07
    # W1 between a sample and its shifted copy is the shift: far above a floor of 0.001
    r = _run(ref, cur, min_effect_numeric=0.001, fail_multiple=1000)
    assert r.status is Status.INCONCLUSIVE
    assert r.metrics["drifted"] == 0
    ks = r.bounds["ks_statistic"]
    assert ks.low is not None and ks.high is not None
    assert ks.low <= exact.statistic <= ks.high
    p = r.bounds["p_value_adjusted"]  # one column: the adjustment factor is 1
    assert p.low is not None and p.high is not None
    assert p.low < 0.05 <= p.high
    assert "the adjusted p-value lies between" in r.message
    assert "on both sides of α = 0.05" in r.message
    assert "effect size" in r.message and "on both sides of the floor" not in r.message


def _drift(
    p: float, p_bound: tuple[float, float], effect_bound: tuple[float, float]
) -> ColumnDrift:
    return ColumnDrift(
        column="x", kind="numeric", method="ks", statistic=0.01, p_value=p, effect_size=0.5,
        effect_name="normalised Wasserstein distance",
        metrics={"n_reference": N, "n_current": N}, exact=False,
        bounds={"p_value": Bound(low=p_bound[0], high=p_bound[1]),
                "wasserstein_normalized": Bound(low=effect_bound[0], high=effect_bound[1])},
    )  # fmt: skip


def test_adjustment_factor_applies_to_both_ends_of_the_p_bound() -> None:
    check = UnivariateDrift()
    # p = 0.01 adjusted to 0.04 (factor 4): bound [0.008, 0.02] → [0.032, 0.08] by hand,
    # across alpha = 0.05 → inconclusive, although the adjusted p itself is below alpha.
    r = decide(check, _drift(0.01, (0.008, 0.02), (0.49, 0.51)), 0.04, factor=4.0)
    assert r.status is Status.INCONCLUSIVE
    b = r.bounds["p_value_adjusted"]
    assert (b.low, b.high) == (pytest.approx(0.032), pytest.approx(0.08))
    # factor 2: [0.016, 0.04], below alpha throughout; effect [0.49, 0.51] ≥ 0.3 → fail
    r2 = decide(check, _drift(0.01, (0.008, 0.02), (0.49, 0.51)), 0.02, factor=2.0)
    assert r2.status is Status.FAIL
    # the upper end is capped at 1: factor 100 gives [0.8, 1.0]
    r3 = decide(check, _drift(0.01, (0.008, 0.02), (0.49, 0.51)), 1.0, factor=100.0)
    assert r3.status is Status.PASS
    assert r3.bounds["p_value_adjusted"].high == 1.0
    assert r3.bounds["p_value_adjusted"].low == pytest.approx(0.8)


def test_exact_path_is_never_inconclusive() -> None:
    rng = np.random.default_rng(4)
    ref, cur0 = rng.normal(0, 1, 5000), rng.normal(0, 1, 5000)
    cur = cur0 + _shift_for_effect(ref, cur0, 0.1)
    ctx = CheckContext(
        current=profile_frame(pl.DataFrame({"x": cur}), SCHEMA),
        schema=SCHEMA,
        reference=profile_frame(pl.DataFrame({"x": ref}), SCHEMA),
    )
    (r,) = UnivariateDrift().compute(ctx)
    assert r.exact
    assert r.metrics["effect_size"] == pytest.approx(_true_effect(ref, cur), abs=1e-12)
    assert r.status is not Status.INCONCLUSIVE  # exactly at the floor, no bound: decided
    assert "effect_size" not in r.bounds
