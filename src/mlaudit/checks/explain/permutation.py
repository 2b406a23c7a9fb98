"""``explain.permutation_importance`` and ``explain.importance_drift``: what the model relies on.

Both run the audited model (``ctx.model``, any adapter) on the first ``rows`` rows of a data
set's seeded sample of rows (``ctx.model_samples``) and on copies of it with one feature's
values shuffled across the rows, ``n_repeats`` times a feature
(:mod:`mlaudit.checks.explain._permute`: scikit-learn's shuffles for ``random_state`` = the
audit's seed, so ``sklearn.inspection.permutation_importance`` reproduces the figures).  The
score is the ROC AUC for a binary classifier with probabilities, accuracy for other
classifiers, the RMSE for regressors (an importance is then its rise, in the target's units);
without a target, the model's agreement with its own unshuffled decisions (or predictions).
Each importance carries Student's t interval of its mean over the shuffles.

* ``explain.permutation_importance`` ranks the features of the current data (a table and a
  chart with the intervals).  It describes the model and always passes, unless the model fails
  on shuffled values (it then warns, with the library's error), which production data can hold.
* ``explain.importance_drift`` does the same on the reference data and compares: the Spearman
  rank correlation of the two rankings, and the features whose importance changed beyond the
  interval of the change (Welch's t interval over the two periods' repeats) by more than
  ``min_change`` of the larger top importance.  It warns when a feature did, or when the rank
  correlation falls below ``min_rank_correlation``: the model now decides on other grounds than
  it did on its reference data, through a changed relation or a changed population.

Cost: (features × ``n_repeats`` + 1) predictions of ``rows`` rows; measured on 5,000 rows × 20
features with a 200-tree LightGBM classifier on a shared two-core machine: see
docs/explainability.md.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import NO_MODEL, frame_batch, model_and_sample, target_labels
from mlaudit.checks._options import PositiveCount, Share
from mlaudit.checks.explain._permute import (
    METRIC_WORDS,
    Importances,
    permutation_importance,
    scorer_for,
)
from mlaudit.errors import ModelError
from mlaudit.models import Model, Predictions
from mlaudit.results import (
    BarsDetail,
    Bound,
    CheckResult,
    NoteDetail,
    Severity,
    Status,
    TableDetail,
)
from mlaudit.stats import midranks

if TYPE_CHECKING:
    import threadpoolctl
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")
    threadpoolctl = lazy_import("threadpoolctl")

__all__ = ["ImportanceDrift", "PermutationImportance", "importances_of"]

CHART_FEATURES = 20
"""The chart shows at most this many features (the most important); the table has them all."""

Repeats = Annotated[int, Field(ge=2, le=1000)]
"""Shuffles per feature: two at least, for an interval."""


def importances_of(
    ctx: CheckContext, which: str, *, rows: int, n_repeats: int, metric: str | None = None
) -> Importances | str:
    """The permutation importances of ``ctx.model`` on input ``which``'s sample (its first
    ``rows`` rows), computed once per audit for the same arguments (``ctx.shared``); or why
    there are none (no model, no row, a model that cannot predict the rows as they are)."""
    sample = ctx.model_samples.get(which)
    if ctx.model is None or sample is None or sample.height == 0:
        return (
            NO_MODEL if which == "current" else "needs the reference data's rows (not a baseline)"
        )
    model = ctx.model
    key = f"explain.permutation:{which}:{rows}:{n_repeats}:{metric}:{ctx.seed}"
    return ctx.shared(key, lambda: _compute(ctx, model, sample.head(rows), n_repeats, metric))


def _compute(
    ctx: CheckContext, model: Model, sample: pl.DataFrame, n_repeats: int, metric: str | None
) -> Importances | str:
    features = list(model.features)

    def predict(frame: pl.DataFrame) -> Predictions:
        return model.predict_batch(frame_batch(frame, features))

    # many small predictions: a library's own threads cost more than they give (tenfold
    # slower on a busy two-core machine), and the checks already run side by side
    with threadpoolctl.threadpool_limits(limits=1):
        try:
            base = predict(sample)
        except ModelError as exc:
            return f"the model cannot predict the data as it is: {exc.message}"
        scorer = scorer_for(model, target_labels(ctx, model, sample), base, metric=metric)
        return permutation_importance(
            predict, sample, features, scorer, n_repeats=n_repeats, random_state=ctx.seed % 2**32
        )


def _cell(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


class _Importance(Check):
    """Options and helpers the two checks share."""

    family: ClassVar[str] = "explain"
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2
    reads: ClassVar[frozenset[str]] = frozenset()

    rows: PositiveCount = 5_000
    """Rows of the data's seeded sample the model is run on (the first ones)."""
    n_repeats: Repeats = 5
    """Shuffles per feature; the interval of each importance comes from their spread."""


@register
class PermutationImportance(_Importance):
    """The features ranked by the fall of the model's score when each is shuffled."""

    id: ClassVar[str] = "explain.permutation_importance"
    title: ClassVar[str] = "What the model relies on (permutation importance)"
    why: ClassVar[str] = (
        "A validator must know which inputs drive the model's decisions: a sensitive attribute "
        "or a proxy near the top, or an input that should not matter, is a finding; the "
        "ranking is also the baseline that explanation drift is measured against."
    )
    severity: ClassVar[Severity] = Severity.INFO

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model: its features ranked by importance, with intervals."""
        if model_and_sample(ctx) is None:
            return self.skipped(NO_MODEL)
        got = importances_of(ctx, "current", rows=self.rows, n_repeats=self.n_repeats)
        if isinstance(got, str):
            return self.skipped(got)
        ranked = got.ranked()
        table = _table(got)
        chart = _chart(got, ranked[:CHART_FEATURES])
        metrics: dict[str, float | int | None] = {
            f"baseline_{got.metric}": _cell(got.baseline),
            "rows": got.rows,
            "n_repeats": self.n_repeats,
            "features": len(got.features),
            "features_important": sum(1 for f in ranked if (got.interval(f) or (0.0, 0.0))[0] > 0),
            "features_failing": len(got.errors),
        }
        bounds = {}
        if ranked:
            top = ranked[0]
            low, high = got.interval(top) or (0.0, 0.0)
            metrics["top_importance"] = _cell(got.mean(top))
            if math.isfinite(low) and math.isfinite(high):
                bounds["top_importance"] = Bound(
                    low=low, high=high, kind="confidence_interval", level=0.95,
                    method="Student's t over the shuffles",
                )  # fmt: skip
        details: list[TableDetail | BarsDetail | NoteDetail] = [table, chart]
        if got.errors:
            where = ", ".join(sorted(got.errors))
            return self.result(
                Status.WARN,
                f"The model could not predict after shuffling {where}: "
                f"{next(iter(got.errors.values()))}. Shuffled rows hold only values the data "
                "holds, in other combinations: production data will hold them too.",
                metrics=metrics,
                details=details,
                severity=Severity.MEDIUM,
            )
        return self.result(
            Status.PASS,
            _message(got, ranked),
            metrics=metrics,
            bounds=bounds,
            details=details,
        )


def _message(got: Importances, ranked: list[str]) -> str:
    words = METRIC_WORDS[got.metric]
    text = f"Importance = fall of the model's {words} ({got.baseline:.4g} unshuffled) "
    text += f"when a feature is shuffled, on {got.rows:,} rows"
    important = [f for f in ranked if (got.interval(f) or (0.0, 0.0))[0] > 0]
    if not important:
        return text + (
            ": no feature's importance is clearly above zero (the model's score does not rest "
            "on any one feature here)."
        )
    shown = ", ".join(f"{f} ({got.mean(f):.3g})" for f in important[:5])
    more = f" and {len(important) - 5} more" if len(important) > 5 else ""
    text += f". {len(important)} of {len(got.features)} feature(s) matter (interval above 0): "
    return text + shown + more + "."


def _table(got: Importances) -> TableDetail:
    rows: list[list[str | float | int | None]] = []
    for rank, f in enumerate(got.ranked(), 1):
        low, high = got.interval(f) or (None, None)
        sd = float(np.std(got.importances(f), ddof=1))
        rows.append([rank, f, _cell(got.mean(f)), _cell(low), _cell(high), _cell(sd), None])
    rows += [[None, f, None, None, None, None, got.errors[f]] for f in sorted(got.errors)]
    return TableDetail(
        name="Permutation importance",
        title=f"Fall of the {METRIC_WORDS[got.metric]} when each feature is shuffled",
        columns=["rank", "feature", "importance", "95% low", "95% high", "sd over shuffles",
                 "error"],
        rows=rows,
        note="The interval is Student's t over the shuffles: it reflects the shuffles' "
        "randomness on these rows, not the sampling of the rows.",
    )  # fmt: skip


def _chart(got: Importances, features: list[str]) -> BarsDetail:
    intervals = [got.interval(f) or (None, None) for f in features]
    return BarsDetail(
        name="Importance chart",
        title=f"Permutation importance (fall of the {METRIC_WORDS[got.metric]}), "
        "with 95% intervals",
        value_label=f"fall of the {METRIC_WORDS[got.metric]} when shuffled",
        labels=list(features),
        series={"importance": [_cell(got.mean(f)) for f in features]},
        lower={"importance": [_cell(lo) for lo, _ in intervals]},
        upper={"importance": [_cell(hi) for _, hi in intervals]},
    )


@register
class ImportanceDrift(_Importance):
    """The change of the permutation importances from the reference data to the current."""

    id: ClassVar[str] = "explain.importance_drift"
    title: ClassVar[str] = "The model relies on the same features as on its reference data"
    why: ClassVar[str] = (
        "When the features a model relies on change between periods, it decides on other "
        "grounds than those validated: the relation it learned has changed, or the population "
        "has, even where each feature's distribution looks stable."
    )
    needs_reference: ClassVar[bool] = True
    cost: ClassVar[int] = 3
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = ()

    min_rank_correlation: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] = 0.5
    """Warn when the Spearman correlation of the two periods' importances is below this (with
    at least three features)."""
    min_change: Share = 0.1
    """A change counts when beyond its interval and larger than this share of the larger of the
    two periods' top importances (a small, clear change of a minor feature is no finding)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model: the change of each feature's importance."""
        if model_and_sample(ctx) is None:
            return self.skipped(NO_MODEL)
        rows, repeats = self.rows, self.n_repeats
        cur = importances_of(ctx, "current", rows=rows, n_repeats=repeats)
        if isinstance(cur, str):
            return self.skipped(cur)
        ref = importances_of(ctx, "reference", rows=rows, n_repeats=repeats)
        if isinstance(ref, str):
            return self.skipped(f"reference data: {ref}")
        if ref.metric != cur.metric:  # one period lacks labels (or a class): score both alike
            common = _common_metric(ref.metric, cur.metric)
            cur = importances_of(ctx, "current", rows=rows, n_repeats=repeats, metric=common)
            ref = importances_of(ctx, "reference", rows=rows, n_repeats=repeats, metric=common)
            if isinstance(cur, str):
                return self.skipped(cur)
            if isinstance(ref, str):
                return self.skipped(f"reference data: {ref}")
        return self._compare(ref, cur)

    def _compare(self, ref: Importances, cur: Importances) -> CheckResult:
        both = [f for f in cur.features if f in cur.scores and f in ref.scores]
        failing = sorted(set(cur.errors) | set(ref.errors))
        top = max([abs(ref.mean(f) or 0.0) for f in both] + [abs(cur.mean(f) or 0.0)
                                                           for f in both] + [0.0])  # fmt: skip
        rows: list[list[str | float | int | None]] = []
        changed: list[str] = []
        for f in sorted(both, key=lambda f: (-(ref.mean(f) or 0.0), f)):
            a, b = ref.importances(f), cur.importances(f)
            diff = float(np.mean(b) - np.mean(a))
            low, high = _welch(a, b)
            beyond = (low > 0 or high < 0) and abs(diff) > self.min_change * top
            if beyond:
                changed.append(f)
            rows.append([f, _cell(ref.mean(f)), _cell(cur.mean(f)), _cell(diff), _cell(low),
                         _cell(high), "yes" if beyond else ""])  # fmt: skip
        rho = _spearman([ref.mean(f) or 0.0 for f in both], [cur.mean(f) or 0.0 for f in both])
        table = TableDetail(
            name="Importance change",
            title=f"Permutation importance ({METRIC_WORDS[cur.metric]}), reference and current",
            columns=["feature", "reference", "current", "change", "95% low", "95% high",
                     "changed"],
            rows=rows,
            note="The change's interval is Welch's t over the two periods' shuffles.",
        )  # fmt: skip
        shown = sorted(both, key=lambda f: (-(ref.mean(f) or 0.0), f))[:CHART_FEATURES]
        chart = _drift_chart(ref, cur, shown)
        metrics: dict[str, float | int | None] = {
            "rank_correlation": _cell(rho),
            "features_changed": len(changed),
            "features": len(both),
            f"reference_{cur.metric}": _cell(ref.baseline),
            f"current_{cur.metric}": _cell(cur.baseline),
            "features_failing": len(failing),
        }
        low_rho = rho is not None and len(both) >= 3 and rho < self.min_rank_correlation
        text = f"Permutation importance ({METRIC_WORDS[cur.metric]}) on {ref.rows:,} reference "
        text += f"and {cur.rows:,} current rows: rank correlation "
        text += "not defined (no spread)" if rho is None else f"{rho:.3f}"
        if changed:
            moves = ", ".join(f"{f} ({ref.mean(f):.3g} → {cur.mean(f):.3g})" for f in changed[:5])
            text += f"; importance changed beyond its interval for {len(changed)}: {moves}"
        if failing:
            text += f"; the model failed on shuffled {', '.join(failing)}"
        status = Status.WARN if changed or low_rho or failing else Status.PASS
        if status == Status.WARN:
            text += (
                ". The model relies on its features differently than on its reference data: "
                "check whether the relation or the population changed before trusting it."
            )
        else:
            text += "; no feature's importance changed beyond its interval."
        return self.result(status, text, metrics=metrics, details=[table, chart])


def _common_metric(a: str, b: str) -> str:
    """The score both periods can be read with: accuracy over AUC, agreement without labels."""
    names = {a, b}
    if names & {"agreement", "prediction_rmse"}:
        return "prediction_rmse" if "rmse" in names or "prediction_rmse" in names else "agreement"
    return "accuracy"


def _welch(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Welch's t interval of ``mean(b) − mean(a)``; a point when neither varies."""
    diff = float(np.mean(b) - np.mean(a))
    va, vb = float(np.var(a, ddof=1)) / a.size, float(np.var(b, ddof=1)) / b.size
    se2 = va + vb
    if not math.isfinite(se2) or se2 == 0.0:
        return diff, diff
    df = se2**2 / ((va**2 / (a.size - 1) if va else 0.0) + (vb**2 / (b.size - 1) if vb else 0.0))
    half = float(scipy_stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(se2)
    return diff - half, diff + half


def _spearman(a: list[float], b: list[float]) -> float | None:
    """Spearman's rank correlation (Pearson's on midranks); None with under two features or
    no spread in either."""
    if len(a) < 2:
        return None
    ra, rb = midranks(np.asarray(a)), midranks(np.asarray(b))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / den if den > 0 else None


def _drift_chart(ref: Importances, cur: Importances, features: list[str]) -> BarsDetail:
    series: dict[str, list[float | int | None]] = {}
    lower: dict[str, list[float | int | None]] = {}
    upper: dict[str, list[float | int | None]] = {}
    for name, imp in (("reference", ref), ("current", cur)):
        intervals = [imp.interval(f) or (None, None) for f in features]
        series[name] = [_cell(imp.mean(f)) for f in features]
        lower[name] = [_cell(lo) for lo, _ in intervals]
        upper[name] = [_cell(hi) for _, hi in intervals]
    return BarsDetail(
        name="Importance chart",
        title="Permutation importance by period, with 95% intervals",
        value_label="importance",
        labels=list(features),
        series=series,
        lower=lower,
        upper=upper,
    )
