"""A scikit-learn tree ensemble's predictions with only its first ``k`` trees.

Gradient boosting (``staged_predict_proba`` / ``staged_predict``, behind a pipeline's
transforms) and forests (the mean of the first ``k`` trees) give exactly what the model would
predict had it been trained with ``k`` rounds and stopped (boosting) or built with ``k`` trees
(forests).  XGBoost and LightGBM boosters do the same natively (their adapters).  Other models
have no such stages: :func:`tree_count` is None for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    import pandas as pd
else:  # imported on first use (mlaudit._lazy)
    pd = lazy_import("pandas")

__all__ = ["staged_outputs", "tree_count"]

_BOOSTED = ("GradientBoostingClassifier", "GradientBoostingRegressor",
            "HistGradientBoostingClassifier", "HistGradientBoostingRegressor")  # fmt: skip
_FORESTS = ("RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
            "ExtraTreesRegressor")  # fmt: skip


def _final(est: Any) -> tuple[Any, Any]:
    """(final estimator, the pipeline's transforms or None) of a scikit-learn model."""
    steps = getattr(est, "steps", None)
    if steps:
        return steps[-1][1], est[:-1]
    return est, None


def tree_count(estimator: Any) -> int | None:
    """Boosting rounds or trees of a supported ensemble; None for other estimators."""
    final = _final(estimator)
    kind = type(final[0]).__name__
    if kind in _FORESTS:
        return len(final[0].estimators_)
    if kind.startswith("Hist") and kind in _BOOSTED:
        return int(final[0].n_iter_)
    if kind in _BOOSTED:
        return int(final[0].n_estimators_)
    return None


def staged_outputs(
    estimator: Any, batch: pa.RecordBatch, ks: list[int], task: str
) -> dict[int, np.ndarray]:
    """For each ``k`` of ``ks``: the class probabilities (classifiers) or the prediction
    (regressors) with the first ``k`` trees."""
    final, transforms = _final(estimator)
    frame: Any = batch.to_pandas()
    if transforms is not None:
        frame = transforms.transform(frame)
    if type(final).__name__ in _FORESTS:
        return _forest(final, frame, ks, task)
    staged = final.staged_predict(frame) if task == "regression" else (
        final.staged_predict_proba(frame)
    )  # fmt: skip
    wanted, out = set(ks), {}
    for k, values in enumerate(staged, start=1):
        if k in wanted:
            out[k] = np.asarray(values, dtype=np.float64)
    return out


def _forest(final: Any, frame: Any, ks: list[int], task: str) -> dict[int, np.ndarray]:
    x = frame.to_numpy() if isinstance(frame, pd.DataFrame) else frame
    total, out, done = None, {}, 0
    for k in sorted(ks):
        for tree in final.estimators_[done:k]:
            part = tree.predict(x) if task == "regression" else tree.predict_proba(x)
            total = part if total is None else total + part
        done = k
        assert total is not None
        out[k] = np.asarray(total, dtype=np.float64) / k
    return out
