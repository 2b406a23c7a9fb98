"""``quality.duplicate_keys``: identifiers (single columns or column sets) that repeat."""

from __future__ import annotations

import dataclasses
from typing import Annotated, ClassVar

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks.quality.completeness import format_count, format_share, sample_examples
from mlaudit.data import Role
from mlaudit.results import Bound, CheckResult, Severity, Status, Threshold
from mlaudit.summary import ColumnSummary, ScanPlan

__all__ = ["DuplicateKeys", "duplicates_from_distinct", "key_name"]

_Z = 3.0  # standard errors either side of an approximate distinct count


def key_name(key: list[str] | tuple[str, ...]) -> str:
    """The name a profile stores a key's duplicate count under: columns joined by ','."""
    return ",".join(key)


def duplicates_from_distinct(s: ColumnSummary) -> tuple[float, tuple[float, float] | None]:
    """Repeated non-null values of one column, ``non_null - distinct``, and an interval when
    the distinct count is an estimate (three relative standard errors either side)."""
    dup = max(float(s.non_null) - s.distinct, 0.0)
    if s.distinct_exact:
        return dup, None
    spread = _Z * s.distinct_error * s.distinct
    return dup, (max(0.0, dup - spread), max(0.0, min(float(s.non_null - 1), dup + spread)))


@register
class DuplicateKeys(Check):
    """Fail when a key (an id column or a set of columns) repeats."""

    id: ClassVar[str] = "quality.duplicate_keys"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Keys are unique"
    why: ClassVar[str] = (
        "A key that should identify one record but repeats means records were duplicated or "
        "joined wrongly; the same customer or loan then counts twice in every figure."
    )
    severity: ClassVar[Severity] = Severity.HIGH

    keys: list[Annotated[list[str], Field(min_length=1)]] | None = Field(default=None, min_length=1)
    """Column sets that must be unique; by default each column with the role ``id`` (or each
    column of ``columns`` when given)."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to count repeats of each configured key."""
        wanted = [tuple(k) for k in self.keys or [] if k]
        wanted += [(c,) for c in self.columns or []]
        new = [k for k in dict.fromkeys(wanted) if k not in plan.keys]
        return dataclasses.replace(plan, keys=[*plan.keys, *new]) if new else plan

    def _keys(self, ctx: CheckContext) -> list[list[str]]:
        if self.keys:
            return [list(k) for k in self.keys if k]
        if self.columns is not None:
            return [[c] for c in self.target_columns(ctx, [])]
        return [[c.name] for c in ctx.schema.with_role(Role.ID)]

    def compute(self, ctx: CheckContext) -> CheckResult | list[CheckResult]:
        """One result per key."""
        keys = self._keys(ctx)
        if not keys:
            return self.skipped(
                "no key to check: no column has the role 'id' and no 'keys' were configured"
            )
        return [self._one(ctx, key) for key in keys]

    def _one(self, ctx: CheckContext, key: list[str]) -> CheckResult:
        column = key[0] if len(key) == 1 else None
        name = key_name(key)
        prof = ctx.current
        if prof.n_rows == 0:
            return self.skipped(
                f"the data set has no rows, so key {name} cannot be checked", column=column
            )
        missing = [c for c in key if c not in prof.columns]
        if missing:
            return self.skipped(
                f"key {name}: column(s) {', '.join(missing)} were not profiled", column=column
            )
        interval: tuple[float, float] | None = None
        if name in prof.key_duplicates:
            dup = float(prof.key_duplicates[name])
        elif len(key) == 1:
            dup, interval = duplicates_from_distinct(prof.columns[key[0]])
        else:
            return self.skipped(
                f"the scan did not count repeats of key {name}; the check must be in the audit "
                "plan before the data is read",
                column=column,
            )
        return self._judge(ctx, key, dup, interval)

    def _judge(
        self, ctx: CheckContext, key: list[str], dup: float, interval: tuple[float, float] | None
    ) -> CheckResult:
        name = key_name(key)
        n = ctx.current.n_rows
        share = dup / n
        threshold = Threshold(metric="duplicate_keys", direction="max", fail=0)
        status = threshold.status_for(dup)
        metrics: dict[str, float | int | None] = {
            "duplicate_keys": dup,
            "duplicate_key_share": share,
            "rows": n,
        }
        bounds: dict[str, Bound] = {}
        what = f"key {name}" if len(key) > 1 else name
        about = "" if interval is None else "about "
        if status == Status.PASS:
            message = f"{what} is unique: no value repeats in {format_count(n)} rows."
        else:
            message = (
                f"{what} repeats in {about}{format_count(round(dup))} of "
                f"{format_count(n)} rows ({format_share(share)}); keys must be unique."
            )
        if interval is not None:
            bounds["duplicate_keys"] = Bound(
                low=interval[0], high=interval[1], method="HyperLogLog, 3 standard errors"
            )
            if (interval[0] > 0) != (interval[1] > 0):
                status = Status.WARN
                message += " The distinct count is an estimate, so the result is inconclusive."
        details = []
        if status != Status.PASS:
            repeated = pl.struct(key).is_duplicated() & pl.all_horizontal(
                [pl.col(c).is_not_null() for c in key]
            )
            ex = sample_examples(
                ctx, repeated, key, name="duplicate_keys", title="Rows sharing a key (sample)"
            )
            details = [ex] if ex is not None else []
        return self.result(
            status,
            message,
            column=key[0] if len(key) == 1 else None,
            metrics=metrics,
            threshold=threshold,
            bounds=bounds,
            exact=interval is None,
            details=details,
        )
