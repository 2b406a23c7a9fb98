"""``quality.outliers``: numeric values far outside the bulk of their column.

Fences. With a full profile, the engine's second pass counts the values outside robust far-out
fences ``Q1 - 3·s_lo`` and ``Q3 + 3·s_hi``. Each side's scale is the largest of the IQR and the
IQR a normal distribution would have given that side's 10-50 % (resp. 50-90 %) quantile spread
(``1.0526·(Q90 - Q50)``, robust to 10 % of outliers on a side); when both are zero because a
mass point holds most of that side, ``0.5799·(Q99 - Q50)``; integer-valued columns take at least
1, their resolution. On normal data every term equals the IQR and the fences are Tukey's; on a
skewed, discrete or zero-inflated column the scale no longer collapses onto a heavy mass point
(``hours_per_week`` with 47 % of values at 40 had the fences [25, 60] and 13 % "outliers"; now
[-36.6, 102]). The quantiles come from the first pass's quantile sketch (exact up to 131,072
values, beyond that within the sketch's stated rank error, a hard bound); the counts given the
fences are exact.

With a reference, the fences come from the reference and both data sets are counted at them,
so a column's ordinary shape (a heavy tail, a top-code, a mass point beyond a fence) is shared by
both and cancels: the finding is the *excess* of the current outlier share over the reference's.
Given the total number of outliers ``k = k_cur + k_ref``, ``k_cur`` is binomial with
``p = n_cur / (n_cur + n_ref)`` when both come from one distribution; the one-sided p-value is
``P(X >= k_cur)`` (exact conditional test of two proportions).  The check warns when
``p < alpha`` (0.01) and the excess exceeds ``warn`` (0.1 percentage point), and fails when
``p < alpha`` and the excess exceeds ``fail`` (5 points).  On two random halves of one table
it warns on at most ``alpha`` of the columns.

Without a reference the check can only judge the share itself: warn above ``warn`` (0.1 %; on
normal data 2 in a million lie outside), never fail, since a column's own shape cannot be told
from a defect without something to compare with.

Without engine fences (single-pass or streamed profiles) the check falls back to robust
z-scores ``(x - median) / (1.4826·MAD)`` on the seeded sample and flags ``|z| > z_limit``; the
default 4.72 puts the limit where Tukey's far-out fences are for a symmetric distribution.  The
sample result is approximate, carries a 95% Wilson interval and only warns.  Columns whose
fences coincide are not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Alpha, Positive, Share, ShareLimits
from mlaudit.data import Role
from mlaudit.results import (
    Cell,
    CheckResult,
    DistributionDetail,
    ExamplesDetail,
    NoteDetail,
    Severity,
    Status,
    Threshold,
)
from mlaudit.stats import TUKEY_FAR_Z, robust_z, wilson_bound
from mlaudit.summary import ColumnSummary, DatasetProfile, NumericSummary, OutlierCounts

if TYPE_CHECKING:
    from scipy import stats as sps
else:  # imported on first use (mlaudit._lazy)
    sps = lazy_import("scipy.stats")

__all__ = [
    "Outliers",
    "ReferenceComparison",
    "compare_with_reference",
    "outlier_share",
    "rank_error",
]

_SKIP_ROLES = (Role.ID, Role.TARGET, Role.PREDICTION, Role.SCORE, Role.IGNORED)
_ROW = "__row__"
_MAX_EXAMPLES = 10


def outlier_share(below: int, above: int, non_null: int) -> float:
    """Share of the non-missing values outside the fences; NaN when there are none."""
    return (below + above) / non_null if non_null else float("nan")


def rank_error(num: NumericSummary) -> float | None:
    """Normalised rank error of the column's quantiles (0 when exact); a hard bound."""
    return float(num.quantile_rank_error)


@dataclass(frozen=True)
class ReferenceComparison:
    """Current against reference outlier counts at the same fences."""

    outliers: int
    non_null: int
    ref_outliers: int
    ref_non_null: int
    p_value: float
    """One-sided exact conditional p-value of ``current share > reference share``."""

    @property
    def share(self) -> float:
        """Current outlier share."""
        return self.outliers / self.non_null

    @property
    def ref_share(self) -> float:
        """Reference outlier share."""
        return self.ref_outliers / self.ref_non_null

    @property
    def excess(self) -> float:
        """Current share minus reference share."""
        return self.share - self.ref_share


def compare_with_reference(k: int, n: int, k_ref: int, n_ref: int) -> ReferenceComparison:
    """Exact one-sided test that ``k/n`` exceeds ``k_ref/n_ref`` (see the module docstring).

    Conditional on ``k + k_ref`` outliers in all, ``k`` is binomial with success probability
    ``n / (n + n_ref)`` under the null of equal proportions; the p-value is ``P(X >= k)``.
    """
    total = k + k_ref
    p = 1.0 if total == 0 else float(sps.binom.sf(k - 1, total, n / (n + n_ref)))
    return ReferenceComparison(k, n, k_ref, n_ref, min(1.0, p))


@register
class Outliers(Check):
    """Warn or fail when a numeric column has many values far outside its quartiles."""

    id: ClassVar[str] = "quality.outliers"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Numeric columns have few extreme values"
    why: ClassVar[str] = (
        "Extreme values are often entry errors or codes such as 999999 for 'unknown'; they pull "
        "a model's coefficients and splits towards a few records, and a heavy tail usually needs "
        "a transformation or capping before modelling."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    warn: Share = 0.001
    """Warn above this share outside the fences (with a reference: this excess over its share)."""
    fail: Share | None = 0.05
    """Fail above this excess over the reference's share (None: never fail; needs a reference)."""
    alpha: Alpha = 0.01
    """With a reference, an excess is reported only when its one-sided p-value is below this."""
    column_limits: dict[str, ShareLimits] = Field(default_factory=dict)
    """Column → (warn, fail) overriding the limits above for that column."""
    z_limit: Positive = TUKEY_FAR_Z
    """Robust |z| beyond which a sample value is an outlier (used without engine fences)."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per numeric column whose role is not id, target, prediction or score."""
        candidates = [
            c.name
            for c in ctx.schema.columns
            if c.type.is_numeric and c.role not in _SKIP_ROLES and c.name in ctx.current.columns
        ]
        out = []
        for name in self.target_columns(ctx, candidates):
            col = ctx.current.columns.get(name)
            if col is None or col.numeric is None:
                out.append(self.skipped(f"{name} has no numeric summary", column=name))
            elif col.non_null == 0:
                out.append(self.skipped(f"{name} has no non-missing values", column=name))
            elif col.personal:
                why = "its summary keeps no values or quantiles to set fences by"
                out.append(self.skipped(f"{name} holds personal data: {why}", column=name))
            elif col.outliers is not None:
                ref = ctx.reference.columns.get(name) if ctx.reference is not None else None
                out.append(self._fenced(col, col.numeric, ref))
            else:
                out.append(self._sampled(col, ctx.current))
        return out

    def _threshold(self, column: str, *, reference: bool) -> Threshold:
        warn, fail = self.column_limits.get(column, (self.warn, self.fail))
        if reference:
            return Threshold(metric="excess_share", direction="max", warn=warn, fail=fail)
        return Threshold(metric="outlier_share", direction="max", warn=warn, fail=None)

    def _verdict(self, threshold: Threshold, status: Status) -> str:
        what = "excess" if threshold.metric == "excess_share" else "share"
        if status is Status.FAIL:
            limit = format_share(float(threshold.fail or 0), digits=2)
            return f"the {what} is above the {limit} failure limit"
        if status is Status.WARN:
            limit = format_share(float(threshold.warn or 0), digits=2)
            return f"the {what} is above the {limit} warning limit"
        return "within the limits"

    def _fenced(
        self, col: ColumnSummary, num: NumericSummary, ref: ColumnSummary | None
    ) -> CheckResult:
        o = col.outliers
        assert o is not None
        err = rank_error(num)
        if not o.upper_fence > o.lower_fence:
            return self.skipped(
                f"the fences of {col.name} coincide ({o.lower_fence:g}): nearly all its values "
                "are equal, so the fences are not informative; see quality.constant",
                column=col.name,
            )
        share = outlier_share(o.below, o.above, col.non_null)
        msg = (
            f"{o.below + o.above:,} of {col.non_null:,} values of {col.name} "
            f"({format_share(share, digits=2)}) lie "
            f"outside the fences [{o.lower_fence:,.4g}, {o.upper_fence:,.4g}] ({o.below:,} below, "
            f"{o.above:,} above)"
        )
        metrics: dict[str, float | int | None] = {
            "outliers": o.below + o.above,
            "below": o.below,
            "above": o.above,
            "non_null": col.non_null,
            "outlier_share": share,
            "lower_fence": o.lower_fence,
            "upper_fence": o.upper_fence,
            "quantile_rank_error": err,
        }
        ro = ref.outliers if ref is not None else None
        same = ro is not None and (ro.lower_fence, ro.upper_fence) == (o.lower_fence, o.upper_fence)
        if ref is not None and ro is not None and same and ref.non_null:
            cmp = compare_with_reference(
                o.below + o.above, col.non_null, ro.below + ro.above, ref.non_null
            )
            threshold = self._threshold(col.name, reference=True)
            status = threshold.status_for(cmp.excess) if cmp.p_value < self.alpha else Status.PASS
            msg += (
                f", set from the reference; the reference has {cmp.ref_outliers:,} of "
                f"{cmp.ref_non_null:,} ({format_share(cmp.ref_share, digits=2)}) outside them: "
                f"an excess of {cmp.excess * 100:+.2f} percentage points (one-sided p = "
                f"{cmp.p_value:.2g}), {self._verdict(threshold, status)}"
            )
            metrics |= {
                "reference_outliers": cmp.ref_outliers,
                "reference_non_null": cmp.ref_non_null,
                "reference_share": cmp.ref_share,
                "excess_share": cmp.excess,
                "p_value": cmp.p_value,
            }
        else:
            threshold = self._threshold(col.name, reference=False)
            status = threshold.status_for(share)
            msg += f", {self._verdict(threshold, status)} (no reference to compare with)"
        details = [_method_note(o, err, same), *_histogram(col), *_fence_examples(col, o)]
        return self.result(
            status,
            msg,
            column=col.name,
            metrics=metrics,
            threshold=threshold,
            exact=err == 0,
            details=details,
        )

    def _sampled(self, col: ColumnSummary, profile: DatasetProfile) -> CheckResult:
        sample = profile.sample
        if sample is None or col.name not in sample.columns or col.personal:
            why = "it is personal and masked in the sample" if col.personal else "no sample"
            return self.skipped(
                f"the profile has no outlier counts for {col.name} and {why}", column=col.name
            )
        part = sample.select([c for c in (_ROW, col.name) if c in sample.columns])
        if not part.schema[col.name].is_numeric():
            return self.skipped(f"{col.name} is not numeric in the sample", column=col.name)
        values = part.get_column(col.name).cast(pl.Float64).to_numpy()
        z = robust_z(values)
        ok = ~np.isnan(z)
        n = int(ok.sum())
        if n == 0:
            return self.skipped(f"the sample holds no value of {col.name}", column=col.name)
        flagged = ok & (np.abs(np.where(ok, z, 0.0)) > self.z_limit)
        k = int(flagged.sum())
        threshold = self._threshold(col.name, reference=False)
        share = k / n
        status = threshold.status_for(share)
        msg = (
            f"{k:,} of {n:,} sampled values of {col.name} ({format_share(share, digits=2)}) "
            "lie more than "
            f"{self.z_limit:g} robust standard deviations from the median, "
            f"{self._verdict(threshold, status)} (seeded sample of {n:,} of {col.non_null:,} "
            "values: the profile had no outlier counts)"
        )
        details: list[object] = [
            NoteDetail(
                name="method",
                text="Robust z-scores (x - median) / (1.4826·MAD) on the seeded sample; "
                f"|z| > {self.z_limit:g} counts as an outlier.",
            )
        ]
        details += _histogram(col)
        if k:
            details.append(_sample_examples(col.name, part, z, flagged))
        return self.result(
            status,
            msg,
            column=col.name,
            threshold=threshold,
            metrics={"outliers": k, "sample_values": n, "outlier_share": share},
            exact=False,
            bounds={"outlier_share": wilson_bound(k, n)},
            details=details,
        )


def _method_note(o: OutlierCounts, err: float | None, from_reference: bool) -> NoteDetail:
    if err == 0:
        how = "are exact."
    elif err is not None:
        how = (
            "come from a quantile sketch with a normalised rank error of at most "
            f"±{format_share(err, digits=2)} "
            "(a hard bound, not a probability), so the fences are approximate; the counts given "
            "the fences are exact."
        )
    else:
        how = "come from a quantile sketch (approximate)."
    text = (
        f"Fences ({o.method or 'iqr(k=3)'}): Q1 - 3·s and Q3 + 3·s, each side's scale s the "
        "largest of the IQR and the IQR a normal distribution would have given that side's "
        "10-50 % (or 50-90 %) quantile spread, so that a heavy mass point does not collapse it. "
        f"The quantiles {how}"
    )
    if from_reference:
        text += (
            " The fences are the reference's; both data sets are counted at them and the "
            "excess of the current share is tested exactly (one-sided, conditional binomial)."
        )
    return NoteDetail(name="method", text=text)


def _fence_examples(col: ColumnSummary, o: OutlierCounts) -> list[ExamplesDetail]:
    if not o.examples or col.personal:
        return []
    rows: list[list[Cell]] = [
        [r, v, "below" if v < o.lower_fence else "above"] for r, v in o.examples[:_MAX_EXAMPLES]
    ]
    return [
        ExamplesDetail(
            name="extreme_values",
            title=f"Most extreme values of {col.name}",
            columns=["row", col.name, "side"],
            rows=rows,
        )
    ]


def _histogram(col: ColumnSummary) -> list[object]:
    h = col.histogram
    if h is None or not h.counts or col.personal:
        return []
    return [
        DistributionDetail(
            name="histogram",
            title=f"Distribution of {col.name}",
            column=col.name,
            edges=list(h.edges),
            counts={"current": [float(c) for c in h.counts]},
        )
    ]


def _sample_examples(
    name: str, part: pl.DataFrame, z: np.ndarray, flagged: np.ndarray
) -> ExamplesDetail:
    idx = np.flatnonzero(flagged)
    idx = idx[np.argsort(-np.abs(z[idx]), kind="stable")][:_MAX_EXAMPLES]
    rows_col = part.get_column(_ROW).to_list() if _ROW in part.columns else [None] * part.height
    vals = part.get_column(name).to_list()
    rows: list[list[Cell]] = [[rows_col[i], vals[i], round(float(z[i]), 2)] for i in idx]
    return ExamplesDetail(
        name="extreme_values",
        title=f"Most extreme sampled values of {name}",
        columns=["row", name, "robust_z"],
        rows=rows,
    )
