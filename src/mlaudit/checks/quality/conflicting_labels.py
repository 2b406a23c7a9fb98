"""``quality.conflicting_labels``: rows with identical features and different labels.

Two rows that agree on every feature but carry different labels cannot both be predicted right:
either a label is wrong (label noise, a data-entry or join error) or the features miss what
decided the label.  The scan hashes each row's features (every column but the target,
prediction, score, id, timestamp and ignored ones) together with its label, in the pass that
counts duplicate rows (:mod:`mlaudit.summary._labels`), and counts the feature groups seen with
more than one label and the rows in them.  Rows without a label are left out.

* **Without reference data** the share of labelled rows in conflicting groups is held to
  ``warn`` and ``fail`` (any conflict warns by default: a real table such as UCI's Adult has a
  few duplicate-looking rows with different incomes, and the report says so).
* **With reference data** conflicts that the reference has too are a property of the source:
  the rise of the conflicting share counts only when a one-sided pooled two-proportion z test
  at ``alpha`` finds the share of conflicting **groups** (among the feature groups) higher than
  in the reference.  Groups, not rows, are the units of the test: rows of one group conflict
  together, so a test on rows would over-count the evidence.  How often identical features occur
  grows with the number of rows when features are few and discrete, so the comparison assumes
  periods of similar size (a current period much larger than the reference can show more
  conflicts by chance).

Examples come from the profile's seeded sample: the conflicting groups the sample itself shows,
with their feature values (masked in personal columns) and the labels' counts in the sample.
"""

from __future__ import annotations

import math
from typing import ClassVar

import polars as pl

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._chance import increase_p
from mlaudit.checks.quality._target import one_target, with_labels
from mlaudit.results import Cell, CheckResult, ExamplesDetail, Severity, Status, Threshold
from mlaudit.summary import DatasetProfile, ScanPlan

__all__ = ["ConflictingLabels"]

_MAX_GROUPS = 5


@register
class ConflictingLabels(Check):
    """Warn when rows with identical features carry different labels."""

    id: ClassVar[str] = "quality.conflicting_labels"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Rows with identical features have the same label"
    why: ClassVar[str] = (
        "Rows that agree on every feature but disagree on the label cannot all be predicted "
        "right: a label is wrong (label noise) or the features miss what decided it; either way "
        "the model learns noise and its measured accuracy has a ceiling below 100%."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    warn: Share = 0.0
    """Warn when the share of labelled rows in conflicting groups (or, with reference data, its
    significant rise) is above this (default 0: any conflict warns)."""
    fail: Share = 0.05
    """Fail when that share (or its rise) is above this (default 5%)."""
    alpha: Alpha = 0.01
    """With reference data: the rise counts only when the share of conflicting feature groups
    is higher than the reference's at this level (one-sided two-proportion z test)."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to hash each row's features and label."""
        return with_labels(plan)

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Read the profile's label conflicts and hold their share to the limits."""
        target, why_not = one_target(ctx, "conflicts are counted")
        if target is None:
            return self.skipped(why_not)
        lc = ctx.current.label_conflicts
        if lc is None:
            return self.skipped(
                "the profile has no conflict counts (no feature column besides the target, "
                "or a saved profile merged with another)"
            )
        if not lc.features:
            return self.skipped(f"no feature column besides the target {lc.label}")
        if not lc._has_pairs and math.isnan(lc.conflicting_rows):
            return self.skipped(
                "the conflict counts were lost when saved profiles were merged (a profile saved "
                "by an earlier mlaudit, or with more than 1,000,000 feature groups, keeps the "
                "counts, not the feature groups)"
            )
        if lc.rows == 0:
            return self.skipped(f"no row has a label in {lc.label}")
        metrics: dict[str, float | int | None] = {
            "labelled_rows": lc.rows,
            "feature_groups": lc.groups,
            "conflicting_groups": lc.conflicting_groups,
            "conflicting_rows": lc.conflicting_rows,
            "conflicting_share": lc.share,
        }
        about = "" if lc.exact else "about "
        message = (
            f"{about}{lc.conflicting_rows:,.0f} of {lc.rows:,} labelled rows "
            f"({format_share(lc.share)}) lie in {about}{_groups(lc.conflicting_groups)} of "
            f"rows with identical features ({len(lc.features)} columns) but different "
            f"{lc.label} labels"
        )
        judged, metric, text = self._judged(ctx.reference, lc.share, metrics)
        message += text
        threshold = Threshold(metric=metric, direction="max", warn=self.warn, fail=self.fail)
        status = threshold.status_for(judged) if lc.conflicting_groups else Status.PASS
        if status == Status.SKIPPED:
            status = Status.PASS
        if status != Status.PASS:
            message += (
                "; check these rows' labels at the source, or find the feature that tells them "
                "apart (a column left out or dropped)"
            )
        details = [d for d in [_examples(ctx.current, lc.label, lc.features)] if d is not None]
        return self.result(
            status,
            message + ".",
            metrics=metrics,
            threshold=threshold,
            exact=lc.exact,
            details=details,
        )

    def _judged(
        self,
        ref: DatasetProfile | None,
        share: float,
        metrics: dict[str, float | int | None],
    ) -> tuple[float, str, str]:
        """The figure held to the limits, its metric name, and the message's comparison."""
        rl = None if ref is None else ref.label_conflicts
        if ref is None or rl is None or not rl.rows or not rl.groups:
            return share, "conflicting_share", ""
        cur = metrics
        groups = float(cur["feature_groups"] or 0)
        p = increase_p(
            float(cur["conflicting_groups"] or 0),
            round(groups),
            rl.conflicting_groups,
            round(rl.groups),
        )
        rise = share - rl.share
        metrics.update(
            {
                "reference_conflicting_share": rl.share,
                "conflicting_share_increase": rise,
                "p_value": p,
            }
        )
        text = (
            f", against {format_share(rl.share)} in the reference (one-sided p = {p:.2g} for a "
            "rise of the conflicting groups' share)"
        )
        return (max(rise, 0.0) if p < self.alpha else 0.0), "conflicting_share_increase", text


def _examples(prof: DatasetProfile, label: str, features: list[str]) -> ExamplesDetail | None:
    """Conflicting groups the seeded sample shows (personal values masked by the scan)."""
    sample = prof.sample
    if sample is None or label not in sample.columns or not features:
        return None
    if any(f not in sample.columns for f in features):
        return None
    labelled = sample.filter(pl.col(label).is_not_null())
    groups = (
        labelled.group_by(features)
        .agg(
            pl.col(label).n_unique().alias("__labels"),
            pl.len().alias("__rows"),
            pl.col(label).value_counts(sort=True).alias("__counts"),
            pl.col("__row__").min().alias("__first"),
        )
        .filter(pl.col("__labels") > 1)
        .sort(["__rows", "__first"], descending=[True, False])
        .head(_MAX_GROUPS)
    )
    if not groups.height:
        return None
    rows: list[list[Cell]] = []
    for rec in groups.iter_rows(named=True):
        counts = ", ".join(f"{c[label]}: {c['count']}" for c in rec["__counts"])
        rows.append([*(_cell(rec[f]) for f in features), counts])
    personal = [c for c in features if c in prof.plan.personal or _personal(prof, c)]
    return ExamplesDetail(
        name="conflicting_groups",
        title="Groups of sampled rows with identical features and different labels "
        "(labels: rows in the sample)",
        columns=[*features, f"{label} (rows in the sample)"],
        rows=rows,
        masked_columns=personal,
    )


def _groups(n: float) -> str:
    return f"{n:,.0f} group{'' if n == 1 else 's'}"


def _personal(prof: DatasetProfile, name: str) -> bool:
    col = prof.columns.get(name)
    return bool(col is not None and col.personal)


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
