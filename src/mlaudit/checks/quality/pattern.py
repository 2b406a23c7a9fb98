"""``quality.pattern``: text values that do not match their expected regular expression."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import polars as pl
from pydantic import Field, field_validator

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Share
from mlaudit.checks.quality.completeness import format_count, format_share, sample_examples
from mlaudit.results import CheckResult, Detail, Severity, Threshold
from mlaudit.summary import ScanPlan

__all__ = ["PATTERN_NAME", "Pattern", "nonmatching"]

PATTERN_NAME = "quality.pattern"
"""Name under which this check's regex is stored in ``ScanPlan.patterns[column]``."""


def nonmatching(non_null: int, matches: int) -> tuple[int, float]:
    """Non-null values not matching, and their share of the non-null values (NaN if none)."""
    bad = max(non_null - matches, 0)
    return bad, (bad / non_null if non_null else float("nan"))


@register
class Pattern(Check):
    """Share of non-null values of a text column that do not match a regular expression."""

    id: ClassVar[str] = "quality.pattern"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values match their format"
    why: ClassVar[str] = (
        "Identifiers and codes with the wrong format (a malformed account number, a postcode in "
        "the wrong field) break joins and lookups, and the records behind them are silently lost."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    patterns: dict[str, str] = Field(default_factory=dict)
    """Regular expression per column.  Matching is a search, as in polars ``str.contains``:
    anchor with ``^`` and ``$`` to require the whole value to match."""
    warn: Share = 0.0
    """Warn when the share of non-matching values is above this (default 0)."""
    fail: Share = 0.0
    """Fail when the share of non-matching values is above this (default 0: any fails)."""
    max_nonmatching: dict[str, Share] = Field(default_factory=dict)
    """Per column: the share of non-matching values allowed (raises ``warn`` and ``fail`` to
    it for that column), as a contract's ``max_nonmatching`` states."""

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for col, regex in value.items():
            try:  # the scan matches with polars (Rust regex syntax: no look-around)
                pl.Series([""], dtype=pl.String).str.contains(regex)
            except pl.exceptions.PolarsError as exc:
                lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
                first = next(
                    (ln for ln in lines if ln.startswith("error:")), lines[0] if lines else ""
                )
                raise ValueError(
                    f"the pattern for {col!r}, {regex!r}, is not a valid regular "
                    f"expression (Rust regex syntax): {first}"
                ) from None
        return value

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to count the values matching each pattern."""
        if not self.patterns:
            return plan
        merged = {col: dict(p) for col, p in plan.patterns.items()}
        for col, regex in self.patterns.items():
            merged.setdefault(col, {})[PATTERN_NAME] = regex
        return replace(plan, patterns=merged)

    def compute(self, ctx: CheckContext) -> CheckResult | list[CheckResult]:
        """One result per configured column."""
        if not self.patterns:
            return self.skipped("no patterns were configured")
        return [self._one(ctx, col, regex) for col, regex in self.patterns.items()]

    def _one(self, ctx: CheckContext, col: str, regex: str) -> CheckResult:
        s = ctx.current.columns.get(col)
        if s is None or s.count == 0:
            return self.skipped(f"{col} has no rows to check", column=col)
        if s.text is None:
            return self.skipped(
                f"{col} is not a text column ({s.dtype}); patterns apply to text", column=col
            )
        matches = s.text.pattern_matches.get(PATTERN_NAME)
        if matches is None:
            return self.skipped(
                f"the scan did not test the pattern of {col}; the check must be "
                "in the audit plan before the data is read",
                column=col,
            )
        bad, share = nonmatching(s.non_null, matches)
        if s.non_null == 0:
            return self.skipped(f"{col} has no non-missing values", column=col)
        allowed = self.max_nonmatching.get(col, 0.0)
        threshold = Threshold(
            metric="nonmatching_share",
            direction="max",
            warn=max(self.warn, allowed),
            fail=max(self.fail, allowed),
        )
        status = threshold.status_for(share)
        message = (
            f"{col} has {format_count(bad)} of {format_count(s.non_null)} values "
            f"({format_share(share)}) not matching {regex!r}."
        )
        metrics: dict[str, float | int | None] = {
            "nonmatching_share": share,
            "nonmatching": bad,
            "values": s.non_null,
        }
        details: list[Detail] = []
        if bad and not s.personal:
            offending = pl.col(col).is_not_null() & ~pl.col(col).cast(pl.String).str.contains(regex)
            ex = sample_examples(
                ctx,
                offending,
                [col],
                name="nonmatching_examples",
                title="Values not matching (sample rows)",
            )
            details = [ex] if ex is not None else []
        return self.result(
            status, message, column=col, metrics=metrics, threshold=threshold, details=details
        )
