"""fairness.four_fifths: impact ratios by hand, Holm against statsmodels, the three verdicts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests

from mlaudit import Audit
from mlaudit.checks.fairness.four_fifths import holm
from mlaudit.results import CheckResult, GroupsDetail, Status


def _frame(rates: dict[str, float], sizes: dict[str, int]) -> pl.DataFrame:
    """Exactly round(rate × size) selections per group (no sampling noise)."""
    groups, picks = [], []
    for g, n in sizes.items():
        k = round(rates[g] * n)
        groups += [g] * n
        picks += [1] * k + [0] * (n - k)
    y = np.arange(len(picks)) % 2
    return pl.DataFrame({"race": groups, "pred": picks, "y": y})


def _run(df: pl.DataFrame, **options: object) -> CheckResult:
    schema = {"target": "y", "prediction": "pred", "sensitive": ["race"]}
    result = Audit(df, suite="none", schema=schema, checks={"fairness.four_fifths": options}).run()
    (r,) = [c for c in result.checks if c.id == "fairness.four_fifths"]
    return r


def test_holm_equals_statsmodels() -> None:
    p = [0.01, 0.04, 0.03, 0.2, 0.001]
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1].tolist())


def test_significant_breach_fails_with_ratios_by_hand() -> None:
    r = _run(_frame({"a": 0.5, "b": 0.3, "c": 0.45}, {"a": 1000, "b": 800, "c": 600}))
    assert r.status == Status.FAIL
    groups = {
        g["group"]: g for g in next(d for d in r.details if isinstance(d, GroupsDetail)).groups
    }
    assert groups["a"]["reference"] is True
    assert groups["b"]["impact_ratio"] == pytest.approx(0.3 / 0.5)
    assert groups["c"]["impact_ratio"] == pytest.approx(0.45 / 0.5)
    assert r.metrics["min_impact_ratio"] == pytest.approx(0.6)
    p_b = scipy_stats.norm.sf(abs((0.3 - 0.5) / np.sqrt(0.4111 * 0.5889 * (1 / 800 + 1 / 1000))))
    assert groups["b"]["selection_rate_p_value"] == pytest.approx(2 * p_b, rel=1e-2)


def test_breach_without_significance_warns_and_no_breach_passes() -> None:
    small = _run(_frame({"a": 0.5, "b": 0.35}, {"a": 40, "b": 40}))
    assert small.status == Status.WARN and "cannot tell" in small.message
    fine = _run(_frame({"a": 0.5, "b": 0.45}, {"a": 5000, "b": 5000}))
    assert fine.status == Status.PASS and fine.metrics["min_impact_ratio"] == pytest.approx(0.9)


def test_one_sufficient_group_is_inconclusive() -> None:
    r = _run(_frame({"a": 0.5, "b": 0.1}, {"a": 500, "b": 10}))
    assert r.status == Status.INCONCLUSIVE and "insufficient evidence" in r.message
