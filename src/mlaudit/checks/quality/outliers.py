"""``quality.outliers``: numeric values far outside the bulk of their column.

With a full profile, the engine's second pass counts the values outside Tukey's far-out fences
``Q1 - 3·IQR`` and ``Q3 + 3·IQR``, where the quartiles come from the first pass's quantile sketch
(exact up to 131,072 values, beyond that within the sketch's stated rank error, a hard bound, not
a probability; the counts given the fences are exact).

Without them (single-pass or streamed profiles) the check falls back to robust z-scores
``(x - median) / (1.4826·MAD)`` on the seeded sample and flags ``|z| > z_limit``; the default
4.72 puts the limit where Tukey's far-out fences are for a symmetric distribution, so the two
methods agree on well-behaved data.  The sample result is approximate and carries a 95% Wilson
interval.

Default limits: warn above 0.1% of values outside the fences (on normal data essentially no
value is: 2 in a million), fail above 5% (the tail, not a handful of bad records, dominates: a
lognormal income with σ = 1 puts about 3% of values beyond the upper fence and warns; σ = 1.5
puts about 6% there and fails).  Constant-ish columns whose quartiles coincide are not judged.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
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

__all__ = ["Outliers", "outlier_share", "rank_error"]

_SKIP_ROLES = (Role.ID, Role.TARGET, Role.PREDICTION, Role.SCORE, Role.IGNORED)
_ROW = "__row__"
_MAX_EXAMPLES = 10


def outlier_share(below: int, above: int, non_null: int) -> float:
    """Share of the non-missing values outside the fences; NaN when there are none."""
    return (below + above) / non_null if non_null else float("nan")


def rank_error(num: NumericSummary) -> float | None:
    """Normalised rank error of the column's quantiles (0 when exact); a hard bound."""
    return float(num.quantile_rank_error)


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

    warn: float = Field(default=0.001, ge=0, le=1)
    """Warn when more than this share of non-missing values lies outside the fences."""
    fail: float | None = Field(default=0.05, ge=0, le=1)
    """Fail when more than this share lies outside the fences (None: never fail)."""
    column_limits: dict[str, tuple[float | None, float | None]] = Field(default_factory=dict)
    """Column → (warn, fail) overriding the limits above for that column."""
    z_limit: float = Field(default=TUKEY_FAR_Z, gt=0)
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
            elif col.outliers is not None:
                out.append(self._fenced(col, col.numeric))
            else:
                out.append(self._sampled(col, ctx.current))
        return out

    def _threshold(self, column: str) -> Threshold:
        warn, fail = self.column_limits.get(column, (self.warn, self.fail))
        return Threshold(metric="outlier_share", direction="max", warn=warn, fail=fail)

    def _verdict(self, threshold: Threshold, share: float) -> str:
        status = threshold.status_for(share)
        if status is Status.FAIL:
            return f"above the {format_share(float(threshold.fail or 0), digits=2)} failure limit"
        if status is Status.WARN:
            return f"above the {format_share(float(threshold.warn or 0), digits=2)} warning limit"
        return "within the limits"

    def _fenced(self, col: ColumnSummary, num: NumericSummary) -> CheckResult:
        o = col.outliers
        assert o is not None
        threshold = self._threshold(col.name)
        err = rank_error(num)
        if not o.upper_fence > o.lower_fence:
            return self.skipped(
                f"the quartiles of {col.name} coincide ({o.lower_fence:g}): more than half its "
                "values are equal, so the fences are not informative; see quality.constant",
                column=col.name,
            )
        share = outlier_share(o.below, o.above, col.non_null)
        status = threshold.status_for(share)
        msg = (
            f"{o.below + o.above:,} of {col.non_null:,} values of {col.name} "
            f"({format_share(share, digits=2)}) lie "
            f"outside the fences [{o.lower_fence:,.4g}, {o.upper_fence:,.4g}] ({o.below:,} below, "
            f"{o.above:,} above), {self._verdict(threshold, share)}"
        )
        details = [_method_note(o, err), *_histogram(col), *_fence_examples(col, o)]
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
        threshold = self._threshold(col.name)
        share = k / n
        msg = (
            f"{k:,} of {n:,} sampled values of {col.name} ({format_share(share, digits=2)}) "
            "lie more than "
            f"{self.z_limit:g} robust standard deviations from the median, "
            f"{self._verdict(threshold, share)} (seeded sample of {n:,} of {col.non_null:,} "
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
            threshold.status_for(share),
            msg,
            column=col.name,
            threshold=threshold,
            metrics={"outliers": k, "sample_values": n, "outlier_share": share},
            exact=False,
            bounds={"outlier_share": wilson_bound(k, n)},
            details=details,
        )


def _method_note(o: OutlierCounts, err: float | None) -> NoteDetail:
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
    text = f"Fences: Tukey's Q1 - k·IQR and Q3 + k·IQR ({o.method or 'k=3'}). The quartiles {how}"
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
