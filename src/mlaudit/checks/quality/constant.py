"""``quality.constant``: columns with one value (or none), and columns with nearly one value.

* **Constant**: every non-missing value is the same, or every value is missing.  A warning for
  a feature (it carries no information), a failure for a target or a prediction (a model cannot
  learn from, or be judged on, a single outcome).
* **Near-constant**: the most frequent value holds at least ``near_constant_share`` of the
  non-missing values.  A warning for features; not reported for targets, predictions and scores,
  where a dominant class is imbalance (a performance and fairness matter), not a data defect.

The top value's share comes from exact category counts when the profile has them, from the
count of zeros for numeric columns, and otherwise from the seeded sample (then marked
approximate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.data import Role
from mlaudit.results import (
    CheckResult,
    DistributionDetail,
    Severity,
    Status,
    Threshold,
)
from mlaudit.summary import ColumnSummary, DatasetProfile

__all__ = ["Constant", "TopValue", "is_constant", "top_value"]

_OUTCOME_ROLES = (Role.TARGET, Role.PREDICTION)
_NO_NEAR_CONSTANT = (Role.TARGET, Role.PREDICTION, Role.SCORE)


@dataclass(frozen=True)
class TopValue:
    """The most frequent non-missing value, its count among ``of`` values, and how it is known."""

    value: str
    count: int
    of: int
    exact: bool

    @property
    def share(self) -> float:
        """Share of the non-missing values that equal the top value."""
        return self.count / self.of if self.of else float("nan")


def _distinct_text(col: ColumnSummary) -> str:
    """``"12 distinct values"``, or the estimate and its error when the count is estimated."""
    if col.distinct_exact:
        return f"{col.distinct:,.0f} distinct values"
    rse = f"relative standard error {col.distinct_error:.1%}"
    return f"about {col.distinct:,.0f} distinct values (an estimate, {rse})"


def is_constant(col: ColumnSummary) -> bool:
    """True when ``col`` has at most one distinct non-missing value."""
    num = col.numeric
    if num is not None and (num.min is not None or num.posinf_count or num.neginf_count):
        infs = (num.posinf_count > 0) + (num.neginf_count > 0)
        finite = 0 if num.min is None else (1 if num.min == num.max else 2)
        return finite + infs <= 1
    if col.categories is not None and col.categories.exact and not col.categories.hashed:
        return len(col.categories.counts) <= 1
    return col.distinct < 1.5


def top_value(col: ColumnSummary, profile: DatasetProfile) -> TopValue | None:
    """The most frequent value of ``col`` from category counts, zeros or the sample."""
    cats = col.categories
    if cats is not None and cats.counts and (cats.exact or not cats.hashed):
        value, n = cats.top(1)[0]
        return TopValue(value, n, col.non_null, cats.exact)
    if col.numeric is not None and col.non_null and col.numeric.zeros / col.non_null >= 0.5:
        return TopValue("0", col.numeric.zeros, col.non_null, True)
    sample = profile.sample
    if sample is None or col.personal:
        return None  # personal columns are masked in the sample
    try:  # a lookup by name: `in sample.columns` builds the list of every name (wide data)
        values = sample.get_column(col.name).drop_nulls()
    except pl.exceptions.ColumnNotFoundError:
        return None
    if values.dtype.is_float():
        values = values.drop_nans()
    if values.len() == 0:
        return None
    # The count column's name must differ from the data column's (which may be "n").
    counts = values.rename("value").value_counts(sort=True, name="count")
    value, n = counts.row(0)
    return TopValue(str(value), int(n), values.len(), False)


@register
class Constant(Check):
    """Warn on constant and near-constant columns; fail on a constant target or prediction."""

    id: ClassVar[str] = "quality.constant"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Columns are not constant"
    why: ClassVar[str] = (
        "A column with a single value tells a model nothing and often means a broken feed or a "
        "join that filled defaults; a constant target or prediction means there is nothing to "
        "learn or to validate."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    near_constant_share: float = Field(default=0.99, gt=0, le=1)
    """Warn when the most frequent value holds at least this share of the non-missing values."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column whose role is not ignored."""
        candidates = [
            c.name
            for c in ctx.schema.columns
            if c.role is not Role.IGNORED and c.name in ctx.current.columns
        ]
        out = []
        for name in self.target_columns(ctx, candidates):
            role = ctx.schema[name].role if name in ctx.schema else Role.FEATURE
            col = ctx.current.columns.get(name)
            if col is None:
                out.append(self.skipped(f"{name} is not in the profile", column=name))
            else:
                out.append(self._column(col, role, ctx.current))
        return out

    def _column(self, col: ColumnSummary, role: Role, profile: DatasetProfile) -> CheckResult:
        if col.count == 0:
            return self.skipped("the data has no rows", column=col.name)
        status_if_constant = Status.FAIL if role in _OUTCOME_ROLES else Status.WARN
        what = f"the {role.value} {col.name}" if role in _OUTCOME_ROLES else col.name
        threshold = Threshold(
            metric="top_value_share", direction="max", warn=self.near_constant_share
        )
        if col.non_null == 0:
            return self.result(
                status_if_constant,
                f"{what} is missing in all {col.count:,} rows: it has no value at all",
                column=col.name,
                metrics={"distinct": 0, "non_null": 0},
            )
        top = top_value(col, profile)
        metrics: dict[str, float | int | None] = {
            "distinct": col.distinct,
            "non_null": col.non_null,
            "top_value_share": None if top is None else top.share,
        }
        extra = _details(col, top)
        if is_constant(col):
            shown = f" ({top.value!r})" if top is not None and not _hashed(col) else ""
            return self.result(
                status_if_constant,
                f"{what} is constant: all {col.non_null:,} non-missing values are the same"
                f"{shown}; a model cannot learn anything from it",
                column=col.name,
                metrics=metrics,
                threshold=threshold,
                **extra,
            )
        if top is None:
            return self.result(
                Status.PASS,
                f"{col.name} has {_distinct_text(col)}",
                column=col.name,
                metrics=metrics,
                threshold=threshold,
            )
        return self._near(col, role, top, metrics, threshold, extra)

    def _near(
        self,
        col: ColumnSummary,
        role: Role,
        top: TopValue,
        metrics: dict[str, float | int | None],
        threshold: Threshold,
        extra: dict[str, object],
    ) -> CheckResult:
        value = "one value" if _hashed(col) else repr(top.value)
        if top.exact:
            said = (
                f"{value} holds {top.count:,} of {top.of:,} non-missing values of {col.name} "
                f"({top.share:.2%})"
            )
        else:
            said = (
                f"{value} holds about {top.share:.2%} of the non-missing values of {col.name} "
                f"({top.count:,} of {top.of:,} in the seeded sample)"
            )
        near = top.share >= self.near_constant_share
        if near and role not in _NO_NEAR_CONSTANT:
            return self.result(
                Status.WARN,
                f"{col.name} is nearly constant: {said}, at or above the "
                f"{self.near_constant_share:.0%} limit; it carries little information",
                column=col.name,
                metrics=metrics,
                threshold=threshold,
                **extra,
            )
        note = "; a dominant class is imbalance, not a data defect" if near else ""
        return self.result(
            Status.PASS,
            f"{said}{note}",
            column=col.name,
            metrics=metrics,
            threshold=threshold,
            **extra,
        )


def _hashed(col: ColumnSummary) -> bool:
    return col.personal or (col.categories is not None and col.categories.hashed)


def _details(col: ColumnSummary, top: TopValue | None) -> dict[str, object]:
    extra: dict[str, object] = {}
    if top is not None and not top.exact:
        extra["exact"] = False
    cats = col.categories
    if cats is not None and cats.counts and not _hashed(col):
        pairs = cats.top(10)
        extra["details"] = [
            DistributionDetail(
                name="top_values",
                title=f"Most frequent values of {col.name}",
                column=col.name,
                categories=[v for v, _ in pairs],
                counts={"current": [float(n) for _, n in pairs]},
                exact=cats.exact,
            )
        ]
    return extra
