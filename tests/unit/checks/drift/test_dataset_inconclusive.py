"""drift.dataset with inconclusive columns: counted apart, and inconclusive across a limit.

200,000 values per side (above the quantile sketch's exact capacity of 131,072): the per-column
effects come from sketches with error bounds.  Shifts are solved so that the true normalised
Wasserstein distance (scipy on the raw values, the oracle) sits exactly where each case needs.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import optimize, stats

from mlaudit.checks._base import CheckContext
from mlaudit.checks.drift.dataset import DatasetDrift, severity_order
from mlaudit.checks.drift.univariate import UnivariateDrift
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.results import Status, TableDetail
from mlaudit.summary import profile_frame

N = 200_000
NAMES = ["a", "b", "c", "d", "e"]


def _shift_for_effect(ref: np.ndarray, cur: np.ndarray, effect: float) -> float:
    """Shift s with W1(ref, cur + s) / sd(ref) = effect (equal sizes: sorted coupling)."""
    a, b, sd = np.sort(ref), np.sort(cur), ref.std(ddof=1)
    return float(
        optimize.brentq(lambda s: np.mean(np.abs(b + s - a)) / sd - effect, 0.0, 3.0, xtol=1e-14)
    )


def _ctx(effects: dict[str, float]) -> CheckContext:
    rng = np.random.default_rng(11)
    schema = Schema(
        columns=[ColumnSchema(name=c, dtype="double", type=ColumnType.NUMERIC) for c in NAMES]
    )
    ref = {c: rng.normal(0, 1, N) for c in NAMES}
    cur = {c: rng.normal(0, 1, N) for c in NAMES}
    for c, effect in effects.items():
        cur[c] = cur[c] + _shift_for_effect(ref[c], cur[c], effect)
        true = stats.wasserstein_distance(ref[c], cur[c]) / ref[c].std(ddof=1)
        assert true == pytest.approx(effect, abs=1e-9)  # oracle
    return CheckContext(
        current=profile_frame(pl.DataFrame(cur), schema),
        schema=schema,
        reference=profile_frame(pl.DataFrame(ref), schema),
    )


def test_inconclusive_column_that_could_cross_the_warn_limit() -> None:
    ctx = _ctx({"a": 0.1})  # a at the floor: inconclusive; b..e unchanged
    uni = {r.column: r for r in UnivariateDrift().compute(ctx)}
    assert uni["a"].status is Status.INCONCLUSIVE
    assert all(uni[c].status is Status.PASS for c in "bcde")
    r = DatasetDrift().compute(ctx)
    # hand count: 0 of 5 drifted, 1 undecided → share in [0, 1/5]; 1/5 is the warn limit
    assert r.metrics["drifted_columns"] == 0
    assert r.metrics["inconclusive_columns"] == 1
    assert r.metrics["compared_columns"] == 5
    assert r.metrics["drifted_share"] == 0.0
    b = r.bounds["drifted_share"]
    assert (b.low, b.high) == (0.0, pytest.approx(0.2))
    assert r.status is Status.INCONCLUSIVE
    assert "1 inconclusive, counted neither as drifted nor as clean" in r.message
    assert "across a limit: the result is inconclusive" in r.message
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert table.rows[0][0] == "a" and table.rows[0][-1] == "inconclusive"  # before passes


def test_inconclusive_column_within_one_verdict() -> None:
    ctx = _ctx({"a": 0.1, "b": 0.5})  # b clearly drifted (fail), a undecided
    r = DatasetDrift().compute(ctx)
    # share in [1/5, 2/5]: warn at both ends (limits 0.2 and 0.5) → decided
    assert r.metrics["drifted_columns"] == 1
    assert r.metrics["inconclusive_columns"] == 1
    assert r.metrics["drifted_share"] == pytest.approx(0.2)
    assert r.status is Status.WARN
    assert "1 inconclusive" in r.message and "drifted: b" in r.message
    order = [x.column for x in severity_order(UnivariateDrift().compute(ctx))]
    assert order[:2] == ["b", "a"]  # fail first, then inconclusive, then the passes


def test_severity_only_undecided_counts_as_drifted() -> None:
    ctx = _ctx({"a": 0.3})  # at the fail limit: drifted for certain, warn or fail undecided
    uni = {x.column: x for x in UnivariateDrift().compute(ctx)}
    assert uni["a"].status is Status.WARN and uni["a"].metrics["drifted"] == 1
    r = DatasetDrift().compute(ctx)
    assert r.metrics["drifted_columns"] == 1
    assert r.metrics["inconclusive_columns"] == 0
    assert r.metrics["drifted_share"] == pytest.approx(0.2)
    assert r.status is Status.WARN
    assert "drifted_share" not in r.bounds
