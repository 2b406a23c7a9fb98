"""``leakage.shared_rows``: evaluation rows that are also training rows.

When the reference is the model's training data and the current data is where it is evaluated,
a row in both is a row the model has seen with its label: its predictions there are memory, not
skill, and the measured quality is too good.

**What is compared.**  Each row's **features**: every column but the target, prediction, score,
id, timestamp and ignored ones (an application copied with a new id and date is still the same
application).  The scan hashes them for the conflicting-label counts
(:mod:`mlaudit.summary._labels`, rows with a label), so the check reads the feature groups of
both profiles: a group (identical features) with rows in both data sets is **shared**, and its
current rows are the shared rows.  Hashes depend on the columns' positions, so both data sets
must have the same columns in the same order; beyond 8 million distinct rows the groups are a
hash-sampled subset (the same on both sides) and the counts are scaled estimates.

**What chance explains.**  Tables of a few discrete columns repeat rows by nature, and a random
split of such a table puts copies on both sides.  Given the pooled groups (the rows of both data
sets), a random split of ``N`` rows into ``N_c`` current and ``N_r`` reference rows leaves a
group of ``m`` rows in one side only with the hypergeometric probabilities ``P(k = 0)`` and
``P(k = m)``; the number of shared groups is then a sum of independent Bernoulli draws (a sum
of binomials, one per group size), whose upper tail is the one-sided p-value of the shared
count seen.  Copies of training rows in the evaluation data are more shared groups than a random
split gives.  The check warns when the p-value is below ``alpha`` and the share of current rows
that are shared beyond the expected count exceeds ``warn``, and fails above ``fail``.  The
expected count is that of a random split of the pooled rows, leaked copies included, so the
share beyond it is a lower estimate of the leaked share (the message gives both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.leakage._shared_examples import shared_examples
from mlaudit.results import CheckResult, Detail, Severity, Status, Threshold
from mlaudit.summary import ScanPlan

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["SharedRows", "shared_tail"]


def shared_tail(
    sizes: np.ndarray, n_current: int, n_reference: int, shared: int
) -> tuple[float, float]:
    """Expected shared groups and ``P(shared groups >= shared)`` under a random split.

    ``sizes`` are the pooled groups' sizes (rows with identical features in both data sets);
    only groups of two rows or more can be shared.
    """
    total = n_current + n_reference
    m_values, counts = np.unique(sizes[sizes >= 2], return_counts=True)
    pmf = np.ones(1)
    expected = 0.0
    for m, c in zip(m_values.tolist(), counts.tolist(), strict=True):
        one_side = scipy_stats.hypergeom.pmf(0, total, n_current, m)
        one_side += scipy_stats.hypergeom.pmf(m, total, n_current, m)
        p_shared = float(min(max(1.0 - one_side, 0.0), 1.0))
        expected += c * p_shared
        pmf = np.convolve(pmf, scipy_stats.binom.pmf(np.arange(c + 1), c, p_shared))
    tail = float(pmf[shared:].sum()) if shared < pmf.size else 0.0
    return expected, min(max(tail, 0.0), 1.0)


@register
class SharedRows(Check):
    """Warn when evaluation rows repeat training rows more often than a random split would."""

    id: ClassVar[str] = "leakage.shared_rows"
    family: ClassVar[str] = "leakage"
    title: ClassVar[str] = "Evaluation rows are not training rows"
    why: ClassVar[str] = (
        "A row the model was trained on, found again in the data it is evaluated on, is "
        "predicted from memory: the measured accuracy is too good and will not hold on new cases."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()

    warn: Share = 0.0
    """Warn when the share of current rows shared beyond chance is above this (default 0)."""
    fail: Share = 0.01
    """Fail when that share is above this (default 1%)."""
    alpha: Alpha = 0.01
    """Shared rows count only when a random split gives as many shared groups with probability
    below this."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to hash each row's features (with its label)."""
        import dataclasses

        return plan if plan.labels else dataclasses.replace(plan, labels=True)

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Join the two profiles' feature groups and judge the shared ones against chance."""
        if ctx.reference is None:
            return self.skipped(
                "no reference data: give the training data as the reference to find its rows "
                "in the current data"
            )
        groups = self._groups(ctx)
        if isinstance(groups, str):
            return self.skipped(groups)
        joined, scale, exact = groups
        cur_rows = float(ctx.current.label_conflicts.rows)  # type: ignore[union-attr]
        ref_rows = float(ctx.reference.label_conflicts.rows)  # type: ignore[union-attr]
        both = joined.filter((pl.col("n_c") > 0) & (pl.col("n_r") > 0))
        shared_rows = float(both["n_c"].sum() or 0) * scale
        same = both.filter(~pl.col("other") & (pl.col("label") == pl.col("label_r")))
        sizes = (joined["n_c"] + joined["n_r"]).to_numpy()
        expected, p = shared_tail(
            sizes, round(cur_rows / scale), round(ref_rows / scale), both.height
        )
        excess_groups = max(both.height - expected, 0.0)
        per_group = shared_rows / (both.height * scale) if both.height else 0.0
        excess = excess_groups * scale * per_group / cur_rows if cur_rows else 0.0
        threshold = Threshold(
            metric="unexplained_shared_share", direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(excess) if both.height and p < self.alpha else Status.PASS
        metrics: dict[str, float | int | None] = {
            "shared_rows": shared_rows,
            "shared_share": shared_rows / cur_rows if cur_rows else None,
            "shared_groups": both.height * scale,
            "expected_shared_groups": expected * scale,
            "same_label_rows": float(same["n_c"].sum() or 0) * scale,
            "unexplained_shared_share": excess,
            "p_value": p,
        }
        details: list[Detail] = [d for d in [shared_examples(ctx)] if d is not None]
        message = self._message(ctx, metrics, cur_rows, status)
        return self.result(
            status, message, metrics=metrics, threshold=threshold, exact=exact, details=details
        )

    def _groups(self, ctx: CheckContext) -> tuple[pl.DataFrame, float, bool] | str:
        cur, ref = (
            ctx.current.label_conflicts,
            ctx.reference.label_conflicts if ctx.reference else None,
        )
        if cur is None or ref is None:
            return (
                "rows are compared on their features and label: declare the target column "
                "(schema.target / --target) in both data sets"
            )
        if ctx.reference_schema is not None and ctx.reference_schema.names != ctx.schema.names:
            return (
                "the reference and current data do not have the same columns in the same order; "
                "rows are compared on hashes of the columns by position"
            )
        if cur.features != ref.features or not cur.features:
            return "the reference and current data do not have the same feature columns"
        gc, gr = cur.feature_groups(), ref.feature_groups()
        if gc is None or gr is None:
            return (
                "the saved profile was written by an earlier mlaudit and keeps the counts, not "
                "the rows' hashes: give the reference as data, or save its profile again"
            )
        level = max(cur.level, ref.level)
        if level:
            kept = pl.col("f") < pl.lit(1 << (64 - level), pl.UInt64)
            gc, gr = gc.filter(kept), gr.filter(kept)
        joined = (
            gc.select("f", "label", "other", n_c="n")
            .join(gr.select("f", label_r="label", n_r="n"), on="f", how="full", coalesce=True)
            .with_columns(pl.col("n_c").fill_null(0), pl.col("n_r").fill_null(0))
        )
        return joined, float(2**level), level == 0

    def _message(
        self, ctx: CheckContext, m: dict[str, float | int | None], cur_rows: float, status: Status
    ) -> str:
        shared = float(m["shared_rows"] or 0)
        head = (
            f"{format_count(round(shared))} of {format_count(round(cur_rows))} labelled current "
            f"rows ({format_share(shared / cur_rows if cur_rows else 0.0)}) have the same "
            "features as a reference row"
        )
        if not shared:
            return head + "."
        groups = format_count(round(float(m["shared_groups"] or 0)))
        expected = format_count(round(float(m["expected_shared_groups"] or 0)))
        head += (
            f" ({groups} distinct rows shared; a random split of these data would share about "
            f"{expected}, one-sided p = {float(m['p_value'] or 0):.2g})"
        )
        if status == Status.PASS:
            return head + "; no more than a random split of data with repeated rows gives."
        return head + (
            "; if the reference is the training data, the model has seen these rows: evaluate it "
            "on rows it was not trained on (remove them, or split by customer or by time)."
        )
