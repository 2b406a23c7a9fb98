"""``fairness.group_metrics``: each group's rates with intervals, and the disparities between them.

One result per sensitive attribute and per pair of attributes (``column`` is the attribute, or
``sex × race``).  Per group (``details`` → the ``groups`` detail, the JSON contract of
docs/report-format.md): its size, the selection rate, TPR, FPR, FNR, PPV, NPV and accuracy with
Wilson intervals, AUC (DeLong) and the mean score with theirs, and the comparison with the
reference group (differences with Newcombe intervals and p-values, the impact ratio with its
Katz interval).  In ``metrics``: the disparities over the groups with enough rows
(demographic-parity difference and ratio, equalised-odds, equal-opportunity, average-odds and
predictive-parity differences, with bootstrap intervals in ``bounds``) and the Theil index.

**Verdict.**  A disparity is judged like a model metric (``performance.metrics``): against
``warn`` and ``fail``, only when its whole interval lies beyond the limit, so a gap
that a small group's noise could make is not a finding.  The demographic-parity difference is
judged always, the equalised-odds difference when the rows have labels.  With fewer than two
groups of ``min_group_size`` rows nothing can be compared: *inconclusive*, with the groups
listed as insufficient evidence.  The limits are the user's policy: mlaudit's defaults (0.10 to
warn, 0.20 to fail) are a starting point, not a legal standard.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._options import Share
from mlaudit.checks.fairness._common import (
    FairnessOptions,
    declared_note,
    groupings,
    groups_detail,
)
from mlaudit.checks.fairness._groups import DISPARITIES, GroupTable, group_table
from mlaudit.checks.fairness._rows import FairRows
from mlaudit.results import Bound, CheckResult, Severity, Status, Threshold

__all__ = ["GroupMetrics"]

_LEVEL = 0.95
_JUDGED = ("demographic_parity_difference", "equalized_odds_difference")


@register
class GroupMetrics(FairnessOptions):
    """Group rates with intervals and the disparities between the groups."""

    id: ClassVar[str] = "fairness.group_metrics"
    title: ClassVar[str] = "Groups are treated alike"
    why: ClassVar[str] = (
        "A model that selects, or errs for, one group more than another can discriminate "
        "unlawfully; regulators ask for each group's rates with the evidence behind them."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = (("warn", "fail"),)

    reference_group: str = "largest"
    """The group the others are compared with: "largest", "best_rate" (the highest selection
    rate) or a group's name (for an intersection, its values joined by " × ")."""
    warn: Share = 0.10
    """Warn when the demographic-parity (or equalised-odds) difference lies above this over
    its whole 95% interval."""
    fail: Share = 0.20
    """Fail when a difference lies above this over its whole 95% interval."""
    n_boot: int = Field(default=1000, ge=10, le=100_000)
    """Bootstrap resamples of the disparities' intervals (seeded by the audit's seed)."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per attribute and per pair of attributes."""
        rows = self.fair_rows(ctx)
        if isinstance(rows, str):
            return [self.skipped(rows)]
        out = []
        named = self.reference_group not in ("largest", "best_rate")
        holders = [a for a in rows.attributes
                   if named and (rows.frame[a] == self.reference_group).any()]  # fmt: skip
        for keys in groupings(rows.attributes, intersections=self.intersections):
            elsewhere = named and holders and keys != [holders[0]] and len(keys) == 1
            rule = "largest" if named and (len(keys) > 1 or elsewhere) else self.reference_group
            table = group_table(
                rows.frame, keys, min_group_size=self.min_group_size,
                reference=rule, level=_LEVEL, n_boot=self.n_boot, seed=ctx.seed,
            )  # fmt: skip
            said = rule if rule == self.reference_group else (
                f"{rule} (the named {self.reference_group!r} is a group of {holders[0]})"
                if elsewhere
                else f"{rule} (the named {self.reference_group!r} applies to single attributes)"
            )  # fmt: skip
            result = self._judge(rows, table, said)
            if named and table.reference_group is None and result.status != Status.INCONCLUSIVE:
                judged = ", ".join(str(g["group"]) for g in table.groups if g["sufficient"])
                result = result.model_copy(update={"message": result.message + (
                    f" The reference group {self.reference_group!r} is not among the groups "
                    f"of {table.attribute} with {self.min_group_size} rows or more ({judged}): "
                    "no gap to it is computed; name one of them."
                )})  # fmt: skip
            out.append(result)
        return out

    def _judge(self, rows: FairRows, table: GroupTable, rule: str) -> CheckResult:
        name = table.attribute
        enough = [g for g in table.groups if g["sufficient"]]
        metrics: dict[str, float | int | None] = {
            **table.disparities,
            "theil_index": table.theil_index,
            "groups": len(table.groups),
            "groups_sufficient": len(enough),
            "unknown_rows": table.unknown_rows,
        }
        bounds = {
            k: Bound(low=lo, high=hi, kind="confidence_interval", level=_LEVEL,
                     method=f"parametric bootstrap of the groups' cells, {self.n_boot} resamples")
            for k, (lo, hi) in table.intervals.items()
        }  # fmt: skip
        details = [
            groups_detail(table, rows.favourable),
            declared_note(rows, rule, table),
        ]
        if len(enough) < 2:
            small = ", ".join(f"{g['group']} ({g['n']})" for g in table.groups[:8])
            return self.result(
                Status.INCONCLUSIVE,
                f"{name}: fewer than two groups have {self.min_group_size} rows, so no gap can "
                f"be judged (insufficient evidence): {small}.",
                column=name, metrics=metrics, bounds=bounds, details=details,
            )  # fmt: skip
        status, breached = self._status(table, labelled=rows.labelled > 0)
        return self.result(
            status,
            self._message(name, table, status, breached, rows),
            column=name,
            metrics=metrics,
            bounds=bounds,
            threshold=Threshold(
                metric="demographic_parity_difference", direction="max",
                warn=self.warn, fail=self.fail,
            ),
            details=details,
        )  # fmt: skip

    def _status(self, table: GroupTable, *, labelled: bool) -> tuple[Status, list[str]]:
        warn, fail = self.warn, self.fail
        status, breached = Status.PASS, []
        for key in _JUDGED if labelled else _JUDGED[:1]:
            low = table.intervals.get(key, (float("nan"), 0.0))[0]
            if low > fail:
                status = Status.FAIL
                breached.append(key)
            elif low > warn:
                status = Status.WARN if status != Status.FAIL else status
                breached.append(key)
        return status, breached

    def _message(
        self, name: str, table: GroupTable, status: Status, breached: list[str], rows: FairRows
    ) -> str:
        d = table.disparities
        groups = [g for g in table.groups if g["sufficient"]]
        by_rate = sorted(groups, key=lambda g: g["selection_rate"] or 0.0)
        low, high = by_rate[0], by_rate[-1]
        parts = [
            f"{name}: selection rates (outcome {rows.favourable}) from "
            f"{low['selection_rate']:.1%} ({low['group']}, {low['n']:,} rows) to "
            f"{high['selection_rate']:.1%} ({high['group']}, {high['n']:,} rows)"
        ]
        for key in DISPARITIES:
            value = d.get(key)
            if value is None or key not in ("demographic_parity_difference",
                                            "equalized_odds_difference"):  # fmt: skip
                continue
            lo, hi = table.intervals.get(key, (float("nan"), float("nan")))
            parts.append(f"{key.replace('_', ' ')} {value:.3f} (95% CI {lo:.3f}–{hi:.3f})")
        small = len(table.groups) - len(groups)
        if small:
            parts.append(f"{small} group(s) under {self.min_group_size} rows not judged")
        text = "; ".join(parts) + "."
        if status in (Status.WARN, Status.FAIL):
            limits = " and the ".join(k.replace("_", " ") for k in breached)
            verb = "lies" if len(breached) == 1 else "lie"
            text += (
                f" The {limits} {verb} above the limit over the whole interval: review the "
                "model's decisions for these groups (a lawful reason, a proxy, or a "
                "retraining)."
            )
        return text
