"""``fairness.four_fifths``: the four-fifths (80 %) rule, with the significance it leaves out.

The US Uniform Guidelines on Employee Selection Procedures (29 CFR 1607.4(D)) read a selection
rate under four-fifths of the highest group's rate as evidence of adverse impact, and add that
smaller differences may be significant in large samples and larger ones not in small samples.
So each group with ``min_group_size`` rows is compared with the group of the highest selection
rate: its **impact ratio** (its rate ÷ the highest) with the Katz interval, and the gap's
p-value (Fisher's exact test for small counts, else the two-proportion z-test), Holm-adjusted
over the groups of the attribute:

* a ratio under ``ratio`` (0.8) whose gap is significant (adjusted p < ``alpha``): **fail**;
* a ratio under ``ratio`` that the data cannot tell from chance: **warn**, and the message says
  the rule is breached on the estimate only;
* every ratio at or above ``ratio``: **pass** (a significant gap above four-fifths is named).

One result per sensitive attribute (and per pair with ``intersections``); the groups detail
holds each group's ratio (``impact_ratio``, ``impact_ratio_ci``) and p-value
(``selection_rate_p_value``, unadjusted).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.fairness._common import (
    FairnessOptions,
    declared_note,
    groupings,
    groups_detail,
)
from mlaudit.checks.fairness._groups import GroupTable, group_table
from mlaudit.checks.fairness._rows import FairRows
from mlaudit.results import CheckResult, Severity, Status, Threshold

__all__ = ["FourFifths", "holm"]


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment of ``p_values`` (same order, capped at 1)."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p)
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()


@register
class FourFifths(FairnessOptions):
    """Each group's selection rate against four-fifths of the highest, with its significance."""

    id: ClassVar[str] = "fairness.four_fifths"
    title: ClassVar[str] = "No group is selected at under four-fifths of the best group's rate"
    why: ClassVar[str] = (
        "US agencies read a selection rate under 80% of the highest group's as evidence of "
        "adverse impact; the rule ignores sample size, so the significance is given beside it."
    )
    severity: ClassVar[Severity] = Severity.HIGH

    intersections: bool = False
    """Also compare the groups of each pair of sensitive attributes."""
    ratio: Share = 0.8
    """The rule's ratio: a group selected at under this share of the highest rate."""
    alpha: Alpha = 0.05
    """Level of the gap's test (Holm-adjusted over the attribute's groups) for a failure."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per attribute (and pair)."""
        rows = self.fair_rows(ctx)
        if isinstance(rows, str):
            return [self.skipped(rows)]
        out = []
        for keys in groupings(rows.attributes, intersections=self.intersections):
            table = group_table(
                rows.frame, keys, min_group_size=self.min_group_size, reference="best_rate",
                n_boot=0, seed=ctx.seed,
            )  # fmt: skip
            out.append(self._judge(rows, table))
        return out

    def _judge(self, rows: FairRows, table: GroupTable) -> CheckResult:
        name = table.attribute
        judged = [g for g in table.groups if g["sufficient"] and not g["reference"]]
        details = [groups_detail(table, rows.favourable), declared_note(rows, "best_rate", table)]
        if table.reference_group is None or not judged:
            return self.result(
                Status.INCONCLUSIVE,
                f"{name}: fewer than two groups have {self.min_group_size} rows; the rule "
                "needs two to compare (insufficient evidence).",
                column=name, details=details,
            )  # fmt: skip
        raw = [g["selection_rate_p_value"] for g in judged]
        adjusted = holm([1.0 if p is None else float(p) for p in raw])
        below = [
            (g, p) for g, p in zip(judged, adjusted, strict=True)
            if g["impact_ratio"] is not None and g["impact_ratio"] < self.ratio
        ]  # fmt: skip
        significant = [(g, p) for g, p in below if p < self.alpha]
        status = Status.FAIL if significant else Status.WARN if below else Status.PASS
        ratios = [g["impact_ratio"] for g in judged if g["impact_ratio"] is not None]
        worst = min(judged, key=lambda g: g["impact_ratio"] if g["impact_ratio"] is not None else 1)
        worst_p = adjusted[judged.index(worst)]
        metrics: dict[str, float | int | None] = {
            "min_impact_ratio": min(ratios) if ratios else None,
            "groups_below": len(below),
            "groups_below_significant": len(significant),
            "worst_group_p_value": worst_p,
        }
        return self.result(
            status,
            self._message(name, table, worst, worst_p, status, below),
            column=name,
            metrics=metrics,
            threshold=Threshold(metric="min_impact_ratio", direction="min", warn=self.ratio),
            details=details,
        )

    def _message(
        self,
        name: str,
        table: GroupTable,
        worst: dict[str, object],
        p: float,
        status: Status,
        below: list[tuple[dict[str, object], float]],
    ) -> str:
        ratio = worst["impact_ratio"]
        ci = worst.get("impact_ratio_ci") or [float("nan"), float("nan")]
        assert isinstance(ratio, float) and isinstance(ci, list)
        head = (
            f"{name}: the lowest impact ratio is {ratio:.3f} (95% CI {ci[0]:.3f}–{ci[1]:.3f}) "
            f"for {worst['group']} against {table.reference_group}, the highest selection rate; "
            f"Holm-adjusted p = {p:.3g}"
        )
        if status == Status.FAIL:
            return head + (
                f". {len(below)} group(s) under four-fifths ({self.ratio:g}), significantly: "
                "evidence of adverse impact under the rule."
            )
        if status == Status.WARN:
            return head + (
                f". Under four-fifths ({self.ratio:g}) on the estimate, but the data cannot tell "
                "the gap from chance: more rows would decide."
            )
        return head + f". Every group is selected at {self.ratio:g} of the highest rate or more."
