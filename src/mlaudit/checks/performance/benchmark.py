"""``performance.benchmark``: is the audited model beaten by simpler or tuned models?

A validator must say whether a simpler model would do as well and whether a better one was
within reach.  On the reference (development) data with labels the check fits

* a dummy model (class prior / mean): a model that does not beat it is no model at all;
* a regularised linear model (logistic regression / ridge, one-hot categories, imputation);
* gradient-boosted trees tuned by a seeded, time-boxed search (``time_budget`` seconds, 120 by
  default; Optuna's TPE sampler when installed);
* when the audited model is a scikit-learn estimator that can be refitted, the model itself with
  its hyperparameters searched around their current values

(see :mod:`mlaudit.checks.performance._fit`), and evaluates them all with the audited model on
the same labelled rows of the current data: ROC AUC with DeLong's interval and the paired DeLong
test for binary models with a score, accuracy with Wilson's interval and McNemar's test
otherwise, RMSE with a paired bootstrap for regression (:mod:`._versus`).  p-values are
Holm-adjusted over the compared models.  A model significantly better than the audited one at
``alpha`` is a warning; the dummy model significantly better is a failure (the audited model
does worse than guessing the prior).

**Bounded evidence.**  The fitting and the comparison use the scan's seeded samples
(``sample_size`` rows of each period, 20,000 by default): the reference sample trains the
benchmark models, the current sample's labelled rows judge them, so intervals and p-values are
those of that many rows.  The check runs without a model object too (the predictions-only path:
the audited model's prediction and score columns against models fitted on the features), but
only when asked for (``checks: {performance.benchmark: {}}``), since its search takes time; with
``--model`` it joins the audit by itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Positive, PositiveCount
from mlaudit.checks.performance._fit import (
    Features,
    Searched,
    baselines,
    boosted,
    boosted_space,
    own_space,
    search,
)
from mlaudit.checks.performance._labels import ScoreRule
from mlaudit.checks.performance._sample_rows import SampleRows, labels_like, sample_rows
from mlaudit.checks.performance._versus import Outputs, Versus, holm, versus
from mlaudit.data import Role
from mlaudit.results import Bound, CheckResult, NoteDetail, Severity, Status, TableDetail

if TYPE_CHECKING:
    import threadpoolctl
    from sklearn import base
else:  # imported on first use (mlaudit._lazy)
    base = lazy_import("sklearn.base")
    threadpoolctl = lazy_import("threadpoolctl")

__all__ = ["Benchmark"]


@dataclass
class _Candidate:
    key: str
    name: str
    role: str
    outputs: Outputs
    searched: Searched | None = None


@register
class Benchmark(Check):
    """The audited model against baselines and a tuned challenger fitted on the reference."""

    id: ClassVar[str] = "performance.benchmark"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "No simpler or tuned model does significantly better"
    why: ClassVar[str] = (
        "A model that a dummy or linear model matches adds risk without value, and one that a "
        "tuned model beats leaves quality on the table; validators must show both were tried."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    needs_reference: ClassVar[bool] = True
    reads: ClassVar[frozenset[str]] = frozenset()
    cost: ClassVar[int] = 20

    time_budget: Positive = 120.0
    """Seconds for the hyperparameter searches together (a trial under way runs to its end)."""
    max_trials: PositiveCount = 100
    """Most trials of each search, even with time left."""
    min_rows: PositiveCount = 200
    """Labelled reference rows needed: fewer give models (and a tuning split) too unstable to
    judge the audited model by."""
    alpha: Alpha = 0.05
    """Significance level of the comparisons (Holm-adjusted over the compared models)."""
    tune_model: bool = True
    """Also tune the audited model's own hyperparameters when it can be refitted."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold for the predicted class when there is no prediction column; default:
    ``schema.score_threshold``, else 0.5 for probabilities."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the table of models, metrics, intervals and p-values."""
        rule = ScoreRule.of(self.threshold, ctx.schema)
        cur = sample_rows(ctx.current, ctx.schema, positive_label=self.positive_label, rule=rule)
        if isinstance(cur, str):
            return self.skipped(f"no labelled current rows to compare on: {cur}")
        assert cur.rows.y is not None
        if cur.rows.y_pred is None:
            return self.skipped("the audited model has no predicted classes on the current data")
        train = self._training(ctx, cur)
        if isinstance(train, str):
            return self.skipped(train)
        # One OpenMP thread: the trees' own threads fight the audit's (20x slower when loaded).
        with threadpoolctl.threadpool_limits(limits=1):
            candidates, notes = self._candidates(ctx, cur, train)
        return self._judge(cur, candidates, notes)

    def _training(self, ctx: CheckContext, cur: SampleRows) -> tuple[Any, ...] | str:
        ref = ctx.reference.sample if ctx.reference is not None else None
        target = cur.rows.target
        if ref is None or target is None or target not in ref.columns:
            return "the reference data has no labels (target column) to fit benchmark models on"
        ref = ref.filter(ref[target].is_not_null())
        names = _feature_names(ctx)
        names = [n for n in names if n in ref.columns and n in cur.frame.columns]
        if ref.height < self.min_rows:
            return (
                f"the reference sample has {ref.height} labelled rows; fitting benchmark models "
                f"needs {self.min_rows} (option min_rows)"
            )
        y = labels_like(ref[target], cur.rows)
        if cur.rows.task != "regression" and np.unique(y).size < 2:
            return (
                "the reference's labels have one class only: no model can be fitted on them; "
                "give reference data with both classes"
            )
        features = Features.of(ref, names)
        if not features.names:
            return "no numeric or categorical feature to fit benchmark models on"
        return ref, y, features

    def _candidates(
        self, ctx: CheckContext, cur: SampleRows, train: tuple[Any, ...]
    ) -> tuple[list[_Candidate], list[str]]:
        ref, y, features = train
        task = cur.rows.task
        x_ref, x_cur = features.pandas(ref), features.pandas(cur.frame)
        out = []
        for i, (name, model) in enumerate(baselines(task, features, ctx.seed).items()):
            model.fit(x_ref, y)
            out.append(
                _Candidate(("dummy", "linear")[i], name, "baseline", _outputs(model, x_cur, task))
            )
        own = self._own(ctx)
        notes: list[str] = [] if isinstance(own, tuple) else [own]
        budget = self.time_budget / (2 if isinstance(own, tuple) else 1)
        with _progress(ctx) as tick:
            found = search(
                boosted(task, features, ctx.seed),
                boosted_space(),
                (x_ref, y, task),
                budget=budget,
                max_trials=self.max_trials,
                seed=ctx.seed,
                tick=tick,
            )
            if isinstance(found, str):
                notes.append(f"The gradient-boosted challenger could not be fitted: {found}.")
            else:
                outputs = _outputs(found.model, x_cur, task)
                out.append(
                    _Candidate(
                        "boosted", "gradient-boosted trees (tuned)", "challenger", outputs, found
                    )
                )
            if isinstance(own, tuple):
                out += self._refit(ctx, cur, ref, own, budget, tick, notes)
        return out, notes

    def _own(self, ctx: CheckContext) -> tuple[Any, dict[str, Any], dict[str, Any]] | str:
        """The audited estimator, its space and current values; or why it is not tuned."""
        if not self.tune_model:
            return "The audited model's own hyperparameters were not tuned (tune_model: false)."
        if ctx.model is None:
            return (
                "There is no model object (predictions only): the audited model's own "
                "hyperparameters cannot be tuned."
            )
        estimator = getattr(ctx.model, "estimator", None)
        kind = ctx.model.info.format
        try:
            copy = base.clone(estimator)
        except Exception:  # not a scikit-learn estimator (ONNX, XGBoost, LightGBM files)
            return (
                f"The audited model ({kind}, {ctx.model.info.model_type}) is not a "
                "refittable scikit-learn estimator: its own hyperparameters are not tuned."
            )
        space, current = own_space(copy)
        if not space:
            return (
                "The audited model has no numeric hyperparameter the search knows (C, "
                "alpha, learning_rate, max_depth, n_estimators, ...): it was not tuned."
            )
        return copy, space, current

    def _refit(
        self,
        ctx: CheckContext,
        cur: SampleRows,
        ref: pl.DataFrame,
        own: tuple[Any, dict[str, Any], dict[str, Any]],
        budget: float,
        tick: Callable[[], None],
        notes: list[str],
    ) -> list[_Candidate]:
        assert ctx.model is not None and cur.rows.target is not None
        estimator, space, current = own
        names = list(ctx.model.features)
        x_ref = ref.select(names).to_pandas()
        y_raw = ref[cur.rows.target].to_numpy()

        def make(params: dict[str, Any]) -> Any:
            return base.clone(estimator).set_params(**params)

        found = search(
            make,
            space,
            (x_ref, y_raw, cur.rows.task),
            budget=budget,
            max_trials=self.max_trials,
            seed=ctx.seed,
            first=current,
            tick=tick,
        )
        if isinstance(found, str):
            notes.append(f"The audited model could not be refitted: {found}.")
            return []
        x_cur = cur.frame.select(names).to_pandas()
        outputs = _raw_outputs(found.model, x_cur, cur)
        return [_Candidate("refit", "audited model, tuned", "tuned audited model", outputs, found)]

    def _judge(
        self, cur: SampleRows, candidates: list[_Candidate], notes: list[str]
    ) -> CheckResult:
        rows = cur.rows
        assert rows.y is not None and rows.y_pred is not None
        audited = Outputs(rows.y_pred, rows.score)
        own = versus(rows.task, rows.y, audited, audited, seed=0)
        found = [versus(rows.task, rows.y, audited, c.outputs, seed=0) for c in candidates]
        adjusted = holm([v.p_value if v.p_value is not None else 1.0 for v in found])
        beaten = [
            c
            for c, v, p in zip(candidates, found, adjusted, strict=True)
            if v.better and p < self.alpha
        ]
        status = (
            Status.FAIL
            if any(c.key == "dummy" for c in beaten)
            else Status.WARN
            if beaten
            else Status.PASS
        )
        table = _table(own, candidates, found, adjusted, self.alpha)
        details: list[Any] = [table]
        details += [NoteDetail(name=f"note_{i}", text=t) for i, t in enumerate(notes)]
        details.append(NoteDetail(name="evidence", text=_evidence(cur)))
        return self.result(
            status,
            _message(own, candidates, beaten, found, self.alpha),
            column=None,
            metrics=_metrics(own, candidates, found, adjusted, cur),
            bounds=_bounds(own, candidates, found),
            details=details,
        )


def _feature_names(ctx: CheckContext) -> list[str]:
    if ctx.model is not None:
        return list(ctx.model.features)
    return [c.name for c in ctx.schema.with_role(Role.FEATURE)]


def _outputs(model: Any, x: Any, task: str) -> Outputs:
    """A fitted benchmark model's outputs (trained on 0/1 labels for binary tasks)."""
    if task == "binary":
        proba = model.predict_proba(x)[:, list(model.classes_).index(1)]
        return Outputs((proba >= 0.5).astype(np.int8), proba)
    return Outputs(np.asarray(model.predict(x)))


def _raw_outputs(model: Any, x: Any, cur: SampleRows) -> Outputs:
    """The refitted audited model's outputs (trained on the raw labels), encoded as ``rows.y``."""
    if cur.rows.task != "binary":
        return Outputs(np.asarray(model.predict(x)))
    positive = labels_like(pl.Series(list(model.classes_)), cur.rows).astype(bool)
    proba = model.predict_proba(x)[:, int(np.argmax(positive))]
    pred = labels_like(pl.Series(list(model.predict(x))), cur.rows)
    return Outputs(pred, proba)


class _progress:  # noqa: N801  (a context manager used as a function)
    """A bar of search trials on the audit's progress reporter, when it has one."""

    def __init__(self, ctx: CheckContext) -> None:
        self.reporter = ctx.progress

    def __enter__(self) -> Callable[[], None]:
        if self.reporter is None:
            return lambda: None
        self.reporter.start("benchmark", "Tuning benchmark models", None)
        return lambda: self.reporter.advance("benchmark", 1)

    def __exit__(self, *exc: object) -> None:
        if self.reporter is not None:
            self.reporter.finish("benchmark")


def _params(searched: Searched | None) -> str:
    if searched is None:
        return ""
    shown = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in searched.params.items()}
    return json.dumps(shown, sort_keys=True)


def _table(
    own: Versus, cands: list[_Candidate], found: list[Versus], adjusted: list[float], alpha: float
) -> TableDetail:
    head = [
        [
            "audited model",
            "audited",
            own.metric,
            own.value,
            own.low,
            own.high,
            None,
            None,
            None,
            "",
            "",
            None,
        ]
    ]
    for c, v, p in zip(cands, found, adjusted, strict=True):
        s = c.searched
        better = "yes" if v.better and p < alpha else "no"
        head.append(
            [
                c.name,
                c.role,
                v.metric,
                v.value,
                v.low,
                v.high,
                v.difference,
                v.p_value,
                p,
                better,
                _params(s),
                s.trials if s else None,
            ]
        )
    return TableDetail(
        name="benchmark",
        title="Benchmark models on the current data's labelled sample",
        columns=[
            "model",
            "role",
            "metric",
            "value",
            "low",
            "high",
            "difference vs audited",
            "p-value",
            "p-value (Holm)",
            "significantly better",
            "tuned parameters",
            "trials",
        ],
        rows=head,
        note="Intervals at 95 %; differences are the model's metric minus the audited model's.",
    )


def _metrics(
    own: Versus,
    cands: list[_Candidate],
    found: list[Versus],
    adjusted: list[float],
    cur: SampleRows,
) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {f"audited_{own.metric}": own.value}
    for c, v, p in zip(cands, found, adjusted, strict=True):
        out[f"{c.key}_{v.metric}"] = v.value
        out[f"{c.key}_p_value"] = v.p_value
        out[f"{c.key}_p_value_holm"] = p
        if c.searched is not None:
            out[f"{c.key}_trials"] = c.searched.trials
            out[f"{c.key}_search_seconds"] = round(c.searched.seconds, 1)
    out["rows_compared"] = int(cur.frame.height)
    return out


def _bounds(own: Versus, cands: list[_Candidate], found: list[Versus]) -> dict[str, Bound]:
    method = {"roc_auc": "DeLong", "accuracy": "Wilson", "rmse": "bootstrap (1,000, seeded)"}
    pairs = [("audited", own), *((c.key, v) for c, v in zip(cands, found, strict=True))]
    return {
        f"{k}_{v.metric}": Bound(
            low=v.low, high=v.high, kind="confidence_interval", level=0.95, method=method[v.metric]
        )
        for k, v in pairs
    }


def _message(
    own: Versus,
    cands: list[_Candidate],
    beaten: list[_Candidate],
    found: list[Versus],
    alpha: float,
) -> str:
    metric = own.metric.replace("roc_auc", "ROC AUC").replace("rmse", "RMSE")
    best = max(
        zip(cands, found, strict=True),
        key=lambda cv: -cv[1].value if cv[1].metric == "rmse" else cv[1].value,
        default=None,
    )
    text = f"The audited model's {metric} on the current sample is {own.value:.4g}"
    if best is not None:
        text += f"; the best benchmark model ({best[0].name}) reaches {best[1].value:.4g}"
    if not beaten:
        return text + f". No benchmark model is significantly better (level {alpha:g})."
    names = ", ".join(c.name for c in beaten)
    fix = (
        "the audited model does worse than predicting the class prior: do not use it"
        if any(c.key == "dummy" for c in beaten)
        else "consider the better model, or document why the audited one is kept"
    )
    return text + f". Significantly better (level {alpha:g}, Holm-adjusted): {names}; {fix}."


def _evidence(cur: SampleRows) -> str:
    return (
        f"Benchmark models were fitted on the reference data's seeded sample and compared with "
        f"the audited model on {cur.frame.height:,} labelled rows of the current data's seeded "
        f"sample ({cur.sampled:,} sampled rows; the sample holds at most sample_size rows, "
        "20,000 by default): intervals and p-values are those of that many rows."
    )
