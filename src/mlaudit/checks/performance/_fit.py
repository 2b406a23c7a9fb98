"""Benchmark models fitted on the reference sample, and a time-boxed hyperparameter search.

**Baselines.**  A dummy model (the class prior / the mean: what knowing nothing gives) and a
regularised linear model (logistic regression with C = 1 / ridge with alpha = 1) behind one
scikit-learn pipeline: numeric features imputed with their median and standardised, other
features imputed with their most frequent value and one-hot encoded (the 50 most frequent
categories, unseen ones ignored).  Date and other columns are left out.

**Challenger.**  Gradient-boosted trees (scikit-learn's ``HistGradientBoosting*``: missing
values and categories handled natively, categories ordinal-encoded, the 200 most frequent kept),
tuned by a seeded search: Optuna's TPE sampler (``pip install 'mlaudit[tuning]'``), or, without
Optuna, a seeded random search over the same space.  Each trial fits on 75 % of the reference
sample (stratified for classifiers) and is scored on the other 25 % (ROC AUC for binary tasks,
accuracy for multiclass, −RMSE for regression); the best parameters are refitted on the whole
reference sample.  The search stops at its time box (a trial started before the end runs to its
end, so the box can be overrun by one trial and the final refit) or after ``max_trials``.

**The audited model's own hyperparameters**, when it is a scikit-learn estimator that
``sklearn.base.clone`` can copy: its numeric regularisation and capacity parameters (``C``,
``alpha``, ``learning_rate``, ``max_depth``, ``n_estimators``, ...; in pipelines, by their last
name part) are searched around their current values (a factor 10 either side for penalties, 3
for learning rates, 2 for counts), the current values being the first trial.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.errors import ExtraNotInstalledError

if TYPE_CHECKING:
    import optuna
    import pandas as pd
    from sklearn import (
        base,
        compose,
        dummy,
        ensemble,
        impute,
        linear_model,
        metrics,
        model_selection,
        pipeline,
        preprocessing,
    )
else:  # imported on first use (mlaudit._lazy)
    optuna = lazy_import("optuna", extra="tuning")
    base = lazy_import("sklearn.base")
    compose = lazy_import("sklearn.compose")
    dummy = lazy_import("sklearn.dummy")
    ensemble = lazy_import("sklearn.ensemble")
    impute = lazy_import("sklearn.impute")
    linear_model = lazy_import("sklearn.linear_model")
    metrics = lazy_import("sklearn.metrics")
    model_selection = lazy_import("sklearn.model_selection")
    pipeline = lazy_import("sklearn.pipeline")
    preprocessing = lazy_import("sklearn.preprocessing")

__all__ = [
    "Dim",
    "Features",
    "Searched",
    "baselines",
    "boosted",
    "boosted_space",
    "own_space",
    "search",
]


@dataclass(frozen=True)
class Features:
    """The feature columns the benchmark models read, by kind."""

    numeric: list[str]
    categorical: list[str]

    @classmethod
    def of(cls, frame: pl.DataFrame, names: list[str]) -> Features:
        """Numeric and categorical (text, boolean, categorical) columns among ``names``."""
        num = [c for c in names if frame[c].dtype.is_numeric()]
        kinds = (pl.String, pl.Boolean, pl.Categorical, pl.Enum)
        cat = [c for c in names if c not in num and isinstance(frame[c].dtype, kinds)]
        return cls(num, cat)

    @property
    def names(self) -> list[str]:
        """Every column read, numeric first."""
        return self.numeric + self.categorical

    def pandas(self, frame: pl.DataFrame) -> pd.DataFrame:
        """The columns as a pandas frame: numbers as floats, the rest as text (nulls: None)."""
        cols = [pl.col(c).cast(pl.Float64) for c in self.numeric]
        cols += [pl.col(c).cast(pl.String) for c in self.categorical]
        out = frame.select(cols).to_pandas()
        for c in self.categorical:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
        return out


def _one_hot(features: Features) -> Any:
    num = pipeline.make_pipeline(
        impute.SimpleImputer(strategy="median", keep_empty_features=True),
        preprocessing.StandardScaler(),
    )
    cat = pipeline.make_pipeline(
        impute.SimpleImputer(strategy="most_frequent", keep_empty_features=True),
        preprocessing.OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=50),
    )
    return compose.ColumnTransformer(
        [("numeric", num, features.numeric), ("categorical", cat, features.categorical)]
    )


def baselines(task: str, features: Features, seed: int) -> dict[str, Any]:
    """The dummy and the regularised linear model, unfitted."""
    if task == "regression":
        return {
            "dummy (mean)": dummy.DummyRegressor(strategy="mean"),
            "linear (ridge)": pipeline.make_pipeline(
                _one_hot(features), linear_model.Ridge(alpha=1.0)
            ),
        }
    return {
        "dummy (class prior)": dummy.DummyClassifier(strategy="prior"),
        "linear (logistic)": pipeline.make_pipeline(
            _one_hot(features), linear_model.LogisticRegression(C=1.0, max_iter=1000)
        ),
    }


@dataclass(frozen=True)
class Dim:
    """One searched hyperparameter: its range, log scale and whether it is an integer."""

    low: float
    high: float
    log: bool = False
    integer: bool = False


def boosted(task: str, features: Features, seed: int) -> Callable[[dict[str, Any]], Any]:
    """A maker of the gradient-boosted pipeline for a trial's parameters."""
    n_num = len(features.numeric)
    mask = [False] * n_num + [True] * len(features.categorical)
    encode = compose.ColumnTransformer(
        [
            ("numeric", "passthrough", features.numeric),
            (
                "categorical",
                preprocessing.OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    max_categories=200,
                ),
                features.categorical,
            ),
        ]
    )
    kind = (
        ensemble.HistGradientBoostingRegressor
        if task == "regression"
        else ensemble.HistGradientBoostingClassifier
    )

    def make(params: dict[str, Any]) -> Any:
        model = kind(categorical_features=mask, random_state=seed, **params)
        return pipeline.make_pipeline(base.clone(encode), model)

    return make


def boosted_space() -> dict[str, Dim]:
    """The gradient-boosted trees' search space."""
    return {
        "learning_rate": Dim(0.01, 0.3, log=True),
        "max_leaf_nodes": Dim(7, 63, integer=True),
        "min_samples_leaf": Dim(5, 100, log=True, integer=True),
        "l2_regularization": Dim(1e-4, 10.0, log=True),
        "max_iter": Dim(50, 300, integer=True),
    }


_PENALTIES = {"C", "alpha", "l2_regularization", "reg_alpha", "reg_lambda", "gamma", "l1_ratio"}
_RATES = {"learning_rate", "eta"}
_COUNTS = {
    "n_estimators",
    "max_depth",
    "max_iter",
    "max_leaf_nodes",
    "min_samples_leaf",
    "min_samples_split",
    "num_leaves",
    "min_child_samples",
}


def own_space(estimator: Any) -> tuple[dict[str, Dim], dict[str, Any]]:
    """The searched space around ``estimator``'s current values, and those values."""
    space: dict[str, Dim] = {}
    current: dict[str, Any] = {}
    for key, value in estimator.get_params(deep=True).items():
        name = key.rsplit("__", 1)[-1]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            continue
        dim = _around(name, value)
        if dim is not None:
            space[key], current[key] = dim, value
    return space, current


def _around(name: str, value: float) -> Dim | None:
    if name == "l1_ratio":
        return Dim(max(0.0, value / 2), min(1.0, value * 2 if value < 0.5 else 1.0))
    if name in _PENALTIES:
        return Dim(value / 10, value * 10, log=True)
    if name in _RATES:
        return Dim(value / 3, min(1.0, value * 3), log=True)
    if name in _COUNTS and isinstance(value, int) and value >= 2:
        return Dim(max(1, value // 2), value * 2, log=True, integer=True)
    return None


@dataclass
class Searched:
    """A search's outcome: the best parameters refitted on every row, and how it went."""

    model: Any
    params: dict[str, Any]
    trials: int
    failed: int
    method: str
    seconds: float
    best_validation: float
    history: list[float] = field(default_factory=list)


Fit = Callable[[dict[str, Any]], Any]


def search(
    make: Fit,
    space: dict[str, Dim],
    data: tuple[pd.DataFrame, np.ndarray, str],
    *,
    budget: float,
    max_trials: int,
    seed: int,
    first: dict[str, Any] | None = None,
    tick: Callable[[], None] = lambda: None,
) -> Searched | str:
    """Search ``space`` for ``make``'s best parameters within ``budget`` seconds.

    ``data`` is (features, labels, task); ``first`` is tried first (the current values);
    ``tick`` is called after each trial (a progress bar).  Returns the reason when no trial
    could be fitted.
    """
    x, y, task = data
    start = time.monotonic()
    split = _split(x, y, task, seed)
    ask, tell, method = _sampler(space, seed, first)
    scores: list[float] = []
    best: tuple[float, dict[str, Any]] | None = None
    failed = 0
    error = ""
    while len(scores) + failed < max_trials and (time.monotonic() - start < budget or not scores):
        params = ask()
        try:
            value = _validate(make(params), split, task)
        except Exception as exc:  # a trial's parameters the estimator refuses
            failed, error = failed + 1, f"{type(exc).__name__}: {str(exc)[:200]}"
            tell(None)
            if failed >= 3 and not scores:
                break
            continue
        finally:
            tick()
        tell(value)
        scores.append(value)
        if best is None or value > best[0]:
            best = (value, params)
    if best is None:
        return f"no trial could be fitted ({error})"
    model = make(best[1]).fit(x, y)
    seconds = time.monotonic() - start
    return Searched(model, best[1], len(scores), failed, method, seconds, best[0], scores)


def _split(x: pd.DataFrame, y: np.ndarray, task: str, seed: int) -> tuple[Any, ...]:
    strat = None
    if task != "regression":
        _, counts = np.unique(y, return_counts=True)
        strat = y if counts.min() >= 2 else None
    parts: tuple[Any, ...] = tuple(
        model_selection.train_test_split(x, y, test_size=0.25, random_state=seed, stratify=strat)
    )
    return parts


def _validate(model: Any, split: tuple[Any, ...], task: str) -> float:
    """The fitted trial's score on the held-out quarter (higher is better)."""
    x_fit, x_val, y_fit, y_val = split
    model.fit(x_fit, y_fit)
    if task == "regression":
        return -math.sqrt(float(metrics.mean_squared_error(y_val, model.predict(x_val))))
    if task == "binary" and len(np.unique(y_val)) == 2 and hasattr(model, "predict_proba"):
        proba = model.predict_proba(x_val)
        return float(metrics.roc_auc_score(y_val == model.classes_[1], proba[:, 1]))
    return float(metrics.accuracy_score(y_val, model.predict(x_val)))


Ask = Callable[[], dict[str, Any]]
Tell = Callable[[float | None], None]


def _sampler(
    space: dict[str, Dim], seed: int, first: dict[str, Any] | None
) -> tuple[Ask, Tell, str]:
    """Ask/tell functions of Optuna's seeded TPE sampler, or of a seeded random search."""
    try:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    except ExtraNotInstalledError:
        return _random_sampler(space, seed, first)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    if first:
        study.enqueue_trial(first)
    trial: list[Any] = []

    def ask() -> dict[str, Any]:
        t = study.ask()
        trial[:] = [t]
        return {k: _suggest(t, k, d) for k, d in space.items()}

    def tell(value: float | None) -> None:
        if value is None:
            study.tell(trial[0], state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial[0], value)

    return ask, tell, f"Optuna {optuna.__version__} TPE sampler (seed {seed})"


def _suggest(trial: Any, name: str, dim: Dim) -> Any:
    if dim.integer:
        return trial.suggest_int(name, int(dim.low), int(dim.high), log=dim.log)
    return trial.suggest_float(name, dim.low, dim.high, log=dim.log)


def _random_sampler(
    space: dict[str, Dim], seed: int, first: dict[str, Any] | None
) -> tuple[Ask, Tell, str]:
    rng = np.random.default_rng(seed)
    queue = [dict(first)] if first else []

    def ask() -> dict[str, Any]:
        if queue:
            return queue.pop()
        out: dict[str, Any] = {}
        for k, d in space.items():
            lo, hi = (math.log(d.low), math.log(d.high)) if d.log else (d.low, d.high)
            v = float(rng.uniform(lo, hi))
            v = math.exp(v) if d.log else v
            out[k] = round(v) if d.integer else v
        return out

    return ask, lambda value: None, f"seeded random search (seed {seed}; Optuna not installed)"
