"""The sample's model files: the audited model and a challenger, saved with skops.

``mlaudit demo`` writes them beside the sample's data so that a second audit can run the models
themselves (``model:`` and ``challenger:`` in ``audit-model.yaml``) rather than read their
outputs from the data.  skops stores an estimator as data and rebuilds it from an allow-list of
types, so loading the files runs no code from them.

The challenger is a binned scorecard, the classic challenger of a credit model: the continuous
features cut at their reference quantiles and one-hot encoded, the others as the audited model
has them, and a logistic regression.  It is built only of types skops trusts by default; tree
ensembles are not (skops refuses to vouch for a tree's node arrays, which scikit-learn indexes
without bounds checks), so a boosted challenger would have to be loaded with ``trust_model``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder, StandardScaler

from mlaudit.datasets._credit import CATEGORICAL_FEATURES, FEATURE_COLUMNS, CreditSample
from mlaudit.errors import DataSourceError

__all__ = [
    "BINNED_FEATURES",
    "CHALLENGER_BINS",
    "build_challenger",
    "fit_challenger",
    "save_credit_models",
]

BINNED_FEATURES = ["age", "credit_history_months", "debt_to_income", "income", "loan_amount"]
"""Continuous features the challenger cuts into bins; the discrete ones (years employed, with
its many zeros, the loan term, the open accounts) would give empty bins and stay linear."""
CHALLENGER_BINS = 8
"""Quantile bins of each binned feature."""
_LINEAR = [c for c in FEATURE_COLUMNS if c not in BINNED_FEATURES and c not in CATEGORICAL_FEATURES]


def build_challenger() -> Pipeline:
    """The unfitted challenger: median-impute, quantile bins one-hot encoded, logit."""
    bins = KBinsDiscretizer(n_bins=CHALLENGER_BINS, encode="onehot", strategy="quantile")
    if "quantile_method" in bins.get_params():  # scikit-learn >= 1.7: the coming default, set
        bins.set_params(quantile_method="averaged_inverted_cdf")
    prep = ColumnTransformer(
        [
            ("binned", make_pipeline(SimpleImputer(strategy="median"), bins), BINNED_FEATURES),
            ("linear", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), _LINEAR),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_FEATURES),
        ]
    )
    return Pipeline([("prepare", prep), ("classify", LogisticRegression(max_iter=2000))])


def fit_challenger(sample: CreditSample) -> Pipeline:
    """The challenger fitted on the reference rows that hold no copy of a current application
    (19,880 of 20,000 by default: ``leakage.shared_rows`` wrote 120 copies over reference rows
    after the audited model was fitted), so that, like the audited model, it has seen no current
    row.  lbfgs and quantile edges: the same sample gives the same challenger."""
    copies = sample.ground_truth.issue("leakage.shared_rows").related_rows
    keep = np.ones(sample.reference.height, dtype=bool)
    keep[list(copies)] = False
    rows = sample.reference.filter(keep)
    return build_challenger().fit(rows.select(FEATURE_COLUMNS), rows["default"].to_numpy())


def save_credit_models(sample: CreditSample, out_dir: str | Path) -> dict[str, Path]:
    """Write ``model.skops`` (the sample's model) and ``challenger.skops`` into ``out_dir``.

    Returns
    -------
    dict[str, Path]
        Paths keyed ``"model"`` and ``"challenger"``.

    Raises
    ------
    DataSourceError
        If the directory cannot be created or written.
    """
    out = Path(out_dir)
    paths = {"model": out / "model.skops", "challenger": out / "challenger.skops"}
    challenger = fit_challenger(sample)
    try:
        out.mkdir(parents=True, exist_ok=True)
        sio.dump(sample.model, paths["model"])
        sio.dump(challenger, paths["challenger"])
    except OSError as exc:
        raise DataSourceError(
            f"cannot write the sample's models to {str(out)!r}: {exc.strerror or exc}",
            fix="choose a directory you can write to with --out",
        ) from exc
    return paths
