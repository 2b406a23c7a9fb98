"""Examples of shared rows: sampled current rows whose features equal a sampled reference row.

Both seeded samples are joined on the feature columns (personal values are masked in the
samples under one key, so masked values still match); when a data set is larger than its sample
the examples are those the two samples happen to share.
"""

from __future__ import annotations

import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.checks.leakage._target import FEATURE_ROLES
from mlaudit.results import Cell, ExamplesDetail

__all__ = ["shared_examples"]

_MAX_ROWS = 6
_MAX_FEATURES = 8
_ROW = "__row__"


def shared_examples(ctx: CheckContext) -> ExamplesDetail | None:
    """Up to six shared rows found in the two samples, or None."""
    cur, ref = ctx.current.sample, ctx.reference.sample if ctx.reference else None
    if cur is None or ref is None or _ROW not in cur.columns or _ROW not in ref.columns:
        return None
    feats = [
        c.name
        for c in ctx.schema.columns
        if c.role in FEATURE_ROLES and c.name in cur.columns and c.name in ref.columns
    ]
    if not feats:
        return None
    try:
        right = ref.select(*feats, pl.col(_ROW).alias("__ref_row__")).unique(
            subset=feats, keep="first"
        )
        hits = (
            cur.select(_ROW, *feats)
            .join(right, on=feats, how="inner", nulls_equal=True)
            .sort(_ROW)
            .head(_MAX_ROWS)
        )
    except pl.exceptions.PolarsError:
        return None
    if not hits.height:
        return None
    personal = set(ctx.schema.personal)
    shown = [c for c in feats if c not in personal][:_MAX_FEATURES]  # masks say nothing here
    rows: list[list[Cell]] = [
        [r[_ROW], r["__ref_row__"], *(_cell(r[c]) for c in shown)]
        for r in hits.iter_rows(named=True)
    ]
    personal = set(ctx.schema.personal)
    more = (
        f" (first {_MAX_FEATURES} of {len(feats)} features)" if len(feats) > _MAX_FEATURES else ""
    )
    return ExamplesDetail(
        name="shared_rows",
        title=f"Current rows with the features of a reference row, found in the samples{more}",
        columns=["current row", "reference row", *shown],
        rows=rows,
        masked_columns=[c for c in shown if c in personal],
    )


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
