"""``performance.metrics``: how good the model is on the labelled data, with confidence intervals.

One result for the whole current data (``column`` null), from the label, prediction and score
columns already in the rows (declared as target, prediction and score, or produced by a model
adapter into the same columns).  Binary classifiers: accuracy, balanced accuracy, precision,
recall, F1, ROC AUC, average precision, log loss, Brier score, Gini, KS statistic, the
confusion counts at the chosen threshold and a threshold table with expected costs; multiclass:
accuracy, balanced accuracy, macro and weighted precision/recall/F1, and with each class's
probability (``schema.class_scores``, or a multiclass model's ``model_proba_<class>``) the
one-vs-rest ROC AUC (macro and weighted) and the log loss, a per-class table (each class's
one-vs-rest AUC with its DeLong interval) and the confusion matrix; regression: MAE, RMSE,
MAPE (rows with a zero label left out and counted), R², median absolute error and the
residuals.  Each metric has its interval in the result's bounds
(:mod:`mlaudit.checks.performance._evaluation` says which: Wilson, DeLong, or a seeded
bootstrap).  With a labelled reference, the same on the reference and the change.

**Judging with the interval.**  One metric is judged (``metric``; default ROC AUC with a score,
else accuracy; for multiclass the macro one-vs-rest ROC AUC with class probabilities, else
accuracy, and ``roc_auc`` names the macro one-vs-rest AUC; MAE for regression), against
absolute limits (``limit_warn``, ``limit_fail``: below them for a metric where higher is
better, above them for an error) and against the reference (``max_drop``: the fall of a score
in its own units, the rise of an error as a share of the reference value).  A limit is
*breached* when the whole interval lies beyond it, and *not breached* when the whole interval
lies on the good side; when the limit lies inside the interval the data cannot tell, which is
*inconclusive*:

* ``fail``: the fail limit is breached;
* ``warn``: the warn limit is breached, or the estimate lies beyond the fail limit but the
  interval reaches back over it (an inconclusive failure: more labelled rows would tell);
* ``pass`` otherwise; the message names any limit that lies inside the interval.

The change's interval combines the two periods' intervals as independent samples: each side's
half-widths in quadrature, ``Δ ± √(h_cur² + h_ref²)`` (asymmetric halves kept apart).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, NonNegative, PsiLimits
from mlaudit.checks.performance._evaluation import Evaluation, Settings, evaluate
from mlaudit.checks.performance._labels import ScoreRule, model_rows, scale_note
from mlaudit.checks.performance._verdict import Judged, judge_change, judge_value, metrics_table
from mlaudit.data import Role, Schema
from mlaudit.results import Bound, CheckResult, CurveDetail, Detail, NoteDetail, Severity, Status

__all__ = ["PerformanceMetrics"]

Metric = Literal[
    "auto",
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "roc_auc_ovr_macro",
    "roc_auc_ovr_weighted",
    "average_precision",
    "gini",
    "ks_statistic",
    "log_loss",
    "brier_score",
    "f1_macro",
    "f1_weighted",
    "precision_macro",
    "recall_macro",
    "mae",
    "rmse",
    "mape",
    "r2",
    "median_absolute_error",
]


_Limit = Annotated[float, Field(ge=-1, allow_inf_nan=False)]
"""A limit of a metric (R² and Gini may be negative, no metric limit below −1 makes sense)."""


@register
class PerformanceMetrics(Check):
    """The model's metrics with confidence intervals, judged against limits and the reference."""

    id: ClassVar[str] = "performance.metrics"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "Model performance is good enough, with confidence intervals"
    why: ClassVar[str] = (
        "A validator must say how good the model is and how sure that figure is: a metric "
        "without its interval cannot tell a real shortfall from the noise of a small sample."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()
    needs_rows: ClassVar[bool] = True
    cost: ClassVar[int] = 2
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = ()

    metric: Metric = "auto"
    """Metric judged against the limits; auto = ROC AUC with a score, else accuracy; for
    multiclass ``roc_auc_ovr_macro`` with class probabilities (``roc_auc`` means it too), else
    accuracy; MAE for regression."""
    limit_warn: _Limit | None = None
    """Absolute warn limit of the judged metric: below it for a score, above it for an error
    (e.g. 0.75 for ``roc_auc``; none by default)."""
    limit_fail: _Limit | None = None
    """Absolute fail limit of the judged metric (e.g. 0.70 for ``roc_auc``)."""
    max_drop: PsiLimits = (0.05, 0.10)
    """(warn, fail) limits on the change from the reference: the fall of a score in its units,
    the rise of an error as a share of the reference value."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold for the predicted class when there is no prediction column; default:
    ``schema.score_threshold``, else 0.5 for probabilities."""
    cost_fp: NonNegative = 1.0
    """Cost of a false positive, for the expected cost and the recommended threshold."""
    cost_fn: NonNegative = 1.0
    """Cost of a false negative."""
    level: Alpha = 0.95
    """Confidence level of the intervals."""
    n_resamples: int = Field(default=1000, ge=100, le=100_000)
    """Bootstrap resamples."""
    bootstrap_rows: int = Field(default=50_000, ge=1000, le=1_000_000)
    """Above this many rows the bootstrap resamples a seeded subsample of this many and rescales
    (m out of n)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: every metric with its interval, judged on the chosen one."""
        cur = self._evaluate(ctx, reference=False)
        if isinstance(cur, str):
            return self.skipped(cur)
        ev, note = cur
        ref = self._evaluate(ctx, reference=True) if ctx.reference_windows is not None else None
        ref_ev = ref[0] if isinstance(ref, tuple) else None
        metric = self._metric(ev)
        if metric not in ev.metrics:
            if metric in ev.unavailable:
                return self.skipped(f"metric {metric!r} is not computed: {ev.unavailable[metric]}")
            return self.skipped(
                f"metric {metric!r} is not computed for this {ev.task} model "
                f"(use one of: {', '.join(sorted(ev.bounds))})"
            )
        judged = [judge_value(metric, ev, self.limit_warn, self.limit_fail, level=self.level)]
        if ref_ev is not None:
            judged.append(judge_change(metric, ev, ref_ev, self.max_drop, level=self.level))
        return self._result(metric, ev, ref_ev, judged, note, ref)

    def _settings(self, seed: int) -> Settings:
        return Settings(
            self.level, self.n_resamples, self.bootstrap_rows, seed, self.cost_fp, self.cost_fn
        )

    def _evaluate(self, ctx: CheckContext, *, reference: bool) -> tuple[Evaluation, str] | str:
        data = ctx.reference_windows if reference else ctx.current_windows
        schema = (ctx.reference_schema or ctx.schema) if reference else ctx.schema
        if data is None:
            return "no rows with model columns: declare the target and a prediction or score"
        bad = _mixed_types(data.rows, schema)
        if bad is not None:
            return bad
        rows = model_rows(
            data,
            schema,
            positive_label=self.positive_label,
            rule=ScoreRule.of(self.threshold, ctx.schema),
        )
        if isinstance(rows, str):
            return rows
        if rows.scale is not None and rows.scale.probability is False and self._wants_prob():
            return rows.scale.not_probability(rows.score_column or "score")
        ev = evaluate(rows, self._settings(ctx.seed + (1 if reference else 0)))
        if isinstance(ev, str):
            return ev
        if rows.dropped:
            ev.notes.append(f"{rows.dropped:,} rows without label, prediction or score left out")
        return ev, scale_note(rows) or ""

    def _wants_prob(self) -> bool:
        return self.metric in ("log_loss", "brier_score")

    def _metric(self, ev: Evaluation) -> str:
        if ev.task == "multiclass" and self.metric == "roc_auc":
            return "roc_auc_ovr_macro"
        if self.metric != "auto":
            return self.metric
        if ev.task == "binary":
            return "roc_auc" if "roc_auc" in ev.metrics else "accuracy"
        if ev.task == "multiclass":
            # The AUC when the probabilities gave one (not with one class only), as for binary.
            auc = ev.metrics.get("roc_auc_ovr_macro")
            return "roc_auc_ovr_macro" if auc is not None else "accuracy"
        return "mae"

    def _result(
        self,
        metric: str,
        ev: Evaluation,
        ref_ev: Evaluation | None,
        judged: list[Judged],
        note: str,
        ref: tuple[Evaluation, str] | str | None,
    ) -> CheckResult:
        status = max((j.status for j in judged), key=_rank)
        metrics: dict[str, float | int | None] = dict(ev.metrics)
        bounds: dict[str, Bound] = dict(ev.bounds)
        for j in judged:
            metrics |= j.metrics
            bounds |= j.bounds
        if ref_ev is not None:
            metrics |= {f"reference_{k}": v for k, v in ref_ev.metrics.items()}
            bounds |= {f"reference_{k}": b for k, b in ref_ev.bounds.items()}
        notes = list(ev.notes)
        if isinstance(ref, str):
            notes.append(f"reference not compared: {ref}")
        if note:
            notes.append(note)
        text = " ".join(j.text for j in judged if j.text)
        message = f"{text} {' '.join(n[0].upper() + n[1:] + '.' for n in notes)}".strip()
        both = _with_reference(ev, ref_ev) if ref_ev is not None else []
        details = [metrics_table(ev, ref_ev), *both, *ev.details]
        details.append(NoteDetail(name="method", text=_METHOD))
        res = self.result(status, message, metrics=metrics, bounds=bounds, details=details)
        return res.model_copy(update={"params": {**res.params, "metric": metric, "task": ev.task}})


_METHOD = (
    "Intervals: Wilson score interval for accuracy, precision and recall; DeLong for ROC AUC "
    "and Gini (and each class's one-vs-rest AUC); a bootstrap of the confusion matrix's cells "
    "for balanced accuracy, F1 and the multiclass averages of precision, recall and F1; a "
    "seeded row bootstrap (percentile, m out of n above the bootstrap_rows limit) for the other "
    "metrics.  A limit is breached when the whole interval lies beyond it; a limit inside the "
    "interval is inconclusive (a warning when the estimate lies beyond the fail limit)."
)


def _rank(status: Status) -> int:
    return {Status.FAIL: 3, Status.WARN: 2, Status.PASS: 1}.get(status, 0)


def _with_reference(ev: Evaluation, ref: Evaluation) -> list[Detail]:
    """The current curves drawn with the reference's, when both have them."""
    out: list[Detail] = []
    refs = {d.name: d for d in ref.details if isinstance(d, CurveDetail)}
    for d in ev.details:
        if isinstance(d, CurveDetail) and d.name in refs:
            curves = {**d.curves, "reference": refs[d.name].curves["current"]}
            out.append(d.model_copy(update={"curves": curves}))
    if out:
        ev.details[:] = [d for d in ev.details if not isinstance(d, CurveDetail)]
    return out


def _mixed_types(frame: pl.DataFrame | None, schema: Schema) -> str | None:
    """Why the target and prediction columns cannot be compared (one numeric, one text)."""
    if frame is None:
        return None
    target = [c.name for c in schema.with_role(Role.TARGET) if c.name in frame.columns]
    pred = [c.name for c in schema.with_role(Role.PREDICTION) if c.name in frame.columns]
    if not (target and pred):
        return None
    a, b = frame[target[0]].dtype, frame[pred[0]].dtype
    numeric_a = a.is_numeric() or a == pl.Boolean
    numeric_b = b.is_numeric() or b == pl.Boolean
    if numeric_a != numeric_b:
        return (
            f"the prediction column {pred[0]} is {b} and the target {target[0]} is {a}: the "
            "prediction must hold the predicted class in the target's type (or declare the "
            "probability as schema.score instead)"
        )
    return None
