"""The binary target on the seeded sample, shared by the leakage checks that score features."""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.data import Role

__all__ = ["FEATURE_ROLES", "binary_target"]

FEATURE_ROLES = frozenset({Role.FEATURE, Role.SENSITIVE})
"""Roles of the columns a model reads."""


def binary_target(
    ctx: CheckContext, positive_label: str | None
) -> tuple[pl.DataFrame, np.ndarray, str] | str:
    """The sample rows with a label, their 0/1 labels and the target's name; or why not.

    The positive class is ``positive_label`` (as text), else 1 or True, else the larger value.
    """
    targets = ctx.schema.with_role(Role.TARGET)
    if len(targets) != 1:
        return (
            "no target (label) column: declare schema.target / --target"
            if not targets
            else (f"{len(targets)} target columns; the leakage checks read one")
        )
    target = targets[0].name
    sample = ctx.current.sample
    if sample is None or target not in sample.columns:
        return "the profile has no sample rows (an empty data set or a saved profile without one)"
    if target in ctx.schema.personal:
        return f"the target {target} is a personal column (masked in the sample)"
    frame = sample.filter(pl.col(target).is_not_null())
    labels = frame[target]
    classes = labels.unique().sort().to_list()
    if len(classes) != 2:
        return (
            f"the target {target} has {len(classes)} classes in the sample; these checks judge "
            "a binary target"
        )
    positive = _positive(classes, positive_label)
    if positive is None:
        shown = f"{classes[0]}, {classes[1]}"
        return f"positive_label {positive_label!r} is not a class of {target} ({shown})"
    return frame, (labels == positive).to_numpy().astype(np.int8), target


def _positive(classes: list[object], positive_label: str | None) -> object | None:
    if positive_label is not None:
        match = [c for c in classes if str(c) == positive_label]
        return match[0] if match else None
    for c in classes:
        if c is True or c == 1:
            return c
    return classes[1]
