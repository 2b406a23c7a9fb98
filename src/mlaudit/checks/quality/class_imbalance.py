"""``quality.class_imbalance``: the share of each class of the target.

The target is the column with the role ``target``; its classes and their row counts come from the
profile's exact category counts (rows without a label are left out).  A target without category
counts (numeric with many values: a regression target) or with more than ``max_classes`` classes
is skipped with the reason.  The result always names the minority class, its rows and share, and
the ratio of the majority class to it.  The target is judged against, in this order:

* **Declared shares** (``expected_shares``, e.g. ``{"1": 0.3}``): a declared class whose share
  is more than ``tolerance`` (absolute) away from its declared share fails: the declaration is a
  contract.  Classes not declared are not judged.
* **The reference's shares**: a chi-square test of homogeneity of the 2 x K table of class
  counts (current and reference rows; Pearson's statistic, ``K - 1`` degrees of freedom, no
  continuity correction), which accounts for the sampling error of both periods.  A change counts
  only when the test is significant at ``alpha`` and the largest absolute change of a class's
  share is above ``warn`` (``fail``): with a million rows a change of 0.1 point is significant
  but rarely matters.  The chi-square approximation needs expected counts of about 5 or more;
  with smaller ones it errs towards significance, which the share limits keep in check.
* **Neither**: a warning only when the minority class is tiny: below ``min_share`` of the
  labelled rows or fewer than ``min_rows`` rows, too few to learn or to measure the model on it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Alpha, PositiveCount, Share
from mlaudit.checks.quality._target import one_target, with_labels
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.summary import CategoryCounts, DatasetProfile, ScanPlan

if TYPE_CHECKING:
    from scipy import stats
else:  # imported on first use (mlaudit._lazy)
    stats = lazy_import("scipy.stats")

__all__ = ["ClassImbalance", "homogeneity_test"]


def homogeneity_test(current: dict[str, int], reference: dict[str, int]) -> tuple[float, float]:
    """Pearson's chi-square test that two samples share their class proportions.

    Returns the statistic and its p-value on ``K - 1`` degrees of freedom, ``K`` the classes seen
    in either sample; ``(0, 1)`` when there is one class or an empty sample.
    """
    classes = sorted({*current, *reference})
    n_cur, n_ref = sum(current.values()), sum(reference.values())
    if len(classes) < 2 or n_cur == 0 or n_ref == 0:
        return 0.0, 1.0
    total = n_cur + n_ref
    stat = 0.0
    for c in classes:
        pooled = current.get(c, 0) + reference.get(c, 0)
        for observed, n in ((current.get(c, 0), n_cur), (reference.get(c, 0), n_ref)):
            expected = pooled * n / total
            stat += (observed - expected) ** 2 / expected
    return stat, float(stats.chi2.sf(stat, len(classes) - 1))


@register
class ClassImbalance(Check):
    """Report the target's class shares; warn on a tiny minority or a change of shares."""

    id: ClassVar[str] = "quality.class_imbalance"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Target classes are represented as expected"
    why: ClassVar[str] = (
        "A model learns little from a class it rarely sees, and its accuracy hides failures on "
        "that class; a class share that changed since the reference (or differs from the "
        "declared one) changes what the model's scores and thresholds mean."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    expected_shares: dict[str, Share] | None = None
    """Declared share of some classes (``{"1": 0.3}``); keys are the target's values as text."""
    tolerance: Share = 0.05
    """Largest absolute difference between a declared share and the observed one."""
    warn: Share = 0.02
    """With reference data: warn when a class's share changed by more than this (absolute) and
    the change is significant."""
    fail: Share = 0.10
    """With reference data: fail when a class's share changed by more than this."""
    alpha: Alpha = 0.01
    """With reference data: significance level of the chi-square test of homogeneity."""
    min_share: Share = 0.01
    """Without reference or declaration: warn when the minority class holds less than this."""
    min_rows: PositiveCount = 30
    """Without reference or declaration: warn when the minority class has fewer rows."""
    max_classes: PositiveCount = 100
    """A target with more classes than this is treated as a regression target and skipped."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to count the target's classes."""
        return with_labels(plan)

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the target column."""
        name, why_not = one_target(ctx, "class shares are judged")
        if name is None:
            return self.skipped(why_not)
        counts, why = _class_counts(ctx.current, name, self.max_classes)
        if counts is None:
            return self.skipped(f"{name} {why}", column=name)
        n = sum(counts.values())
        metrics = _minority_metrics(counts)
        said = _shares_text(name, counts)
        ref_counts = None
        if ctx.reference is not None:
            ref_counts, _ = _class_counts(ctx.reference, name, self.max_classes)
        if self.expected_shares:
            status, text, table = self._against_declared(counts, metrics)
        elif ref_counts:
            status, text, table = self._against_reference(counts, ref_counts, metrics)
        else:
            status, text, table = self._minority(counts, metrics)
        return self.result(
            status,
            f"{said} ({n:,} labelled rows); {text}.",
            column=name,
            metrics=metrics,
            threshold=_threshold(self, status, bool(self.expected_shares), bool(ref_counts)),
            details=[table],
        )

    def _minority(
        self, counts: dict[str, int], metrics: dict[str, float | int | None]
    ) -> tuple[Status, str, TableDetail]:
        cls, rows = min(counts.items(), key=lambda kv: (kv[1], kv[0]))
        share = rows / sum(counts.values())
        table = _table(counts, None, None)
        if len(counts) < 2:
            return Status.WARN, "the target has one class only: no classifier can learn", table
        text = f"the minority class {cls!r} has {rows:,} rows ({format_share(share)})"
        if share < self.min_share or rows < self.min_rows:
            return (
                Status.WARN,
                f"{text}, below the {format_share(self.min_share)} / {self.min_rows:,}-row "
                "minimum: too few to learn it or to measure the model on it; collect more "
                "rows of it, weight or resample it, or judge the model by per-class metrics",
                table,
            )
        return Status.PASS, text, table

    def _against_declared(
        self, counts: dict[str, int], metrics: dict[str, float | int | None]
    ) -> tuple[Status, str, TableDetail]:
        expected = self.expected_shares or {}
        n = sum(counts.values())
        off = {
            c: counts.get(c, 0) / n - s
            for c, s in expected.items()
            if abs(counts.get(c, 0) / n - s) > self.tolerance
        }
        metrics["largest_share_difference"] = max(
            (abs(counts.get(c, 0) / n - s) for c, s in expected.items()), default=0.0
        )
        table = _table(counts, None, expected)
        if not off:
            return Status.PASS, f"every declared share holds within ±{self.tolerance:g}", table
        parts = ", ".join(
            f"{c!r} {format_share(counts.get(c, 0) / n)} against {format_share(expected[c])}"
            for c in off
        )
        return (
            Status.FAIL,
            f"shares beyond the declared ±{self.tolerance:g}: {parts}; find why the classes' "
            "mix changed (sampling, a filter, a new source) or correct the declaration",
            table,
        )

    def _against_reference(
        self,
        counts: dict[str, int],
        ref: dict[str, int],
        metrics: dict[str, float | int | None],
    ) -> tuple[Status, str, TableDetail]:
        stat, p = homogeneity_test(counts, ref)
        n, m = sum(counts.values()), sum(ref.values())
        changes = {c: counts.get(c, 0) / n - ref.get(c, 0) / m for c in sorted({*counts, *ref})}
        cls, change = max(changes.items(), key=lambda kv: (abs(kv[1]), kv[0]))
        metrics.update({"chi_square": stat, "p_value": p, "largest_share_change": abs(change)})
        table = _table(counts, ref, None)
        text = (
            f"the largest change since the reference is {change * 100:+.1f} points for "
            f"{cls!r} (chi-square test of homogeneity p = {p:.2g})"
        )
        limit = Threshold(metric="largest_share_change", warn=self.warn, fail=self.fail)
        status = limit.status_for(abs(change)) if p < self.alpha else Status.PASS
        if status != Status.PASS:
            text += (
                "; the mix of classes changed: check the selection of this period's rows, and "
                "recalibrate the model's scores or thresholds if the change is real"
            )
        return status, text, table


def _class_counts(
    prof: DatasetProfile, name: str, max_classes: int
) -> tuple[dict[str, int] | None, str]:
    """Rows per class of the target: the scan's label counts, else the column's categories."""
    lc = prof.label_conflicts
    counts: dict[str, int] | None = None
    if lc is not None and lc.label == name and lc.classes_exact:
        counts = dict(lc.classes)
    else:
        cats: CategoryCounts | None = getattr(prof.columns.get(name), "categories", None)
        if cats is not None and cats.exact and not cats.hashed:
            counts = {str(k): int(v) for k, v in cats.counts.items()}
    if counts is None:
        return None, "has no class counts: a numeric target with many values (regression)"
    if len(counts) > max_classes:
        return None, (
            f"has {len(counts):,} distinct values, more than {max_classes:,}: treated as a "
            "regression target"
        )
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return None, "has no labelled row"
    return counts, ""


def _minority_metrics(counts: dict[str, int]) -> dict[str, float | int | None]:
    n = sum(counts.values())
    minority = min(counts.items(), key=lambda kv: (kv[1], kv[0]))[1]
    majority = max(counts.values())
    return {
        "classes": len(counts),
        "labelled_rows": n,
        "minority_rows": minority,
        "minority_share": minority / n,
        "majority_share": majority / n,
        "imbalance_ratio": majority / minority if minority else math.inf,
    }


def _shares_text(name: str, counts: dict[str, int]) -> str:
    n = sum(counts.values())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{c!r} {format_share(k / n)}" for c, k in top[:5])
    more = f" and {len(top) - 5:,} more" if len(top) > 5 else ""
    return f"{name} has {len(counts):,} classes: {shown}{more}"


def _threshold(check: ClassImbalance, status: Status, declared: bool, ref: bool) -> Threshold:
    if declared:
        return Threshold(metric="largest_share_difference", fail=check.tolerance)
    if ref:
        return Threshold(metric="largest_share_change", warn=check.warn, fail=check.fail)
    return Threshold(metric="minority_share", direction="min", warn=check.min_share)


def _table(
    counts: dict[str, int], ref: dict[str, int] | None, expected: dict[str, float] | None
) -> TableDetail:
    n = sum(counts.values())
    classes = sorted(
        {*counts, *(ref or {}), *(expected or {})}, key=lambda c: (-counts.get(c, 0), c)
    )
    columns = ["class", "rows", "share"]
    if ref is not None:
        columns += ["reference rows", "reference share", "change (points)"]
    if expected is not None:
        columns += ["declared share"]
    m = sum((ref or {}).values())
    rows: list[list[Cell]] = []
    for c in classes:
        row: list[Cell] = [c, counts.get(c, 0), counts.get(c, 0) / n]
        if ref is not None:
            rs = ref.get(c, 0) / m if m else None
            row += [ref.get(c, 0), rs, None if rs is None else (counts.get(c, 0) / n - rs) * 100]
        if expected is not None:
            row.append(expected.get(c))
        rows.append(row)
    return TableDetail(name="class_shares", title="Rows per class", columns=columns, rows=rows)
