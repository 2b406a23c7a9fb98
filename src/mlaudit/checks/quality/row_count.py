"""``quality.row_count``: the data set is not empty and its size is within the expected band."""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import Field, model_validator

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks.quality.completeness import format_count
from mlaudit.results import CheckResult, Severity, Status, Threshold

__all__ = ["RowCount", "row_count_problem"]


def row_count_problem(rows: int, min_rows: int | None, max_rows: int | None) -> str | None:
    """Why ``rows`` is not acceptable (empty, below ``min_rows``, above ``max_rows``), or None."""
    if rows == 0:
        return "the data set is empty (0 rows)"
    if min_rows is not None and rows < min_rows:
        return f"{format_count(rows)} rows is below the minimum of {format_count(min_rows)}"
    if max_rows is not None and rows > max_rows:
        return f"{format_count(rows)} rows is above the maximum of {format_count(max_rows)}"
    return None


@register
class RowCount(Check):
    """Fail on an empty data set, or one with fewer or more rows than expected."""

    id: ClassVar[str] = "quality.row_count"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "The data set has the expected number of rows"
    why: ClassVar[str] = (
        "A data set far smaller or larger than usual often means a failed extract, a wrong "
        "filter or a duplicated load; every figure computed from it would be misleading."
    )
    severity: ClassVar[Severity] = Severity.HIGH

    min_rows: int | None = Field(default=None, ge=0)
    """Fewest rows expected (default: none beyond not being empty)."""
    max_rows: int | None = Field(default=None, ge=0)
    """Most rows expected (default: no maximum)."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if (
            self.min_rows is not None
            and self.max_rows is not None
            and self.min_rows > self.max_rows
        ):
            raise ValueError(
                f"min_rows ({self.min_rows}) is greater than max_rows ({self.max_rows})"
            )
        return self

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Compare the row count with the limits."""
        rows = ctx.current.n_rows
        metrics: dict[str, float | int | None] = {
            "rows": rows,
            "min_rows": self.min_rows,
            "max_rows": self.max_rows,
        }
        threshold = (
            Threshold(metric="rows", direction="min", fail=self.min_rows)
            if self.min_rows is not None
            else None
        )
        problem = row_count_problem(rows, self.min_rows, self.max_rows)
        if problem is not None:
            if rows and self.max_rows is not None and rows > self.max_rows:
                threshold = Threshold(metric="rows", direction="max", fail=self.max_rows)
            return self.result(
                Status.FAIL,
                problem[0].upper() + problem[1:] + ".",
                metrics=metrics,
                threshold=threshold,
            )
        band = _band(self.min_rows, self.max_rows)
        return self.result(
            Status.PASS,
            f"The data set has {format_count(rows)} rows{band}.",
            metrics=metrics,
            threshold=threshold,
        )


def _band(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f", within the expected {format_count(low)} to {format_count(high)}"
    if low is not None:
        return f", at least the {format_count(low)} expected"
    if high is not None:
        return f", at most the {format_count(high)} expected"
    return ""
