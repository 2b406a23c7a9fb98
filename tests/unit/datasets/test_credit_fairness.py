"""The credit sample's planted gender disparity and its proxy, checked independently.

Oracles: polars recomputation of the rule and of the selection rates, fairlearn's
``demographic_parity_difference`` / ``_ratio``, a hand computation of the impact ratios,
scikit-learn's ``roc_auc_score`` on occupation's gender shares counted with pandas, and
scipy's chi-square test for occupation's independence of default.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlaudit.datasets import FEATURE_COLUMNS, CreditSample, make_credit_sample

RULE_OCCUPATIONS = ["care_worker", "nurse", "childcare", "cleaner", "hairdresser",
                    "retail_sales", "hospitality"]  # fmt: skip


@pytest.fixture(scope="module")
def sample() -> CreditSample:
    return make_credit_sample()


@pytest.fixture(scope="module", params=["default", "small"])
def any_sample(request: pytest.FixtureRequest, sample: CreditSample) -> CreditSample:
    if request.param == "default":
        return sample
    return make_credit_sample(seed=3, n_reference=3_000, n_current=2_500)


def test_rule_rows_and_decisions(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("fairness.disparity.gender")
    cur = any_sample.current.with_row_index("r")
    covered = cur.filter(pl.col("occupation").is_in(RULE_OCCUPATIONS))
    assert list(issue.rows) == covered["r"].to_list()
    assert issue.count == covered.height
    # inside the rule a score of 0.03 flags; every decision stays a function of the score there
    assert covered.filter((pl.col("score") >= 0.03) & (pl.col("prediction") == 0)).height == 0
    threshold = any_sample.ground_truth.decision_threshold
    weak = set(any_sample.ground_truth.issue("performance.weak_segment").rows)
    plain = covered.filter(~pl.col("r").is_in(sorted(weak)))
    assert (plain["prediction"] == (plain["score"] >= 0.03).cast(pl.Int64)).all()
    changed = covered.filter(
        (pl.col("score") >= 0.03) & (pl.col("score") < threshold) & ~pl.col("r").is_in(sorted(weak))
    ).height
    assert issue.expected["decisions_changed"] >= changed > 0.5 * covered.height
    assert "occupation" not in FEATURE_COLUMNS  # the model never reads it


def test_selection_rates_match_polars_and_fairlearn(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("fairness.disparity.gender")
    cur = any_sample.current
    rates = dict(
        cur.group_by("gender").agg((pl.col("prediction") == 0).mean().alias("s")).iter_rows()
    )
    for gender, rate in rates.items():
        assert issue.expected[f"selection_rate.{gender}"] == pytest.approx(rate, abs=1e-12)
    favourable = (cur["prediction"] == 0).to_numpy().astype(int)
    gender = cur["gender"].to_numpy()
    dpd = demographic_parity_difference(favourable, favourable, sensitive_features=gender)
    dpr = demographic_parity_ratio(favourable, favourable, sensitive_features=gender)
    assert issue.expected["demographic_parity_difference"] == pytest.approx(dpd, abs=1e-12)
    assert issue.expected["demographic_parity_ratio"] == pytest.approx(dpr, abs=1e-12)


def test_the_disparity_is_large_and_comes_from_the_rule(sample: CreditSample) -> None:
    e = sample.ground_truth.issue("fairness.disparity.gender").expected
    assert e["selection_rate.female"] < e["selection_rate.male"] - 0.15
    assert e["demographic_parity_difference"] > 0.15
    without = [e[f"selection_rate_without_rule.{g}"] for g in ("female", "male", "non-binary")]
    assert max(without) - min(without) < 0.03  # the score's cut-off alone treats them alike
    # the frames' own check: the rule covers women about three times as often as men
    proxy = sample.ground_truth.issue("fairness.proxy.occupation").expected
    assert proxy["rule_share.female"] > 2.5 * proxy["rule_share.male"]


def test_impact_ratios_by_hand(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("fairness.four_fifths.gender")
    cur = any_sample.current
    counts: dict[str, list[int]] = {}
    for gender, prediction in zip(cur["gender"], cur["prediction"], strict=True):
        n, selected = counts.setdefault(gender, [0, 0])
        counts[gender] = [n + 1, selected + (prediction == 0)]
    rates = {g: s / n for g, (n, s) in counts.items()}
    best = max(rates.values())
    for gender, rate in rates.items():
        assert issue.expected[f"impact_ratio.{gender}"] == pytest.approx(rate / best, abs=1e-12)
    assert issue.expected["min_impact_ratio"] == pytest.approx(min(rates.values()) / best)


def test_women_are_selected_under_four_fifths_significantly(sample: CreditSample) -> None:
    e = sample.ground_truth.issue("fairness.four_fifths.gender").expected
    assert e["impact_ratio.male"] == 1.0 and e["impact_ratio.female"] < 0.78
    cur = sample.current
    table = [
        [int(((cur["gender"] == g) & (cur["prediction"] == d)).sum()) for d in (0, 1)]
        for g in ("female", "male")
    ]
    assert stats.chi2_contingency(table).pvalue < 1e-20


def test_occupation_auc_for_gender_matches_scikit_learn(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("fairness.proxy.occupation")
    frame = any_sample.current.select("gender", "occupation").to_pandas()
    counts = frame.groupby("occupation")["gender"].value_counts(normalize=True)
    shares = counts.unstack(fill_value=0)
    groups = sorted(frame["gender"].unique())
    scores = shares.loc[frame["occupation"], groups].to_numpy()
    macro = roc_auc_score(frame["gender"], scores, multi_class="ovr", average="macro")
    assert issue.expected["auc_ovr_macro"] == pytest.approx(macro, abs=1e-12)
    two = frame[frame["gender"] != "non-binary"]
    binary = roc_auc_score(two["gender"] == "female", shares.loc[two["occupation"], "female"])
    assert issue.expected["auc_female_vs_male"] == pytest.approx(binary, abs=1e-12)


def test_occupation_is_a_strong_proxy_in_both_periods(sample: CreditSample) -> None:
    issue = sample.ground_truth.issue("fairness.proxy.occupation")
    assert issue.expected["auc_female_vs_male"] > 0.8 and issue.period == "both"
    ref = sample.reference.filter(pl.col("gender") != "non-binary").to_pandas()
    shares = ref.groupby("occupation")["gender"].apply(lambda g: (g == "female").mean())
    auc = roc_auc_score(ref["gender"] == "female", shares.loc[ref["occupation"]])
    assert auc == pytest.approx(issue.expected["auc_female_vs_male"], abs=0.02)
    students = sample.current.filter(pl.col("occupation") == "student")
    assert (students["employment_status"] == "student").all()


def test_occupation_does_not_affect_default(sample: CreditSample) -> None:
    """Within each gender (which moves income a little), default is independent of occupation
    in the reference: the generator's default model never reads it."""
    ref = sample.reference.filter(pl.col("occupation") != "student")
    for gender in ("female", "male"):
        part = ref.filter(pl.col("gender") == gender)
        table = part.pivot(
            on="default", index="occupation", values="default", aggregate_function="len"
        ).fill_null(0)
        counts = table.select("0", "1").to_numpy()
        assert stats.chi2_contingency(counts).pvalue > 0.001, gender


def test_decisions_drift_is_measured(sample: CreditSample) -> None:
    issue = sample.ground_truth.issue("drift.decisions.prediction")
    assert issue.expected["flag_rate_reference"] == pytest.approx(
        float(np.mean(sample.reference["prediction"].to_numpy()))
    )
    assert issue.expected["flag_rate_current"] == pytest.approx(
        float(np.mean(sample.current["prediction"].to_numpy()))
    )
    assert issue.expected["flag_rate_current"] > 2 * issue.expected["flag_rate_reference"]
