"""A deterministic credit-scoring sample with planted data defects, drift and a fitted model.

``make_credit_sample()`` returns a clean reference period (January-June 2025), a current period
(July-September 2025) with planted quality defects and drift, a scikit-learn pipeline trained on
the reference, and the exact ground truth of everything planted.  The same seed always gives the
same frames and byte-identical files.  See ``docs/sample-data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from mlaudit.datasets._defects import (
    N_EXACT_DUPLICATES,
    plant_defects,
    plant_policy_rule,
    plant_shared_rows,
    plant_text_defects,
    plant_weak_segment,
)
from mlaudit.datasets._drift_issues import drift_issues
from mlaudit.datasets._fairness_issues import fairness_issues
from mlaudit.datasets._ground_truth import GroundTruth
from mlaudit.datasets._history import history_issues
from mlaudit.datasets._issues import quality_issues, text_issues
from mlaudit.datasets._model_issues import model_issues
from mlaudit.datasets._population import CURRENT, REFERENCE, make_population
from mlaudit.errors import ConfigError, DataSourceError

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_COLUMNS",
    "FLAG_RATE",
    "LOG_FEATURES",
    "NUMERIC_FEATURES",
    "PERSONAL_COLUMNS",
    "SENSITIVE_COLUMNS",
    "CreditSample",
    "build_model",
    "make_credit_sample",
    "save_credit_sample",
    "write_credit_sample",
]

NUMERIC_FEATURES = ["age", "years_employed", "loan_term_months", "credit_history_months",
                    "num_open_accounts", "debt_to_income"]  # fmt: skip
LOG_FEATURES = ["income", "loan_amount"]
CATEGORICAL_FEATURES = ["employment_status", "loan_purpose", "home_ownership", "channel",
                        "region", "has_guarantor"]  # fmt: skip
FEATURE_COLUMNS = NUMERIC_FEATURES + LOG_FEATURES + CATEGORICAL_FEATURES
PERSONAL_COLUMNS = ["full_name", "email", "phone", "national_id"]
SENSITIVE_COLUMNS = ["gender", "age_band"]
FLAG_RATE = 0.10
"""Share of reference applications the decision threshold flags as likely defaulters."""

_MIN_REFERENCE, _MIN_CURRENT, _MAX_TOTAL = 1_000, 2_000, 9_999_999
_REFERENCE_NOTES = (
    "currency is the constant 'EUR' in both periods (planted, see quality.constant.currency)",
    "years_at_address is stored as text in both periods; in the reference every value is a "
    "whole number",
    "incomes of women are drawn about 10% lower (log-scale -0.10), a natural pay gap: the model "
    "does not see gender, but its scores differ by gender through income",
    "full_name, email, phone and national_id are synthetic: documentation e-mail domains, "
    "drama/fiction phone ranges, national ids starting with 'ZZ'",
    "age_band is derived from the applicant's true age and is not corrupted with age",
    "occupation is drawn by gender in both periods (mostly women's and mostly men's jobs, as "
    "at a detailed occupation level in European labour-force data), so it is a proxy of "
    "gender; it does not affect default and the model does not read it",
    "no other defect is planted in the reference; rare combinations may occur by chance",
)


@dataclass(frozen=True)
class CreditSample:
    """The generated sample: two periods, the fitted model and the ground truth.

    Attributes
    ----------
    reference
        Clean training period (January-June 2025), with ``score`` and ``prediction``.
    current
        Monitoring period (July-September 2025) with planted defects and drift.
    model
        scikit-learn ``Pipeline`` fitted on ``reference[feature_columns]``, ``default`` target.
    feature_columns
        The model's input columns, in order.
    ground_truth
        Every planted defect and drift with exact rows and expected effect sizes.
    """

    reference: pl.DataFrame
    current: pl.DataFrame
    model: Pipeline
    feature_columns: list[str]
    ground_truth: GroundTruth


def build_model() -> Pipeline:
    """The unfitted credit model: median-impute, log-transform money, scale, one-hot, logit."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    money = make_pipeline(
        SimpleImputer(strategy="median"),
        FunctionTransformer(np.log1p, feature_names_out="one-to-one"),
        StandardScaler(),
    )
    prep = ColumnTransformer(
        [
            ("numeric", numeric, NUMERIC_FEATURES),
            ("money", money, LOG_FEATURES),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_FEATURES),
        ]
    )
    return Pipeline([("prepare", prep), ("classify", LogisticRegression(max_iter=2000))])


def _check_sizes(seed: int, n_reference: int, n_current: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}", fix="use seed=7")
    if n_reference < _MIN_REFERENCE or n_current < _MIN_CURRENT:
        raise ConfigError(
            f"the sample needs n_reference >= {_MIN_REFERENCE} and n_current >= {_MIN_CURRENT} "
            f"to hold every planted defect, got n_reference={n_reference}, "
            f"n_current={n_current}",
            fix="use the defaults (20000 and 10000) or larger sizes",
        )
    if n_reference + n_current > _MAX_TOTAL:
        raise ConfigError(
            f"n_reference + n_current = {n_reference + n_current} exceeds {_MAX_TOTAL}, the "
            "number of seven-digit application ids",
            fix=f"keep n_reference + n_current <= {_MAX_TOTAL}",
        )


def _predict(model: Pipeline, frame: pl.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(frame.select(FEATURE_COLUMNS))[:, 1])


def _score(frame: pl.DataFrame, score: np.ndarray, threshold: float) -> pl.DataFrame:
    return frame.with_columns(
        pl.Series("score", score, dtype=pl.Float64),
        pl.Series("prediction", (score >= threshold).astype(np.int64), dtype=pl.Int64),
    )


def _auc(frame: pl.DataFrame) -> float:
    return float(roc_auc_score(frame["default"].to_numpy(), frame["score"].to_numpy()))


def make_credit_sample(
    *, seed: int = 7, n_reference: int = 20_000, n_current: int = 10_000
) -> CreditSample:
    """Generate the credit-scoring sample.

    Parameters
    ----------
    seed
        Seed of every random draw; the same seed gives identical frames.
    n_reference
        Rows in the clean reference period (at least 1000).
    n_current
        Rows in the current period, planted duplicates included (at least 2000).

    Returns
    -------
    CreditSample
        Frames with ``score`` and ``prediction`` columns, the fitted model and the ground truth.

    Raises
    ------
    ConfigError
        If the seed is negative or the sizes are too small or too large.
    """
    _check_sizes(seed, n_reference, n_current)
    seed = int(seed)
    reference = make_population(seed, REFERENCE, n_reference, 1)
    clean = make_population(seed, CURRENT, n_current - N_EXACT_DUPLICATES, n_reference + 1)
    current, rows = plant_defects(clean, seed, n_current)
    current, text_rows = plant_text_defects(current, rows, seed)
    model = build_model().fit(reference.select(FEATURE_COLUMNS), reference["default"].to_numpy())
    threshold = round(float(np.quantile(_predict(model, reference), 1 - FLAG_RATE)), 4)
    # copies of current rows written into the reference after the fit: the model, the threshold
    # and every other defect stay as they were; the reference declared as training data has them
    reference, *shared = plant_shared_rows(reference, current, rows, text_rows, seed)
    reference = _score(reference, _predict(model, reference), threshold)
    current = _score(current, _predict(model, current), threshold)
    current, weak_rows = plant_weak_segment(current)
    # the policy rule comes last: the decision engine applies it to every channel
    before_rule = current["prediction"].to_numpy()
    current, rule_rows = plant_policy_rule(current)
    auc = (_auc(reference), _auc(current))
    truth = GroundTruth(
        seed=seed,
        n_reference=n_reference,
        n_current=n_current,
        target="default",
        score_column="score",
        prediction_column="prediction",
        decision_threshold=threshold,
        id_column="application_id",
        timestamp_column="application_date",
        feature_columns=tuple(FEATURE_COLUMNS),
        sensitive_columns=tuple(SENSITIVE_COLUMNS),
        personal_columns=tuple(PERSONAL_COLUMNS),
        issues=(
            *quality_issues(current, rows),
            *text_issues(text_rows),
            *drift_issues(reference, current, rows, auc),
            *history_issues(seed, reference, current),
            *model_issues(current, (shared[0], shared[1]), weak_rows),
            *fairness_issues(reference, current, rule_rows, before_rule),
        ),
        reference_notes=_REFERENCE_NOTES,
        measured=_measured(reference, current, auc),
    )
    return CreditSample(reference, current, model, list(FEATURE_COLUMNS), truth)


def _measured(
    reference: pl.DataFrame, current: pl.DataFrame, auc: tuple[float, float]
) -> dict[str, float]:
    out = {"auc_reference": auc[0], "auc_current": auc[1]}
    for name, frame in (("reference", reference), ("current", current)):
        out[f"default_rate_{name}"] = float(frame["default"].mean())  # type: ignore[arg-type]
        out[f"flag_rate_{name}"] = float(frame["prediction"].mean())  # type: ignore[arg-type]
        rates = frame.group_by("gender").agg(pl.col("prediction").mean()).sort("gender")
        for gender, rate in rates.iter_rows():
            out[f"flag_rate_{name}.{gender}"] = float(rate)
    return out


def write_credit_sample(
    out_dir: str | Path,
    *,
    seed: int = 7,
    format: Literal["parquet", "csv"] = "parquet",
    n_reference: int = 20_000,
    n_current: int = 10_000,
) -> dict[str, Path]:
    """Generate the sample and write ``reference``, ``current`` and ``ground_truth.json``.

    Parameters
    ----------
    out_dir
        Directory to write into; created if missing.  Existing sample files are overwritten.
    seed, n_reference, n_current
        As in :func:`make_credit_sample`.
    format
        ``"parquet"`` (zstd) or ``"csv"`` (ISO timestamps, empty cells for nulls).

    Returns
    -------
    dict[str, Path]
        Paths keyed ``"reference"``, ``"current"`` and ``"ground_truth"``.

    Raises
    ------
    ConfigError
        If ``format`` is not ``"parquet"`` or ``"csv"``, or the sizes are invalid.
    DataSourceError
        If the directory cannot be created or written.
    """
    _check_format(format)
    sample = make_credit_sample(seed=seed, n_reference=n_reference, n_current=n_current)
    return save_credit_sample(sample, out_dir, format=format)


def _check_format(format: str) -> None:
    if format not in ("parquet", "csv"):
        raise ConfigError(f"unknown sample format {format!r}", fix="use 'parquet' or 'csv'")


def save_credit_sample(
    sample: CreditSample, out_dir: str | Path, *, format: Literal["parquet", "csv"] = "parquet"
) -> dict[str, Path]:
    """Write an already generated sample; same files and errors as :func:`write_credit_sample`."""
    _check_format(format)
    out = Path(out_dir)
    paths = {
        "reference": out / f"reference.{format}",
        "current": out / f"current.{format}",
        "ground_truth": out / "ground_truth.json",
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        for key, frame in (("reference", sample.reference), ("current", sample.current)):
            if format == "parquet":
                frame.write_parquet(paths[key], compression="zstd", statistics=True)
            else:
                frame.write_csv(paths[key], datetime_format="%Y-%m-%dT%H:%M:%S")
        paths["ground_truth"].write_text(sample.ground_truth.to_json(), encoding="utf-8")
    except OSError as exc:
        raise DataSourceError(
            f"cannot write the credit sample to {str(out)!r}: {exc.strerror or exc}",
            fix="choose a directory you can write to with --out",
        ) from exc
    return paths
