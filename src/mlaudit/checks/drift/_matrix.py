"""The encoded matrix the domain classifier learns from: reference and current rows over the
compared columns.

Numeric columns go in with infinities clipped to the reference's range and missing values set
to its median, plus a missing-value indicator when either side has missing values; categorical
columns become indicator columns of their most frequent levels in both samples together (the
rest grouped).  Columns are the feature-role, non-personal columns of both samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from mlaudit.checks._base import CheckContext
from mlaudit.data import ColumnSchema, ColumnType, Role

__all__ = ["DriftMatrix", "drift_columns", "drift_matrix"]

FloatArray = npt.NDArray[np.float64]

_NUMERIC = (ColumnType.NUMERIC, ColumnType.INTEGER, ColumnType.BOOLEAN)


@dataclass
class DriftMatrix:
    """Encoded reference and current rows over the same columns.

    ``names`` names the encoded columns, ``groups`` gives the original column of each, and
    ``dropped`` maps left-out original columns to the reason.
    """

    reference: FloatArray
    current: FloatArray
    names: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Original columns that made it into the matrix, in order."""
        return list(dict.fromkeys(self.groups))


def drift_columns(ctx: CheckContext, names: list[str] | None = None) -> list[ColumnSchema]:
    """Feature-role, non-personal columns of ``ctx.schema`` present in both samples."""
    assert ctx.reference is not None and ctx.reference.sample is not None
    assert ctx.current.sample is not None
    personal = set(ctx.schema.personal)
    if ctx.reference_schema is not None:
        personal |= set(ctx.reference_schema.personal)
    for prof in (ctx.current, ctx.reference):
        personal |= {n for n, c in prof.columns.items() if c.personal}
    both = set(ctx.current.sample.columns) & set(ctx.reference.sample.columns)
    wanted = None if names is None else set(names)
    return [
        c
        for c in ctx.schema.columns
        if c.role is Role.FEATURE
        and c.name not in personal
        and c.name in both
        and (wanted is None or c.name in wanted)
    ]


def _floats(s: pl.Series) -> FloatArray:
    return np.asarray(s.cast(pl.Float64, strict=False).to_numpy(), dtype=np.float64)


def _encode_numeric(r: FloatArray, c: FloatArray) -> list[tuple[str, FloatArray, FloatArray]]:
    finite = r[np.isfinite(r)]
    lo, hi, med = float(finite.min()), float(finite.max()), float(np.median(finite))

    def clean(v: FloatArray) -> FloatArray:
        v = np.where(v == np.inf, hi, np.where(v == -np.inf, lo, v))
        return np.where(np.isnan(v), med, v)

    out = [("", clean(r), clean(c))]
    r_na, c_na = np.isnan(r), np.isnan(c)
    if r_na.any() or c_na.any():
        out.append(("(missing)", r_na.astype(np.float64), c_na.astype(np.float64)))
    return out


def _encode_categorical(
    r: pl.Series, c: pl.Series, max_levels: int
) -> list[tuple[str, FloatArray, FloatArray]]:
    rs, cs = r.cast(pl.String, strict=False), c.cast(pl.String, strict=False)
    counts: dict[str, int] = {}
    for s in (rs, cs):
        for lev, k in s.drop_nulls().value_counts().iter_rows():
            counts[lev] = counts.get(lev, 0) + int(k)
    levels = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    keep, other = levels[:max_levels], len(levels) > max_levels
    r_vals, c_vals = np.array(rs.to_list(), dtype=object), np.array(cs.to_list(), dtype=object)
    out = [
        (f"={lev}", (r_vals == lev).astype(np.float64), (c_vals == lev).astype(np.float64))
        for lev in keep
    ]
    if other:
        kept = set(keep)
        r_o = np.array([v is not None and v not in kept for v in r_vals], dtype=np.float64)
        c_o = np.array([v is not None and v not in kept for v in c_vals], dtype=np.float64)
        out.append(("(other)", r_o, c_o))
    r_na, c_na = rs.is_null().to_numpy(), cs.is_null().to_numpy()
    if r_na.any() or c_na.any():
        out.append(("(missing)", r_na.astype(np.float64), c_na.astype(np.float64)))
    return out


def _encode_column(
    col: ColumnSchema, ref: pl.DataFrame, cur: pl.DataFrame, max_levels: int
) -> tuple[list[tuple[str, FloatArray, FloatArray]], str]:
    """Encoded blocks of one column, or no blocks and the reason it is left out."""
    if col.type in _NUMERIC:
        r, c = _floats(ref.get_column(col.name)), _floats(cur.get_column(col.name))
        if not np.isfinite(r).any():
            return [], "no finite value in the reference sample"
        blocks = _encode_numeric(r, c)
    elif col.type is ColumnType.CATEGORICAL:
        blocks = _encode_categorical(ref.get_column(col.name), cur.get_column(col.name), max_levels)
    else:
        return [], f"type {col.type.value} is not used"
    blocks = [b for b in blocks if b[1].size + b[2].size and np.ptp(np.r_[b[1], b[2]]) > 0]
    if not blocks:
        return [], "constant in both samples"
    return blocks, ""


def drift_matrix(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    columns: list[ColumnSchema],
    *,
    max_levels: int = 20,
) -> DriftMatrix:
    """Encode ``columns`` of both samples as the module docstring describes."""
    ref_blocks: list[FloatArray] = []
    cur_blocks: list[FloatArray] = []
    out = DriftMatrix(np.empty((reference.height, 0)), np.empty((current.height, 0)))
    for col in columns:
        blocks, reason = _encode_column(col, reference, current, max_levels)
        if reason:
            out.dropped[col.name] = reason
        for suffix, r, c in blocks:
            ref_blocks.append(r)
            cur_blocks.append(c)
            out.names.append(col.name + suffix)
            out.groups.append(col.name)
    if ref_blocks:
        out.reference = np.column_stack(ref_blocks)
        out.current = np.column_stack(cur_blocks)
    return out
