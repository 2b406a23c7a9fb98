"""``operations.pruning``: how much smaller and faster a tree ensemble could be, at what cost.

For a tree ensemble (XGBoost, LightGBM, scikit-learn's gradient boosting and forests, also at
the end of a pipeline), the model is cut to its first ``k`` trees (boosting rounds) for ``k``
at ``fractions`` of its size: exactly the model that training would have given had it stopped
there (boosting) or grown fewer trees (forests).  Each cut is scored on the current data's
labelled sample (ROC AUC for binary models, accuracy for multiclass, mean absolute error for
regression; without labels, the share of decisions that agree with the whole model) and timed
(median of three calls on the sample).  The smallest cut within ``tolerance`` of the whole
model's metric is the what-if: "the first 60 of 300 trees lose 0.001 AUC and predict 4.1×
faster".  Depth cannot be cut without retraining, so it is not tried.  It is a what-if for the
model's owner, not a defect: the check passes, and warns only when ``warn_if_saving`` is set
and the model could shed more than that share of its trees at no cost.
"""

from __future__ import annotations

import math
from functools import partial
from typing import ClassVar

import numpy as np
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import (
    NO_MODEL,
    batch_of,
    median_seconds,
    model_and_sample,
    target_labels,
)
from mlaudit.checks._options import NonNegative, PositiveCount, Share
from mlaudit.models import Model
from mlaudit.results import CheckResult, CurveDetail, Severity, Status, TableDetail
from mlaudit.stats import roc_auc

__all__ = ["Pruning"]


@register
class Pruning(Check):
    """Quality and speed of the ensemble cut to its first trees."""

    id: ClassVar[str] = "operations.pruning"
    family: ClassVar[str] = "operations"
    title: ClassVar[str] = "What a smaller tree ensemble would give"
    why: ClassVar[str] = (
        "Ensembles are often grown past the point where more trees help; a smaller model "
        "predicts faster, costs less to serve and is easier to validate."
    )
    severity: ClassVar[Severity] = Severity.INFO
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2

    fractions: tuple[Share, ...] = Field(
        default=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0), min_length=1
    )
    """Shares of the trees to keep, tried in turn (the whole model is always tried)."""
    tolerance: NonNegative = 0.005
    """Largest loss accepted: AUC or accuracy points, or the relative rise of the mean
    absolute error."""
    rows: PositiveCount = 5_000
    """Rows of the current data's sample scored."""
    warn_if_saving: Share | None = None
    """Warn when at least this share of the trees could go within the tolerance."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        total = model.trees
        if not total:
            return self.skipped(
                f"the model ({model.info.model_type}) is not a tree ensemble whose first trees "
                "can predict alone (XGBoost, LightGBM, scikit-learn boosting or forests)"
            )
        sample = sample.head(self.rows)
        ks = sorted({max(1, math.ceil(total * f)) for f in (*self.fractions, 1.0)})
        batch = batch_of(sample, list(model.features), sample.height)
        try:
            outputs = model.predict_with_trees(batch, ks)
        except Exception as exc:  # the library's own error: the model cannot take this data
            reason = str(exc).splitlines()[0][:200]
            return self.skipped(f"the model cannot predict the current data as it is: {reason}")
        labels = target_labels(ctx, model, sample)
        name = _metric_name(model, labels)
        scores = {k: _metric(model, outputs[k], outputs[total], labels, name) for k in ks}
        seconds = {k: median_seconds(partial(model.predict_with_trees, batch, [k])) for k in ks}
        return self._judge(total, scores, seconds, name)

    def _judge(
        self, total: int, scores: dict[int, float], seconds: dict[int, float], name: str
    ) -> CheckResult:
        higher = name != "mae"
        full = scores[total]
        loss = {k: (full - s if higher else (s - full) / full if full else 0.0)
                for k, s in scores.items()}  # fmt: skip
        best = min(k for k in scores if loss[k] <= self.tolerance)
        speed = seconds[total] / seconds[best] if seconds[best] > 0 else 1.0
        saving = 1 - best / total
        text = f"The whole model has {total:,} trees ({name} {full:.4g}). " + (
            f"Its first {best:,} ({best / total:.0%}) reach {name} {scores[best]:.4g}, "
            f"within {self.tolerance:g} of it, and predict {speed:.1f}× faster."
            if best < total
            else f"Every smaller cut tried loses more than {self.tolerance:g} {name}."
        )
        status = Status.PASS
        if self.warn_if_saving is not None and saving >= self.warn_if_saving:
            status = Status.WARN
            text += " The ensemble is larger than its quality needs: retrain it with fewer trees."
        table = TableDetail(
            name="Quality and speed by trees kept",
            columns=["trees", "share", name, "loss", "ms per call", "speed-up"],
            rows=[
                [
                    k,
                    k / total,
                    scores[k],
                    loss[k],
                    seconds[k] * 1000,
                    seconds[total] / seconds[k] if seconds[k] > 0 else None,
                ]
                for k in sorted(scores)
            ],
        )
        curve = CurveDetail(
            name="Pruning",
            title=f"{name} by trees kept",
            x_label="trees kept",
            y_label=name,
            curves={
                name: {
                    "x": [float(k) for k in sorted(scores)],
                    "y": [scores[k] for k in sorted(scores)],
                }
            },
        )
        return self.result(
            status,
            text,
            metrics={"trees": total, "trees_needed": best, "tree_saving": saving,
                     f"{name}_full": full, f"{name}_pruned": scores[best], "speedup": speed},
            details=[table, curve],
        )  # fmt: skip


def _metric_name(model: Model, labels: np.ndarray | None) -> str:
    """``roc_auc`` (binary, both classes labelled), ``accuracy``, ``mae`` or, without labels,
    ``agreement`` with the whole model."""
    if labels is None:
        return "agreement"
    if model.task == "regression":
        return "mae"
    return "roc_auc" if model.task == "binary" and len(np.unique(labels)) == 2 else "accuracy"


def _metric(
    model: Model, out: np.ndarray, full: np.ndarray, labels: np.ndarray | None, name: str
) -> float:
    """The cut model's metric on the labels, or its agreement with the whole model."""
    task = model.task
    if labels is None:
        if task == "regression":
            spread = float(np.std(full)) or 1.0
            return float(np.mean(np.abs(out - full) <= 0.1 * spread))
        return float(np.mean(np.argmax(out, axis=1) == np.argmax(full, axis=1)))
    if task == "regression":
        return float(np.mean(np.abs(out - labels)))
    values = np.asarray(model.class_values).astype(str)
    if name == "roc_auc":
        return roc_auc(labels == values[1], out[:, 1])
    return float(np.mean(values[np.argmax(out, axis=1)] == labels))
