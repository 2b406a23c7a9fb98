"""The credit sample: determinism, shapes, and every ground-truth entry checked independently.

Oracles: polars / numpy recomputation on the frames, scipy.stats tests, scikit-learn metrics.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlaudit.datasets import (
    FEATURE_COLUMNS,
    PERSONAL_COLUMNS,
    SENSITIVE_COLUMNS,
    CreditSample,
    make_credit_sample,
    save_credit_sample,
    write_credit_sample,
)
from mlaudit.datasets._defects import N_CONFLICTING_PAIRS, POLICY_OCCUPATIONS
from mlaudit.errors import ConfigError, DataSourceError

CANONICAL_STATUS = {"employed", "self-employed", "unemployed", "retired", "student"}
SCHEMA = {
    "application_id": pl.String,
    "application_date": pl.Datetime("us"),
    "full_name": pl.String,
    "email": pl.String,
    "phone": pl.String,
    "national_id": pl.String,
    "gender": pl.String,
    "age": pl.Int64,
    "age_band": pl.String,
    "employment_status": pl.String,
    "occupation": pl.String,
    "years_employed": pl.Float64,
    "income": pl.Float64,
    "home_ownership": pl.String,
    "years_at_address": pl.String,
    "loan_purpose": pl.String,
    "loan_amount": pl.Float64,
    "loan_term_months": pl.Int64,
    "credit_history_months": pl.Int64,
    "num_open_accounts": pl.Int64,
    "debt_to_income": pl.Float64,
    "has_guarantor": pl.String,
    "channel": pl.String,
    "region": pl.String,
    "product_type": pl.String,
    "currency": pl.String,
    "default": pl.Int64,
    "score": pl.Float64,
    "prediction": pl.Int64,
}


@pytest.fixture(scope="module")
def sample() -> CreditSample:
    return make_credit_sample()


@pytest.fixture(scope="module", params=["default", "small"])
def any_sample(request: pytest.FixtureRequest, sample: CreditSample) -> CreditSample:
    if request.param == "default":
        return sample
    return make_credit_sample(seed=3, n_reference=3_000, n_current=2_500)


def rows_where(frame: pl.DataFrame, expr: pl.Expr) -> list[int]:
    """0-based positions where ``expr`` is true (nulls count as false)."""
    mask = frame.select(expr.fill_null(False)).to_series().to_numpy()
    return [int(i) for i in np.flatnonzero(mask)]


def excluded(sample: CreditSample, *issue_ids: str) -> pl.DataFrame:
    """Current rows without the rows of the given planted issues."""
    drop: set[int] = set()
    for issue_id in issue_ids:
        drop.update(sample.ground_truth.issue(issue_id).rows)
    return sample.current.with_row_index("_r").filter(~pl.col("_r").is_in(sorted(drop)))


# --- determinism, shapes, speed ---------------------------------------------------------------


def test_same_seed_gives_equal_frames_and_truth(sample: CreditSample) -> None:
    again = make_credit_sample()
    assert_frame_equal(sample.reference, again.reference)
    assert_frame_equal(sample.current, again.current)
    assert sample.ground_truth.to_json() == again.ground_truth.to_json()


def test_other_seed_gives_other_data(sample: CreditSample) -> None:
    other = make_credit_sample(seed=8, n_reference=20_000, n_current=2_000)
    assert not sample.reference["income"].equals(other.reference["income"])


@pytest.mark.parametrize(
    ("fmt", "sizes"),
    [("parquet", {}), ("csv", {"n_reference": 2_000, "n_current": 2_000})],
)
def test_written_files_are_byte_identical(tmp_path: Path, fmt: str, sizes: dict[str, int]) -> None:
    a = write_credit_sample(tmp_path / "a", format=fmt, **sizes)  # type: ignore[arg-type]
    b = write_credit_sample(tmp_path / "b", format=fmt, **sizes)  # type: ignore[arg-type]
    assert set(a) == {"reference", "current", "ground_truth"}
    for key in a:
        assert a[key].name == b[key].name
        assert a[key].read_bytes() == b[key].read_bytes()
    assert a["current"].name == f"current.{fmt}"


def test_written_files_read_back_equal(tmp_path: Path, sample: CreditSample) -> None:
    paths = save_credit_sample(sample, tmp_path / "pq")
    assert_frame_equal(pl.read_parquet(paths["reference"]), sample.reference)
    assert_frame_equal(pl.read_parquet(paths["current"]), sample.current)
    truth = json.loads(paths["ground_truth"].read_text("utf-8"))
    assert truth["seed"] == 7
    assert [i["id"] for i in truth["issues"]] == sample.ground_truth.issue_ids
    csv = save_credit_sample(sample, tmp_path / "csv", format="csv")
    back = pl.read_csv(csv["current"], schema=sample.current.schema)
    assert_frame_equal(back, sample.current, check_exact=False, rel_tol=1e-12)


def test_unwritable_directory_is_reported(tmp_path: Path, sample: CreditSample) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(DataSourceError, match="cannot write the credit sample"):
        save_credit_sample(sample, blocker / "out")


def test_defaults_are_fast() -> None:
    # CPU time of this process: robust to other jobs competing for the cores
    start = time.process_time()
    make_credit_sample()
    assert time.process_time() - start < 3.0


def test_shapes_and_dtypes(sample: CreditSample) -> None:
    assert sample.reference.shape == (20_000, len(SCHEMA))
    assert sample.current.shape == (10_000, len(SCHEMA))
    assert dict(sample.reference.schema) == SCHEMA
    assert dict(sample.current.schema) == SCHEMA


def test_dates_ids_and_periods(sample: CreditSample) -> None:
    ref, cur = sample.reference, sample.current
    assert str(ref["application_date"].min())[:7] == "2025-01"
    assert str(ref["application_date"].max())[:7] == "2025-06"
    assert str(cur["application_date"].min())[:7] == "2025-07"
    assert str(cur["application_date"].max())[:7] == "2025-09"
    assert ref["application_date"].is_sorted()
    assert cur["application_date"].is_sorted()
    assert ref["application_id"].n_unique() == ref.height
    pattern = r"^APP-[0-9]{7}$"
    for frame in (ref, cur):
        assert frame["application_id"].str.contains(pattern).all()
    assert set(ref["application_id"]).isdisjoint(set(cur["application_id"]))


@pytest.mark.parametrize(("size", "bad"), [("n_reference", 10), ("n_current", 100)])
def test_too_small_sizes_are_refused(size: str, bad: int) -> None:
    with pytest.raises(ConfigError, match=str(bad)):
        make_credit_sample(**{size: bad})


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'xlsx'"):
        write_credit_sample(tmp_path, format="xlsx")  # type: ignore[arg-type]


# --- the reference is clean ---------------------------------------------------------------------


def test_reference_is_clean(sample: CreditSample) -> None:
    ref = sample.reference
    assert ref.null_count().sum_horizontal().item() == 0
    assert not ref.is_duplicated().any()
    assert ref["age"].is_between(18, 100).all()
    rule = sample.ground_truth.issue("quality.rules.employment_history").rule
    assert rule is not None
    assert ref.select(pl.sql_expr(rule).all()).item()
    assert set(ref["employment_status"]) == CANONICAL_STATUS
    assert set(ref["has_guarantor"]) == {"yes", "no"}
    assert set(ref["channel"]) == {"branch", "online", "broker"}
    assert ref["years_at_address"].str.contains(r"^[0-9]+$").all()
    assert ref["currency"].n_unique() == 1
    top_share = ref["product_type"].value_counts(sort=True)["count"][0] / ref.height
    assert top_share < 0.85


def test_default_rates_are_realistic(any_sample: CreditSample) -> None:
    assert 0.08 <= any_sample.reference["default"].mean() <= 0.13  # type: ignore[operator]
    assert 0.04 <= any_sample.current["default"].mean() <= 0.12  # type: ignore[operator]


# --- model and scores ---------------------------------------------------------------------------


def test_model_uses_no_personal_or_sensitive_column(sample: CreditSample) -> None:
    assert isinstance(sample.model, Pipeline)
    assert sample.feature_columns == FEATURE_COLUMNS
    used = set(sample.model.feature_names_in_)
    assert used == set(FEATURE_COLUMNS)
    assert used.isdisjoint(PERSONAL_COLUMNS + SENSITIVE_COLUMNS + ["default", "application_id"])


def test_scores_and_predictions_match_model(sample: CreditSample) -> None:
    threshold = sample.ground_truth.decision_threshold
    for frame in (sample.reference, sample.current):
        proba = sample.model.predict_proba(frame.select(FEATURE_COLUMNS).to_pandas())[:, 1]
        np.testing.assert_allclose(frame["score"].to_numpy(), proba, rtol=1e-12)
        expected = (frame["score"].to_numpy() >= threshold).astype(int)
        if frame is sample.current:  # the planted weak segment's decisions are inverted
            weak = list(sample.ground_truth.issue("performance.weak_segment").rows)
            expected[weak] = 1 - expected[weak]
            # then the planted policy rule flags its occupations from a score of 0.03
            rule = frame["occupation"].is_in(list(POLICY_OCCUPATIONS)).to_numpy()
            expected[rule] |= (frame["score"].to_numpy()[rule] >= 0.03).astype(int)
        np.testing.assert_array_equal(frame["prediction"].to_numpy(), expected)
    assert sample.reference["prediction"].mean() == pytest.approx(0.10, abs=0.002)


def test_auc_drops_from_reference_to_current(any_sample: CreditSample) -> None:
    ref, cur = any_sample.reference, any_sample.current
    auc_ref = roc_auc_score(ref["default"].to_numpy(), ref["score"].to_numpy())
    auc_cur = roc_auc_score(cur["default"].to_numpy(), cur["score"].to_numpy())
    assert 0.7 <= auc_ref <= 0.9
    assert auc_cur < auc_ref - 0.05
    measured = any_sample.ground_truth.measured
    assert measured["auc_reference"] == pytest.approx(auc_ref, abs=1e-9)
    assert measured["auc_current"] == pytest.approx(auc_cur, abs=1e-9)


# --- synthetic personal data --------------------------------------------------------------------


def test_personal_data_is_obviously_synthetic(sample: CreditSample) -> None:
    email = re.compile(r"^[a-z]+\.[a-z]+[0-9]{1,2}@example\.(com|org|net)$")
    phone = re.compile(
        r"^(\+44 20 7946 0\d{3}|\+44 161 496 0\d{3}|\+44 113 496 0\d{3}|\+44 7700 900\d{3}"
        r"|\+1 555-01\d{2})$"
    )
    for frame in (sample.reference, sample.current):
        assert all(email.match(e) for e in frame["email"])
        assert all(phone.match(p) for p in frame["phone"])
        # ZZ and seven digits; a few current ones written with spaces (a planted defect)
        assert frame["national_id"].str.contains(r"^ZZ ?[0-9]{3} ?[0-9]{4}$").all()
        assert frame["full_name"].str.contains(r"^[A-Z][a-z]+ [A-Z][a-z]+$").all()
        first = frame["full_name"].str.split(" ").list.first().str.to_lowercase()
        assert (frame["email"].str.split(".").list.first() == first).all()
    assert sample.reference["national_id"].n_unique() == sample.reference.height


# --- planted quality defects, verified independently ------------------------------------------


@pytest.mark.parametrize(("column", "share"), [("income", 0.12), ("years_employed", 0.03)])
def test_missing_values(any_sample: CreditSample, column: str, share: float) -> None:
    issue = any_sample.ground_truth.issue(f"quality.missing.{column}")
    cur = any_sample.current
    assert list(issue.rows) == rows_where(cur, pl.col(column).is_null())
    assert cur[column].null_count() / cur.height == pytest.approx(share, abs=0.001)
    assert issue.expected["null_share"] == pytest.approx(cur[column].null_count() / cur.height)


def test_exact_duplicates(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.duplicate_rows")
    cur = any_sample.current
    assert issue.count == 40
    assert int(cur.is_duplicated().sum()) == 80
    assert rows_where(cur, pl.struct(pl.all()).is_duplicated()) == sorted(
        issue.rows + issue.related_rows
    )
    assert cur.unique(keep="first", maintain_order=True).height == cur.height - 40
    for copy, original in zip(issue.rows, issue.related_rows, strict=True):
        assert copy == original + 1
        assert cur.row(copy) == cur.row(original)


def test_duplicate_application_ids(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.duplicate_keys.application_id")
    exact = any_sample.ground_truth.issue("quality.duplicate_rows")
    cur = any_sample.current
    dup_rows = rows_where(cur, pl.col("application_id").is_duplicated())
    assert len(dup_rows) == 110 == issue.expected["rows_with_duplicated_id"]
    assert cur.height - cur["application_id"].n_unique() == 55
    assert dup_rows == sorted(issue.rows + exact.rows + exact.related_rows)
    pairs = cur[list(issue.rows)].drop("application_id")
    assert not pairs.is_duplicated().any()  # different applications behind the shared ids


def test_out_of_range_ages(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.value_range.age")
    cur = any_sample.current
    assert list(issue.rows) == rows_where(cur, (pl.col("age") < 18) | (pl.col("age") > 100))
    assert cur.filter(pl.col("age") == -1).height == issue.value_counts["-1"] == 5
    assert cur.filter(pl.col("age") == 150).height == issue.value_counts["150"] == 5


def test_rule_violations(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.rules.employment_history")
    assert issue.rule == "years_employed <= age - 14"
    cur = any_sample.current
    violated = rows_where(cur, pl.sql_expr(issue.rule).not_())
    assert violated == list(issue.rows)
    assert len(violated) == issue.count == 30
    ages = cur["age"].to_numpy()[violated]
    years = cur["years_employed"].to_numpy()[violated]
    assert np.all(years > ages - 14)


def test_inconsistent_employment_spellings(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.inconsistent_categories.employment_status")
    cur = any_sample.current
    odd = rows_where(cur, ~pl.col("employment_status").is_in(sorted(CANONICAL_STATUS)))
    assert odd == list(issue.rows)
    counts = dict(cur[odd]["employment_status"].value_counts().iter_rows())
    assert counts == issue.value_counts
    assert set(counts) == {"Employed", "EMPLOYED", " employed", "employed "}
    normalised = cur["employment_status"].str.strip_chars().str.to_lowercase()
    assert set(normalised) == CANONICAL_STATUS


def test_mixed_yes_no_spellings(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.inconsistent_categories.has_guarantor")
    cur = any_sample.current
    counts = dict(cur["has_guarantor"].value_counts().iter_rows())
    assert counts == issue.value_counts
    assert set(counts) == {"yes", "Yes", "Y", "y", "no", "No", "N"}
    assert list(issue.rows) == rows_where(cur, ~pl.col("has_guarantor").is_in(["yes", "no"]))


def test_mixed_type_years_at_address(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.mixed_types.years_at_address")
    cur = any_sample.current
    as_int = pl.col("years_at_address").cast(pl.Int64, strict=False)
    assert list(issue.rows) == rows_where(cur, as_int.is_null())
    assert set(cur[list(issue.rows)]["years_at_address"]) == {"unknown", "n/a"}
    assert issue.count / cur.height == pytest.approx(0.025, abs=0.001)


def test_constant_and_near_constant(any_sample: CreditSample) -> None:
    truth = any_sample.ground_truth
    cur = any_sample.current
    assert truth.issue("quality.constant.currency").period == "both"
    for frame in (any_sample.reference, cur):
        assert frame["currency"].unique().to_list() == ["EUR"]
    near = truth.issue("quality.near_constant.product_type")
    assert list(near.rows) == rows_where(cur, pl.col("product_type") != "standard")
    top = float((cur["product_type"] == "standard").to_numpy().mean())
    assert top == pytest.approx(near.expected["top_share"])
    assert top >= 0.985


def test_income_outliers(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.outliers.income")
    cur = any_sample.current
    log_income = np.log(cur["income"].to_numpy())
    med = np.nanmedian(log_income)
    mad = stats.median_abs_deviation(log_income, nan_policy="omit", scale="normal")
    robust_z = np.abs(log_income - med) / mad
    assert [int(i) for i in np.flatnonzero(robust_z > 6)] == list(issue.rows)
    assert issue.count == 8


def test_anomaly_cluster(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.row_anomalies.cluster")
    ref, cur = any_sample.reference, any_sample.current
    joint = (
        (pl.col("employment_status") == "student")
        & (pl.col("income") >= 250_000)
        & (pl.col("loan_amount") >= 150_000)
        & (pl.col("num_open_accounts") >= 12)
    )
    assert rows_where(cur, joint) == list(issue.rows)
    assert ref.filter(joint).height == 0
    # Mahalanobis distance under the reference covariance: all 20 rows are far out.
    cols = ["age", "credit_history_months", "num_open_accounts", "debt_to_income"]
    x_ref = np.column_stack([ref[c].to_numpy() for c in cols] + [np.log(ref["income"].to_numpy())])
    x_cur = np.column_stack(
        [cur[c].to_numpy().astype(float) for c in cols] + [np.log(cur["income"].to_numpy())]
    )
    inv = np.linalg.inv(np.cov(x_ref, rowvar=False))
    diff = x_cur - x_ref.mean(axis=0)
    d2 = np.einsum("ij,jk,ik->i", diff, inv, diff)
    cutoff = stats.chi2.ppf(1 - 1e-6, df=len(cols) + 1)
    assert np.all(d2[list(issue.rows)] > cutoff)


# --- planted drift, verified independently ------------------------------------------------------


def test_income_mean_shift(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("drift.mean_shift.income")
    clean = excluded(any_sample, "quality.outliers.income", "quality.row_anomalies.cluster")
    ref_income = any_sample.reference["income"].to_numpy()
    cur_income = clean["income"].drop_nulls().to_numpy()
    ratio = cur_income.mean() / ref_income.mean()
    assert ratio == pytest.approx(issue.expected["measured_mean_ratio"], rel=1e-9)
    assert ratio == pytest.approx(1.15, abs=0.05)
    assert stats.mannwhitneyu(ref_income, cur_income).pvalue < 1e-6


def test_new_channel_category(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("drift.new_category.channel")
    cur = any_sample.current
    assert "mobile_app" not in set(any_sample.reference["channel"])
    assert list(issue.rows) == rows_where(cur, pl.col("channel") == "mobile_app")
    assert (cur["channel"] == "mobile_app").mean() == pytest.approx(0.20, abs=0.02)
    assert dict(cur["channel"].value_counts().iter_rows()) == issue.value_counts


def test_region_frequencies_changed(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("drift.frequencies.region")
    ref, cur = any_sample.reference, any_sample.current
    regions = sorted(set(ref["region"]))
    table = np.array([[(f["region"] == r).sum() for r in regions] for f in (ref, cur)])
    assert stats.chi2_contingency(table).pvalue < 1e-10
    for k, r in enumerate(regions):
        assert table[1, k] / cur.height == pytest.approx(
            issue.expected[f"current_share.{r}"], abs=0.03
        )
        assert table[0, k] / ref.height == pytest.approx(
            issue.expected[f"reference_share.{r}"], abs=0.03
        )


def test_loan_amount_variance_change(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("drift.variance.loan_amount")
    ref = any_sample.reference["loan_amount"].to_numpy()
    cur = excluded(any_sample, "quality.row_anomalies.cluster")["loan_amount"].to_numpy()
    ratio = cur.std(ddof=1) / ref.std(ddof=1)
    assert ratio == pytest.approx(issue.expected["measured_std_ratio"], rel=1e-9)
    assert ratio > 1.3
    assert cur.mean() / ref.mean() == pytest.approx(1.0, abs=0.06)
    assert stats.levene(np.log(ref), np.log(cur)).pvalue < 1e-10


def test_correlation_changes_with_unchanged_marginals(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("drift.correlation.debt_to_income.num_open_accounts")
    ref = any_sample.reference
    cur = excluded(any_sample, "quality.row_anomalies.cluster")
    a, b = issue.columns
    rho_ref = stats.spearmanr(ref[a].to_numpy(), ref[b].to_numpy()).statistic
    rho_cur = stats.spearmanr(cur[a].to_numpy(), cur[b].to_numpy()).statistic
    assert rho_ref == pytest.approx(issue.expected["measured_spearman_reference"], abs=1e-9)
    assert rho_cur == pytest.approx(issue.expected["measured_spearman_current"], abs=1e-9)
    assert rho_ref > 0.55
    assert rho_cur < -0.25
    for column in (a, b):
        assert stats.ks_2samp(ref[column].to_numpy(), cur[column].to_numpy()).pvalue > 0.001


def test_concept_drift_reverses_credit_history_effect(any_sample: CreditSample) -> None:
    columns = ["age", "credit_history_months", "debt_to_income", "num_open_accounts"]

    def history_coefficient(frame: pl.DataFrame) -> float:
        x = np.column_stack(
            [frame[c].to_numpy().astype(float) for c in columns]
            + [np.log(frame["income"].to_numpy())]
        )
        x = StandardScaler().fit_transform(x)
        fit = LogisticRegression(max_iter=1000).fit(x, frame["default"].to_numpy())
        return float(fit.coef_[0][1])

    clean = excluded(
        any_sample,
        "quality.row_anomalies.cluster",
        "quality.outliers.income",
        "quality.value_range.age",
        "quality.rules.employment_history",
    ).filter(pl.col("income").is_not_null())
    assert history_coefficient(any_sample.reference) < -0.2
    assert history_coefficient(clean) > 0.1


def test_ground_truth_json_is_canonical(sample: CreditSample) -> None:
    text = sample.ground_truth.to_json()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"
    ids = [i["id"] for i in data["issues"]]
    assert len(ids) == len(set(ids))
    assert all(i["kind"] in {"quality", "drift", "model", "fairness"} for i in data["issues"])
    assert data["decision_threshold"] == sample.ground_truth.decision_threshold
    with pytest.raises(KeyError, match="no planted issue"):
        sample.ground_truth.issue("quality.nope")


def test_every_planted_issue_names_a_registered_check(sample: CreditSample) -> None:
    from mlaudit.checks import check_ids

    named = {i.expected_check for i in sample.ground_truth.issues}
    assert named - set(check_ids()) == set()


def test_national_ids_written_with_spaces(any_sample: CreditSample) -> None:
    issue = any_sample.ground_truth.issue("quality.rare_formats.national_id")
    cur = any_sample.current
    spaced = pl.col("national_id").str.contains(r"^ZZ [0-9]{3} [0-9]{4}$")
    assert list(issue.rows) == rows_where(cur, spaced)
    assert issue.count == 12
    # Unique but for the exact copies and the resubmitted applications (the same person's id).
    assert cur["national_id"].n_unique() == cur.height - 40 - N_CONFLICTING_PAIRS
    assert rows_where(any_sample.reference, spaced) == []


def test_changed_correlation_seen_by_the_pair_check(any_sample: CreditSample) -> None:
    issue = next(
        i
        for i in any_sample.ground_truth.issues
        if i.expected_check == "quality.feature_correlation"
    )
    a, b = issue.columns
    for frame, key in ((any_sample.reference, "reference"), (any_sample.current, "current")):
        pair = frame.select(a, b).drop_nulls()
        r = stats.pearsonr(pair[a].to_numpy(), pair[b].to_numpy()).statistic
        assert issue.expected[f"pearson_{key}"] == pytest.approx(r, abs=1e-12)
    assert issue.expected["pearson_reference"] > 0.5 > -0.2 > issue.expected["pearson_current"]


def test_shared_rows_copy_current_rows_into_the_reference(sample: CreditSample) -> None:
    issue = sample.ground_truth.issue("leakage.shared_rows")
    not_copied = ("application_id", "application_date", "prediction")  # weak segment: inverted
    cols = [c for c in sample.current.columns if c not in not_copied]
    cur = sample.current[list(issue.rows)].select(cols)
    ref = sample.reference[list(issue.related_rows)].select(cols)
    assert issue.count == 120 and cur.equals(ref)
    features = [c for c in cols if c not in ("default", "score")]
    shared = sample.current.select(features).join(
        sample.reference.select(features).unique(), on=features, how="semi", nulls_equal=True
    )
    assert shared.height == issue.count  # no other current row has a reference row's features


def test_weak_segment_rows_and_error_rates(sample: CreditSample) -> None:
    issue = sample.ground_truth.issue("performance.weak_segment")
    cur = sample.current
    inside = (cur["region"] == "north") & (cur["channel"] == "broker")
    assert list(issue.rows) == rows_where(
        cur, (pl.col("region") == "north") & (pl.col("channel") == "broker")
    )
    wrong = (cur["prediction"] != cur["default"]).to_numpy()
    assert issue.expected["error_rate_segment"] == pytest.approx(wrong[inside.to_numpy()].mean())
    assert issue.expected["error_rate_elsewhere"] == pytest.approx(wrong[~inside.to_numpy()].mean())
    # elsewhere, the policy rule's flags (fairness.disparity.gender) are mostly wrong too
    assert issue.expected["error_rate_segment"] > 0.8 > 0.3 > issue.expected["error_rate_elsewhere"]
