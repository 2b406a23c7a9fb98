"""Permutation importance: how much the model's score falls when one feature's values are shuffled.

Shuffling a feature across the rows keeps its distribution and breaks its link with the other
features and the target; the fall of the score measures how much the model relies on the
feature (Breiman, *Random forests*, 2001; Fisher, Rudin and Dominici, *All models are wrong,
but many are useful*, JMLR 2019, call it model reliance).  It reads the model as a black box
(any adapter), on the rows given.

**The shuffles** are scikit-learn's (``sklearn.inspection.permutation_importance``): a seed drawn
from ``RandomState(random_state)``, then for each feature the same ``RandomState(seed)``
shuffling an index array in place once a repeat, each repeat re-shuffling the column already
shuffled.  Every feature thus sees the same permutations (common random numbers: the
differences between features owe nothing to luck of the draw), and scikit-learn given the same
model, rows, scorer and ``random_state`` reproduces every figure.

**The score** (:func:`scorer_for`), higher is better, importance = baseline − shuffled:

* ``roc_auc``: binary classifiers with probabilities, when the labels hold both classes (the
  AUC does not depend on which class is called positive);
* ``accuracy``: other classifiers (the predicted class equal to the label, as text);
* ``rmse``: regressors, the root mean squared error (negated), so an importance is the rise of
  the RMSE in the target's units: squared error is what most regressors minimise;
* without labels, the model's agreement with itself: ``agreement`` for classifiers (share of
  decisions unchanged; the importance is the share of decisions a shuffle changes) and
  ``prediction_rmse`` for regressors (RMSE of the shuffled predictions from the unshuffled ones).

**The interval** of a feature's importance is Student's t interval of the mean over the
``n_repeats`` shuffles (mean ± t₀.₉₇₅,ᵣ₋₁ · s / √r): it says how far the reported mean could
move with other shuffles of the same rows.  It does not cover the rows' own sampling error
(another sample of the data would give other importances): a bootstrap of rows would, at
``B`` times the model calls.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.models import Model, Predictions
from mlaudit.stats import roc_auc

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = [
    "Importances",
    "Scorer",
    "permutation_importance",
    "scorer_for",
    "shuffle_orders",
    "t_interval",
]

METRIC_WORDS = {
    "roc_auc": "ROC AUC",
    "accuracy": "accuracy",
    "rmse": "RMSE (negated)",
    "agreement": "agreement with the unshuffled decisions",
    "prediction_rmse": "RMSE from the unshuffled predictions (negated)",
}
"""Each score's name in words, for messages and tables."""


@dataclass(frozen=True)
class Scorer:
    """A score of the model's predictions on the rows: higher is better."""

    name: str
    """``roc_auc``, ``accuracy``, ``rmse``, ``agreement`` or ``prediction_rmse``."""
    score: Callable[[Predictions], float]

    @property
    def words(self) -> str:
        """The score's name in words."""
        return METRIC_WORDS[self.name]


def scorer_for(
    model: Model, labels: np.ndarray | None, base: Predictions, *, metric: str | None = None
) -> Scorer:
    """The score of the module docstring for ``model`` on rows of ``labels`` (None: no target),
    ``base`` being the predictions on the unshuffled rows; ``metric`` forces one of the names
    the labels allow (so that two periods are scored alike)."""
    regression = model.task == "regression"
    if labels is None or metric in ("agreement", "prediction_rmse"):
        if regression:
            ref = base.label.astype(np.float64)
            return Scorer("prediction_rmse", lambda p: -_rmse(p.label, ref))
        return Scorer("agreement", lambda p: float(np.mean(p.label == base.label)))
    if regression:
        y = labels.astype(np.float64)
        return Scorer("rmse", lambda p: -_rmse(p.label, y))
    classes = np.asarray(model.class_values).astype(str)
    as_index = np.full(labels.shape[0], -1, dtype=np.int64)
    for k, c in enumerate(classes):
        as_index[labels == c] = k
    positive = as_index == 1
    both = bool(positive.any()) and bool((as_index == 0).any())
    if (
        model.task == "binary"
        and base.proba is not None
        and both
        and metric in (None, "roc_auc")
        and (as_index >= 0).all()
    ):
        return Scorer("roc_auc", lambda p: _auc(positive, p))
    return Scorer("accuracy", lambda p: float(np.mean(p.label == as_index)))


def _auc(positive: np.ndarray, p: Predictions) -> float:
    assert p.proba is not None  # the scorer is chosen only for models with probabilities
    return roc_auc(positive, p.proba[:, 1])


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a.astype(np.float64) - b) ** 2)))


def shuffle_orders(rows: int, n_repeats: int, random_state: int) -> list[np.ndarray]:
    """The row order of a shuffled column after each repeat, as scikit-learn's
    ``permutation_importance`` draws them for ``random_state`` (the same for every feature):
    the column at repeat ``r`` is the original column taken in ``orders[r]``."""
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    state = np.random.RandomState(seed)
    index = np.arange(rows)
    order = np.arange(rows)
    out = []
    for _ in range(n_repeats):
        state.shuffle(index)  # in place, from the previous repeat's index
        order = order[index]  # the shuffled column is shuffled again
        out.append(order.copy())
    return out


@dataclass(frozen=True)
class Importances:
    """Each feature's shuffled scores, beside the baseline."""

    metric: str
    baseline: float
    features: list[str]
    scores: dict[str, np.ndarray]
    """Feature → the score after each repeat (features whose shuffles the model failed on
    are in :attr:`errors` instead)."""
    errors: dict[str, str]
    rows: int

    def importances(self, feature: str) -> np.ndarray:
        """The feature's importance at each repeat (baseline − shuffled score)."""
        return self.baseline - self.scores[feature]

    def mean(self, feature: str) -> float | None:
        """The feature's mean importance over the repeats (None when its shuffles failed)."""
        if feature not in self.scores:
            return None
        return float(np.mean(self.importances(feature)))

    def interval(self, feature: str, level: float = 0.95) -> tuple[float, float] | None:
        """:func:`t_interval` of the feature's importances."""
        if feature not in self.scores:
            return None
        return t_interval(self.importances(feature), level)

    def ranked(self) -> list[str]:
        """The features that could be scored, most important first (ties by name)."""
        return sorted(self.scores, key=lambda f: (-(self.mean(f) or 0.0), f))


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student's t interval of the mean of ``values`` (at least two); a point when they agree."""
    r = values.shape[0]
    if r == 0 or bool(np.all(values == values[0])):  # no spread (a constant or unused feature)
        point = float(values[0]) if r else math.nan
        return point, point
    m = float(np.mean(values))
    sd = float(np.std(values, ddof=1)) if r > 1 else 0.0
    if not math.isfinite(sd) or sd == 0.0:
        return m, m
    half = float(scipy_stats.t.ppf(0.5 + level / 2, r - 1)) * sd / math.sqrt(r)
    return m - half, m + half


def permutation_importance(
    predict: Callable[[pl.DataFrame], Predictions],
    frame: pl.DataFrame,
    features: list[str],
    scorer: Scorer,
    *,
    n_repeats: int,
    random_state: int,
) -> Importances:
    """Shuffle each of ``features`` of ``frame`` ``n_repeats`` times (:func:`shuffle_orders`)
    and score ``predict`` on each shuffled frame.

    ``predict`` raising for a feature's shuffled frame records the first line of its error for
    that feature (the others go on); the baseline is ``scorer`` on the unshuffled frame.
    """
    baseline = scorer.score(predict(frame))
    orders = shuffle_orders(frame.height, n_repeats, random_state)
    scores: dict[str, np.ndarray] = {}
    errors: dict[str, str] = {}
    for f in features:
        column = frame[f]
        out = []
        try:
            for order in orders:
                out.append(scorer.score(predict(frame.with_columns(column.gather(order)))))
        except Exception as exc:  # the model's own error, whatever its type: a finding
            errors[f] = str(exc).split("\n")[0][:300]
            continue
        scores[f] = np.asarray(out, dtype=np.float64)
    return Importances(scorer.name, baseline, list(features), scores, errors, frame.height)
