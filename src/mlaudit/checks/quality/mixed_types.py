"""``quality.mixed_types``: text columns that mostly hold numbers but also some words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks.quality.completeness import text_columns
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.summary import ColumnSummary

__all__ = ["MixedTypes", "TypeMix", "is_numeric_text", "numeric_texts", "type_mix"]

_MAX_ROWS = 50


def numeric_texts(values: list[str]) -> list[bool]:
    """Whether each value parses as a number, by the profile's rule.

    The rule is the one the profile builder counts ``numeric_like_count`` with: the value,
    stripped of surrounding whitespace, casts to a float (so ``'12'``, ``' -3.5 '``, ``'1e3'``,
    and also ``'nan'`` and ``'inf'``, are numbers; ``'1,000'`` and ``'unknown'`` are not).
    """
    s = pl.Series(values, dtype=pl.String)
    return s.str.strip_chars().cast(pl.Float64, strict=False).is_not_null().to_list()


def is_numeric_text(value: str) -> bool:
    """True when ``value`` parses as a number (see :func:`numeric_texts`)."""
    return numeric_texts([value])[0]


@dataclass(frozen=True)
class TypeMix:
    """How the non-blank values of a text column split into numbers and other text."""

    numeric: int
    other: int

    @property
    def total(self) -> int:
        """Non-blank values."""
        return self.numeric + self.other

    @property
    def other_share(self) -> float:
        """Share of non-blank values that are not numbers; NaN when there are none."""
        return self.other / self.total if self.total else float("nan")


def type_mix(non_null: int, numeric_like: int, blank: int = 0) -> TypeMix:
    """Split ``non_null`` values into numbers and other text, leaving ``blank`` ones out.

    Blank (empty or whitespace-only) strings are missing values, reported by the completeness
    check, so they count on neither side.
    """
    other = max(non_null - numeric_like - blank, 0)
    return TypeMix(numeric=numeric_like, other=other)


@register
class MixedTypes(Check):
    """Warn when a text column holds mostly numbers and a minority of other values."""

    id: ClassVar[str] = "quality.mixed_types"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Columns do not mix numbers and text"
    why: ClassVar[str] = (
        "A column that holds mostly numbers and a few words ('12', '3', 'unknown') cannot be "
        "used as a number until the words are cleaned; the words usually hide missing values or "
        "data-entry errors that a pipeline will drop, zero or misread."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    min_share: float = Field(default=0.001, ge=0, le=0.5)
    """Smallest share of non-numeric values that is reported (below it the column passes)."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per text column (role not ignored)."""
        return [self._column(ctx.current.columns[n]) for n in text_columns(self, ctx)]

    def _column(self, col: ColumnSummary) -> CheckResult:
        if col.text is None:
            return self.skipped(f"{col.name} is not a text column", column=col.name)
        mix = type_mix(col.non_null, col.text.numeric_like_count, col.text.empty_count)
        if mix.total == 0:
            return self.skipped(f"{col.name} has no non-blank values", column=col.name)
        share = mix.other_share
        metrics: dict[str, float | int | None] = {
            "values": mix.total,
            "numeric_values": mix.numeric,
            "non_numeric_values": mix.other,
            "non_numeric_share": share,
        }
        threshold = Threshold(metric="non_numeric_share", direction="max", warn=self.min_share)
        said = (
            f"{mix.other:,} of {mix.total:,} non-blank values of {col.name} "
            f"({format_share(share)}) "
            f"are not numbers, {mix.numeric:,} are"
        )
        if mix.numeric <= mix.other or mix.other == 0:
            return self.result(
                Status.PASS,
                f"{said}: not a mix of numbers and a few other values",
                column=col.name,
                metrics=metrics,
                threshold=threshold,
            )
        if share < self.min_share:
            return self.result(
                Status.PASS,
                f"{said}; below the {format_share(self.min_share)} reporting limit",
                column=col.name,
                metrics=metrics,
                threshold=threshold,
            )
        return self.result(
            Status.WARN,
            f"{said}: the column mixes numbers with text; clean or map the other values "
            "(often codes for 'missing') before using it as a number",
            column=col.name,
            metrics=metrics,
            threshold=threshold,
            details=_other_values_table(col),
        )


def _other_values_table(col: ColumnSummary) -> list[TableDetail]:
    cats = col.categories
    if cats is None or cats.hashed:
        return []
    pairs = cats.top(len(cats.counts))
    numeric = numeric_texts([v for v, _ in pairs])
    rows: list[list[Cell]] = [
        [v, n] for (v, n), is_num in zip(pairs, numeric, strict=True) if v.strip() and not is_num
    ]
    note = "" if cats.exact else f"frequent values only; counts may be low by up to {cats.error:,}"
    if len(rows) > _MAX_ROWS:
        note = (note + "; " if note else "") + f"the {_MAX_ROWS} most frequent of {len(rows):,}"
    return [
        TableDetail(
            name="non_numeric_values",
            title="Values that are not numbers",
            columns=["value", "count"],
            rows=rows[:_MAX_ROWS],
            note=note,
        )
    ]
