"""``quality.cardinality``: categorical and text columns with extreme numbers of distinct values.

Two findings, both warnings:

* **identifier-like**: at least ``min_rows`` non-missing values and at least ``max_distinct_share``
  of them distinct, in a column whose role is not ``id``: it looks like an identifier or free
  text, and a model would memorise it rather than learn from it;
* **too many levels**: a categorical column with more than ``max_levels`` distinct values, which
  one-hot or target encoding turns into thousands of sparse, overfitted parameters.

Columns with a single level are left to ``quality.constant``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.data import ColumnType, Role
from mlaudit.results import Bound, Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.summary import ColumnSummary

__all__ = ["Cardinality", "distinct_share"]

_TYPES = (ColumnType.CATEGORICAL, ColumnType.TEXT)
_SKIP_ROLES = (Role.ID, Role.IGNORED, Role.TIMESTAMP)


def distinct_share(distinct: float, non_null: int) -> float:
    """Distinct values per non-missing value (1 means every value is unique); NaN if none."""
    return distinct / non_null if non_null else float("nan")


@register
class Cardinality(Check):
    """Warn on identifier-like categorical or text columns and on categoricals with many levels."""

    id: ClassVar[str] = "quality.cardinality"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Categorical columns have a usable number of levels"
    why: ClassVar[str] = (
        "A column where nearly every value is different behaves like an identifier or free text: "
        "a model memorises it instead of learning a pattern, and it does not generalise to new "
        "customers.  Thousands of levels make an encoded model sparse and unstable."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    max_distinct_share: float = Field(default=0.95, gt=0, le=1)
    """Warn when at least this share of the non-missing values are distinct."""
    min_rows: int = Field(default=100, ge=1)
    """Judge the distinct share only on columns with at least this many non-missing values."""
    max_levels: int = Field(default=1000, ge=2)
    """Warn when a categorical column has more distinct values than this."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per categorical or text column whose role is not id, timestamp or ignored."""
        candidates = [
            c.name
            for c in ctx.schema.columns
            # Personal columns (names, e-mails, national ids) are unique by nature; whether they
            # belong in the data at all is the privacy family's question, not a cardinality one.
            if c.type in _TYPES
            and c.role not in _SKIP_ROLES
            and not c.personal
            and c.name in ctx.current.columns
        ]
        return [
            self._column(ctx.current.columns[n], ctx.schema[n].type)
            if n in ctx.current.columns
            else self.skipped(f"{n} is not in the profile", column=n)
            for n in self.target_columns(ctx, candidates)
        ]

    def _column(self, col: ColumnSummary, ctype: ColumnType) -> CheckResult:
        n = col.non_null
        if n == 0:
            return self.skipped(f"{col.name} has no non-missing values", column=col.name)
        d = col.distinct
        if d < 1.5:
            return self.skipped(
                f"{col.name} has a single value; see quality.constant", column=col.name
            )
        share = distinct_share(d, n)
        metrics: dict[str, float | int | None] = {
            "distinct": d,
            "non_null": n,
            "distinct_share": share,
        }
        threshold = Threshold(
            metric="distinct_share", direction="max", warn=self.max_distinct_share
        )
        approx = "about " if not col.distinct_exact else ""
        said = f"{col.name} has {approx}{d:,.0f} distinct values in {n:,} non-missing rows"
        findings = []
        if n >= self.min_rows and share >= self.max_distinct_share:
            findings.append(
                f"{share:.1%} of its values are distinct: it looks like an identifier or free "
                "text, and a model would memorise it; drop it, declare its role as id, or "
                "derive coarser features from it"
            )
        if ctype is ColumnType.CATEGORICAL and d > self.max_levels:
            findings.append(
                f"more than the {self.max_levels:,} levels a categorical feature can usefully "
                "have; group rare levels or encode it differently"
            )
        extra = _extra(col)
        status = Status.WARN if findings else Status.PASS
        msg = said + ("; " + "; ".join(findings) if findings else f" ({share:.1%} distinct)")
        return self.result(
            status, msg, column=col.name, metrics=metrics, threshold=threshold, **extra
        )


def _extra(col: ColumnSummary) -> dict[str, object]:
    extra: dict[str, object] = {}
    if not col.distinct_exact:
        err = col.distinct_error
        extra["exact"] = False
        extra["bounds"] = {
            "distinct": Bound(
                low=col.distinct * (1 - 2 * err),
                high=col.distinct * (1 + 2 * err),
                kind="error_bound",
                method="HyperLogLog estimate ± 2 relative standard errors",
            )
        }
    cats = col.categories
    if cats is not None and cats.counts and not cats.hashed and not col.personal:
        rows: list[list[Cell]] = [[v, c] for v, c in cats.top(10)]
        extra["details"] = [
            TableDetail(
                name="top_values",
                title=f"Most frequent values of {col.name}",
                columns=["value", "count"],
                rows=rows,
                note="" if cats.exact else "frequent values only; counts may be low",
            )
        ]
    return extra
