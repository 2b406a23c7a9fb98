"""Base-rate disparate impact of public tables (the outcome itself as the decision), reproduced
by hand with pandas; an attribute drawn at random shows no disparity.

* **Adult**: the share earning >50K, women against men (the largest group);
* **German credit**: the share of good credit risks, women (``A92``) against men.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.results import CheckResult, GroupsDetail, Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

CHECKS = ("fairness.group_metrics", "fairness.four_fifths", "fairness.bias_audit")


def _run(
    df: pl.DataFrame, decision: str, sensitive: str, favourable: str
) -> dict[str, CheckResult]:
    result = Audit(
        df, suite="none", schema={"prediction": decision, "sensitive": [sensitive]},
        fairness={"favourable": favourable, "intersections": False},
        checks={**{c: {} for c in CHECKS}, "fairness.bias_audit": {"sex": sensitive}},
    ).run()  # fmt: skip
    return {r.id: r for r in result.checks if r.column == sensitive}


def _ratio(r: CheckResult, group: str) -> float:
    groups = next(d for d in r.details if isinstance(d, GroupsDetail)).groups
    return float(next(g for g in groups if g["group"] == group)["impact_ratio"])  # type: ignore[arg-type]


def test_adult_income_by_sex() -> None:
    df = t.adult()
    pdf = df.to_pandas()
    rate = (pdf["income"] == ">50K").groupby(pdf["sex"]).mean()
    by = _run(df, "income", "sex", ">50K")
    expected = rate["Female"] / rate["Male"]  # about 0.36
    for check in CHECKS:
        assert _ratio(by[check], "Female") == pytest.approx(expected), check
    assert by["fairness.four_fifths"].status is Status.FAIL
    assert by["fairness.group_metrics"].metrics["demographic_parity_difference"] == (
        pytest.approx(rate["Male"] - rate["Female"])
    )


def test_german_good_risk_by_sex() -> None:
    df = t.german().with_columns(
        pl.when(pl.col("personal_status_sex") == "A92").then(pl.lit("female"))
        .otherwise(pl.lit("male")).alias("sex")
    )  # fmt: skip
    pdf = df.to_pandas()
    rate = (pdf["credit_risk"] == 1).groupby(pdf["sex"]).mean()
    by = _run(df.drop("personal_status_sex"), "credit_risk", "sex", "1")
    assert _ratio(by["fairness.group_metrics"], "female") == pytest.approx(
        rate["female"] / rate["male"]
    )
    assert _ratio(by["fairness.four_fifths"], "female") == pytest.approx(
        rate["female"] / rate["male"]
    )


@pytest.mark.parametrize("seed", range(3))
def test_a_random_attribute_shows_no_disparity(seed: int) -> None:
    df = t.adult().with_columns(
        pl.Series("group", np.random.default_rng(seed).choice(list("abc"), t.adult().height))
    )
    by = _run(df, "income", "group", ">50K")
    assert by["fairness.group_metrics"].status is Status.PASS
    assert by["fairness.four_fifths"].status is Status.PASS
