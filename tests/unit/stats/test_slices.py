"""Slice levels and the one-sided slice tests, against scipy and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats

from mlaudit.stats import feature_levels, fisher_greater, format_number, welch_greater


def test_fisher_greater_equals_scipy_fisher_exact() -> None:
    rng = np.random.default_rng(3)
    total, total_errors = 2_000, 300
    rows = rng.integers(20, 600, size=40)
    errors = np.minimum(rng.binomial(rows, 0.2), total_errors)
    got = fisher_greater(errors, rows, total_errors, total)
    for k, n, p in zip(errors, rows, got, strict=True):
        table = [[k, n - k], [total_errors - k, total - n - (total_errors - k)]]
        oracle = stats.fisher_exact(table, alternative="greater").pvalue
        assert p == pytest.approx(oracle, rel=1e-9, abs=1e-300)


def test_welch_greater_equals_scipy_ttest() -> None:
    rng = np.random.default_rng(4)
    values = rng.gamma(2.0, 1.5, size=3_000)
    totals = (float(values.sum()), float((values**2).sum()), values.size)
    for _ in range(10):
        mask = rng.random(values.size) < rng.uniform(0.02, 0.5)
        inside = values[mask]
        p, mean = welch_greater(
            np.array([inside.sum()]), np.array([(inside**2).sum()]), np.array([mask.sum()]), totals
        )
        oracle = stats.ttest_ind(inside, values[~mask], equal_var=False, alternative="greater")
        assert p[0] == pytest.approx(oracle.pvalue, rel=1e-6)
        assert mean[0] == pytest.approx(inside.mean())


def test_numeric_levels_are_quantile_bins_with_rounded_edges_and_splits() -> None:
    rng = np.random.default_rng(5)
    income = rng.integers(10_000, 60_000, size=5_000).astype(float)
    income[:100] = np.nan
    levels = feature_levels(pl.Series("income", income), bins=5, max_levels=20)
    bins = levels[0]
    assert bins.partition and all(not f.partition for f in levels[1:])
    edges = [float(f"{q:.2g}") for q in np.nanquantile(income, [0.2, 0.4, 0.6, 0.8])]
    assert edges == [20_000, 30_000, 40_000, 50_000]
    assert bins.rules == [
        "income < 20,000",
        "20,000 ≤ income < 30,000",
        "30,000 ≤ income < 40,000",
        "40,000 ≤ income < 50,000",
        "income ≥ 50,000",
        "income is missing",
    ]
    oracle = pd.cut(pd.Series(income), [-np.inf, *edges, np.inf], right=False, labels=False)
    expected = oracle.fillna(5).astype(int).to_numpy()
    assert (bins.codes == expected).all()
    split = next(f for f in levels[1:] if f.rules[0] == "income < 30,000")
    assert split.rules == ["income < 30,000", "income ≥ 30,000"]
    assert ((split.codes == 0) == (income < 30_000)).all()
    assert (split.codes[:100] == -1).all()  # missing values in neither side


def test_categorical_levels_most_frequent_first_missing_as_a_level() -> None:
    values = ["north"] * 50 + ["south"] * 30 + ["east"] * 5 + [None] * 15
    [f] = feature_levels(pl.Series("region", values), bins=5, max_levels=2)
    assert f.rules == ['region = "north"', 'region = "south"', "region is missing"]
    codes = pd.Series(values).map({"north": 0, "south": 1, "east": -1}).fillna(2)
    assert (f.codes == codes.astype(int).to_numpy()).all()
    assert feature_levels(pl.Series("c", ["a"] * 10), bins=5, max_levels=5) == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (32000.0, "32,000"),
        (1234567.8, "1,234,568"),
        (0.25, "0.25"),
        (3.14159, "3.142"),
        (-5.0, "-5"),
    ],
)
def test_format_number_for_people(value: float, text: str) -> None:
    assert format_number(value) == text
