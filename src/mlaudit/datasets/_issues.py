"""Ground-truth entries for the planted quality defects of the credit sample.

The planted drifts are in :mod:`mlaudit.datasets._drift_issues`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.datasets import _defects as d
from mlaudit.datasets._ground_truth import PlantedIssue

__all__ = ["counts_of", "quality_issues", "row_tuple", "text_issues"]


def row_tuple(*arrays: np.ndarray) -> tuple[int, ...]:
    """The planted rows of ``arrays``, sorted, as plain integers (a ground truth's ``rows``)."""
    return tuple(int(i) for i in np.sort(np.concatenate(arrays)))


def counts_of(series: pl.Series) -> dict[str, int]:
    """Each value's count, the values as text (a ground truth's ``value_counts``)."""
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
        rows=row_tuple(rows),
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
            rows=row_tuple(r.duplicate_copies),
            count=n_exact,
            related_rows=row_tuple(r.duplicate_originals),
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
            rows=row_tuple(r.duplicate_id_first, r.duplicate_id_second),
            count=n_ids,
            related_rows=row_tuple(r.duplicate_id_first),
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
            rows=row_tuple(r.age_negative, r.age_high),
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
            rows=row_tuple(r.impossible, r.age_negative),
            count=len(r.impossible) + len(r.age_negative),
            rule=d.RULE_EMPLOYMENT_HISTORY,
            related_rows=row_tuple(r.impossible),
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
            rows=row_tuple(r.outliers),
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
            rows=row_tuple(r.cluster),
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
            rows=row_tuple(*variants.values()),
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
            rows=row_tuple(odd),
            count=len(odd),
            value_counts=counts_of(frame["has_guarantor"]),
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
            rows=row_tuple(*r.address_text.values()),
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
            rows=row_tuple(r.product_rare),
            count=len(r.product_rare),
            expected={"top_share": (n - len(r.product_rare)) / n},
            value_counts=counts_of(frame["product_type"]),
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
        rows=row_tuple(r.conflict_copies),
        count=n,
        related_rows=row_tuple(r.conflict_sources),
        expected={"conflicting_groups": n, "conflicting_rows": 2 * n},
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
            rows=row_tuple(r.national_id_spaced),
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
            rows=row_tuple(r.zero_width),
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
            rows=row_tuple(r.long_value),
            count=len(r.long_value),
            expected={"length": float(len(d.LONG_AGE_BAND))},
        ),
    ]
