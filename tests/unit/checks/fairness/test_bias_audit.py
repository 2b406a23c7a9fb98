"""fairness.bias_audit: the Local Law 144 tables reproduced by hand from the rule's definitions."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from mlaudit import Audit
from mlaudit.results import CheckResult, GroupsDetail, Status, TableDetail


def _data(seed: int = 0, n: int = 2000) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["Female", "Male"]), n).astype(object)
    race = rng.choice(np.array(["Asian", "Black", "White", "Hispanic", "Native"]), n,
                      p=[0.2, 0.25, 0.4, 0.14, 0.01]).astype(object)  # fmt: skip
    sex[:17] = None  # unknown sex
    score = rng.normal(0, 1, n) + 0.3 * (race == "White")
    return pl.DataFrame(
        {"sex": sex.tolist(), "race": race.tolist(), "score": 1 / (1 + np.exp(-score)),
         "hired": (score > 0.5).astype(np.int64)}
    )  # fmt: skip


def _run(df: pl.DataFrame, schema: dict[str, Any], **options: Any) -> dict[str, CheckResult]:
    result = Audit(df, suite="none", schema=schema, checks={"fairness.bias_audit": options}).run()
    return {c.column or "": c for c in result.checks if c.id == "fairness.bias_audit"}


def _by_hand(
    df: pl.DataFrame, keys: list[str], hit: np.ndarray, exclude: float = 0.0
) -> dict[str, Any]:
    known = np.ones(df.height, bool)
    for k in keys:
        known &= df[k].is_not_null().to_numpy()
    cat = np.array([" × ".join(str(df[k][i]) for k in keys) for i in range(df.height)])[known]
    h = hit[known]
    rates = {c: h[cat == c].mean() for c in np.unique(cat)}
    share = {c: np.mean(cat == c) for c in rates}
    top = max(r for c, r in rates.items() if share[c] >= exclude)
    return {"rates": rates, "ratios": {c: rates[c] / top for c in rates if share[c] >= exclude},
            "unknown": int((~known).sum())}  # fmt: skip


def test_selection_rate_tables_equal_the_rule() -> None:
    df = _data()
    out = _run(df, {"prediction": "hired", "sensitive": ["sex", "race"]})
    assert set(out) == {"sex", "race", "sex × race"}
    for keys in (["sex"], ["race"], ["sex", "race"]):
        r = out[" × ".join(keys)]
        want = _by_hand(df, keys, df["hired"].to_numpy())
        groups = next(d for d in r.details if isinstance(d, GroupsDetail)).groups
        for g in groups:
            assert g["selection_rate"] == pytest.approx(want["rates"][g["group"]])
            assert g["impact_ratio"] == pytest.approx(want["ratios"][g["group"]])
        assert r.metrics["unknown"] == want["unknown"] and r.status == Status.PASS
    assert out["sex"].metrics["unknown"] == 17
    # each category's Wilson interval (statsmodels), the highest-rate category the reference
    hired, race = df["hired"].to_numpy(), df["race"].to_numpy()
    detail = next(d for d in out["race"].details if isinstance(d, GroupsDetail))
    for g in detail.groups:
        k, n = int(hired[race == g["group"]].sum()), int((race == g["group"]).sum())
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert g["selection_rate_ci"] == pytest.approx([low, high], rel=1e-9)
        assert g["reference"] is (g["impact_ratio"] == 1.0)
    assert detail.reference_group == max(detail.groups, key=lambda g: g["selection_rate"])["group"]
    table = next(d for d in out["race"].details if isinstance(d, TableDetail))
    assert "Unknown category: 0 people" in table.note


def test_scoring_rate_is_the_share_above_the_full_samples_median() -> None:
    df = _data(1)
    out = _run(df, {"score": "score", "sensitive": ["sex", "race"]}, basis="scoring")
    hit = (df["score"] > df["score"].median()).to_numpy()
    want = _by_hand(df, ["race"], hit)
    groups = next(d for d in out["race"].details if isinstance(d, GroupsDetail)).groups
    for g in groups:
        assert g["scoring_rate"] == pytest.approx(want["rates"][g["group"]])
        assert g["impact_ratio"] == pytest.approx(want["ratios"][g["group"]])


def test_small_categories_may_be_excluded_and_are_still_listed() -> None:
    df = _data(2)
    out = _run(df, {"prediction": "hired", "sensitive": ["sex", "race"]}, exclude_under=0.02)
    race = out["race"]
    groups = {
        g["group"]: g for g in next(d for d in race.details if isinstance(d, GroupsDetail)).groups
    }
    assert groups["Native"]["excluded"] is True and groups["Native"]["impact_ratio"] is None
    assert groups["Native"]["n"] > 0 and groups["Native"]["selection_rate"] is not None
    want = _by_hand(df, ["race"], df["hired"].to_numpy(), exclude=0.02)
    assert groups["White"]["impact_ratio"] == pytest.approx(want["ratios"]["White"])
    assert "excluded from the impact ratios" in race.message


def test_without_sex_or_race_columns_the_check_says_so() -> None:
    df = _data(3).rename({"sex": "grp1", "race": "grp2"})
    out = _run(df, {"prediction": "hired", "sensitive": ["grp1", "grp2"]})
    assert out[""].status == Status.SKIPPED and "sex and race options" in out[""].message
    named = _run(df, {"prediction": "hired", "sensitive": ["grp1", "grp2"]}, sex="grp1")
    assert set(named) == {"grp1"}
