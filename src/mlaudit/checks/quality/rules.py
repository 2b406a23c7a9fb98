"""``quality.rules``: row rules (polars SQL expressions) that must hold on every row.

A row violates a rule when the expression is *false* for it.  As in an SQL ``CHECK``
constraint, a row where the expression is null (a value it needs is missing) does not violate
it; missing values are the completeness check's business.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import polars as pl
from pydantic import Field, field_validator

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Share
from mlaudit.errors import ConfigError
from mlaudit.results import (
    Bound,
    Cell,
    CheckResult,
    ExamplesDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.stats import wilson_bound
from mlaudit.summary import ScanPlan

__all__ = ["RowRules", "rule_violations"]

_ROW = "__row__"
_MAX_EXAMPLES = 10


def rule_violations(frame: pl.DataFrame, expression: str) -> pl.DataFrame:
    """The rows of ``frame`` for which ``expression`` is false (null counts as satisfied).

    Raises
    ------
    polars.exceptions.PolarsError
        When the expression does not parse or does not fit the frame's columns and types.
    """
    return frame.filter(pl.sql_expr(expression).not_())


def _cell(v: object) -> Cell:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    return str(v)


def _cells(frame: pl.DataFrame) -> list[list[Cell]]:
    return [[_cell(v) for v in row] for row in frame.iter_rows()]


@register
class RowRules(Check):
    """Fail when rows break a business rule such as ``years_employed <= age - 14``."""

    id: ClassVar[str] = "quality.rules"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Rows satisfy the business rules"
    why: ClassVar[str] = (
        "Rows that break a rule the business knows must hold (an applicant under 18, more years "
        "employed than years alive) are data errors; a model trained or scored on them learns "
        "or produces nonsense for exactly those customers."
    )
    severity: ClassVar[Severity] = Severity.HIGH

    rules: dict[str, str] = Field(default_factory=dict)
    """Rule name → polars SQL expression that must hold on every row, e.g. ``age >= 18``."""
    max_share: Share = 0.0
    """Largest share of rows that may violate a rule before the rule fails (default: none)."""

    @field_validator("rules")
    @classmethod
    def _parse(cls, rules: dict[str, str]) -> dict[str, str]:
        for name, expr in rules.items():
            try:
                pl.sql_expr(expr)
            except pl.exceptions.PolarsError as exc:
                raise ValueError(
                    f"rule {name!r} is not a valid polars SQL expression: {expr!r} ({exc}); "
                    "write it as an SQL WHERE condition, e.g. 'age >= 18'"
                ) from None
        return rules

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to count the violations of every rule exactly."""
        for name, expr in self.rules.items():
            if plan.rules.get(name, expr) != expr:
                raise ConfigError(
                    f"two different rules are named {name!r}: {plan.rules[name]!r} and {expr!r}",
                    fix="give each rule its own name",
                )
        return dataclasses.replace(plan, rules={**plan.rules, **self.rules})

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per rule (``column`` is null; the message names the rule)."""
        if not self.rules:
            return [self.skipped("no rules were configured")]
        if ctx.current.n_rows == 0:
            return [self.skipped(f"rule {n!r}: the data has no rows") for n in self.rules]
        out: list[CheckResult] = []
        for name, expr in self.rules.items():
            try:
                out.append(self._rule(ctx, name, expr))
            except pl.exceptions.PolarsError as exc:
                out.append(
                    self.result(
                        Status.ERROR,
                        f"rule {name!r} ({expr}) cannot be evaluated on this data: {exc}",
                        details=[_rule_table(name, expr)],
                    )
                )
        return out

    def _rule(self, ctx: CheckContext, name: str, expr: str) -> CheckResult:
        prof = ctx.current
        sample = prof.sample
        threshold = Threshold(metric="violation_share", direction="max", fail=self.max_share)
        head = f"rule {name!r} ({expr})"
        if name in prof.rule_violations:
            n, rows, exact = prof.rule_violations[name], prof.n_rows, True
            bounds: dict[str, Bound] = {}
        elif sample is not None and sample.height > 0:
            n, rows, exact = rule_violations(sample, expr).height, sample.height, False
            bounds = {"violation_share": wilson_bound(n, rows)}
        else:
            return self.skipped(f"{head} was not evaluated by the scan and there is no sample")
        share = n / rows
        status = threshold.status_for(share)
        scope = f"{rows:,} rows" if exact else f"a seeded sample of {rows:,} of {prof.n_rows:,}"
        if n == 0:
            msg = f"{head} holds on every one of {scope}"
        else:
            limit = (
                ""
                if self.max_share == 0
                else f", {'above' if status is Status.FAIL else 'within'} the "
                f"{format_share(self.max_share)} limit"
            )
            msg = f"{head} is broken by {n:,} of {scope} ({format_share(share)}){limit}"
        details: list[TableDetail | ExamplesDetail] = [_rule_table(name, expr)]
        if n > 0 and sample is not None:
            details += _examples(ctx, name, expr, sample)
        return self.result(
            status,
            msg,
            metrics={"violations": n, "rows": rows, "violation_share": share},
            threshold=threshold,
            exact=exact,
            bounds=bounds,
            details=details,
        )


def _rule_table(name: str, expr: str) -> TableDetail:
    return TableDetail(
        name="rule", title="Rule", columns=["rule", "expression"], rows=[[name, expr]]
    )


def _examples(
    ctx: CheckContext, name: str, expr: str, sample: pl.DataFrame
) -> list[ExamplesDetail]:
    """Violating rows from the sample: those the scan named, else re-evaluated on the sample."""
    ids = ctx.current.rule_examples.get(name, [])
    rows = pl.DataFrame()
    if ids and _ROW in sample.columns:
        rows = sample.filter(pl.col(_ROW).is_in(ids))
    if rows.height == 0:
        try:
            rows = rule_violations(sample, expr)
        except pl.exceptions.PolarsError:
            return []  # personal columns are masked in the sample: nothing safe to show
    if rows.height == 0:
        return []
    used = [c for c in pl.sql_expr(expr).meta.root_names() if c in rows.columns]
    shown = ([_ROW] if _ROW in rows.columns else []) + list(dict.fromkeys(used))
    rows = rows.sort(_ROW) if _ROW in rows.columns else rows
    return [
        ExamplesDetail(
            name="violations",
            title=f"Rows that break rule {name!r}",
            columns=["row" if c == _ROW else c for c in shown],
            rows=_cells(rows.select(shown).head(_MAX_EXAMPLES)),
            masked_columns=[c for c in shown if c in ctx.schema and ctx.schema[c].personal],
        )
    ]
