"""``leakage.target_proxy``: a single feature that almost perfectly predicts the target.

Real outcomes are rarely that predictable from one input; a feature that separates the classes
almost perfectly was usually recorded after the outcome (a collection flag, a recovery amount, a
status updated when the loan defaulted) or derived from the label.  A model using it is
excellent on paper and useless when the feature is not yet known.

Each feature (the columns whose role is ``feature`` or ``sensitive``, not personal ones) is
scored alone on the current data's seeded sample against a binary target, as
:mod:`mlaudit.checks.leakage._power` explains: numeric values as they are, categories by their
cross-fitted positive rate, the AUC oriented (``max(AUC, 1 - AUC)``).  A feature warns when the
lower end of its 95% DeLong interval reaches ``warn`` (default 0.99) and fails at ``fail``
(0.995): judging the lower end keeps a small sample from flagging a merely strong feature by
chance.  Every feature's AUC is listed, best first.  Binary targets only (other targets: skipped).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count
from mlaudit.checks._options import PositiveCount, Share
from mlaudit.checks.leakage._power import Separation, category_separation, numeric_separation
from mlaudit.checks.leakage._target import FEATURE_ROLES, binary_target
from mlaudit.results import CheckResult, Severity, Status, TableDetail, Threshold

__all__ = ["TargetProxy"]


@register
class TargetProxy(Check):
    """Warn when one feature alone separates the classes almost perfectly."""

    id: ClassVar[str] = "leakage.target_proxy"
    family: ClassVar[str] = "leakage"
    title: ClassVar[str] = "No single feature gives the label away"
    why: ClassVar[str] = (
        "A feature that predicts the outcome almost perfectly was usually recorded after the "
        "outcome or derived from it: the model looks excellent in testing and fails in use, "
        "when that feature is not yet known."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()

    warn: Share = 0.99
    """Warn when the lower 95% bound of a feature's AUC reaches this."""
    fail: Share = 0.995
    """Fail when the lower 95% bound of a feature's AUC reaches this."""
    positive_label: str | None = None
    """The positive class when the target is text (default: 1/True, else the larger value)."""
    min_rows: PositiveCount = 30
    """Fewest labelled sample rows, and rows of each class, to judge."""
    max_listed: int = Field(default=20, ge=1)
    """Most features listed in the table."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Score each feature alone against the target on the sample."""
        got = binary_target(ctx, self.positive_label)
        if isinstance(got, str):
            return self.skipped(got)
        frame, y, target = got
        if min(int(y.sum()), int(y.size - y.sum())) < self.min_rows:
            return self.skipped(f"fewer than {self.min_rows} sample rows of a class of {target}")
        personal = set(ctx.schema.personal)
        scored: list[tuple[str, Separation]] = []
        for c in ctx.schema.columns:
            if c.role not in FEATURE_ROLES or c.name in personal or c.name not in frame.columns:
                continue
            s = frame[c.name]
            if s.dtype.is_numeric() and s.dtype != pl.Boolean:
                scored.append((c.name, numeric_separation(s, y)))
            elif (
                s.dtype in (pl.String, pl.Boolean, pl.Categorical, pl.Enum) or s.dtype.is_integer()
            ):
                scored.append((c.name, category_separation(s, y, ctx.seed)))
        if not scored:
            return self.skipped(
                "no feature column besides the target (personal columns are not scored)"
            )
        scored.sort(key=lambda item: (-item[1].auc, item[0]))
        threshold = Threshold(
            metric="max_auc_lower_bound", direction="max", warn=self.warn, fail=self.fail
        )
        best_low = max(sep.low for _, sep in scored)
        status = Status.PASS
        if best_low >= self.fail:
            status = Status.FAIL
        elif best_low >= self.warn:
            status = Status.WARN
        flagged = [(n, s) for n, s in scored if s.low >= self.warn]
        message = self._message(target, scored, flagged, y.size)
        table = TableDetail(
            name="feature_auc",
            title=f"Each feature alone against {target}: ROC AUC on the sample, best first",
            columns=["feature", "AUC", "95% low", "95% high", "scored as"],
            rows=[[n, s.auc, s.low, s.high, s.how] for n, s in scored[: self.max_listed]],
            note="AUC 0.5: the feature alone says nothing of the label; 1: it gives it away.",
        )
        best = scored[0][1]
        metrics: dict[str, float | int | None] = {
            "sample_rows": y.size,
            "features_scored": len(scored),
            "max_auc": best.auc,
            "max_auc_lower_bound": best_low,
            "features_flagged": len(flagged),
        }
        return self.result(status, message, metrics=metrics, threshold=threshold, details=[table])

    def _message(
        self,
        target: str,
        scored: list[tuple[str, Separation]],
        flagged: list[tuple[str, Separation]],
        n: int,
    ) -> str:
        name, best = scored[0]
        head = (
            f"{len(scored)} features scored alone against {target} on {format_count(n)} sample "
            f"rows; the strongest is {name} (AUC {best.auc:.3f}, 95% interval "
            f"{best.low:.3f}-{best.high:.3f})"
        )
        if not flagged:
            return head + "; none gives the label away."
        names = ", ".join(n for n, _ in flagged[:5])
        return head + (
            f"; {names} separate{'s' if len(flagged) == 1 else ''} the classes almost perfectly. "
            "Check when each is recorded: a value known only after the outcome (or derived from "
            "the label) must be removed from the model's inputs."
        )
