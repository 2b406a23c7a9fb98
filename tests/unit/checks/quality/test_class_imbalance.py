"""quality.class_imbalance: shares counted by hand, the homogeneity test against scipy."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from mlaudit import Audit
from mlaudit.checks.quality.class_imbalance import homogeneity_test
from mlaudit.results import CheckResult, Status

CHECK = "quality.class_imbalance"


def _run(cur: pl.DataFrame, ref: pl.DataFrame | None = None, **options: object) -> CheckResult:
    audit = Audit(
        cur, reference=ref, schema={"target": "v"}, suite="none", checks={CHECK: dict(options)}
    )
    return audit.run().checks[0]


def _labels(counts: dict[object, int], seed: int = 0) -> pl.DataFrame:
    values = [k for k, n in counts.items() for _ in range(n)]
    rng = np.random.default_rng(seed)
    rng.shuffle(values)
    return pl.DataFrame({"x": rng.normal(size=len(values)), "v": values})


@pytest.mark.parametrize(
    ("cur", "ref"),
    [
        ({"a": 50, "b": 30, "c": 20}, {"a": 45, "b": 40, "c": 15}),
        ({"a": 500, "b": 3}, {"a": 480, "b": 20, "c": 1}),
        ({"0": 9000, "1": 1000}, {"0": 8800, "1": 1200}),
    ],
)
def test_homogeneity_test_equals_scipy_chi2_contingency(
    cur: dict[str, int], ref: dict[str, int]
) -> None:
    classes = sorted({*cur, *ref})
    table = [[cur.get(c, 0) for c in classes], [ref.get(c, 0) for c in classes]]
    expected = stats.chi2_contingency(table, correction=False)
    stat, p = homogeneity_test(cur, ref)
    assert stat == pytest.approx(expected.statistic, rel=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-9)


def test_minority_metrics_by_hand_and_tiny_minority_warns() -> None:
    r = _run(_labels({0: 990, 1: 10}))
    assert r.status is Status.WARN  # 1% of the rows and fewer than 30: tiny
    assert r.metrics["minority_rows"] == 10 and r.metrics["minority_share"] == 0.01
    assert r.metrics["imbalance_ratio"] == 99.0 and r.metrics["classes"] == 2
    assert "'1' has 10 rows" in r.message
    r = _run(_labels({0: 700, 1: 300}))
    assert r.status is Status.PASS and r.metrics["minority_share"] == 0.3


def test_nulls_are_not_a_class() -> None:
    df = pl.DataFrame({"x": range(6), "v": ["a", "a", "b", None, None, "b"]})
    r = _run(df, min_rows=1)
    assert r.metrics["labelled_rows"] == 4 and r.metrics["classes"] == 2


def test_declared_shares_fail_beyond_the_tolerance() -> None:
    df = _labels({"no": 650, "yes": 350})
    assert _run(df, expected_shares={"yes": 0.3}).status is Status.PASS  # 0.35 within 0.05
    r = _run(df, expected_shares={"yes": 0.25})
    assert r.status is Status.FAIL and r.metrics["largest_share_difference"] == pytest.approx(0.1)


def test_reference_change_needs_significance_and_size() -> None:
    ref = _labels({0: 8000, 1: 2000}, seed=1)
    same = _labels({0: 7990, 1: 2010}, seed=2)
    assert _run(same, ref).status is Status.PASS
    shifted = _labels({0: 7500, 1: 2500}, seed=3)  # +5 points: significant, below 10
    r = _run(shifted, ref)
    assert r.status is Status.WARN and r.metrics["largest_share_change"] == pytest.approx(0.05)
    r = _run(_labels({0: 6000, 1: 4000}, seed=4), ref)
    assert r.status is Status.FAIL
    table = r.details[0]
    assert table.rows[0][:3] == [0, 6000, 0.6] or table.rows[0][:3] == ["0", 6000, 0.6]


def test_regression_target_is_skipped() -> None:
    rng = np.random.default_rng(0)
    df = pl.DataFrame({"x": rng.normal(size=500), "v": rng.normal(size=500)})
    r = _run(df)
    assert r.status is Status.SKIPPED and "regression" in r.message


def test_without_target_skipped() -> None:
    df = pl.DataFrame({"x": [1, 2], "w": [0, 1]})
    r = Audit(df, suite="none", checks={CHECK: {}}).run().checks[0]
    assert r.status is Status.SKIPPED and "no target" in r.message
