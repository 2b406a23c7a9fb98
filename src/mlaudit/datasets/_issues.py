"""Ground-truth entries for the planted quality defects and drifts of the credit sample."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from mlaudit.datasets import _defects as d
from mlaudit.datasets._ground_truth import PlantedIssue
from mlaudit.datasets._population import CURRENT, REFERENCE

__all__ = ["drift_issues", "quality_issues", "text_issues"]


def _rows(*arrays: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.sort(np.concatenate(arrays)))


def _counts(series: pl.Series) -> dict[str, int]:
    values, counts = np.unique(series.cast(pl.String).to_numpy().astype(str), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def _missing(column: str, rows: np.ndarray, n: int, share: float) -> PlantedIssue:
    return PlantedIssue(
        id=f"quality.missing.{column}",
        kind="quality",
        columns=(column,),
        description=f"{len(rows)} values of {column} ({share:.0%}) set to null at random",
        why_it_matters="missing values are imputed silently by the model pipeline; a rise in "
        "missingness changes its inputs without any error being raised",
        expected_check="quality.completeness",
        rows=_rows(rows),
        count=len(rows),
        expected={"null_share": len(rows) / n},
    )


def _duplicates(r: d.PlantedRows) -> list[PlantedIssue]:
    n_exact = len(r.duplicate_copies)
    n_ids = len(r.duplicate_id_first)
    return [
        PlantedIssue(
            id="quality.duplicate_rows",
            kind="quality",
            columns=(),
            description=f"{n_exact} rows are exact copies of the row just before them "
            "(a double submission); `rows` are the copies, `related_rows` the originals",
            why_it_matters="duplicates inflate counts and weight some applicants twice in every "
            "statistic, including performance and fairness metrics",
            expected_check="quality.duplicate_rows",
            rows=_rows(r.duplicate_copies),
            count=n_exact,
            related_rows=_rows(r.duplicate_originals),
            expected={"rows_involved": 2 * n_exact},
        ),
        PlantedIssue(
            id="quality.duplicate_keys.application_id",
            kind="quality",
            columns=("application_id",),
            description=f"{n_ids} pairs of different applications share an application_id; "
            "`rows` lists both rows of each pair; the exact duplicate rows repeat their id too",
            why_it_matters="a key that is not unique breaks joins with outcomes and lets one "
            "decision be attributed to the wrong applicant",
            expected_check="quality.duplicate_keys",
            rows=_rows(r.duplicate_id_first, r.duplicate_id_second),
            count=n_ids,
            related_rows=_rows(r.duplicate_id_first),
            expected={
                "duplicated_ids": n_ids + n_exact,
                "rows_with_duplicated_id": 2 * (n_ids + n_exact),
            },
        ),
    ]


def _values(r: d.PlantedRows) -> list[PlantedIssue]:
    return [
        PlantedIssue(
            id="quality.value_range.age",
            kind="quality",
            columns=("age",),
            description=f"{len(r.age_negative)} ages of -1 and {len(r.age_high)} of 150 "
            "(placeholder and typing errors); valid range 18-100",
            why_it_matters="impossible ages reach the model as extreme inputs and distort "
            "age-band fairness figures",
            expected_check="quality.value_range",
            rows=_rows(r.age_negative, r.age_high),
            count=len(r.age_negative) + len(r.age_high),
            expected={"min_valid": 18.0, "max_valid": 100.0},
            value_counts={"-1": len(r.age_negative), "150": len(r.age_high)},
        ),
        PlantedIssue(
            id="quality.rules.employment_history",
            kind="quality",
            columns=("years_employed", "age"),
            description=f"{len(r.impossible)} rows with more years in employment than years "
            f"since age 14; the {len(r.age_negative)} rows with age -1 also break the rule",
            why_it_matters="logically impossible records reveal broken data capture and must "
            "not be scored",
            expected_check="quality.rules",
            rows=_rows(r.impossible, r.age_negative),
            count=len(r.impossible) + len(r.age_negative),
            rule=d.RULE_EMPLOYMENT_HISTORY,
            related_rows=_rows(r.impossible),
        ),
        PlantedIssue(
            id="quality.outliers.income",
            kind="quality",
            columns=("income",),
            description=f"{len(r.outliers)} incomes multiplied by 1000 (entered in cents or "
            "thousands by mistake)",
            why_it_matters="extreme values dominate means and variances and push scores to "
            "the edge of the model's range",
            expected_check="quality.outliers",
            rows=_rows(r.outliers),
            count=len(r.outliers),
            expected={"multiplier": 1000.0},
        ),
        PlantedIssue(
            id="quality.row_anomalies.cluster",
            kind="quality",
            columns=("age", "employment_status", "income", "loan_amount", "loan_purpose",
                     "credit_history_months", "num_open_accounts", "debt_to_income"),
            description=f"{len(r.cluster)} applications (a fraud ring, all via mobile_app, all "
            "defaulted): students aged 19-22 with incomes of 250k-400k, business loans of "
            "150k-250k, 12-15 open accounts, 0-6 months of credit history and a debt-to-income "
            "of 0.01-0.03; each value is plausible alone, the combination is not",
            why_it_matters="jointly implausible records are invisible to per-column checks and "
            "often point to fraud or a broken feed",
            expected_check="quality.row_anomalies",
            rows=_rows(r.cluster),
            count=len(r.cluster),
        ),
    ]  # fmt: skip


def _categories(frame: pl.DataFrame, r: d.PlantedRows) -> list[PlantedIssue]:
    variants = r.employment_variants
    guarantor = frame["has_guarantor"].to_numpy().astype(str)
    odd = np.flatnonzero(~np.isin(guarantor, ["yes", "no"]))
    return [
        PlantedIssue(
            id="quality.inconsistent_categories.employment_status",
            kind="quality",
            columns=("employment_status",),
            description="'employed' also spelled "
            + ", ".join(repr(v) for v in variants)
            + f" ({d.N_PER_VARIANT} rows each)",
            why_it_matters="one-hot encoding treats each spelling as an unknown category, so "
            "these applicants lose their employment information in the model",
            expected_check="quality.inconsistent_categories",
            rows=_rows(*variants.values()),
            count=sum(len(v) for v in variants.values()),
            value_counts={k: len(v) for k, v in variants.items()},
        ),
        PlantedIssue(
            id="quality.inconsistent_categories.has_guarantor",
            kind="quality",
            columns=("has_guarantor",),
            description="yes/no written as yes, Yes, Y, y, no, No, N (clean 'yes'/'no' in the "
            "reference); `rows` are the rows not spelled 'yes' or 'no'",
            why_it_matters="unseen spellings are ignored by the encoder, so the guarantor "
            "information is lost for these applicants",
            expected_check="quality.inconsistent_categories",
            rows=_rows(odd),
            count=len(odd),
            value_counts=_counts(frame["has_guarantor"]),
        ),
        PlantedIssue(
            id="quality.mixed_types.years_at_address",
            kind="quality",
            columns=("years_at_address",),
            description="years_at_address is stored as text; in the current period some "
            "values are 'unknown' or 'n/a' instead of a whole number",
            why_it_matters="a numeric column stored as text with placeholders cannot be cast "
            "and hides missing values from completeness checks",
            expected_check="quality.mixed_types",
            rows=_rows(*r.address_text.values()),
            count=sum(len(v) for v in r.address_text.values()),
            value_counts={k: len(v) for k, v in r.address_text.items()},
        ),
    ]


def _constant(frame: pl.DataFrame, r: d.PlantedRows) -> list[PlantedIssue]:
    n = frame.height
    return [
        PlantedIssue(
            id="quality.constant.currency",
            kind="quality",
            columns=("currency",),
            period="both",
            description="currency is 'EUR' in every row of both periods",
            why_it_matters="a constant column carries no information; it wastes storage and "
            "can break scaling (zero variance)",
            expected_check="quality.constant",
            count=n,
            value_counts={"EUR": n},
        ),
        PlantedIssue(
            id="quality.near_constant.product_type",
            kind="quality",
            columns=("product_type",),
            description="product_type is 'standard' in all but "
            f"{len(r.product_rare)} rows of the current period (78% in the reference)",
            why_it_matters="a near-constant column gives unstable statistics and signals a "
            "change in the product mix or a default value filled in upstream",
            expected_check="quality.constant",
            rows=_rows(r.product_rare),
            count=len(r.product_rare),
            expected={"top_share": (n - len(r.product_rare)) / n},
            value_counts=_counts(frame["product_type"]),
        ),
    ]


def _conflicting_labels(r: d.PlantedRows) -> PlantedIssue:
    n = len(r.conflict_copies)
    return PlantedIssue(
        id="quality.conflicting_labels.default",
        kind="quality",
        columns=("default",),
        description=f"{n} applications that defaulted were resubmitted under a new id and date "
        "with default = 0: every other value equal, the label different; `rows` are the "
        "resubmissions, `related_rows` the originals",
        why_it_matters="rows that agree on every feature but not on the label are label noise "
        "(or a missing feature): the model cannot fit both, and its accuracy has a ceiling",
        expected_check="quality.conflicting_labels",
        rows=_rows(r.conflict_copies),
        count=n,
        related_rows=_rows(r.conflict_sources),
        expected={"conflicting_groups": n, "conflicting_rows": 2 * n},
    )


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


def quality_issues(frame: pl.DataFrame, r: d.PlantedRows) -> list[PlantedIssue]:
    """Every planted quality defect, with its exact rows in the final current frame."""
    n = frame.height
    return [
        _missing("income", r.income_null, n, d.INCOME_NULL_SHARE),
        _missing("years_employed", r.years_employed_null, n, d.YEARS_EMPLOYED_NULL_SHARE),
        *_duplicates(r),
        *_values(r),
        *_categories(frame, r),
        *_constant(frame, r),
        *_formats(r),
        _conflicting_labels(r),
    ]


def _formats(r: d.PlantedRows) -> list[PlantedIssue]:
    return [
        PlantedIssue(
            id="quality.rare_formats.national_id",
            kind="quality",
            columns=("national_id",),
            description=f"{len(r.national_id_spaced)} national ids of the current period are "
            "written with spaces ('ZZ 123 4567'); every other one is 'ZZ' and seven digits",
            why_it_matters="an id in another layout does not match the same person's records "
            "elsewhere: joins and look-ups miss it silently",
            expected_check="quality.rare_formats",
            rows=_rows(r.national_id_spaced),
            count=len(r.national_id_spaced),
        ),
    ]


def text_issues(r: d.TextRows) -> list[PlantedIssue]:
    """The planted unusual characters and out-of-bound string length."""
    return [
        PlantedIssue(
            id="quality.special_characters.age_band",
            kind="quality",
            columns=("age_band",),
            description=f"{len(r.zero_width)} values of age_band are "
            f"'{d.ZERO_WIDTH_BAND}' followed by an invisible zero-width space (U+200B), "
            "as text copied from a web page brings",
            why_it_matters="the value looks like its group but does not equal it: fairness "
            "metrics by age band, mappings and filters put these applicants in a group of "
            "their own",
            expected_check="quality.special_characters",
            rows=_rows(r.zero_width),
            count=len(r.zero_width),
            value_counts={d.ZERO_WIDTH_BAND + "\u200b": len(r.zero_width)},
        ),
        PlantedIssue(
            id="quality.string_length.age_band",
            kind="quality",
            columns=("age_band",),
            description=f"one age_band holds a {len(d.LONG_AGE_BAND)}-character comment "
            "(the band, then a note from the branch system) where 3 to 5 characters are "
            "expected: a field shifted by an export",
            why_it_matters="a shifted field puts garbage into a feature and hints that "
            "other fields of the row are shifted too",
            expected_check="quality.string_length",
            rows=_rows(r.long_value),
            count=len(r.long_value),
            expected={"length": float(len(d.LONG_AGE_BAND))},
        ),
    ]


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
            rows=_rows(mobile),
            count=len(mobile),
            expected={"nominal_share": CURRENT.channel_p["mobile_app"], "share": len(mobile) / n},
            value_counts=_counts(current["channel"]),
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
            value_counts=_counts(current["region"]),
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
