"""Ground-truth entries for the planted drifts of the credit sample, with their measured effects."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from mlaudit.datasets import _defects as d
from mlaudit.datasets._ground_truth import PlantedIssue
from mlaudit.datasets._issues import counts_of, row_tuple
from mlaudit.datasets._population import CURRENT, REFERENCE

__all__ = ["drift_issues"]


def _label_shift(reference: pl.DataFrame, current: pl.DataFrame) -> PlantedIssue:
    ref = float(reference["default"].cast(pl.Float64).to_numpy().mean())
    cur = float(current["default"].cast(pl.Float64).to_numpy().mean())
    return PlantedIssue(
        id="drift.label_shift.default",
        kind="drift",
        columns=("default",),
        description="a side effect of the income drift and the reversed credit-history effect: "
        f"the default rate fell from {ref:.1%} in the reference to {cur:.1%}",
        why_it_matters="a changed class mix changes what the model's scores mean: its flag "
        "threshold, calibration and accuracy were set for the reference's default rate",
        expected_check="quality.class_imbalance",
        expected={"default_rate_reference": ref, "default_rate_current": cur},
    )


def _num(value: Any) -> float:
    """A polars scalar aggregate as a float (``mean``/``std`` are typed as unions)."""
    return float(value)


def _spearman(frame: pl.DataFrame, a: str, b: str) -> float:
    value = frame.select(pl.corr(a, b, method="spearman")).item()
    return float(value)


def _without(current: pl.DataFrame, *rows: np.ndarray) -> pl.DataFrame:
    drop = np.concatenate(rows).tolist()
    return current.with_row_index("_row").filter(~pl.col("_row").is_in(drop))


def drift_issues(reference: pl.DataFrame, current: pl.DataFrame, r: d.PlantedRows,
                 auc: tuple[float, float]) -> list[PlantedIssue]:  # fmt: skip
    """Every planted drift, with expected and measured effect sizes."""
    return [
        *_distribution_drifts(reference, current, _without(current, r.cluster, r.outliers)),
        *_relation_drifts(reference, current, _without(current, r.cluster), auc),
        *_correlation_changes(reference, current),
        _label_shift(reference, current),
        _performance_drop(auc),
        _miscalibration(current),
    ]


def _performance_drop(auc: tuple[float, float]) -> PlantedIssue:
    """The concept drift seen as the whole current period's fall in ROC AUC."""
    return PlantedIssue(
        id="performance.drop.roc_auc",
        kind="drift",
        columns=("score", "default"),
        description="the concept drift above (credit history's effect reversed), listed for "
        "the whole-period metric check: the model's ROC AUC on the current period, with its "
        "DeLong interval, lies wholly below the reference's",
        why_it_matters="the model ranks applicants worse on the data it now scores; the fall "
        "is far beyond sampling noise, so the model needs retraining before it is relied on",
        expected_check="performance.metrics",
        expected={"auc_reference": auc[0], "auc_current": auc[1]},
    )


def _miscalibration(current: pl.DataFrame) -> PlantedIssue:
    """The label shift and the reversed credit-history effect, seen as miscalibrated scores."""
    p = current["score"].cast(pl.Float64).to_numpy()
    y = current["default"].cast(pl.Float64).to_numpy()
    bins = np.clip(np.ceil(p * 10).astype(np.int64) - 1, 0, 9)  # (k/10, (k+1)/10], 0 in the first
    gap = np.bincount(bins, weights=y - p, minlength=10)
    return PlantedIssue(
        id="performance.calibration.score",
        kind="drift",
        columns=("score", "default"),
        description="the reference-fitted model's probabilities overstate the current default "
        f"rate: {p.mean():.1%} predicted on average where {y.mean():.1%} defaulted (a side "
        "effect of drift.label_shift.default and drift.concept.credit_history_months, not "
        "planted of its own)",
        why_it_matters="provisions and prices read the predicted probability itself; "
        "calibrated on the reference, it no longer matches the current default rate",
        expected_check="performance.calibration",
        expected={
            "mean_predicted": float(p.mean()),
            "default_rate_current": float(y.mean()),
            "ece": float(np.abs(gap).sum() / p.size),
        },
    )


def _pearson(frame: pl.DataFrame, a: str, b: str) -> float:
    pair = frame.select(a, b).drop_nulls()
    return _num(np.corrcoef(pair[a].to_numpy(), pair[b].to_numpy())[0, 1])


def _correlation_changes(reference: pl.DataFrame, current: pl.DataFrame) -> list[PlantedIssue]:
    """The planted reversal of debt_to_income and num_open_accounts, as the pair check sees it."""
    pair = ("num_open_accounts", "debt_to_income")
    return [
        PlantedIssue(
            id="quality.feature_correlation.num_open_accounts.debt_to_income",
            kind="drift",
            columns=pair,
            description="the reversed dependence of drift.correlation.debt_to_income."
            "num_open_accounts (planted once), seen as a changed Pearson correlation of the "
            "pair; all current rows, the anomaly cluster included",
            why_it_matters="each feature alone looks unchanged; the pair check names the "
            "pair behind the multivariate drift",
            expected_check="quality.feature_correlation",
            expected={
                "pearson_reference": _pearson(reference, *pair),
                "pearson_current": _pearson(current, *pair),
            },
        )
    ]


def _distribution_drifts(reference: pl.DataFrame, current: pl.DataFrame,
                         clean: pl.DataFrame) -> list[PlantedIssue]:  # fmt: skip
    mobile = np.flatnonzero(current["channel"].to_numpy().astype(str) == "mobile_app")
    n = current.height
    region = {f"reference_share.{k}": v for k, v in REFERENCE.region_p.items()}
    region.update({f"current_share.{k}": v for k, v in CURRENT.region_p.items()})
    return [
        PlantedIssue(
            id="drift.mean_shift.income",
            kind="drift",
            columns=("income",),
            description="incomes in the current period are 15% higher (every income scaled by "
            "1.15); measured without the income outliers and the anomaly cluster (nulls skipped)",
            why_it_matters="the model's most important input moved; scores and default rates "
            "shift with it",
            expected_check="drift.univariate",
            expected={
                "mean_ratio": CURRENT.income_scale,
                "measured_mean_ratio": _num(clean["income"].mean())
                / _num(reference["income"].mean()),
            },
        ),
        PlantedIssue(
            id="drift.new_category.channel",
            kind="drift",
            columns=("channel",),
            description="a new channel 'mobile_app', absent from the reference, brings about "
            "20% of current applications (the anomaly cluster included)",
            why_it_matters="the model never saw this category; its one-hot encoding is all "
            "zeros, so these applicants are scored as an average channel",
            expected_check="drift.univariate",
            rows=row_tuple(mobile),
            count=len(mobile),
            expected={"nominal_share": CURRENT.channel_p["mobile_app"], "share": len(mobile) / n},
            value_counts=counts_of(current["channel"]),
        ),
        PlantedIssue(
            id="drift.frequencies.region",
            kind="drift",
            columns=("region",),
            description="region frequencies changed: north 20%→10%, south 25%→35%, "
            "west 20%→15%, central 20%→25%, east unchanged at 15%",
            why_it_matters="a shifted population mix changes aggregate performance and "
            "fairness even when the model is unchanged",
            expected_check="drift.univariate",
            expected=region,
            value_counts=counts_of(current["region"]),
        ),
    ]


def _relation_drifts(reference: pl.DataFrame, current: pl.DataFrame, clean: pl.DataFrame,
                     auc: tuple[float, float]) -> list[PlantedIssue]:  # fmt: skip
    ref_sd, cur_sd = reference["loan_amount"].std(), clean["loan_amount"].std()
    ref_mean, cur_mean = reference["loan_amount"].mean(), clean["loan_amount"].mean()
    pair = ("debt_to_income", "num_open_accounts")
    return [
        PlantedIssue(
            id="drift.variance.loan_amount",
            kind="drift",
            columns=("loan_amount",),
            description="loan_amount spread widened (log-scale sigma 0.5→0.8 within each "
            "purpose) while each purpose's mean is unchanged; measured without the anomaly cluster",
            why_it_matters="a change in spread with a stable mean is missed by mean-based "
            "monitoring but moves the tails where losses concentrate",
            expected_check="drift.univariate",
            expected={
                "log_sigma_reference": REFERENCE.loan_log_sigma,
                "log_sigma_current": CURRENT.loan_log_sigma,
                "measured_std_ratio": _num(cur_sd) / _num(ref_sd),
                "measured_mean_ratio": _num(cur_mean) / _num(ref_mean),
            },
        ),
        PlantedIssue(
            id="drift.correlation.debt_to_income.num_open_accounts",
            kind="drift",
            columns=pair,
            description="the dependence between debt_to_income and num_open_accounts reversed "
            "(Gaussian-copula rho 0.7→-0.4) while both marginal distributions are unchanged; "
            "measured without the anomaly cluster",
            why_it_matters="univariate drift tests pass; only a multivariate check sees that "
            "the joint behaviour the model learned no longer holds",
            expected_check="drift.multivariate",
            expected={
                "latent_rho_reference": REFERENCE.dti_accounts_rho,
                "latent_rho_current": CURRENT.dti_accounts_rho,
                "measured_spearman_reference": _spearman(reference, *pair),
                "measured_spearman_current": _spearman(clean, *pair),
            },
        ),
        PlantedIssue(
            id="drift.concept.credit_history_months",
            kind="drift",
            columns=("credit_history_months", "default"),
            description="the effect of credit history on default reversed: log-odds "
            "coefficient per 110 months -0.8 in the reference, +0.5 in the current period",
            why_it_matters="the model's learned relation is now wrong: its ranking power "
            "(AUC) drops although the inputs look familiar",
            expected_check="performance.over_time",
            expected={
                "coefficient_reference": REFERENCE.history_coef,
                "coefficient_current": CURRENT.history_coef,
                "auc_reference": auc[0],
                "auc_current": auc[1],
            },
        ),
    ]
