"""``quality.format_validity``: e-mails, phones, postal codes, SSNs, IBANs and dates of birth
that do not have their format, personal columns included.

Which columns: those with a declared format (``schema.formats`` in the configuration, or this
check's ``formats`` option), and those whose name announces one (``email``, ``phone``,
``zip``, ``ssn``, ``iban``, ``dob``, … with the name evidence that marks personal data; see
:func:`mlaudit.data.format_by_name`).  The scan counts the values with the format on the raw
values, before personal columns are masked, so personal columns are checked too; their examples
are shapes (``aaaa.aaa@@aaaa.aaa``), never values.

The formats are deliberately permissive (:mod:`mlaudit.data._formats`): a value fails only when
it cannot be one of its kind.  A format inferred from the name must be confirmed by the data
before it judges: when under ``min_match`` (half) of the values have it, the column is not what
its name says (a ``telephone`` column of yes/no flags) and is not checked.  A declared format
always judges.

Levels: the share of non-null values without the format is held to ``warn`` (1 %) and
``fail`` (5 %): a few stray values are typing noise worth listing, a few percent is a broken
feed or form.  With reference data that has the same format tally, the judgement is of the rise
since the reference (a legacy share of bad values that the reference has too is no news), which
counts only when a one-sided pooled two-proportion z test finds it significant at ``alpha``
(:func:`~mlaudit.checks.quality._chance.increase_p`), as ``quality.completeness`` does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._chance import increase_p
from mlaudit.config import FormatName
from mlaudit.data import FORMATS
from mlaudit.results import (
    CheckResult,
    Detail,
    ExamplesDetail,
    NoteDetail,
    Severity,
    Status,
    Threshold,
)
from mlaudit.summary import ColumnSummary, FormatTally, ScanPlan

__all__ = ["FormatValidity"]


@register
class FormatValidity(Check):
    """Share of a column's values that do not have its well-known format."""

    id: ClassVar[str] = "quality.format_validity"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values have their well-known format"
    why: ClassVar[str] = (
        "A malformed e-mail address, phone number or IBAN cannot be used to reach or pay the "
        "customer, and a share of them points to a broken form or feed; personal columns are "
        "masked in the profile, so their format must be tested while the data is read."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    formats: dict[str, FormatName] = Field(default_factory=dict)
    """Column → format (``email``, ``phone``, ``postal_code``, ``ssn``, ``iban``, ``date``);
    declared formats always judge.  Adds to ``schema.formats`` and to the formats inferred
    from column names."""
    warn: Share = 0.01
    """Warn when the share of non-null values without the format is above this (1 %); with
    reference data, when its significant rise since the reference is."""
    fail: Share = 0.05
    """Fail when that share (or its significant rise) is above this (5 %)."""
    min_match: float = Field(default=0.5, gt=0, le=1)
    """A format inferred from the column's name judges only when at least this share of the
    values has it; otherwise the column is not checked."""
    alpha: Alpha = 0.01
    """With reference data: a rise of the invalid share counts only when significant at this
    level (one-sided two-proportion z test)."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to count the declared formats of the ``formats`` option."""
        if not self.formats:
            return plan
        return replace(
            plan,
            formats={**plan.formats, **self.formats},
            declared_formats=plan.declared_formats | set(self.formats),
        )

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column with a known format (none when no column has one)."""
        plan = ctx.current.plan
        known = {c: f for c, f in plan.formats.items() if c in ctx.schema}
        columns = self.target_columns(ctx, list(known))
        return [self._one(ctx, col, known.get(col)) for col in columns]

    def _one(self, ctx: CheckContext, col: str, fmt: str | None) -> CheckResult:
        s = ctx.current.columns.get(col)
        if fmt is None or s is None:
            return self.skipped(f"{col} has no known format", column=col)
        declared = col in ctx.current.plan.declared_formats
        kind = FORMATS.get(fmt, fmt)
        tally = s.text.format if s.text is not None else None
        if s.non_null == 0:
            return self.skipped(f"{col} has no non-missing values", column=col)
        if s.text is None:
            return self.skipped(
                f"{col} is stored as {s.dtype}, not text: not checked as {kind}", column=col
            )
        if tally is None or tally.format != fmt:
            return self.skipped(
                f"the scan did not count the format of {col}; the check must be in the audit "
                "plan before the data is read",
                column=col,
            )
        match_share = tally.matches / s.non_null
        if not declared and match_share < self.min_match:
            return self.skipped(
                f"the values of {col} do not look like {kind} ({format_share(match_share)} "
                f"have the format; it was inferred from the column's name): not checked",
                column=col,
            )
        return self._judge(ctx, s, tally, kind, declared)

    def _judge(
        self, ctx: CheckContext, s: ColumnSummary, tally: FormatTally, kind: str, declared: bool
    ) -> CheckResult:
        bad = s.non_null - tally.matches
        share = bad / s.non_null
        ref = _reference_tally(ctx, s.name, tally.format)
        metrics: dict[str, float | int | None] = {
            "invalid_share": share,
            "invalid": bad,
            "values": s.non_null,
        }
        message = (
            f"{s.name} has {format_count(bad)} of {format_count(s.non_null)} values "
            f"({format_share(share)}) that are not valid {kind}"
        )
        if ref is None:
            threshold = Threshold(
                metric="invalid_share", direction="max", warn=self.warn, fail=self.fail
            )
            status = threshold.status_for(share)
            message += "."
        else:
            status, threshold, extra = self._against(bad, s.non_null, ref, metrics)
            message += extra
        if bad == 0:
            message = f"All {format_count(s.non_null)} values of {s.name} are valid {kind}."
        source = "declared" if declared else "inferred from the column's name"
        details: list[Detail] = [
            NoteDetail(name="format", text=f"Format {tally.format} ({source}).")
        ]
        if tally.examples:
            details.append(_examples(s, tally))
        return self.result(
            status, message, column=s.name, metrics=metrics, threshold=threshold, details=details
        )

    def _against(
        self, bad: int, n: int, ref: tuple[int, int], metrics: dict[str, float | int | None]
    ) -> tuple[Status, Threshold, str]:
        """Status, threshold and message end for the rise of the invalid share since ``ref``."""
        ref_bad, ref_n = ref
        rise = bad / n - ref_bad / ref_n
        metrics["reference_invalid_share"] = ref_bad / ref_n
        metrics["invalid_share_increase"] = rise
        p = increase_p(bad, n, ref_bad, ref_n)
        threshold = Threshold(
            metric="invalid_share_increase", direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(rise) if p < self.alpha else Status.PASS
        extra = f", against {format_share(ref_bad / ref_n)} in the reference"
        if status == Status.PASS and bad:
            extra += f": no significant rise (one-sided p = {p:.2g})"
        return status, threshold, extra + "."


def _reference_tally(ctx: CheckContext, col: str, fmt: str) -> tuple[int, int] | None:
    """(invalid, non-null) of the reference's same column and format, when it was counted."""
    if ctx.reference is None:
        return None
    r = ctx.reference.columns.get(col)
    if r is None or r.text is None or r.text.format is None or r.non_null == 0:
        return None
    if r.text.format.format != fmt:
        return None
    return r.non_null - r.text.format.matches, r.non_null


def _examples(s: ColumnSummary, tally: FormatTally) -> ExamplesDetail:
    if s.personal:
        title = (
            "Shapes of values without the format (personal data: letters shown as a/A, "
            "digits as 9, other characters kept)"
        )
    else:
        title = "Values without the format"
    return ExamplesDetail(
        name="invalid_examples",
        title=title,
        columns=[s.name],
        rows=[[ex] for _, ex in tally.examples],
        masked_columns=[s.name] if s.personal else [],
    )
