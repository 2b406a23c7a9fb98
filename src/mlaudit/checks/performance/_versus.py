"""Another model against the audited one on the same labelled rows: metric, interval, p-value.

One headline metric per task, the one the paired tests below can compare:

* binary with scores from both models: ROC AUC, DeLong interval, paired DeLong test
  (:func:`mlaudit.stats.paired_delong`); without a score from both, or with fewer than two
  rows of a class: accuracy;
* accuracy (binary without scores, multiclass): Wilson interval, McNemar's test on the rows
  where exactly one of the two is right (:func:`mlaudit.stats.mcnemar`);
* regression: RMSE, bootstrap interval, paired bootstrap of the RMSE difference
  (:func:`mlaudit.stats.paired_bootstrap`, 1,000 resamples, seeded).

Accuracy is reported beside the AUC for classifiers (and its McNemar p-value), MAE beside the
RMSE.  The p-values are two-sided: "significantly better" means better and p below the level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mlaudit.stats import delong_auc, mcnemar, paired_bootstrap, paired_delong, wilson_interval

__all__ = ["Outputs", "Versus", "headline", "holm", "versus"]


@dataclass(frozen=True)
class Outputs:
    """A model's outputs on the compared rows (encoded as the labels are)."""

    pred: np.ndarray
    """Predicted class (0/1 for binary tasks) or value."""
    score: np.ndarray | None = None
    """Positive class's score, higher meaning positive (binary tasks)."""


@dataclass(frozen=True)
class Versus:
    """One model's headline metric and its comparison with the audited model."""

    metric: str
    value: float
    low: float
    high: float
    difference: float
    """``value`` minus the audited model's (an error's difference is negative when better)."""
    p_value: float | None
    """Two-sided p-value of no difference (None for the audited model itself)."""
    extra: dict[str, float] = field(default_factory=dict)
    """Secondary figures (accuracy and its McNemar p-value, MAE)."""

    @property
    def better(self) -> bool:
        """Better than the audited model (higher score, lower error)."""
        return self.difference < 0 if self.metric == "rmse" else self.difference > 0


def headline(task: str, audited: Outputs, y: np.ndarray) -> str:
    """The metric the comparison ranks models by: the AUC needs scores and two rows of each
    class (the paired DeLong covariance), else accuracy."""
    if task == "regression":
        return "rmse"
    if task != "binary" or audited.score is None:
        return "accuracy"
    positives = int(np.count_nonzero(y == 1))
    return "roc_auc" if min(positives, y.size - positives) >= 2 else "accuracy"


def versus(
    task: str, y: np.ndarray, audited: Outputs, other: Outputs, *, seed: int, level: float = 0.95
) -> Versus:
    """``other`` against ``audited`` on the labels ``y`` (both on the same rows)."""
    metric = headline(task, audited, y)
    if metric == "rmse":
        return _regression(y, audited, other, seed=seed, level=level)
    right_a, right_b = audited.pred == y, other.pred == y
    k, n = int(right_b.sum()), int(y.size)
    low, high = wilson_interval(k, n, level=level)
    acc = k / n
    acc_p = mcnemar(right_a, right_b).p_value
    diff_acc = acc - float(right_a.mean())
    if metric == "accuracy":
        return Versus("accuracy", acc, low, high, diff_acc, acc_p)
    assert audited.score is not None
    score = other.score if other.score is not None else other.pred.astype(np.float64)
    one = delong_auc(y, score, level=level)
    test = paired_delong(y, audited.score, score, level=level)
    extra = {"accuracy": acc, "accuracy_difference": diff_acc, "accuracy_p_value": acc_p}
    return Versus("roc_auc", one.auc, one.low, one.high, test.difference, test.p_value, extra)


def _regression(
    y: np.ndarray, audited: Outputs, other: Outputs, *, seed: int, level: float
) -> Versus:
    sq_a = (audited.pred - y) ** 2
    sq_b = (other.pred - y) ** 2
    test = paired_bootstrap(sq_a, sq_b, finish=np.sqrt, seed=seed, level=level)
    # the interval of the other model's RMSE alone: the same bootstrap against a zero error
    alone = paired_bootstrap(np.zeros_like(sq_b), sq_b, finish=np.sqrt, seed=seed, level=level)
    mae = float(np.mean(np.abs(other.pred - y)))
    extra = {"mae": mae, "mae_difference": mae - float(np.mean(np.abs(audited.pred - y)))}
    return Versus("rmse", test.value_b, alone.low, alone.high, test.difference, test.p_value, extra)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error over the compared models)."""
    order = np.argsort(p_values)
    m = len(p_values)
    out = [math.nan] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        out[int(i)] = running
    return out
