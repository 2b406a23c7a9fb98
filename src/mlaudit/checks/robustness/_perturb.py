"""What the robustness checks share: the model run on a frame, flips, and the metric moved.

The checks run the audited model (``ctx.model``) on the current data's seeded sample of rows
as read (``ctx.model_samples["current"]``, the profile sample's rows, unmasked, in memory only)
and on copies of it with one change, and count:

* **flips**: for a classifier, rows whose predicted class changed; for a regressor, rows whose
  prediction moved by more than ``tolerance`` standard deviations of the sample's predictions
  (a relative yardstick, since a regressor's output moves a little with any input);
* **the metric moved**, when the sample has labels: accuracy for classifiers (the predicted
  class equal to the label, compared as text), mean absolute error for regressors, relative to
  the unchanged rows' error.

The flip share carries a Wilson interval: the sample bounds the evidence (5,000 rows give about
±0.6 points at a 2 % flip share).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from mlaudit.checks._model_sample import frame_batch, labels_as_classes
from mlaudit.models import Model, Predictions

__all__ = ["Outcome", "Scorer"]


@dataclass(frozen=True)
class Outcome:
    """One perturbation's effect on the model."""

    flips: int
    rows: int
    metric: float | None
    """Accuracy (classifiers) or mean absolute error (regressors) on the changed rows."""
    error: str | None = None
    """The model's error when it could not predict the changed rows."""

    @property
    def flip_share(self) -> float:
        """Share of rows whose prediction flipped."""
        return self.flips / self.rows if self.rows else 0.0


class Scorer:
    """The model's predictions on the unchanged sample, and the comparison of changed ones."""

    def __init__(self, model: Model, sample: pl.DataFrame, target: str | None, tolerance: float):
        self.model = model
        self.sample = sample
        self.features = list(model.features)
        y = sample[target] if target is not None and target in sample.columns else None
        regression = model.task == "regression"
        self.labels = None if y is None else labels_as_classes(y, regression=regression)
        self.base = model.predict_batch(frame_batch(sample, self.features))
        spread = float(np.std(self.base.label)) if model.task == "regression" else 0.0
        self.yardstick = tolerance * spread
        self.metric = self._metric(self.base)

    @property
    def metric_name(self) -> str:
        """``accuracy`` or ``mae``."""
        return "mae" if self.model.task == "regression" else "accuracy"

    def outcome(self, changed: pl.DataFrame) -> Outcome:
        """Flips and the metric on ``changed`` (the sample with some values changed)."""
        try:
            out = self.model.predict_batch(frame_batch(changed, self.features))
        except Exception as exc:  # the model cannot take the changed rows: itself a finding
            return Outcome(0, changed.height, None, error=str(exc).split("\n")[0][:300])
        if self.model.task == "regression":
            moved = np.abs(out.label - self.base.label) > self.yardstick
        else:
            moved = out.label != self.base.label
        return Outcome(int(moved.sum()), changed.height, self._metric(out))

    def _metric(self, out: Predictions) -> float | None:
        if self.labels is None:
            return None
        if self.model.task == "regression":
            y = self.labels.astype(np.float64)
            return float(np.mean(np.abs(out.label - y)))
        values = np.asarray(self.model.class_values).astype(str)
        return float(np.mean(values[out.label] == self.labels))

    def drop(self, outcome: Outcome) -> float | None:
        """How much worse the metric got: accuracy points lost, or the relative rise of the
        mean absolute error."""
        if self.metric is None or outcome.metric is None:
            return None
        if self.model.task == "regression":
            return (outcome.metric - self.metric) / self.metric if self.metric > 0 else 0.0
        return self.metric - outcome.metric
