"""``quality.duplicate_rows``: rows that repeat an earlier row exactly.

A table of a few discrete columns and no key (a survey) repeats rows by construction, so the
count of repeats is judged against what is expected:

* **With reference data**, the change is judged: the rise of the duplicate share since the
  reference is held to ``warn`` and ``fail`` and counts only when a one-sided pooled
  two-proportion z test finds it significant at ``alpha``.
* **Without reference data**, the repeats the columns' cardinalities make likely are estimated
  first: with the columns independent, two rows are identical with probability
  ``q = prod_j sum_v p_jv^2`` (value shares ``p_jv`` from exact counts, missing as a value; a
  column without exact counts contributes ``1 / distinct``, which under-states repeats), and
  :func:`~mlaudit.checks.quality._chance.expected_duplicates` turns ``q`` into an expected count.
  When at least one repeat is expected, repeats up to that count plus ``z_(1-alpha)`` Poisson
  standard deviations are explained by the cardinalities and pass, and beyond that only the
  excess over the expected count is held to ``warn`` and ``fail``.  When fewer than one is
  expected, every repeat counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import ClassVar

import polars as pl

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._chance import expected_duplicates, increase_p
from mlaudit.checks.quality.completeness import format_count, format_share
from mlaudit.results import Bound, CheckResult, ExamplesDetail, Severity, Status, Threshold
from mlaudit.summary import ColumnSummary, DatasetProfile

__all__ = ["DuplicateRows", "duplicate_bounds"]

# Relative standard error of the default HLL (p = 14) when the profile does not say.
_DEFAULT_RSE = 1.04 / math.sqrt(1 << 14)
_Z = 3.0  # three standard errors: about 99.7% coverage of the HLL estimate


def duplicate_bounds(rows: int, duplicates: float, relative_error: float) -> tuple[float, float]:
    """Interval for an approximate duplicate count ``rows - distinct``.

    The distinct-row estimate has relative standard error ``relative_error``; three standard
    errors either side of it give the interval, clipped to ``[0, rows - 1]``.
    """
    distinct = max(rows - duplicates, 0.0)
    spread = _Z * relative_error * distinct
    return max(0.0, duplicates - spread), min(float(max(rows - 1, 0)), duplicates + spread)


def _relative_error(profile: DatasetProfile) -> float:
    hll = getattr(getattr(profile, "_rows", None), "hll", None)
    rse = getattr(hll, "relative_error", None)
    return float(rse) if isinstance(rse, float) else _DEFAULT_RSE


@register
class DuplicateRows(Check):
    """Share of rows identical (in every column) to an earlier row."""

    id: ClassVar[str] = "quality.duplicate_rows"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Rows are not duplicated"
    why: ClassVar[str] = (
        "Duplicated rows give some records more weight than others and, when they straddle the "
        "training and test split, make the model look better than it is."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    warn: Share = 0.0
    """Warn when the duplicate share not explained by chance is above this (default 0: any
    unexplained duplicate warns)."""
    fail: Share = 0.01
    """Fail when the duplicate share not explained by chance is above this (default 1%)."""
    alpha: Alpha = 0.01
    """With reference data: a rise of the duplicate share counts only when significant at this
    level (one-sided two-proportion z test); without: repeats count only beyond the upper
    ``1 - alpha`` Poisson limit of those the cardinalities make likely."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Read the profile's duplicate count and hold its share to the limits."""
        prof = ctx.current
        n = prof.n_rows
        if n == 0:
            return self.skipped("the data set has no rows")
        dup = float(prof.duplicate_rows)
        share = dup / n
        expected = _Expected.of(self, ctx, dup)
        threshold = Threshold(
            metric=expected.metric, direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(expected.excess / n) if expected.counts else Status.PASS
        metrics: dict[str, float | int | None] = {
            "duplicate_share": share,
            "duplicate_rows": dup,
            "rows": n,
            **expected.metrics,
        }
        approx = "about " if not prof.duplicates_exact else ""
        message = (
            f"{approx}{format_count(round(dup))} of {format_count(n)} rows "
            f"({format_share(share)}) repeat an earlier row{expected.text}"
        )
        bounds: dict[str, Bound] = {}
        if not prof.duplicates_exact:
            lo, hi = duplicate_bounds(n, dup, _relative_error(prof))
            bounds["duplicate_share"] = Bound(
                low=lo / n, high=hi / n, kind="error_bound", method="HyperLogLog, 3 standard errors"
            )
            bounds["duplicate_rows"] = Bound(
                low=lo, high=hi, kind="error_bound", method="HyperLogLog, 3 standard errors"
            )
            lo_x, hi_x = (lo - dup + expected.excess) / n, (hi - dup + expected.excess) / n
            if expected.counts and threshold.status_for(lo_x) != threshold.status_for(hi_x):
                status = Status.WARN
                message += (
                    f"; the estimate ranges from {format_share(lo / n)} to "
                    f"{format_share(hi / n)}, so the result is inconclusive"
                )
        message += self._limit_text(status) + "."
        details = [d for d in [_examples(ctx)] if d is not None]
        return self.result(
            status,
            message,
            metrics=metrics,
            threshold=threshold,
            bounds=bounds,
            exact=prof.duplicates_exact,
            details=details,
        )

    def _limit_text(self, status: Status) -> str:
        if status == Status.FAIL:
            return f", above the {format_share(self.fail)} failure limit"
        if status == Status.WARN:
            return f", above the {format_share(self.warn)} warning limit"
        return ""


@dataclass(frozen=True)
class _Expected:
    """Duplicates not explained by chance, and how the message explains the rest."""

    excess: float
    counts: bool
    """False when chance explains the duplicates (then they are not judged)."""
    metric: str
    text: str
    metrics: dict[str, float | int | None]

    @classmethod
    def of(cls, check: DuplicateRows, ctx: CheckContext, dup: float) -> _Expected:
        """Judge against the reference's duplicate share, or against the cardinalities."""
        if ctx.reference is not None and ctx.reference.n_rows:
            return cls._against_reference(check, ctx.current.n_rows, dup, ctx.reference)
        n = ctx.current.n_rows
        expected = expected_duplicates(n, _collision(ctx.current))
        metrics: dict[str, float | int | None] = {"expected_duplicates": expected}
        if expected < 1.0:  # repeats are unlikely by chance: every one counts
            return cls(dup, True, "duplicate_share", "", metrics)
        explained = expected + NormalDist().inv_cdf(1.0 - check.alpha) * math.sqrt(expected)
        excess = max(dup - expected, 0.0)
        text = (
            f"; with columns of these cardinalities about {format_count(round(expected))} "
            f"repeats are expected by chance alone"
        )
        metrics["unexplained_duplicate_share"] = excess / n
        return cls(excess, dup > explained, "unexplained_duplicate_share", text, metrics)

    @classmethod
    def _against_reference(
        cls, check: DuplicateRows, n: int, dup: float, ref: DatasetProfile
    ) -> _Expected:
        ref_dup = float(ref.duplicate_rows)
        rise = dup / n - ref_dup / ref.n_rows
        p = increase_p(dup, n, ref_dup, ref.n_rows)
        text = (
            f", against {format_share(ref_dup / ref.n_rows)} in the reference "
            f"(one-sided p = {p:.2g} for a rise)"
        )
        metrics: dict[str, float | int | None] = {
            "reference_duplicate_share": ref_dup / ref.n_rows,
            "duplicate_share_increase": rise,
            "p_value": p,
        }
        return cls(max(rise, 0.0) * n, p < check.alpha, "duplicate_share_increase", text, metrics)


def _collision(prof: DatasetProfile) -> float:
    """Probability that two independent rows are identical, columns taken independently."""
    if not prof.columns:
        return 0.0  # nothing known of the columns: no repeat is explained by chance
    q = 1.0
    for s in prof.columns.values():
        q *= _column_collision(s)
    return q


def _column_collision(s: ColumnSummary) -> float:
    if not s.count:
        return 1.0
    missing = s.missing / s.count
    cats = s.categories
    if cats is not None and cats.exact and cats.counts:
        return sum((c / s.count) ** 2 for c in cats.counts.values()) + missing**2
    if s.distinct and math.isfinite(s.distinct):
        present = 1.0 - missing
        return present**2 / max(s.distinct, 1.0) + missing**2
    return 0.0


def _examples(ctx: CheckContext) -> ExamplesDetail | None:
    """Duplicated rows found within the sample, grouped together."""
    sample = ctx.current.sample
    if sample is None or sample.height < 2:
        return None
    cols = [c for c in sample.columns if c != "__row__"]
    if not cols:
        return None
    try:
        dup = sample.filter(pl.struct(cols).is_duplicated())
        if dup.height == 0:
            return None
        index = ["__row__"] if "__row__" in dup.columns else []
        dup = dup.sort([*cols, *index], nulls_last=True).head(6)
        shown = dup.select([*index, *cols]).select(pl.all().cast(pl.String))
    except pl.exceptions.PolarsError:
        return None
    personal = set(ctx.schema.personal)
    return ExamplesDetail(
        name="duplicate_rows",
        title="Duplicated rows found in the sample",
        columns=["row" if c == "__row__" else c for c in shown.columns],
        rows=[list(r) for r in shown.iter_rows()],
        masked_columns=[c for c in cols if c in personal],
    )
