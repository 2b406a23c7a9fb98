"""fairness.over_time: trends against statsmodels' weighted least squares, verdicts, bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from mlaudit import Audit
from mlaudit.checks.fairness.over_time import weighted_trend
from mlaudit.results import CheckResult, SeriesDetail, Status, TableDetail

WINDOW_ROWS = 2000


def _data(seed: int, drift: float, windows: int = 8) -> pl.DataFrame:
    """Women's selection rate falls by ``drift`` a window from 0.5; men's stays 0.5."""
    rng = np.random.default_rng(seed)
    n = WINDOW_ROWS * windows
    w = np.repeat(np.arange(windows), WINDOW_ROWS)
    sex = rng.choice(np.array(["f", "m"]), n)
    rate = np.where(sex == "f", 0.5 - drift * w, 0.5)
    pred = (rng.random(n) < rate).astype(np.int64)
    return pl.DataFrame({"sex": sex, "pred": pred, "y": rng.integers(0, 2, n)})


def _run(df: pl.DataFrame, **options: Any) -> CheckResult:
    result = Audit(
        df, suite="none", windows={"rows": WINDOW_ROWS},
        schema={"target": "y", "prediction": "pred", "sensitive": ["sex"]},
        checks={"fairness.over_time": options},
    ).run()  # fmt: skip
    (r,) = [c for c in result.checks if c.id == "fairness.over_time"]
    return r


def test_weighted_trend_equals_statsmodels_wls_with_known_variances() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(0, 0.02, 9) + 0.01 * np.arange(9)
    se = rng.uniform(0.01, 0.03, 9)
    fit = sm.WLS(y, sm.add_constant(np.arange(9.0)), weights=1 / se**2).fit(cov_type="fixed scale")
    slope, slope_se, p = weighted_trend(y, se)
    assert slope == pytest.approx(fit.params[1])
    assert slope_se == pytest.approx(fit.bse[1])
    assert p == pytest.approx(fit.pvalues[1])


def test_a_growing_gap_is_found_and_a_stable_one_passes() -> None:
    slow = _run(_data(1, drift=0.02))  # gap 0 → -0.14: grows, but not surely beyond 0.10
    assert slow.status == Status.WARN
    growing = _run(_data(1, drift=0.03))  # gap 0 → -0.21: beyond 0.10 in the last window
    assert growing.status == Status.FAIL
    trends = next(d for d in growing.details if isinstance(d, TableDetail))
    (row,) = trends.rows
    assert row[0] == "f" and row[5] == pytest.approx(-0.03, abs=0.008)
    chart = next(d for d in growing.details if isinstance(d, SeriesDetail))
    assert len(chart.x) == 8 and set(chart.series) == {"f", "m"}
    stable = [_run(_data(seed, drift=0.0)).status for seed in range(6)]
    assert stable.count(Status.PASS) >= 5  # a 5 % test: at most one chance warning here


def test_without_windows_or_with_too_few_windows() -> None:
    df = _data(2, drift=0.02, windows=2)
    assert _run(df).status == Status.INCONCLUSIVE
    result = Audit(df, suite="none", schema={"prediction": "pred", "sensitive": ["sex"]},
                   checks={"fairness.over_time": {}}).run()  # fmt: skip
    (r,) = [c for c in result.checks if c.id == "fairness.over_time"]
    assert r.status == Status.SKIPPED and "--window" in r.message
