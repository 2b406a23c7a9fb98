"""``quality.required_columns``: every column a contract or pipeline needs is present."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.results import CheckResult, Severity, Status, TableDetail

__all__ = ["RequiredColumns", "missing_columns"]


def missing_columns(required: list[str], present: list[str]) -> list[str]:
    """The names in ``required`` that are not in ``present``, in the order required."""
    have = set(present)
    return [c for c in required if c not in have]


@register
class RequiredColumns(Check):
    """Fail when a required column is absent from the data."""

    id: ClassVar[str] = "quality.required_columns"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Required columns are present"
    why: ClassVar[str] = (
        "A model or a downstream report that expects a column which is not there either fails "
        "or silently fills it with defaults, and its outputs can no longer be trusted."
    )
    severity: ClassVar[Severity] = Severity.HIGH

    required: list[str] = Field(default_factory=list, min_length=1)
    """Column names that must exist (a data contract lists all of its columns here)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Compare the required names with the data's columns."""
        if not self.required:
            return self.skipped("no required columns were configured")
        missing = missing_columns(self.required, ctx.schema.names)
        metrics: dict[str, float | int | None] = {
            "required": len(self.required),
            "missing": len(missing),
        }
        if not missing:
            return self.result(
                Status.PASS,
                f"all {len(self.required)} required columns are present",
                metrics=metrics,
            )
        table = TableDetail(
            name="missing_columns",
            title="Missing columns",
            columns=["column"],
            rows=[[m] for m in missing],
        )
        return self.result(
            Status.FAIL,
            f"{len(missing)} of {len(self.required)} required columns are missing: "
            + ", ".join(missing[:10])
            + (" ..." if len(missing) > 10 else ""),
            metrics=metrics,
            details=[table],
        )
