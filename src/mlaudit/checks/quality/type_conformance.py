"""``quality.type_conformance``: values that do not have the type the column should have."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Share
from mlaudit.checks.quality.completeness import (
    checked_columns,
    format_count,
    format_share,
    sample_examples,
)
from mlaudit.data import ColumnType
from mlaudit.results import (
    CheckResult,
    ExamplesDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.summary import ColumnSummary

__all__ = ["Nonconformity", "TypeConformance", "nonconformity"]

_BOOLEAN_TOKENS = frozenset({"true", "false", "t", "f", "yes", "no", "y", "n", "0", "1"})
_FREE_TYPES = frozenset(
    {ColumnType.CATEGORICAL, ColumnType.TEXT, ColumnType.ID, ColumnType.UNKNOWN}
)


@dataclass
class Nonconformity:
    """What :func:`nonconformity` found for one column."""

    checked: int
    """Non-missing values checked (the denominator of the share)."""
    counts: dict[str, float] = field(default_factory=dict)
    """Kind of non-conforming value → how many."""
    stored_as: str | None = None
    """Set when the storage type itself differs from the expected type (e.g. numbers as text)."""
    measurable: bool = True
    """False when the summary cannot tell how many values conform."""

    @property
    def total(self) -> float:
        """Non-conforming values of every kind."""
        return float(sum(self.counts.values()))


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def _numeric(s: ColumnSummary, expected: ColumnType | None) -> Nonconformity:
    out = Nonconformity(checked=s.non_null)
    if s.numeric is not None:
        out.counts = {"+inf": s.numeric.posinf_count, "-inf": s.numeric.neginf_count}
        if expected == ColumnType.INTEGER:
            out.counts["not a whole number"] = s.numeric.non_integer_count
        return out
    out.stored_as = s.dtype
    if s.text is not None:
        out.counts = {"not numeric-like": max(s.non_null - s.text.numeric_like_count, 0)}
    elif s.categories is not None and s.categories.exact and not s.categories.hashed:
        bad = sum(v for k, v in s.categories.counts.items() if not _is_number(k))
        out.counts = {"not numeric-like": bad}
    else:
        out.measurable = False
    return out


def _boolean(s: ColumnSummary) -> Nonconformity:
    out = Nonconformity(checked=s.non_null)
    if s.type == ColumnType.BOOLEAN or s.dtype in ("bool", "boolean"):
        return out
    cats = s.categories
    if cats is not None and cats.exact and not cats.hashed:
        bad = sum(v for k, v in cats.counts.items() if k.strip().lower() not in _BOOLEAN_TOKENS)
        out.counts = {"not true/false": bad}
    elif s.numeric is not None and s.numeric.min is not None and s.numeric.max is not None:
        binary = s.numeric.min >= 0 and s.numeric.max <= 1 and s.numeric.non_integer_count == 0
        out.measurable = binary
    else:
        out.measurable = False
    if out.total or not out.measurable:
        out.stored_as = s.dtype
    return out


def nonconformity(s: ColumnSummary, expected: ColumnType | None) -> Nonconformity | None:
    """Count the values of ``s`` that do not conform to ``expected``.

    Without an expectation only numeric columns are checked, for infinite values.  Numeric
    expectations count infinities (and fractions when ``INTEGER``), or, when the column is
    stored as text, the values that do not parse as numbers.  Categorical, text and id
    expectations accept any value.  Returns None when nothing applies to the column.
    """
    if expected is None:
        return _numeric(s, None) if s.numeric is not None else None
    if expected.is_numeric:
        return _numeric(s, expected)
    if expected == ColumnType.BOOLEAN:
        return _boolean(s)
    if expected == ColumnType.DATETIME:
        temporal = s.type == ColumnType.DATETIME or s.dtype.startswith(("timestamp", "date"))
        return Nonconformity(
            checked=s.non_null, stored_as=None if temporal else s.dtype, measurable=temporal
        )
    if expected in _FREE_TYPES:
        return Nonconformity(checked=s.non_null)
    return None  # pragma: no cover - every ColumnType is handled above


@register
class TypeConformance(Check):
    """Share of values that do not match the column's expected type (and infinite numbers)."""

    id: ClassVar[str] = "quality.type_conformance"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values have the expected type"
    why: ClassVar[str] = (
        "A value of the wrong type (text in a number column, an infinite amount) is either "
        "rejected by the model pipeline or silently turned into a default, so the model scores "
        "something other than the real applicant."
    )
    severity: ClassVar[Severity] = Severity.HIGH

    types: dict[str, ColumnType] = Field(default_factory=dict)
    """Expected type per column (e.g. from a data contract); without it only numeric columns
    are checked, for infinite values."""
    warn: Share = 0.0
    """Warn when the non-conforming share is above this (default 0: any such value)."""
    fail: Share = 0.0
    """Fail when the non-conforming share is above this (default 0: any such value fails)."""

    def compute(self, ctx: CheckContext) -> CheckResult | list[CheckResult]:
        """One result per column with an expectation (or per numeric column)."""
        names = list(self.types) if self.types else checked_columns(self, ctx)
        out: list[CheckResult] = []
        for name in names:
            s = ctx.current.columns.get(name)
            if s is None:
                out.append(self.skipped(f"{name} was not profiled", column=name))
                continue
            found = nonconformity(s, self.types.get(name))
            if found is not None:
                out.append(self._judge(ctx, s, found, self.types.get(name)))
        return out or self.skipped("no numeric column to check and no expected types given")

    def _judge(
        self, ctx: CheckContext, s: ColumnSummary, found: Nonconformity, expected: ColumnType | None
    ) -> CheckResult:
        name = s.name
        want = f"{expected.value} " if expected is not None else "finite "
        if found.checked == 0:
            return self.skipped(f"{name} has no values to check", column=name)
        threshold = Threshold(
            metric="nonconforming_share", direction="max", warn=self.warn, fail=self.fail
        )
        if not found.measurable:
            message = (
                f"{name} should hold {want}values but is stored as {found.stored_as}; "
                "the values cannot be checked one by one, convert the column."
            )
            return self.result(
                Status.FAIL,
                message,
                column=name,
                threshold=threshold,
                metrics={"nonconforming_share": None, "values": found.checked},
            )
        share = found.total / found.checked
        status = threshold.status_for(share)
        message = _message(name, found, want)
        if found.stored_as is not None:
            message += f"; the column is stored as {found.stored_as}"
            status = max(status, Status.WARN, key=[Status.PASS, Status.WARN, Status.FAIL].index)
        metrics: dict[str, float | int | None] = {
            "nonconforming_share": share,
            "nonconforming": found.total,
            "values": found.checked,
        }
        details: list[TableDetail | ExamplesDetail] = [
            TableDetail(
                name="nonconforming",
                title="Non-conforming values by kind",
                columns=["kind", "count"],
                rows=[[k, v] for k, v in found.counts.items()],
            )
        ]
        ex = _examples(ctx, s, expected) if found.total else None
        if ex is not None:
            details.append(ex)
        return self.result(
            status,
            message + ".",
            column=name,
            metrics=metrics,
            threshold=threshold,
            details=details,
        )


def _message(name: str, found: Nonconformity, want: str) -> str:
    """How many values are not valid ``want`` values, by kind."""
    if not found.total:
        return f"all {format_count(found.checked)} values of {name} are valid {want}values"
    kinds = ", ".join(f"{format_count(v)} {k}" for k, v in found.counts.items() if v)
    return (
        f"{name} has {format_count(found.total)} of {format_count(found.checked)} values "
        f"({format_share(found.total / found.checked)}) that are not valid {want}values ({kinds})"
    )


def _examples(
    ctx: CheckContext, s: ColumnSummary, expected: ColumnType | None
) -> ExamplesDetail | None:
    col = pl.col(s.name)
    if s.numeric is not None:
        offending = col.is_infinite()
        if expected == ColumnType.INTEGER:
            offending = offending | (col.is_finite() & (col != col.floor()))
    elif expected is not None and expected.is_numeric:
        offending = (
            col.is_not_null()
            & col.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False).is_null()
        )
    else:
        return None
    return sample_examples(
        ctx,
        offending,
        [s.name],
        name="nonconforming_examples",
        title="Example rows with non-conforming values (sample)",
    )
