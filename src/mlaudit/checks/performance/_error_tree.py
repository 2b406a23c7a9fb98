"""A shallow error-analysis tree: where does the model err, as a few readable rules?

A scikit-learn decision tree (depth at most 3, leaves of at least ``min_rows`` rows, the audit's
seed) is fitted on the sample to the errors: ``DecisionTreeClassifier`` on "is the prediction
wrong" for a classifier, ``DecisionTreeRegressor`` on the absolute error for a regression.
Numeric features enter as they are (the tree sends missing values to one side, and the rule says
``or missing`` where it does); a categorical feature enters as one indicator per level tested by
the slices.  Each leaf becomes a rule (the conditions on its path, a feature's bounds merged)
with its rows and error rate (or mean absolute error).  The tree describes; it does not test:
its leaves are chosen to separate errors on this very sample, so their rates are optimistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.stats import FeatureLevels, format_number

if TYPE_CHECKING:
    from sklearn import tree as sk_tree
else:  # imported on first use (mlaudit._lazy)
    sk_tree = lazy_import("sklearn.tree")

__all__ = ["Leaf", "error_tree"]


@dataclass(frozen=True)
class Leaf:
    """One leaf of the tree: its rule, rows, and mean error value."""

    rule: str
    rows: int
    value: float


@dataclass(frozen=True)
class _Input:
    name: str
    numeric: bool
    level_rule: str = ""
    """For an indicator column: the rule of the level it marks (``region = "north"``)."""


def _design(
    frame: pl.DataFrame, levels: list[FeatureLevels], numeric: set[str]
) -> tuple[np.ndarray, list[_Input]]:
    cols: list[np.ndarray] = []
    inputs: list[_Input] = []
    for f in levels:
        if f.name in numeric:
            cols.append(frame[f.name].cast(pl.Float64).to_numpy())
            inputs.append(_Input(f.name, True))
            continue
        for code, rule in enumerate(f.rules):
            cols.append((f.codes == code).astype(np.float64))
            inputs.append(_Input(f.name, False, rule))
    return np.column_stack(cols), inputs


def error_tree(
    frame: pl.DataFrame,
    levels: list[FeatureLevels],
    numeric: set[str],
    value: np.ndarray,
    *,
    classify: bool,
    depth: int,
    min_rows: int,
    seed: int,
) -> list[Leaf]:
    """The tree's leaves, worst first; empty when no feature or too few rows."""
    if not levels or value.size < 2 * min_rows:
        return []
    x, inputs = _design(frame, levels, numeric)
    gaps = {inp.name for inp, has in zip(inputs, np.isnan(x).any(axis=0), strict=True) if has}
    kind: Any = sk_tree.DecisionTreeClassifier if classify else sk_tree.DecisionTreeRegressor
    model = kind(max_depth=depth, min_samples_leaf=min_rows, random_state=seed)
    model.fit(x, value.astype(np.int8) if classify else value)
    leaf_of = model.apply(x)
    leaves = []
    for node, conditions in _paths(model.tree_, inputs):
        mask = leaf_of == node
        rule = _rule(conditions, gaps)
        leaves.append(Leaf(rule, int(mask.sum()), float(value[mask].mean())))
    return sorted(leaves, key=lambda leaf: (-leaf.value, -leaf.rows, leaf.rule))


def _paths(
    tree: Any, inputs: list[_Input]
) -> list[tuple[int, list[tuple[_Input, str, float, bool]]]]:
    """Each leaf's node id and the conditions on its path: (input, side, threshold, missing)."""
    out: list[tuple[int, list[tuple[_Input, str, float, bool]]]] = []
    stack: list[tuple[int, list[tuple[_Input, str, float, bool]]]] = [(0, [])]
    missing_left = getattr(tree, "missing_go_to_left", None)
    while stack:
        node, conds = stack.pop()
        left, right = int(tree.children_left[node]), int(tree.children_right[node])
        if left == -1:
            out.append((node, conds))
            continue
        feat, thr = inputs[int(tree.feature[node])], float(tree.threshold[node])
        nan_left = bool(missing_left[node]) if missing_left is not None else False
        stack.append((right, [*conds, (feat, ">", thr, not nan_left)]))
        stack.append((left, [*conds, (feat, "<=", thr, nan_left)]))
    return out


def _rule(conditions: list[tuple[_Input, str, float, bool]], gaps: set[str]) -> str:
    """The conditions in words, a numeric feature's bounds merged into one range; a level's
    negations left out once the rule names the level itself.  ``gaps``: numeric features with
    missing values (the only ones whose rule says where missing values go)."""
    if not conditions:
        return "every row"
    ranges: dict[str, list[Any]] = {}
    words: list[str] = []
    named = {inp.name for inp, side, _, _ in conditions if not inp.numeric and side == ">"}
    for inp, side, thr, missing in conditions:
        if not inp.numeric:  # an indicator: <= 0.5 is "not this level"
            if side == ">":
                words.append(inp.level_rule)
            elif inp.name not in named:
                words.append(_negate(inp.level_rule))
            continue
        low, high, nan = ranges.setdefault(inp.name, [None, None, True])
        if side == ">":
            ranges[inp.name] = [thr if low is None else max(low, thr), high, nan and missing]
        else:
            ranges[inp.name] = [low, thr if high is None else min(high, thr), nan and missing]
    for name, (low, high, nan) in ranges.items():
        text = _range(name, low, high)
        words.append(f"({text} or {name} is missing)" if nan and name in gaps else text)
    return " and ".join(words)


def _range(name: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{format_number(low)} < {name} ≤ {format_number(high)}"
    if low is not None:
        return f"{name} > {format_number(low)}"
    return f"{name} ≤ {format_number(high or 0.0)}"


def _negate(rule: str) -> str:
    if rule.endswith(" is missing"):
        return rule[: -len(" is missing")] + " is present"
    return rule.replace(" = ", " ≠ ", 1)
