"""``explain.stability``: does the model's feature ranking survive another seed and other rows?

A global ranking of the features (permutation importance, or mean |SHAP|) is an estimate: the
shuffles are random and the rows are a sample.  When another seed or another sample of rows
reorders the top features, the ranking a validator reads (and the explanation given to a
regulator) is luck of the draw.  The check computes the ranking ``runs`` times, each run on its
own bootstrap sample of ``rows`` rows of the current data's seeded sample (drawn with
replacement: the rows' own sampling error at the size used) and with its own shuffle seed, and
measures how far the runs agree:

* **pairwise agreement** of every two runs: Spearman's rank correlation and Kendall's tau-b of
  their importances over all features (ties share their mean rank, as scipy's ``spearmanr``
  and ``kendalltau`` have them), and the Jaccard overlap of their top-``top_k`` sets;
* **per feature**: its mean rank over the runs, its best and worst rank, the mean and standard
  deviation of its importance.

**The top set** of a run is its ``top_k`` most important features that also carry at least
``min_share`` of that run's largest importance: features the model barely uses sit at about
zero importance, and their order among themselves is noise that says nothing about the
explanation (a model with one dominant feature among twenty would otherwise look unstable).
The order is judged by Spearman's correlation over the features in any run's top set (the
features that matter), when they are three or more.

It warns when the mean top-set Jaccard is below ``min_top_jaccard`` (default 0.6: with
``top_k`` = 5, two runs sharing four of five features score 4/6 = 0.67, sharing three 3/7 =
0.43; below 0.6 the runs share fewer than four of the top five on average) or when the mean
Spearman correlation of the top features is below ``min_rank_correlation`` (default 0.8: the
usual reading of "strong" agreement; 0.5 is what :mod:`~mlaudit.checks.explain.permutation`'s
drift check uses for a change *between periods*, a looser bar for a harder question).

**Basis**: ``permutation`` (default, any model: :mod:`mlaudit.checks.explain._permute`, the
fall of the score when a feature is shuffled, ``n_repeats`` shuffles a run) or ``shap`` (mean
|SHAP value| from TreeExplainer for tree ensembles, or LinearExplainer for linear models with
the run's own rows as background, varying only the rows: both are exact).

Cost: ``runs × (features × n_repeats + 1)`` predictions of ``rows`` rows (permutation); on
5,000 rows × 20 features with a 200-tree LightGBM classifier see docs/explainability.md.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import (
    NO_MODEL,
    frame_batch,
    missing_features,
    model_and_sample,
    target_labels,
)
from mlaudit.checks._options import PositiveCount, Share
from mlaudit.checks.explain._permute import METRIC_WORDS, permutation_importance, scorer_for
from mlaudit.errors import ExtraNotInstalledError, ModelError
from mlaudit.models import Model, Predictions
from mlaudit.results import CheckResult, Severity, Status, TableDetail
from mlaudit.stats import midranks

if TYPE_CHECKING:
    import threadpoolctl
else:  # imported on first use (mlaudit._lazy)
    threadpoolctl = lazy_import("threadpoolctl")

__all__ = ["ExplanationStability", "jaccard", "kendall_tau_b", "spearman", "top_set"]

Runs = Annotated[int, Field(ge=2, le=100)]
"""Rankings compared: two at least, for one pair."""


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rank correlation (Pearson's on midranks); None under two values or without
    spread in either."""
    if a.size < 2:
        return None
    ra, rb = midranks(a), midranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / den if den > 0 else None


def kendall_tau_b(a: np.ndarray, b: np.ndarray) -> float | None:
    """Kendall's tau-b (ties in either corrected for); None under two values or when either
    is constant.  O(n²) over the features, which are few."""
    n = a.size
    if n < 2:
        return None
    i, j = np.triu_indices(n, k=1)
    da, db = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
    concordance = float(np.sum(da * db))
    pairs_a, pairs_b = float(np.count_nonzero(da)), float(np.count_nonzero(db))
    den = math.sqrt(pairs_a * pairs_b)
    return concordance / den if den > 0 else None


def top_set(features: list[str], importance: np.ndarray, k: int, min_share: float) -> set[str]:
    """The ``k`` most important features (ties by name) carrying at least ``min_share`` of the
    largest importance; empty when no importance is above zero."""
    top = float(np.max(importance)) if importance.size else 0.0
    if not top > 0:
        return set()
    order = sorted(range(len(features)), key=lambda i: (-importance[i], features[i]))[:k]
    return {features[i] for i in order if importance[i] >= min_share * top}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 1 for two empty sets (both runs find that nothing matters)."""
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def _common_metric(names: set[str], model: Model) -> str:
    """The score every run can be read with when the runs' own differ: the model's agreement
    with itself when a run lacks labels, else accuracy (a run lacked a class for the AUC)."""
    if names & {"agreement", "prediction_rmse"}:
        return "prediction_rmse" if model.task == "regression" else "agreement"
    return "rmse" if model.task == "regression" else "accuracy"


@dataclass(frozen=True)
class _Runs:
    features: list[str]
    importance: np.ndarray
    """``(runs, features)``: each run's importance of each feature."""
    basis: str
    """What the importance is, in words."""
    failing: list[str]


@register
class ExplanationStability(Check):
    """The feature ranking recomputed with other seeds and rows, and how far the runs agree."""

    id: ClassVar[str] = "explain.stability"
    family: ClassVar[str] = "explain"
    title: ClassVar[str] = "The feature ranking is stable across seeds and samples"
    why: ClassVar[str] = (
        "A ranking of what drives the model that changes with the random seed or the sample of "
        "rows explains nothing: its top features are luck of the draw, and so is any finding "
        "(a proxy near the top, a feature that should not matter) read from it."
    )
    severity: ClassVar[Severity] = Severity.LOW
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 3
    reads: ClassVar[frozenset[str]] = frozenset()

    basis: Literal["permutation", "shap"] = "permutation"
    """``permutation`` (any model) or ``shap`` (mean |SHAP|, tree ensembles and linear models)."""
    runs: Runs = 5
    """Rankings computed, each with its own seed and bootstrap sample of rows."""
    rows: PositiveCount = 1_000
    """Rows of each run's bootstrap sample (drawn with replacement from the current data's
    seeded sample)."""
    n_repeats: Annotated[int, Field(ge=1, le=1000)] = 3
    """Shuffles per feature in a run (permutation basis)."""
    top_k: Annotated[int, Field(ge=1, le=100)] = 5
    """Size of the top set compared between runs."""
    min_share: Share = 0.05
    """A feature joins a run's top set only with at least this share of the run's largest
    importance (the order of features the model barely uses is noise)."""
    min_top_jaccard: Share = 0.6
    """Warn when the runs' top sets overlap less than this on average (Jaccard)."""
    min_rank_correlation: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] = 0.8
    """Warn when the mean Spearman correlation of the runs over the top features (those in
    any run's top set, when three or more) is below this."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model: the runs' agreement and each feature's rank spread."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        lacking = missing_features(model, sample)
        if lacking is not None:
            return self.skipped(f"{lacking}; the ranking needs them")
        seeds = [zlib.crc32(f"{ctx.seed}:{self.id}:{r}".encode()) for r in range(self.runs)]
        try:
            with threadpoolctl.threadpool_limits(limits=1):
                found = (
                    self._shap(model, sample, seeds)
                    if self.basis == "shap"
                    else self._permutation(ctx, model, sample, seeds)
                )
        except ExtraNotInstalledError as exc:
            return self.skipped(f"{exc.message}: {exc.fix}")
        except ModelError as exc:
            return self.skipped(f"the model cannot predict the data as it is: {exc.message}")
        if isinstance(found, str):
            return self.skipped(found)
        return self._judge(found)

    def _sample(self, sample: pl.DataFrame, seed: int) -> pl.DataFrame:
        picked = np.random.default_rng(seed).integers(0, sample.height, self.rows)
        return sample[picked]

    def _permutation(
        self, ctx: CheckContext, model: Model, sample: pl.DataFrame, seeds: list[int]
    ) -> _Runs | str:
        features = list(model.features)

        def predict(frame: pl.DataFrame) -> Predictions:
            return model.predict_batch(frame_batch(frame, features))

        drawn = [self._sample(sample, seed) for seed in seeds]
        labels = [target_labels(ctx, model, rows) for rows in drawn]
        # every run scored alike: a run may miss a class (no AUC) or hold a missing label
        bases = [predict(rows) for rows in drawn]
        names = {scorer_for(model, y, b).name for y, b in zip(labels, bases, strict=True)}
        metric = names.pop() if len(names) == 1 else _common_metric(names, model)
        out, failing = [], set()
        for seed, rows, y, base in zip(seeds, drawn, labels, bases, strict=True):
            scorer = scorer_for(model, y, base, metric=metric)
            got = permutation_importance(
                predict, rows, features, scorer, n_repeats=self.n_repeats, random_state=seed
            )
            failing |= set(got.errors)
            out.append([got.mean(f) or 0.0 for f in features])
        kept = [j for j, f in enumerate(features) if f not in failing]
        importance = np.asarray(out, dtype=np.float64)[:, kept]
        basis = f"permutation importance (fall of the {METRIC_WORDS[metric]})"
        return _Runs([features[j] for j in kept], importance, basis, sorted(failing))

    def _shap(self, model: Model, sample: pl.DataFrame, seeds: list[int]) -> _Runs | str:
        from mlaudit.checks.explain._linear import linear_estimator
        from mlaudit.checks.explain._shap import explain, tree_estimator

        exact = "TreeExplainer" if tree_estimator(model) is not None else (
            "LinearExplainer" if linear_estimator(model) is not None else None
        )  # fmt: skip
        if exact is None:
            return (
                "the shap basis reads tree ensembles (TreeExplainer) and linear models "
                f"(LinearExplainer) only; this model ({model.info.model_type}) is ranked with "
                "basis: permutation"
            )
        out, names = [], None
        for seed in seeds:
            rows = self._sample(sample, seed)
            found = explain(  # a linear model's background: the run's own rows
                model, rows, rows, background=rows.height, permutations=1, seed=seed,
                tick=lambda n: None,
            )  # fmt: skip
            if found.explainer != exact:
                return f"{exact} could not explain the model: {found.fallback}"
            names = found.features
            out.append(found.mean_abs)
        assert names is not None
        return _Runs(list(names), np.asarray(out, dtype=np.float64), "mean |SHAP value|", [])

    def _judge(self, found: _Runs) -> CheckResult:
        features, imp = found.features, found.importance
        runs, n = imp.shape
        if n == 0:
            return self.skipped("no feature could be ranked (the model failed on every shuffle)")
        sets = [top_set(features, imp[r], self.top_k, self.min_share) for r in range(runs)]
        matter = sorted(set().union(*sets))
        idx = [features.index(f) for f in matter]
        pairs: list[list[str | float | int | None]] = []
        rho_all, tau_all, rho_top, jac = [], [], [], []
        for a in range(runs):
            for b in range(a + 1, runs):
                rho, tau = spearman(imp[a], imp[b]), kendall_tau_b(imp[a], imp[b])
                top = spearman(imp[a, idx], imp[b, idx]) if len(idx) >= 3 else None
                j = jaccard(sets[a], sets[b])
                pairs.append([a + 1, b + 1, rho, tau, top, j])
                rho_all += [rho] if rho is not None else []
                tau_all += [tau] if tau is not None else []
                rho_top += [top] if top is not None else []
                jac.append(j)
        mean_j = float(np.mean(jac))
        mean_top = float(np.mean(rho_top)) if rho_top else None
        ranks = np.vstack([midranks(-imp[r]) for r in range(runs)])  # 1 = most important
        metrics: dict[str, float | int | None] = {
            "runs": runs,
            "features": n,
            "rows_per_run": self.rows,
            "mean_top_jaccard": mean_j,
            "min_top_jaccard": float(np.min(jac)),
            "mean_spearman_top": mean_top,
            "mean_spearman": float(np.mean(rho_all)) if rho_all else None,
            "mean_kendall_tau": float(np.mean(tau_all)) if tau_all else None,
            "features_top": len(matter),
            "max_rank_range": float(np.max(ranks.max(axis=0) - ranks.min(axis=0))),
            "features_failing": len(found.failing),
        }
        details = [
            self._feature_table(found, ranks, sets),
            TableDetail(
                name="Pairwise agreement",
                title="Agreement of every two runs' rankings",
                columns=[
                    "run",
                    "other run",
                    "Spearman",
                    "Kendall tau-b",
                    "Spearman (top features)",
                    f"top-{self.top_k} Jaccard",
                ],
                rows=pairs,
                note="Spearman and Kendall's tau-b over all features' importances (ties share "
                "their mean rank); the top features are those in any run's top set.",
            ),
            TableDetail(
                name="Runs",
                title=f"Each run's {found.basis}",
                columns=["feature"] + [f"run {r + 1}" for r in range(runs)],
                rows=[[f] + [float(v) for v in imp[:, j]] for j, f in enumerate(features)],
            ),
        ]
        set_bad = mean_j < self.min_top_jaccard
        order_bad = mean_top is not None and mean_top < self.min_rank_correlation
        text = (
            f"{found.basis[0].upper()}{found.basis[1:]} computed {runs} times, each on "
            f"{self.rows:,} resampled rows with its own seed: top-{self.top_k} sets overlap "
            f"{mean_j:.2f} on average (Jaccard)"
        )
        text += (
            ""
            if mean_top is None
            else f", the top features' order correlates {mean_top:.2f} (Spearman)"
        )
        if found.failing:
            text += f"; left out, the model failing on their shuffles: {', '.join(found.failing)}"
        if not matter:
            return self.result(
                Status.PASS,
                text + ". No feature carries importance above zero in any run: the model's "
                "score rests on no one feature here, so there is no ranking to trust or doubt.",
                metrics=metrics,
                details=details,
            )
        if set_bad or order_bad:
            spread = sorted(matter, key=lambda f: -float(np.ptp(ranks[:, features.index(f)])))
            why = [f"top-set overlap below {self.min_top_jaccard}"] if set_bad else []
            why += [f"order below {self.min_rank_correlation}"] if order_bad else []
            text += (
                f". The ranking is unstable ({' and '.join(why)}); the ranks of "
                f"{', '.join(spread[:5])} move most. Read no finding from its order: use more "
                "rows, more repeats, or report these features as a group."
            )
            return self.result(Status.WARN, text, metrics=metrics, details=details)
        lead = sorted(matter, key=lambda f: float(ranks[:, features.index(f)].mean()))[:5]
        text += f". Stable; the top features by mean rank: {', '.join(lead)}."
        return self.result(Status.PASS, text, metrics=metrics, details=details)

    def _feature_table(self, found: _Runs, ranks: np.ndarray, sets: list[set[str]]) -> TableDetail:
        features, imp = found.features, found.importance
        order = sorted(range(len(features)), key=lambda j: (ranks[:, j].mean(), features[j]))
        rows: list[list[str | float | int | None]] = []
        for j in order:
            f = features[j]
            sd = float(np.std(imp[:, j], ddof=1)) if imp.shape[0] > 1 else None
            rows.append([
                f, float(ranks[:, j].mean()), float(ranks[:, j].min()), float(ranks[:, j].max()),
                float(imp[:, j].mean()), sd, sum(f in s for s in sets),
            ])  # fmt: skip
        return TableDetail(
            name="Rank stability",
            title=f"Each feature's rank over the runs ({found.basis})",
            columns=["feature", "mean rank", "best rank", "worst rank", "importance mean",
                     "importance sd", f"runs in top-{self.top_k}"],
            rows=rows,
            note="Rank 1 is the most important; tied importances share their mean rank.",
        )  # fmt: skip
