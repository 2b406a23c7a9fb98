"""``quality.duplicate_rows``: rows that repeat an earlier row exactly."""

from __future__ import annotations

import math
from typing import ClassVar

import polars as pl

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks.quality.completeness import format_count, format_share
from mlaudit.results import Bound, CheckResult, ExamplesDetail, Severity, Status, Threshold
from mlaudit.summary import DatasetProfile

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

    warn: float = 0.0
    """Warn when the duplicate share is above this (default 0: any duplicate warns)."""
    fail: float = 0.01
    """Fail when the duplicate share is above this (default 1%)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Read the profile's duplicate count and hold its share to the limits."""
        prof = ctx.current
        n = prof.n_rows
        if n == 0:
            return self.skipped("the data set has no rows")
        dup = float(prof.duplicate_rows)
        share = dup / n
        threshold = Threshold(
            metric="duplicate_share", direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(share)
        metrics: dict[str, float | int | None] = {
            "duplicate_share": share,
            "duplicate_rows": dup,
            "rows": n,
        }
        approx = "about " if not prof.duplicates_exact else ""
        message = (
            f"{approx}{format_count(round(dup))} of {format_count(n)} rows "
            f"({format_share(share)}) repeat an earlier row"
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
            if threshold.status_for(lo / n) != threshold.status_for(hi / n):
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
