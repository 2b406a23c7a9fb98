"""Ground-truth entries for the planted gender disparity of the credit sample and its proxy.

The policy rule of the current period (:data:`~mlaudit.datasets._defects.POLICY_OCCUPATIONS`)
flags applications from occupations that are mostly women's at a far lower score.  The figures
here are computed from the final current frame with numpy and scikit-learn, as a validator
would from the data, with the favourable outcome the demo declares: ``prediction = 0`` (not
flagged).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from mlaudit.datasets import _defects as d
from mlaudit.datasets._ground_truth import PlantedIssue

__all__ = ["FAVOURABLE", "fairness_issues"]

FAVOURABLE = 0
"""The favourable decision: not flagged as a likely defaulter."""


def _selection_rates(gender: np.ndarray, decision: np.ndarray) -> dict[str, float]:
    """Each gender's share of favourable decisions."""
    return {str(g): float(np.mean(decision[gender == g] == FAVOURABLE)) for g in np.unique(gender)}


def _occupation_auc(gender: np.ndarray, occupation: np.ndarray) -> tuple[float, float]:
    """How well occupation alone tells gender: each row scored by its occupation's gender
    shares; the one-vs-rest macro AUC over every gender, and the AUC of women against men."""
    levels, codes = np.unique(occupation, return_inverse=True)
    groups, y = np.unique(gender, return_inverse=True)
    counts = np.zeros((levels.size, groups.size))
    np.add.at(counts, (codes, y), 1.0)
    shares = counts / counts.sum(axis=1, keepdims=True)
    macro = float(roc_auc_score(y, shares[codes], multi_class="ovr", average="macro"))
    two = (gender == "female") | (gender == "male")
    female = int(np.flatnonzero(groups == "female")[0])
    binary = float(roc_auc_score(gender[two] == "female", shares[codes[two], female]))
    return macro, binary


def fairness_issues(
    reference: pl.DataFrame, current: pl.DataFrame, rule_rows: np.ndarray, before: np.ndarray
) -> list[PlantedIssue]:
    """The disparity, its four-fifths reading, its proxy and the decisions' drift, measured on
    the final current frame; ``before`` holds the decisions before the policy rule (the score's
    cut-off, the weak segment's inverted)."""
    gender = current["gender"].to_numpy().astype(str)
    decision = current["prediction"].to_numpy()
    rates = _selection_rates(gender, decision)
    best = max(rates.values())
    without = _selection_rates(gender, before)
    rule = np.zeros(current.height, dtype=bool)
    rule[rule_rows] = True
    changed = int(np.sum(rule & (before == 0)))
    occupation = current["occupation"].to_numpy().astype(str)
    macro, binary = _occupation_auc(gender, occupation)
    covered = {g: float(np.mean(rule[gender == g])) for g in rates}
    women_share = float(np.mean(gender[rule] == "female"))
    jobs = ", ".join(d.POLICY_OCCUPATIONS)
    rule_text = (
        f"a policy rule of the current period flags applications from the occupations {jobs} "
        f"({len(rule_rows):,} rows, {women_share:.0%} of them women) from a score of "
        f"{d.POLICY_CUTOFF:g} rather than the decision threshold ({changed:,} decisions changed)"
    )
    ref_flag = float(reference["prediction"].cast(pl.Float64).to_numpy().mean())
    cur_flag = float(decision.mean())
    return [
        PlantedIssue(
            id="fairness.disparity.gender",
            kind="fairness",
            columns=("gender", "prediction"),
            description=f"{rule_text}: with the favourable outcome prediction = 0 (not "
            "flagged), women are selected at "
            f"{rates['female']:.1%} against {rates['male']:.1%} for men; occupation does not "
            "affect default, so the rule has no support in the data; `rows` are the rule's "
            "rows",
            why_it_matters="a rule that never reads gender still treats women worse through "
            "a feature that stands in for it: indirect discrimination, which the law judges "
            "by its outcome",
            expected_check="fairness.group_metrics",
            rows=tuple(int(i) for i in rule_rows),
            count=len(rule_rows),
            expected={
                **{f"selection_rate.{g}": r for g, r in rates.items()},
                "demographic_parity_difference": best - min(rates.values()),
                "demographic_parity_ratio": min(rates.values()) / best,
                **{f"selection_rate_without_rule.{g}": r for g, r in without.items()},
                "decisions_changed": float(changed),
            },
        ),
        PlantedIssue(
            id="fairness.four_fifths.gender",
            kind="fairness",
            columns=("gender", "prediction"),
            description="the disparity above read by the four-fifths rule: each gender's "
            "selection rate over the highest (men's); women's ratio is under 0.8, on "
            f"{int(np.sum(gender == 'female')):,} women, far beyond chance",
            why_it_matters="US agencies read an impact ratio under 0.8 as evidence of adverse "
            "impact; New York City's bias audits publish the same ratios",
            expected_check="fairness.four_fifths",
            expected={
                **{f"impact_ratio.{g}": r / best for g, r in rates.items()},
                "min_impact_ratio": min(rates.values()) / best,
            },
        ),
        PlantedIssue(
            id="fairness.proxy.occupation",
            kind="fairness",
            columns=("occupation", "gender"),
            description="occupation (in both periods) is drawn by gender from a segregated "
            "mix (care, cleaning, office and childcare work mostly women's; trades, driving "
            "and construction mostly men's): alone it predicts gender; the policy rule acts "
            "through it",
            why_it_matters="a model or rule that never sees gender can act on it through a "
            "proxy; each proxy needs a business reason or has to go",
            expected_check="fairness.proxies",
            period="both",
            expected={
                "auc_ovr_macro": macro,
                "auc_female_vs_male": binary,
                **{f"rule_share.{g}": s for g, s in covered.items()},
            },
        ),
        PlantedIssue(
            id="drift.decisions.prediction",
            kind="drift",
            columns=("prediction",),
            description="a side effect of the policy rule (fairness.disparity.gender): the "
            f"share of applications flagged rose from {ref_flag:.1%} in the reference to "
            f"{cur_flag:.1%}",
            why_it_matters="the decisions changed while the scores did not: something between "
            "the model and the decision changed, and the decision policy needs review",
            expected_check="drift.univariate",
            expected={"flag_rate_reference": ref_flag, "flag_rate_current": cur_flag},
        ),
    ]
