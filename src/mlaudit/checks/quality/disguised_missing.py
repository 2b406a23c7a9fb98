"""``quality.disguised_missing``: missing values written as a value (``'?'``, ``'N/A'``, 99999).

A column reports its *disguised* missing values: text values that, stripped and case-folded,
are a known missing marker (``mlaudit.data.KNOWN_MARKERS``: ``''``, ``'?'``, ``'-'``,
``'n/a'``, ``'null'``, ``'unknown'``...), and numeric sentinels (a sentinel-like value such as
``99999`` or ``-1`` at the column's edge that holds a mass point apart from the other values;
the rule is in :mod:`mlaudit.checks.quality._disguised`).  Such values count as valid
everywhere else (0 % missing, a category of their own, part of a range).

Without reference data any disguised missing value is a warning with the evidence.  With
reference data the judgement is of the change, as in ``quality.completeness``: the share of
disguised values is compared with the reference's share (for a sentinel, the reference's rows
at the same value), and only a rise that a one-sided pooled two-proportion z test finds
significant at ``alpha`` and that is above ``warn`` (``fail``) counts; the same share as in the
reference passes, with the evidence kept in the result.  Markers declared as missing
(``missing_markers``) are read as nulls before the scan and are not reported here.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._chance import increase_p, rise_finding
from mlaudit.checks.quality._disguised import (
    Sentinel,
    SentinelRule,
    count_at,
    find_sentinels,
    show_value,
    text_markers,
)
from mlaudit.data import Role
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.summary import ColumnSummary

__all__ = ["DisguisedMissing"]

_DECLARE = "declare them as missing with missing_markers (per input or per column)"


@register
class DisguisedMissing(Check):
    """Values that stand for "no value" ('?', 'N/A', 'unknown', 99999, -1) but count as valid."""

    id: ClassVar[str] = "quality.disguised_missing"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Missing values are not disguised as values"
    why: ClassVar[str] = (
        "A '?' or a 99999 that stands for 'no value' is counted as a real value: completeness "
        "reports nothing missing, the model learns the code as a category or an extreme "
        "number, and ranges and averages are wrong."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    warn: Share = 0.005
    """With reference data: warn when the disguised share rose significantly by more than this
    (default half a percentage point)."""
    fail: Share = 0.05
    """With reference data: fail when it rose significantly by more than this (default 5 %)."""
    alpha: Alpha = 0.01
    """With reference data: a rise counts only when significant at this level (one-sided)."""
    min_share: float = Field(default=0.001, gt=0, le=1)
    """Numeric sentinels: smallest share of rows at the value (default 0.1 %)."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column (role not ignored)."""
        names = [c.name for c in ctx.schema.columns if c.role is not Role.IGNORED]
        refs = ctx.reference.columns if ctx.reference is not None else {}
        out = []
        for name in self.target_columns(ctx, names):
            col = ctx.current.columns.get(name)
            if col is None or col.count == 0:
                out.append(self.skipped(f"{name} has no rows to check", column=name))
                continue
            out.append(self._column(col, refs.get(name)))
        return out

    def _column(self, col: ColumnSummary, ref: ColumnSummary | None) -> CheckResult:
        found = _Found.of(col, SentinelRule(min_share=self.min_share))
        metrics: dict[str, float | int | None] = {
            "disguised": found.total,
            "disguised_share": found.total / col.count,
            "rows": col.count,
        }
        if found.total == 0:
            unseen = col.personal and col.numeric is not None and col.text is None
            return self.result(
                Status.PASS,
                f"{col.name} holds no value that looks like a missing value."
                if not unseen
                else f"{col.name} holds personal data, whose summary keeps no values: numeric "
                "sentinels (such as 999999) cannot be looked for, and no null-like text was seen.",
                column=col.name,
                metrics=metrics,
            )
        details = [found.table(col)]
        said = f"{col.name} holds {found.described(col.count)}"
        if ref is None or ref.count == 0:
            message = f"{said}; they count as valid values. If they mean 'no value', {_DECLARE}."
            threshold = Threshold(metric="disguised_share", direction="max", warn=0.0)
            return self.result(
                Status.WARN,
                message,
                column=col.name,
                metrics=metrics,
                threshold=threshold,
                details=details,
            )
        return self._against_reference(col, ref, found, said, metrics, details)

    def _against_reference(
        self,
        col: ColumnSummary,
        ref: ColumnSummary,
        found: _Found,
        said: str,
        metrics: dict[str, float | int | None],
        details: list[TableDetail],
    ) -> CheckResult:
        """Judge the rise of the disguised share since the reference, not its level."""
        ref_total = found.in_reference(ref)
        share, ref_share = found.total / col.count, ref_total / ref.count
        rise = share - ref_share
        p = increase_p(found.total, col.count, ref_total, ref.count)
        threshold = Threshold(
            metric="disguised_share_increase", direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(rise) if p < self.alpha else Status.PASS
        message = f"{said}, against {format_share(ref_share)} in the reference"
        if status == Status.PASS:
            message += (
                f": no significant rise (one-sided p = {p:.2g}). They count as valid values "
                f"in both; if they mean 'no value', {_DECLARE}."
            )
        else:
            limit = self.fail if status == Status.FAIL else self.warn
            message += rise_finding(rise, p, limit) + f" If they mean 'no value', {_DECLARE}."
        metrics |= {
            "reference_disguised_share": ref_share,
            "disguised_share_increase": rise,
            "p_value": p,
        }
        return self.result(
            status,
            message,
            column=col.name,
            metrics=metrics,
            threshold=threshold,
            details=details,
        )


class _Found:
    """A column's disguised missing values: text markers and numeric sentinels."""

    def __init__(self, markers: dict[str, int], error: int, sentinels: list[Sentinel]) -> None:
        self.markers = markers
        self.error = error
        self.sentinels = sentinels
        self.total = sum(markers.values()) + sum(s.count for s in sentinels)

    @classmethod
    def of(cls, col: ColumnSummary, rule: SentinelRule) -> _Found:
        text = text_markers(col)
        sentinels = find_sentinels(col.numeric, rule) if col.numeric is not None else []
        return cls(text.counts, text.error, sentinels)

    def in_reference(self, ref: ColumnSummary) -> int:
        """The reference's rows with the same kind of disguised values."""
        total = text_markers(ref).total
        if ref.numeric is not None:
            total += sum(count_at(ref.numeric, s.value) for s in self.sentinels)
        return total

    def described(self, n: int) -> str:
        """``"1,836 values (5.6 %) that look like missing values: ' ?' 1,836"``."""
        text = sorted(self.markers.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = [f"{show_value(v)} ({format_count(c)})" for v, c in text]
        parts += [f"{_number(s.value)} ({format_count(s.count)})" for s in self.sentinels]
        return (
            f"{format_count(self.total)} values ({format_share(self.total / n)}) that look "
            f"like missing values: {', '.join(parts)}"
        )

    def table(self, col: ColumnSummary) -> TableDetail:
        rows: list[list[Cell]] = []
        for v, c in sorted(self.markers.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append([show_value(v), "text marker", c, c / col.count, ""])
        for s in self.sentinels:
            where = f"the {s.side}imum; nearest other value {_number(s.nearest)}"
            share = s.count / col.count
            rows.append([_number(s.value), "numeric sentinel", s.count, share, where])
        note = "personal column: markers shown normalised (stripped, lower case)"
        note = note if col.personal else ""
        if self.error:
            extra = f"frequent values only; counts may be low by up to {self.error:,}"
            note = f"{note}; {extra}" if note else extra
        return TableDetail(
            name="disguised_missing",
            title="Values that look like missing values",
            columns=["value", "kind", "count", "share", "evidence"],
            rows=rows,
            note=note,
        )


def _number(value: float) -> str:
    """A number as written in data (``99999``, ``-1``, ``99.99``)."""
    return str(int(value)) if value.is_integer() else f"{value:.10g}"
