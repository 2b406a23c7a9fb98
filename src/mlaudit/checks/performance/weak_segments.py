"""``performance.weak_segments``: slices of the data where the model is significantly worse.

**What is read.**  The current data's seeded sample (:attr:`DatasetProfile.sample`, a uniform
sample of whole rows without replacement, 20,000 rows by default): the features, the label and
the model's prediction or score, for the rows that have a label and a prediction.  Raise
``sample_rows`` (or the audit's ``sample_size``) for more evidence: every count, interval and
p-value is that of the sample, so on data larger than the sample a slice holding a share ``s``
of the rows is judged on about ``s × sample`` rows, and a weak segment smaller than
``min_rows / sample`` of the data cannot be found.  Within the sample the figures are exact.

**Metric.**  For a classifier, the error rate (one minus accuracy; for a binary model with only a
score, the predicted class is the score against the declared threshold); for a regression, the
absolute error.

**Slices.**  Each feature (not the target, prediction, score, id, timestamp or ignored columns,
and not a personal column: a rule must not show a personal value) is cut into levels: a numeric
feature at its ``bins``-quantiles (cut points rounded to two significant digits, so the rule shown
is the rule applied), a categorical one (or a numeric one with at most 10 values) by value (the
``max_levels`` most frequent), a missing value as a level of its own.  Slices are every level of
one feature and, with ``pairs``, every pair of levels of two features, with at least
``min_rows`` rows.

**Tests.**  Each slice against the rest of the rows, one-sided: Fisher's exact test for the error
rate, Welch's t test for the mean absolute error (:mod:`mlaudit.stats._slices`).  Across every
slice tested the p-values are adjusted by **Benjamini-Hochberg** and a slice is weak when its
adjusted p-value is below ``alpha``.  Why BH rather than Holm: hundreds to thousands of
overlapping slices are tested, and Holm's family-wise control would leave little power for a
real segment; BH controls the expected share of false segments among those reported, and when
the model is equally good everywhere (every hypothesis null) that is the probability of
reporting any segment at all, so on clean data the check warns at most at ``alpha``.  (BH's
guarantee needs independent or positively dependent tests; nested and overlapping slices are
mostly positively dependent, the bins of one feature mildly negatively, and the clean random
halves of the real tables in the tests measure the rate.)  Overlapping findings are thinned
(:mod:`._segments`): a slice that only repeats a larger or stronger one is not listed.

**Verdict.**  The effect is the slice's error rate minus the overall error rate (for a
regression: the slice's mean absolute error over the overall one, minus 1).  The check warns when
a weak slice's effect reaches ``warn`` and fails when it reaches ``fail``.  Segments are listed by
effect with their size, metric, 95% interval (Wilson for a rate; Student's t for a mean) and
p-values.  A shallow error-analysis tree follows (:mod:`._error_tree`): descriptive only.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Alpha, PositiveCount, Share
from mlaudit.checks.performance._error_tree import error_tree
from mlaudit.checks.performance._sample_rows import sample_model_rows
from mlaudit.checks.performance._segment_table import segment_table, tree_table
from mlaudit.checks.performance._segments import (
    Slices,
    enumerate_slices,
    judge_slices,
    prune_nested,
)
from mlaudit.data import Role
from mlaudit.results import (
    CheckResult,
    Detail,
    NoteDetail,
    Severity,
    Status,
    Threshold,
)
from mlaudit.stats import FeatureLevels, feature_levels
from mlaudit.summary import ScanPlan

__all__ = ["WeakSegments"]

_NOT_SLICED = frozenset(
    {Role.TARGET, Role.PREDICTION, Role.SCORE, Role.ID, Role.TIMESTAMP, Role.IGNORED}
)


@register
class WeakSegments(Check):
    """Warn when a slice of one or two features has a significantly worse error."""

    id: ClassVar[str] = "performance.weak_segments"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "No data segment where the model is significantly worse"
    why: ClassVar[str] = (
        "A model can be good on average and poor for a group of customers (a region, an age "
        "band, a product): those customers bear its errors, and the average hides them."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()
    cost: ClassVar[int] = 3

    alpha: Alpha = 0.01
    """Benjamini-Hochberg level across every slice tested (the false discovery rate)."""
    min_rows: PositiveCount = 50
    """Fewest sample rows a slice needs to be tested (and a leaf of the error tree to exist)."""
    bins: int = Field(default=5, ge=2, le=20)
    """Quantile bins of a numeric feature."""
    max_levels: PositiveCount = 20
    """Most frequent values of a categorical feature that are tested."""
    pairs: bool = True
    """Test slices of two features as well as of one."""
    warn: Share = 0.02
    """Warn when a weak slice's error rate exceeds the overall one by this much (regression: its
    mean absolute error exceeds the overall one by this share)."""
    fail: Share = 0.10
    """Fail when a weak slice exceeds the overall error by this much."""
    tree_depth: int = Field(default=3, ge=1, le=3)
    """Depth of the error-analysis tree (1 to 3 conditions per rule)."""
    max_segments: PositiveCount = 10
    """Most weak segments listed in the table."""
    sample_rows: PositiveCount | None = None
    """Rows of the scan's seeded sample the check reads (None: the audit's ``sample_size``);
    a larger sample gives more evidence for small segments at the cost of memory."""
    positive_label: str | None = None
    """The positive class of a binary target when it is text."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold of a binary model with only a score (default: the schema's)."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask for a larger sample when ``sample_rows`` says so."""
        if self.sample_rows is None or self.sample_rows <= plan.sample_size:
            return plan
        return dataclasses.replace(plan, sample_size=self.sample_rows)

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Slice the sample, test each slice against the rest, and fit the error tree."""
        rows = sample_model_rows(ctx, positive_label=self.positive_label, threshold=self.threshold)
        if isinstance(rows, str):
            return self.skipped(rows)
        frame, value, classify = rows
        personal = set(ctx.schema.personal)
        levels = self._levels(ctx, frame, personal)
        if not levels:
            return self.skipped(
                "no feature with two levels to compare (personal columns are not sliced)"
            )
        slices = enumerate_slices(levels, value, min_rows=self.min_rows, pairs=self.pairs)
        judge_slices(slices, value, binary_value=classify)
        found = self._weak(slices, levels, value, classify)
        return self._result(ctx, frame, levels, value, classify, slices, found)

    def _levels(
        self, ctx: CheckContext, frame: pl.DataFrame, personal: set[str]
    ) -> list[FeatureLevels]:
        out = []
        for c in ctx.schema.columns:
            if c.role in _NOT_SLICED or c.name in personal or c.name not in frame.columns:
                continue
            s = frame[c.name]
            if s.dtype.is_temporal() or s.dtype in (pl.List, pl.Struct, pl.Binary):
                continue
            out += feature_levels(s, bins=self.bins, max_levels=self.max_levels)
        return out

    def _weak(
        self, slices: Slices, levels: list[FeatureLevels], value: np.ndarray, classify: bool
    ) -> list[tuple[int, float]]:
        """Weak slices (index, effect), worst first, nested ones a larger or smaller finding
        explains left out."""
        overall = float(value.mean())
        metric = slices.sums / np.maximum(slices.rows, 1)
        if classify:
            effect = metric - overall
        elif overall > 0:
            effect = metric / overall - 1.0
        else:
            effect = np.where(metric > 0, np.inf, 0.0)
        weak = np.flatnonzero((slices.adjusted < self.alpha) & (effect > 0))
        order = sorted(weak.tolist(), key=lambda i: (-effect[i], slices.rules[i]))
        kept = prune_nested(slices, order, levels, value, alpha=self.alpha, binary=classify)
        return [(i, float(effect[i])) for i in kept]

    def _result(
        self,
        ctx: CheckContext,
        frame: pl.DataFrame,
        levels: list[FeatureLevels],
        value: np.ndarray,
        classify: bool,
        slices: Slices,
        found: list[tuple[int, float]],
    ) -> CheckResult:
        n, overall = value.size, float(value.mean())
        effect_name = (
            "worst_segment_difference" if classify else "worst_segment_relative_difference"
        )
        threshold = Threshold(metric=effect_name, direction="max", warn=self.warn, fail=self.fail)
        worst = found[0][1] if found else 0.0
        status = threshold.status_for(worst) if found else Status.PASS
        metric_name = "error_rate" if classify else "mean_absolute_error"
        metrics: dict[str, float | int | None] = {
            "sample_rows": n,
            metric_name: overall,
            "segments_tested": len(slices.rules),
            "weak_segments": len(found),
            effect_name: worst if found else None,
        }
        details: list[Detail] = []
        if found:
            details.append(
                segment_table(
                    slices, found[: self.max_segments], classify=classify, overall=overall, n=n
                )
            )
        partition = [f for f in levels if f.partition]
        numeric = {f.name for f in partition if frame[f.name].dtype.is_numeric()}
        leaves = error_tree(
            frame, partition, numeric, value, classify=classify, depth=self.tree_depth,
            min_rows=self.min_rows, seed=ctx.seed,
        )  # fmt: skip
        if leaves:
            details.append(tree_table(leaves, classify=classify))
        personal = [c for c in ctx.schema.personal if c in frame.columns]
        if personal:
            details.append(
                NoteDetail(
                    name="personal_columns",
                    text=f"Personal columns are not sliced (a rule would show their values): "
                    f"{', '.join(personal)}.",
                )
            )
        message = self._message(slices, found, classify, overall, n)
        return self.result(status, message, metrics=metrics, threshold=threshold, details=details)

    def _message(
        self,
        slices: Slices,
        found: list[tuple[int, float]],
        classify: bool,
        overall: float,
        n: int,
    ) -> str:
        what = "error rate" if classify else "mean absolute error"
        shown = format_share(overall) if classify else f"{overall:.4g}"
        head = (
            f"{format_count(len(slices.rules))} segments of one or two features tested on "
            f"{format_count(n)} sample rows (overall {what} {shown})"
        )
        if not found:
            return (
                head
                + f"; none is significantly worse (Benjamini-Hochberg, alpha = {self.alpha:g})."
            )
        i = found[0][0]
        rate = float(slices.sums[i] / slices.rows[i])
        rate_text = format_share(rate) if classify else f"{rate:.4g}"
        return (
            f"{head}; {len(found)} {'is' if len(found) == 1 else 'are'} significantly worse. "
            f"Worst: {slices.rules[i]} ({format_count(int(slices.rows[i]))} rows, {what} "
            f"{rate_text}, adjusted p = {float(slices.adjusted[i]):.2g}). "
            "Look at why the model fails there (too few training rows, a feature that means "
            "something else in this group) before relying on it for these customers."
        )
