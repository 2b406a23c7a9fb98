"""``leakage.event_time``: a feature's time later than the label's time.

A model may only use what was known when its decision was made.  When the data records when a
feature's value was observed (``event_time``, e.g. the date of the last bureau update) and when
the label became known (``label_time``, e.g. the date of the default or the end of the outcome
window), a row whose event time is later than its label time carries information from after the
outcome: the feature leaks it.

Declare both columns in the check's options (they are columns of the data, usually with the
role ``ignored`` or ``timestamp``)::

    checks:
      leakage.event_time:
        event_time: bureau_updated_at
        label_time: default_observed_at

The scan counts, over every row, the rows where both times are present and the event time is
later (a rule evaluated batch by batch, exact), and the rows where both are present.  Any such
row warns (``warn``, default 0); a share above ``fail`` (default 1%) fails.  Examples (row,
both times, the gap) come from the seeded sample.  Dates, datetimes and ISO text compare as
they are stored: both columns must have comparable types.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import polars as pl

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Share
from mlaudit.errors import ConfigError
from mlaudit.results import Cell, CheckResult, ExamplesDetail, Severity, Threshold
from mlaudit.summary import ScanPlan

__all__ = ["EventTime"]

_LATER = "leakage.event_time: later than the label"
_BOTH = "leakage.event_time: both times present"
_EXAMPLES = 6


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@register
class EventTime(Check):
    """Fail when feature values were observed after the label was known."""

    id: ClassVar[str] = "leakage.event_time"
    family: ClassVar[str] = "leakage"
    title: ClassVar[str] = "Features were known before the label"
    why: ClassVar[str] = (
        "A feature observed after the outcome carries the outcome into the model: it looks "
        "accurate in testing and cannot be reproduced when decisions are made."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()

    event_time: str | None = None
    """The column holding when the features were observed."""
    label_time: str | None = None
    """The column holding when the label became known."""
    warn: Share = 0.0
    """Warn when the share of rows with a later event time is above this (default 0)."""
    fail: Share = 0.01
    """Fail when that share is above this (default 1%)."""

    def _rules(self) -> dict[str, str]:
        if self.event_time is None or self.label_time is None:
            return {}
        event, label = _quoted(self.event_time), _quoted(self.label_time)
        return {
            _LATER: f"{event} <= {label}",
            _BOTH: f"{event} IS NULL OR {label} IS NULL",
        }

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan to count the rows whose event time is later than their label time."""
        rules = self._rules()
        return dataclasses.replace(plan, rules={**plan.rules, **rules}) if rules else plan

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Read the counts of the scan's two rules and hold the later share to the limits."""
        if self.event_time is None or self.label_time is None:
            return self.skipped(
                "declare the event_time and label_time columns in this check's options"
            )
        for name in (self.event_time, self.label_time):
            if name not in ctx.schema:
                raise ConfigError(
                    f"check {self.id!r} names column {name!r} that the data does not have",
                    fix=f"use one of: {', '.join(ctx.schema.names[:20])}",
                )
        prof = ctx.current
        if _LATER not in prof.rule_violations:
            return self.skipped("the profile has no counts of the event and label times")
        later, both = prof.rule_violations[_LATER], prof.rule_violations.get(_BOTH, 0)
        if not both:
            return self.skipped(f"no row has both {self.event_time} and {self.label_time}")
        share = later / both
        threshold = Threshold(metric="later_share", direction="max", warn=self.warn, fail=self.fail)
        status = threshold.status_for(share)
        message = (
            f"{format_count(later)} of {format_count(both)} rows with both times "
            f"({format_share(share)}) have {self.event_time} later than {self.label_time}"
        )
        if later:
            message += (
                ": those features were observed after the label was known; rebuild them as of "
                "the decision date (or drop the rows) before training and evaluating."
            )
        else:
            message += "."
        metrics: dict[str, float | int | None] = {
            "later_rows": later,
            "rows_with_both": both,
            "later_share": share,
        }
        details = [d for d in [self._examples(ctx)] if d is not None]
        return self.result(status, message, metrics=metrics, threshold=threshold, details=details)

    def _examples(self, ctx: CheckContext) -> ExamplesDetail | None:
        sample, event, label = ctx.current.sample, self.event_time, self.label_time
        if sample is None or event is None or label is None or event not in sample.columns:
            return None
        try:
            later = sample.filter(pl.sql_expr(self._rules()[_LATER]).not_()).sort("__row__")
            shown = later.select("__row__", event, label).head(_EXAMPLES)
        except pl.exceptions.PolarsError:
            return None
        if not shown.height:
            return None
        rows: list[list[Cell]] = [[r[0], str(r[1]), str(r[2])] for r in shown.iter_rows()]
        personal = set(ctx.schema.personal)
        return ExamplesDetail(
            name="event_after_label",
            title="Sampled rows whose event time is later than their label time",
            columns=["row", event, label],
            rows=rows,
            masked_columns=[c for c in (event, label) if c in personal],
        )
