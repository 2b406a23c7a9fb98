"""``quality.row_anomalies``: rows whose combination of values is unlike the others.

The check fits scikit-learn's :class:`~sklearn.ensemble.IsolationForest` (100 trees,
``random_state`` = the audit seed) on the seeded sample: numeric and boolean features, plus
one-hot indicators of categorical features with at most ``max_levels`` levels in the sample;
missing values take the column median and ±inf the finite extreme.  Identifier, target,
prediction, score, timestamp, ignored and personal columns are left out.

A row is flagged when its score (``score_samples``, between -1 and 0, lower is more anomalous)
is below ``score_limit``.  scikit-learn's ``contamination='auto'`` offset is -0.5, which flags
around 20% of a clean two-dimensional Gaussian sample and 5% of a ten-dimensional one; the
default limit -0.6 flags under 0.5% of a clean Gaussian sample with five or more features,
while a tight cluster of far-away rows scores about -0.74 and is flagged in full.  The default
warning share 1.5% therefore passes clean data and catches a planted cluster of 2% of rows.
Fewer than ``min_features`` features are not judged: single columns are the outlier check's.

An anomaly detector's contamination is not a finding by itself: with a reference sample the same
method is run on it, and a flagged share above the limit warns only when it exceeds the
reference's share (exact one-sided conditional binomial test at ``alpha``, as in
``quality.outliers``).  Independently, the check warns when the ten most anomalous rows form a
tight cluster: their median distance to each other (robust z-scores and 0/1 indicators) is below
``cluster_limit`` (0.4) of their median distance to other rows.  Scattered anomalies of clean data
give about 1 (0.8-2.0 on random halves of Adult, German credit, COMPAS and breast cancer); the
demo's planted fraud ring gives 0.17.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality.outliers import compare_with_reference
from mlaudit.data import ColumnType, Role, Schema
from mlaudit.results import (
    Cell,
    CheckResult,
    ExamplesDetail,
    NoteDetail,
    Severity,
    Status,
    Threshold,
)
from mlaudit.stats import robust_z

if TYPE_CHECKING:
    from sklearn import ensemble
else:  # imported on first use (mlaudit._lazy)
    ensemble = lazy_import("sklearn.ensemble")

__all__ = ["FeatureMatrix", "RowAnomalies", "anomaly_features", "isolation_scores"]

_ROW = "__row__"
_EXCLUDED = (Role.ID, Role.TARGET, Role.PREDICTION, Role.SCORE, Role.TIMESTAMP, Role.IGNORED)
_NUMERIC = (ColumnType.NUMERIC, ColumnType.INTEGER, ColumnType.BOOLEAN)
_MAX_EXAMPLES = 10
_MAX_SHOWN_COLUMNS = 20
_RANK = [Status.PASS, Status.WARN, Status.FAIL]

FloatArray = npt.NDArray[np.float64]


class FeatureMatrix:
    """The model matrix: ``x`` (rows × features), ``names``, and the numeric block's robust z."""

    def __init__(self, x: FloatArray, names: list[str], z: FloatArray, z_names: list[str]):
        self.x = x
        self.names = names
        self.z = z
        self.z_names = z_names


def _numeric_block(frame: pl.DataFrame, cols: list[str]) -> tuple[FloatArray, list[str]]:
    blocks: list[FloatArray] = []
    names: list[str] = []
    for c in cols:
        v = frame.get_column(c).cast(pl.Float64, strict=False).to_numpy().astype(np.float64)
        finite = v[np.isfinite(v)]
        if finite.size == 0:
            continue
        v = np.where(v == np.inf, finite.max(), np.where(v == -np.inf, finite.min(), v))
        blocks.append(np.where(np.isnan(v), np.median(finite), v))
        names.append(c)
    if not blocks:
        return np.empty((frame.height, 0)), []
    return np.column_stack(blocks), names


def _onehot_block(
    frame: pl.DataFrame, cols: list[str], max_levels: int
) -> tuple[FloatArray, list[str]]:
    blocks: list[FloatArray] = []
    names: list[str] = []
    for c in cols:
        s = frame.get_column(c).cast(pl.String, strict=False)
        levels = sorted(s.drop_nulls().unique().to_list())
        if not 2 <= len(levels) <= max_levels:
            continue
        values = s.to_list()
        for lev in levels:
            blocks.append(np.array([v == lev for v in values], dtype=np.float64))
            names.append(f"{c}={lev}")
    if not blocks:
        return np.empty((frame.height, 0)), []
    return np.column_stack(blocks), names


def anomaly_features(
    sample: pl.DataFrame, schema: Schema, *, max_levels: int = 20, personal: Collection[str] = ()
) -> FeatureMatrix:
    """Build the model matrix from ``sample`` following the module docstring's rules."""
    present = set(sample.columns)
    usable = [
        c
        for c in schema.columns
        if c.name in present
        and c.role not in _EXCLUDED
        and not c.personal
        and c.name not in personal
    ]
    num_cols = [c.name for c in usable if c.type in _NUMERIC]
    cat_cols = [c.name for c in usable if c.type is ColumnType.CATEGORICAL]
    xn, nn = _numeric_block(sample, num_cols)
    xc, nc = _onehot_block(sample, cat_cols, max_levels)
    z = np.column_stack([robust_z(xn[:, j]) for j in range(xn.shape[1])]) if nn else xn
    return FeatureMatrix(np.hstack([xn, xc]), nn + nc, np.nan_to_num(z, nan=0.0), nn)


def isolation_scores(x: FloatArray, *, seed: int, n_estimators: int = 100) -> FloatArray:
    """IsolationForest ``score_samples`` of every row of ``x`` (lower is more anomalous)."""
    forest = ensemble.IsolationForest(n_estimators=n_estimators, random_state=seed)
    forest.fit(x)
    return np.asarray(forest.score_samples(x), dtype=np.float64)


def cluster_ratio(fm: FeatureMatrix, scores: FloatArray, *, seed: int, top: int = 10) -> float:
    """Median distance between the ``top`` most anomalous rows over theirs to random rows.

    Distances are Euclidean over the numeric features' robust z-scores and the 0/1 indicators.
    Anomalies of clean data lie in different directions, as far from each other as from the
    rest (ratio about 1); a ring of near-identical unusual rows is much closer to itself than
    to the other rows (ratio near 0).  NaN with fewer than ``2·top`` rows.
    """
    n = scores.size
    if n < 2 * top:
        return float("nan")
    u = np.hstack([fm.z, fm.x[:, len(fm.z_names) :]])
    idx = np.argsort(scores, kind="stable")[:top]
    t = u[idx]
    d_top = np.sqrt(((t[:, None, :] - t[None, :, :]) ** 2).sum(axis=2))[np.triu_indices(top, 1)]
    rng = np.random.default_rng(seed)
    others = u[rng.choice(np.setdiff1d(np.arange(n), idx), size=min(n - top, 200), replace=False)]
    d_rand = np.sqrt(((t[:, None, :] - others[None, :, :]) ** 2).sum(axis=2)).ravel()
    base = float(np.median(d_rand))
    return float(np.median(d_top)) / base if base > 0 else float("nan")


def _top_features(z_row: FloatArray, names: list[str], k: int = 3) -> str:
    order = np.argsort(-np.abs(z_row), kind="stable")[:k]
    parts = [f"{names[j]} (z={z_row[j]:+.1f})" for j in order if abs(z_row[j]) >= 2]
    return ", ".join(parts) if parts else "combination of values"


def _cell(v: object) -> Cell:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    return str(v)


@register
class RowAnomalies(Check):
    """Warn when many sampled rows are multivariate anomalies (IsolationForest)."""

    id: ClassVar[str] = "quality.row_anomalies"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Few rows are multivariate anomalies"
    why: ClassVar[str] = (
        "Rows whose combination of values is unlike every other row (each value plausible on "
        "its own) point to entry errors, merged populations or fraud; a model extrapolates on "
        "them, and a cluster of them may be a group the model was never built for."
    )
    severity: ClassVar[Severity] = Severity.LOW

    warn: Share = 0.015
    """Warn when more than this share of sampled rows is flagged."""
    fail: Share | None = None
    """Fail when more than this share is flagged (None: never fail; the method is heuristic)."""
    score_limit: float = Field(default=-0.6, ge=-1, le=0)
    """Rows scoring below this IsolationForest score are flagged (see the module docstring)."""
    max_levels: int = Field(default=20, ge=2)
    """Categorical columns with more levels than this in the sample are left out."""
    min_rows: int = Field(default=50, ge=10)
    """Skip when the sample has fewer rows than this."""
    min_features: int = Field(default=3, ge=1)
    """Skip when fewer features than this are usable."""
    alpha: Alpha = 0.01
    """With a reference, a flagged share above the limit warns only when it exceeds the
    reference's (same method on the reference sample) at this one-sided level."""
    cluster_limit: Share = 0.4
    """Warn when the most anomalous rows are closer to each other than this fraction of their
    distance to other rows (see :func:`cluster_ratio`)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the data set."""
        sample = ctx.current.sample
        if sample is None or sample.height < self.min_rows:
            n = 0 if sample is None else sample.height
            return self.skipped(f"the sample has {n:,} rows, fewer than the {self.min_rows}")
        if self.columns is not None:
            keep = set(self.target_columns(ctx, []))
            sample = sample.select([c for c in sample.columns if c in keep or c == _ROW])
        personal = {n for n, c in ctx.current.columns.items() if c.personal}
        fm = anomaly_features(sample, ctx.schema, max_levels=self.max_levels, personal=personal)
        if len(fm.names) < self.min_features:
            return self.skipped(
                f"only {len(fm.names)} usable feature(s) (need {self.min_features}); "
                "single-column outliers are reported by quality.outliers"
            )
        scores = isolation_scores(fm.x, seed=ctx.seed)
        return self._judge(ctx, sample, fm, scores)

    def _judge(
        self, ctx: CheckContext, sample: pl.DataFrame, fm: FeatureMatrix, scores: FloatArray
    ) -> CheckResult:
        flagged = scores < self.score_limit
        k, n = int(flagged.sum()), int(scores.size)
        share = k / n
        threshold = Threshold(
            metric="flagged_share", direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(share)
        limit = {Status.FAIL: self.fail, Status.WARN: self.warn}.get(status)
        verdict = f"above the {limit:.1%} limit" if limit is not None else "within the limits"
        ref_share = self._reference_share(ctx)
        if ref_share is not None and status is not Status.PASS:
            cmp = compare_with_reference(k, n, *ref_share)
            if cmp.p_value >= self.alpha:
                status = Status.PASS
                verdict += (
                    f", but not above the reference's {cmp.ref_share:.2%} "
                    f"(one-sided p = {cmp.p_value:.2g}): the rate is the data's ordinary one"
                )
        ratio = cluster_ratio(fm, scores, seed=ctx.seed)
        if ratio < self.cluster_limit:
            status = max(status, Status.WARN, key=_RANK.index)
            verdict += (
                f"; the {_MAX_EXAMPLES} most anomalous rows form a tight cluster (their median "
                f"distance to each other is {ratio:.0%} of their distance to other rows): "
                "near-identical unusual records, such as a ring of related applications"
            )
        msg = (
            f"IsolationForest flags {k:,} of {n:,} sampled rows ({share:.2%}) as anomalous "
            f"(score below {self.score_limit:g}), {verdict}; seeded sample of {n:,} of "
            f"{ctx.current.n_rows:,} rows, {len(fm.names)} features"
        )
        note = NoteDetail(
            name="method",
            text="IsolationForest (100 trees, seed "
            f"{ctx.seed}) on {len(fm.names)} features: "
            + ", ".join(fm.names[:40])
            + (" ..." if len(fm.names) > 40 else "")
            + ". Missing values take the median; top features are those with the largest "
            "robust |z| in the row.",
        )
        # The most anomalous rows are listed whether or not they pass the flagging limit: a
        # validator reviews them either way.
        details: list[object] = [note, self._examples(ctx, sample, fm, scores, flagged)]
        return self.result(
            status,
            msg,
            threshold=threshold,
            exact=False,
            details=details,
            metrics={
                "sample_rows": n,
                "rows": ctx.current.n_rows,
                "features": len(fm.names),
                "flagged": k,
                "flagged_share": share,
                "min_score": float(scores.min()),
                "cluster_ratio": ratio,
            },
        )

    def _reference_share(self, ctx: CheckContext) -> tuple[int, int] | None:
        """Flagged rows and rows of the reference sample under the same method, if any."""
        ref = ctx.reference
        sample = ref.sample if ref is not None else None
        if ref is None or sample is None or sample.height < self.min_rows:
            return None
        personal = {n for n, c in ref.columns.items() if c.personal}
        fm = anomaly_features(sample, ctx.schema, max_levels=self.max_levels, personal=personal)
        if len(fm.names) < self.min_features:
            return None
        scores = isolation_scores(fm.x, seed=ctx.seed)
        return int((scores < self.score_limit).sum()), int(scores.size)

    def _examples(
        self,
        ctx: CheckContext,
        sample: pl.DataFrame,
        fm: FeatureMatrix,
        scores: FloatArray,
        flagged: npt.NDArray[np.bool_],
    ) -> ExamplesDetail:
        idx = np.argsort(scores, kind="stable")[:_MAX_EXAMPLES]
        shown = [c for c in sample.columns if c != _ROW][:_MAX_SHOWN_COLUMNS]
        has_row = _ROW in sample.columns
        rows: list[list[Cell]] = []
        for i in idx:
            rec = sample.row(int(i), named=True)
            rows.append(
                [
                    _cell(rec[_ROW]) if has_row else int(i),
                    round(float(scores[i]), 4),
                    bool(flagged[i]),
                    _top_features(fm.z[i], fm.z_names),
                ]
                + [_cell(rec[c]) for c in shown]
            )
        masked = {n for n, c in ctx.current.columns.items() if c.personal} | set(
            ctx.schema.personal
        )
        return ExamplesDetail(
            name="anomalous_rows",
            title="Most anomalous sampled rows",
            columns=["row", "anomaly_score", "flagged", "top_features", *shown],
            rows=rows,
            masked_columns=[c for c in shown if c in masked],
        )
