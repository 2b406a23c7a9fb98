"""A pipeline's transformed columns traced back to the input columns they come from.

TreeExplainer and LinearExplainer explain a pipeline's last step on the columns its
preprocessing makes (one-hot columns, scaled numbers); each SHAP value is then credited to the
input column it came from, so a category's columns add up to one value for the category's
feature (SHAP values are additive, so the sum is the feature's share).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["group_columns", "names_out", "trace_columns"]


def names_out(transforms: Any, width: int) -> list[str]:
    """The transformed columns' names (``get_feature_names_out``), or ``x0``, ``x1``, ..."""
    try:
        names = [str(n) for n in transforms.get_feature_names_out()]
    except Exception:  # a step without get_feature_names_out
        names = []
    return names if len(names) == width else [f"x{i}" for i in range(width)]


def trace_columns(names: list[str], inputs: list[str]) -> dict[str, list[str]]:
    """Each feature (an input column, or an untraceable transformed column) → its columns.

    A transformed column traces to an input when its name, without a ``ColumnTransformer``
    prefix (``onehotencoder__``), is the input's name or starts with it and ``_`` (a one-hot
    column); the longest such input wins.
    """
    out: dict[str, list[str]] = {}
    for name in names:
        short = name if name in inputs else name.split("__", 1)[-1]
        if short in inputs:
            origin = short
        else:
            found = [c for c in inputs if short.startswith(f"{c}_")]
            origin = max(found, key=len) if found else name
        out.setdefault(origin, []).append(name)
    return out


def group_columns(
    values: np.ndarray, names: list[str], encoded: dict[str, list[str]]
) -> tuple[np.ndarray, list[str]]:
    """The values summed over each feature's columns, features in their first column's order."""
    where = {n: i for i, n in enumerate(names)}
    labels = list(encoded)
    grouped = np.stack(
        [values[:, [where[c] for c in encoded[f]], :].sum(axis=1) for f in labels], axis=1
    )
    return grouped, labels
