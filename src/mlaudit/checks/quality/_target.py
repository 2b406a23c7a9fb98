"""What the label checks share: the one target column, and the scan's label counts."""

from __future__ import annotations

import dataclasses

from mlaudit.checks._base import CheckContext
from mlaudit.data import Role
from mlaudit.summary import ScanPlan

__all__ = ["one_target", "with_labels"]


def one_target(ctx: CheckContext, judged: str) -> tuple[str | None, str]:
    """The target column's name, or None and why the check is skipped.

    ``judged`` completes the sentence for several targets, e.g. "class shares are judged".
    """
    targets = ctx.schema.with_role(Role.TARGET)
    if not targets:
        return None, (
            "no target column: give the label column the role 'target' (schema roles or --target)"
        )
    if len(targets) > 1:
        return None, f"{len(targets)} target columns; {judged} for one target"
    return targets[0].name, ""


def with_labels(plan: ScanPlan) -> ScanPlan:
    """``plan`` asking the scan to count the target's classes and hash features and labels."""
    return plan if plan.labels else dataclasses.replace(plan, labels=True)
