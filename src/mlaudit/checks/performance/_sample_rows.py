"""The model's columns on the seeded sample, with each row's features kept alongside.

The performance checks over time read the rows a windowed scan keeps (model columns only); a
check that relates errors to features reads the profile's seeded sample, which holds whole rows.
The sample's rows with a label and a prediction (or a finite score) are kept, and the task, the
labels and the predicted classes follow the rules of :func:`._labels.model_rows`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.performance._labels import ScoreRule, model_rows
from mlaudit.data import Role, WindowSpec
from mlaudit.summary import WINDOW, WindowedData

__all__ = ["sample_model_rows"]


def sample_model_rows(
    ctx: CheckContext, *, positive_label: str | None, threshold: float | None
) -> tuple[pl.DataFrame, np.ndarray, bool] | str:
    """The usable sample rows, each row's error value, and whether the task is a classification.

    The error value is 1 for a wrong predicted class and 0 for a right one (classification), or
    the absolute error (regression).  A string says why nothing can be judged.
    """
    sample = ctx.current.sample
    if sample is None or sample.height == 0:
        return "the profile has no sample rows (an empty data set or a saved profile without one)"
    names = {r: [c.name for c in ctx.schema.with_role(r) if c.name in sample.columns] for r in Role}
    if not names[Role.TARGET]:
        return "no target (label) column in the data: declare schema.target / --target"
    model = [names[Role.TARGET][0], *names[Role.PREDICTION][:1], *names[Role.SCORE][:1]]
    if len(model) == 1:
        return "no prediction or score column: declare schema.prediction or schema.score"
    frame = sample.drop_nulls(model)
    if names[Role.SCORE]:
        score = frame[names[Role.SCORE][0]]
        if not score.dtype.is_numeric():
            return f"the score column {score.name} is {score.dtype}, not numeric"
        frame = frame.filter(score.cast(pl.Float64).is_finite())
    if frame.height == 0:
        return f"no sample row has every one of {', '.join(model)} (and a finite score)"
    data = WindowedData(
        spec=WindowSpec(rows=frame.height),
        windows=[],
        rows=frame.select(model).with_columns(pl.lit(0, pl.Int16).alias(WINDOW)),
    )
    rule = ScoreRule.of(threshold, ctx.schema)
    rows = model_rows(data, ctx.schema, positive_label=positive_label, rule=rule)
    if isinstance(rows, str):
        return rows
    if rows.y is None or rows.y_pred is None:
        return "no predicted values to compare with the labels"
    if rows.task == "regression":
        value = np.abs(rows.y.astype(np.float64) - rows.y_pred.astype(np.float64))
        return frame, value, False
    return frame, (rows.y != rows.y_pred).astype(np.float64), True
