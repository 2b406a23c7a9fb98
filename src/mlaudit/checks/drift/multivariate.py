"""``drift.multivariate``: can a model tell reference rows from current rows?

This is the *domain classifier* (or "classifier two-sample test", Lopez-Paz and Oquab, 2017):
univariate tests look at one column at a time and miss a change in how columns go together
(a correlation that flips while every marginal stays the same); a classifier sees the joint
distribution.

Method, on the seeded samples of both profiles:

1. Feature matrix from the feature-role columns present in both samples; identifier,
   timestamp, target, prediction, score, sensitive, ignored and personal columns are left out.
   Numeric and boolean columns are used as they are: missing values take the reference median,
   ±inf the reference's finite extremes, and a missing-value indicator is added when either
   sample has missing values.  Categorical columns are one-hot encoded over a vocabulary shared
   by both samples (the ``max_levels`` most frequent levels of the two together, the rest in an
   ``(other)`` indicator, missing values in a ``(missing)`` indicator).
2. Reference rows are labelled 0, current rows 1; the larger sample is subsampled (seeded) to
   the smaller's size so that an AUC of 0.5 means "indistinguishable".
3. Out-of-fold scores from 2-fold cross-fitting: the rows are split in two stratified halves
   (shuffled, seeded: :func:`mlaudit.stats.boosting.stratified_folds`) and each half is scored
   by our :class:`mlaudit.stats.boosting.GradientBoostedTrees` trained on the other half:
   gradient-boosted trees on binned features (at most 32 quantile bins per column, trees of
   depth 4, learning rate 0.1, at most ``max_iter=100`` trees, early stopping on a seeded 10%
   hold-out when a half holds more than 10,000 rows, as scikit-learn's
   ``HistGradientBoostingClassifier`` does by default).  It is written with numpy alone because
   scikit-learn's import costs about 0.9 s of start-up (measured here: 0.86 to 0.97 s for
   ``sklearn.ensemble``, ``metrics`` and ``model_selection``), about three times the two fits;
   on the benchmark data it is as strong as scikit-learn's classifier and its two
   fits are about as quick (``benchmarks/bench_domain_classifier.py``), with no thread pool
   and bit-identical scores on every machine with the same numpy version.
   Every row gets one honest score, as with more folds, for two fits: more folds train each
   model on more rows (a little more power), but at 20,000 rows per side the AUC's interval
   is already about ±0.006 wide beside thresholds 0.05 and 0.2 above 0.5, and five folds
   cost almost five times as much (measured: 1.6 s against 0.33 s).
4. ROC AUC of those scores with a 95% DeLong interval (:func:`mlaudit.stats._auc.delong_auc`).

Stopping once the verdict is decided: with early stopping on (more than 10,000 rows per half),
each half's trees are also stopped (checked every fifth tree) as soon as the AUC on that half's
10% hold-out has its 99.9% DeLong interval entirely above ``fail_auc``.  ``fail`` is the top
status, and more trees only sharpen a classifier that already tells the periods apart, so the
verdict cannot change; on strongly drifted data this saves most of the trees (a settled AUC
went on improving for up to 100 trees: 4 of the 6.7 s of ``mlaudit drift`` on 1M + 1M rows).
The reported AUC is then that of the stopped classifier, lower than the full one's (still an
honest out-of-fold figure, and above ``fail_auc``).  The 99.9% level (rather than 95%) leaves
room for the hold-out (a tenth of a half) being smaller and noisier than the out-of-fold rows
the verdict is taken on; and should the out-of-fold interval's lower bound nonetheless come out
at or below ``fail_auc``, both halves are fitted again with all their trees and the check
judges those, so the verdict is always that of the unstopped classifier when they disagree.

Status, from the interval's **lower bound** (so that a small sample cannot fail on noise):
pass when it is at most ``warn_auc`` (0.55), warn above, fail above ``fail_auc`` (0.7).  The
same distribution gives an AUC near 0.5; 0.7 means that seven times in ten the model ranks a
random current row above a random reference row.

Which columns tell the periods apart: grouped permutation importance (Breiman's permutation
importance, with the encoded columns of one original column shuffled together, as in
scikit-learn's ``permutation_importance`` but per group): the drop in the first half's
held-out ROC AUC (on at most 8,000 of its rows, a seeded subsample balanced between the
periods) when one column's values are shuffled across rows (3 seeded repeats; mean and
standard deviation over the repeats).  The shuffled scores are computed incrementally: only
the trees' paths through a node that tests a shuffled column are walked again
(:class:`mlaudit.stats.boosting.ShuffledDecisions`), with the same result as scoring the
shuffled rows.  It is computed only when the AUC's interval excludes 0.5: when the periods
cannot be told apart, no column tells them apart, and the ranking would be noise.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks.drift._matrix import DriftMatrix, drift_columns, drift_matrix
from mlaudit.results import (
    Bound,
    CheckResult,
    NoteDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.stats import AucInterval, delong_auc, roc_auc
from mlaudit.stats.boosting import GradientBoostedTrees, Settled, stratified_folds

__all__ = [
    "DriftMatrix",
    "MultivariateDrift",
    "ProbabilityModel",
    "SettledAbove",
    "domain_classifier_scores",
    "drift_columns",
    "drift_matrix",
    "grouped_importance",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_TOP = 10
_SETTLED_LEVEL = 0.999
"""Confidence level of the held-out AUC's interval that stops the trees once above fail_auc."""
_IMPORTANCE_ROWS = 8_000
"""Held-out rows the permutation importance is measured on (as many as 5-fold's first fold of
two 20,000-row samples): 20 columns x 3 shuffles on 8,000 rows take 0.1 to 0.3 s here."""


def _balanced(x_ref: FloatArray, x_cur: FloatArray, seed: int) -> tuple[FloatArray, IntArray]:
    """Stack both, the larger subsampled (seeded, without replacement) to the smaller's size."""
    n = min(len(x_ref), len(x_cur))
    rng = np.random.default_rng(seed)
    if len(x_ref) > n:
        x_ref = x_ref[np.sort(rng.choice(len(x_ref), n, replace=False))]
    if len(x_cur) > n:
        x_cur = x_cur[np.sort(rng.choice(len(x_cur), n, replace=False))]
    y = np.r_[np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)]
    return np.vstack([x_ref, x_cur]), y


class SettledAbove:
    """A ``settled`` rule for :class:`~mlaudit.stats.boosting.GradientBoostedTrees`.

    True when the held-out rows' AUC has its ``level`` DeLong interval entirely above
    ``limit`` (see the module docstring: the check's top status is then decided); ``fired``
    records whether it ever returned True.
    """

    def __init__(self, limit: float, level: float = _SETTLED_LEVEL) -> None:
        self.limit, self.level, self.fired = limit, level, False

    def __call__(self, labels: FloatArray, log_odds: FloatArray) -> bool:
        """Whether the held-out AUC is surely above the limit."""
        done = bool(delong_auc(labels, log_odds, level=self.level).low > self.limit)
        self.fired |= done
        return done


def domain_classifier_scores(
    x: FloatArray,
    y: IntArray,
    *,
    seed: int,
    n_splits: int = 2,
    max_iter: int = 100,
    settled: Settled | None = None,
) -> tuple[FloatArray, GradientBoostedTrees, IntArray]:
    """Out-of-fold P(current) for every row, the first fold's model and its held-out rows.

    ``n_splits`` stratified, shuffled (seeded) folds (:func:`~mlaudit.stats.boosting.
    stratified_folds`); each fold is scored by a
    :class:`~mlaudit.stats.boosting.GradientBoostedTrees` trained on the other folds
    (``settled``: its rule for stopping once the verdict is decided, :class:`SettledAbove`).
    """
    scores = np.empty(len(y), dtype=np.float64)
    first: tuple[GradientBoostedTrees, IntArray] | None = None
    for train, test in stratified_folds(y, n_splits, seed):
        model = GradientBoostedTrees(max_iter=max_iter, seed=seed, settled=settled)
        model.fit(x[train], y[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
        if first is None:
            first = (model, test)
    assert first is not None
    return scores, first[0], first[1]


class ProbabilityModel(Protocol):
    """Anything with scikit-learn's ``predict_proba`` (column 1: P(current))."""

    def predict_proba(self, x: FloatArray, /) -> FloatArray:
        """Class probabilities, one row per row of ``x``."""
        ...


def grouped_importance(
    model: GradientBoostedTrees | ProbabilityModel,
    x: FloatArray,
    y: IntArray,
    groups: list[str],
    *,
    seed: int,
    n_repeats: int = 3,
) -> list[tuple[str, float, float]]:
    """Permutation importance (drop in ROC AUC) per original column, largest first.

    The encoded columns of one original column (``groups`` names the original column of each
    encoded one) are shuffled together, with one seeded row permutation per repeat, so a
    one-hot encoded categorical is permuted as the one column it is.  With our
    :class:`~mlaudit.stats.boosting.GradientBoostedTrees` the shuffled scores are its decision
    values, computed incrementally (:class:`~mlaudit.stats.boosting.ShuffledDecisions`: equal
    to scoring the shuffled rows, only quicker); any other model is asked for
    ``predict_proba`` of the shuffled rows.

    Returns (column, mean drop, standard deviation over the repeats) tuples.
    """
    if isinstance(model, GradientBoostedTrees):
        shuffled = model.shuffled_decisions(x)
        baseline = roc_auc(y, shuffled.baseline)

        def score(cols: list[int], perm: IntArray) -> FloatArray:
            return shuffled(cols, perm)

    else:
        generic = model
        baseline = roc_auc(y, generic.predict_proba(x)[:, 1])

        def score(cols: list[int], perm: IntArray) -> FloatArray:
            rows = x.copy()
            rows[:, cols] = x[perm[:, None], cols]
            return generic.predict_proba(rows)[:, 1]

    rng = np.random.default_rng(seed)
    index: dict[str, list[int]] = {}
    for j, g in enumerate(groups):
        index.setdefault(g, []).append(j)
    drops: dict[str, FloatArray] = {}
    for g, cols in index.items():
        d = np.empty(n_repeats, dtype=np.float64)
        for r in range(n_repeats):
            d[r] = baseline - roc_auc(y, score(cols, rng.permutation(len(x))))
        drops[g] = d
    order = sorted(drops, key=lambda g: (-float(drops[g].mean()), g))
    return [(g, float(drops[g].mean()), float(drops[g].std())) for g in order]


def _importance_rows(y: IntArray, test: IntArray, seed: int) -> IntArray:
    """The held-out rows for the importance: all of them, or a seeded balanced subsample."""
    if len(test) <= _IMPORTANCE_ROWS:
        return test
    rng = np.random.default_rng(seed)
    per_class = _IMPORTANCE_ROWS // 2
    picked = [
        rng.choice(part, min(per_class, len(part)), replace=False)
        for part in (test[y[test] == 0], test[y[test] == 1])
    ]
    return np.sort(np.concatenate(picked)).astype(np.int64)


@register
class MultivariateDrift(Check):
    """Fail when a classifier tells current rows from reference rows (domain classifier)."""

    id: ClassVar[str] = "drift.multivariate"
    family: ClassVar[str] = "drift"
    title: ClassVar[str] = "A model cannot tell current data from reference data"
    why: ClassVar[str] = (
        "A model is only valid on data like the data it was built on.  When a classifier can "
        "tell this period's rows from the reference rows, the population has changed — "
        "possibly in how columns go together, which per-column drift tests cannot see."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    cost: ClassVar[int] = 2  # a boosted classifier on the samples
    needs_reference: ClassVar[bool] = True

    warn_auc: float = Field(default=0.55, ge=0.5, le=1)
    """Warn when the lower bound of the AUC's 95% interval is above this."""
    fail_auc: float = Field(default=0.7, ge=0.5, le=1)
    """Fail when the lower bound of the AUC's 95% interval is above this."""
    max_levels: int = Field(default=20, ge=1)
    """Categorical levels one-hot encoded per column; rarer levels share an (other) column."""
    min_rows: int = Field(default=50, ge=10)
    """Skip when either sample has fewer rows than this."""

    @model_validator(mode="after")
    def _ordered(self) -> MultivariateDrift:
        if self.fail_auc < self.warn_auc:
            raise ValueError(f"fail_auc={self.fail_auc} is below warn_auc={self.warn_auc}")
        return self

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the data set."""
        reason = self._skip_reason(ctx)
        if reason:
            return self.skipped(reason)
        assert ctx.reference is not None and ctx.reference.sample is not None
        assert ctx.current.sample is not None
        names = None if self.columns is None else self.target_columns(ctx, [])
        cols = drift_columns(ctx, names)
        dm = drift_matrix(
            ctx.reference.sample, ctx.current.sample, cols, max_levels=self.max_levels
        )
        if not dm.names:
            why = "; ".join(f"{k}: {v}" for k, v in list(dm.dropped.items())[:10])
            return self.skipped(
                "no usable feature column in both samples"
                + (f" ({why})" if why else " (no feature-role, non-personal column)")
            )
        x, y = _balanced(dm.reference, dm.current, ctx.seed)
        settled = SettledAbove(self.fail_auc)
        scores, model, test = domain_classifier_scores(x, y, seed=ctx.seed, settled=settled)
        ci = delong_auc(y, scores)
        if settled.fired and ci.low <= self.fail_auc:  # not decided after all: all the trees
            scores, model, test = domain_classifier_scores(x, y, seed=ctx.seed)
            ci = delong_auc(y, scores)
        ranked = None
        if ci.low > 0.5:
            rows = _importance_rows(y, test, ctx.seed)
            ranked = grouped_importance(model, x[rows], y[rows], dm.groups, seed=ctx.seed)
        return self._judge(ctx, dm, ci, ranked)

    def _skip_reason(self, ctx: CheckContext) -> str:
        if ctx.reference is None:
            return "no reference data: the multivariate drift check compares two data sets"
        for label, prof in (("reference", ctx.reference), ("current", ctx.current)):
            n = 0 if prof.sample is None else prof.sample.height
            if n < self.min_rows:
                return f"the {label} sample has {n:,} rows, fewer than the {self.min_rows} needed"
        return ""

    def _judge(
        self,
        ctx: CheckContext,
        dm: DriftMatrix,
        ci: AucInterval,
        ranked: list[tuple[str, float, float]] | None,
    ) -> CheckResult:
        threshold = Threshold(
            metric="auc_low", direction="max", warn=self.warn_auc, fail=self.fail_auc
        )
        status = threshold.status_for(ci.low)
        n = ci.n_negative
        top = ", ".join(f"{g} ({m:.3f})" for g, m, _ in (ranked or [])[:3] if m > 0)
        verdict = self._verdict(status)
        msg = (
            f"A classifier tells current from reference rows with ROC AUC {ci.auc:.3f} "
            f"(95% DeLong interval {ci.low:.3f}–{ci.high:.3f}; 0.5 = indistinguishable) on "
            f"{n:,} sampled rows per side and {len(dm.columns)} column(s); the lower bound is "
            f"{verdict}." + (f" Most telling: {top}." if top else "")
        )
        return self.result(
            status,
            msg,
            threshold=threshold,
            exact=False,
            bounds={
                "auc": Bound(
                    low=ci.low,
                    high=ci.high,
                    kind="confidence_interval",
                    level=0.95,
                    method="DeLong",
                )
            },
            metrics={
                "auc": ci.auc,
                "auc_low": ci.low,
                "auc_high": ci.high,
                "n_reference": n,
                "n_current": ci.n_positive,
                "features": len(dm.columns),
            },
            details=[self._table(ranked), self._note(ctx, dm)],
        )

    def _verdict(self, status: Status) -> str:
        return {
            "pass": f"at most {self.warn_auc:g}: the periods are not told apart",
            "warn": f"above {self.warn_auc:g}: the joint distribution has shifted",
            "fail": f"above {self.fail_auc:g}: the joint distribution has changed markedly",
        }[status.value]

    @staticmethod
    def _table(ranked: list[tuple[str, float, float]] | None) -> TableDetail:
        note = (
            "Drop in the held-out ROC AUC when the column's values are shuffled (grouped "
            "permutation importance, 3 repeats); near 0 means the column does not help."
        )
        if ranked is None:
            note = (
                "Not computed: the AUC's interval includes 0.5, so the periods cannot be told "
                "apart and no column tells them apart."
            )
        return TableDetail(
            name="drift_columns",
            title="Columns that tell the periods apart most",
            columns=["column", "auc_drop", "auc_drop_std"],
            rows=[[g, round(m, 4), round(s, 4)] for g, m, s in (ranked or [])[:_TOP]],
            note=note,
        )

    @staticmethod
    def _note(ctx: CheckContext, dm: DriftMatrix) -> NoteDetail:
        dropped = "; ".join(f"{k} ({v})" for k, v in list(dm.dropped.items())[:20])
        return NoteDetail(
            name="method",
            text=(
                "Domain classifier: reference rows labelled 0, current rows 1, the larger "
                "sample subsampled to the smaller's size (seed "
                f"{ctx.seed}); out-of-fold scores from 2-fold stratified cross-fitting (each "
                "half scored by gradient-boosted trees trained on the other: mlaudit's own "
                "numpy implementation, 32 quantile bins per column, trees of depth 4, at most "
                "100 trees, early stopping above 10,000 rows, also once the hold-out AUC's 99.9% "
                "interval is above the failure limit); ROC AUC with a 95% DeLong "
                "interval.  Numeric columns: missing values take the reference median, "
                "with a missing-value indicator; categorical columns: one-hot over a shared "
                f"vocabulary.  {len(dm.names)} encoded column(s) from: "
                + ", ".join(dm.columns[:40])
                + (" ..." if len(dm.columns) > 40 else "")
                + "."
                + (f" Left out: {dropped}." if dropped else "")
            ),
        )
