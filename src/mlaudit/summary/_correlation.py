"""Mergeable summaries of how features go together: co-moments, contingency tables, group moments.

Built in pass 1 when the scan plan asks for them (``ScanPlan.correlations``), over the feature
columns that are not personal (a correlation of a personal column would need its values'
moments, which its summary does not keep):

* **Numeric pairs** (numeric and integer columns, the first :data:`NUMERIC_CAP` of the schema):
  for every pair (i, j), over the rows where both are finite, the row count, the mean and
  the sum of squared deviations of each, and the co-moment.  That is pairwise-complete
  deletion, what ``pandas.DataFrame.corr`` does: a row missing one column still counts for the
  pairs of the others.  Missing means null, NaN or infinite.  A batch's figures come from four
  matrix products of its values shifted by their batch means (so sums of squares do not lose
  digits to a large mean); batches merge with the parallel formula of Chan et al., pair by pair,
  so a merged summary equals one batch's to rounding.
* **Categorical pairs** (categorical and boolean columns with at most :data:`LEVEL_CAP`
  distinct values over the whole data; columns with more are named in ``over_cap``): the
  contingency table of every pair, over the rows where both have a value.
* **Mixed pairs**: for every categorical column and numeric column, the count, mean and sum of
  squared deviations of the numeric column in each category (the correlation ratio's inputs).

Levels are kept sorted, so the summary does not depend on how the data was cut into batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from mlaudit.data import ColumnType, Role, Schema

__all__ = [
    "LEVEL_CAP",
    "NUMERIC_CAP",
    "Correlations",
    "batch_correlations",
    "correlations_from_dict",
    "correlations_to_dict",
    "merge_correlations",
]

NUMERIC_CAP = 200
"""Numeric columns whose pairs are summarised (the first ones of the schema): the co-moments
cost ``p²`` per row and ``4·p²`` floats to keep."""
LEVEL_CAP = 50
"""Categorical columns with more distinct values than this are left out of the tables."""

Pair = tuple[str, str]


@dataclass
class Correlations:
    """Pairwise co-moments, contingency tables and per-category moments of the features."""

    numeric: list[str]
    n: np.ndarray
    """``n[i, j]``: rows where columns i and j are both finite (``p × p``)."""
    mean: np.ndarray
    """``mean[i, j]``: mean of column i over those rows."""
    m2: np.ndarray
    """``m2[i, j]``: sum of squared deviations of column i from ``mean[i, j]`` over those rows."""
    c: np.ndarray
    """``c[i, j]``: co-moment (sum of products of deviations) of columns i and j."""
    left_out: int = 0
    """Numeric features beyond :data:`NUMERIC_CAP`, not summarised."""
    categorical: list[str] = field(default_factory=list)
    """Categorical features with at most :data:`LEVEL_CAP` values (schema order)."""
    levels: dict[str, list[str]] = field(default_factory=dict)
    """Sorted values of each column of ``categorical``."""
    over_cap: list[str] = field(default_factory=list)
    """Categorical features left out: more than :data:`LEVEL_CAP` distinct values."""
    tables: dict[Pair, np.ndarray] = field(default_factory=dict)
    """(a, b) with a before b in ``categorical`` → counts, ``levels[a] × levels[b]``."""
    groups: dict[Pair, np.ndarray] = field(default_factory=dict)
    """(categorical, numeric) → per level of the categorical column: count, mean, M2."""

    def pearson(self) -> np.ndarray:
        """Pearson's r of every numeric pair (pairwise complete; NaN when undefined)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            r = self.c / np.sqrt(self.m2 * self.m2.T)
        r[(self.n < 2) | ~np.isfinite(r)] = np.nan
        out: np.ndarray = np.clip(r, -1.0, 1.0)
        return out


def _eligible(schema: Schema, personal: frozenset[str]) -> tuple[list[str], int, list[str]]:
    feats = [
        c
        for c in schema.columns
        if c.role == Role.FEATURE and not c.personal and c.name not in personal
    ]
    numeric = [c.name for c in feats if c.type.is_numeric]
    cats = [c.name for c in feats if c.type in (ColumnType.CATEGORICAL, ColumnType.BOOLEAN)]
    return numeric[:NUMERIC_CAP], max(len(numeric) - NUMERIC_CAP, 0), cats


def batch_correlations(df: pl.DataFrame, schema: Schema, personal: frozenset[str]) -> Correlations:
    """The summary of one batch.

    Parameters
    ----------
    df
        The batch.
    schema, personal
        Its columns (types, roles) and the columns to leave out as personal.
    """
    numeric, left_out, cats = _eligible(schema, personal)
    x = np.empty((df.height, len(numeric)))
    for k, name in enumerate(numeric):
        x[:, k] = df.get_column(name).cast(pl.Float64).to_numpy()  # nulls as NaN
    out = _numeric_pairs(x)
    corr = Correlations(numeric, *out, left_out=left_out, categorical=cats)
    keys = _category_frame(df, cats)
    for name in cats:
        lv = keys[name].drop_nulls().unique().sort().to_list()
        if len(lv) > LEVEL_CAP:
            corr.over_cap.append(name)
        else:
            corr.levels[name] = lv
    kept = [c for c in cats if c in corr.levels]
    for i, a in enumerate(kept):
        for b in kept[i + 1 :]:
            corr.tables[(a, b)] = _table(keys, a, b, corr.levels)
    if kept and numeric:
        clean = keys.with_columns(
            pl.Series(n, x[:, k]).fill_nan(None).alias(f"\0{n}") for k, n in enumerate(numeric)
        )
        for a in kept:
            corr.groups.update(_groups(clean, a, corr.levels[a], numeric))
    return corr


def _numeric_pairs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n``, ``mean``, ``m2``, ``c`` of one batch's ``rows × p`` values."""
    ok = np.isfinite(x)
    count = ok.sum(axis=0)
    shift = np.where(ok, x, 0.0).sum(axis=0) / np.maximum(count, 1)
    x0 = np.where(ok, x - shift, 0.0)
    p2 = x0.T @ x0
    if ok.all():  # every row complete: the same rows for every pair
        rows = float(x.shape[0])
        n = np.full(p2.shape, rows)
        s = np.broadcast_to(x0.sum(axis=0)[:, None], p2.shape)
        q = np.broadcast_to(np.diag(p2)[:, None], p2.shape)
    else:
        okf = ok.astype(np.float64)
        n, s, q = okf.T @ okf, x0.T @ okf, (x0 * x0).T @ okf
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_s = np.where(n > 0, s / np.maximum(n, 1), 0.0)
    m2 = np.maximum(q - s * mean_s, 0.0)
    c = p2 - s * mean_s.T
    return n, mean_s + shift[:, None], m2, c


def _category_frame(df: pl.DataFrame, cats: list[str]) -> pl.DataFrame:
    return df.select(pl.col(c).cast(pl.String) for c in cats)


def _table(keys: pl.DataFrame, a: str, b: str, levels: dict[str, list[str]]) -> np.ndarray:
    vc = keys.select(a, b).drop_nulls().group_by(a, b).len()
    out = np.zeros((len(levels[a]), len(levels[b])), dtype=np.float64)
    ia = np.searchsorted(np.array(levels[a], dtype=object), vc[a].to_numpy())
    ib = np.searchsorted(np.array(levels[b], dtype=object), vc[b].to_numpy())
    out[ia, ib] = vc["len"].to_numpy()
    return out


def _groups(
    clean: pl.DataFrame, a: str, levels: list[str], numeric: list[str]
) -> dict[Pair, np.ndarray]:
    aggs = []
    for k, n in enumerate(numeric):
        col = pl.col(f"\0{n}")
        aggs += [
            col.count().alias(f"n{k}"),
            col.mean().alias(f"m{k}"),
            (col - col.mean()).pow(2).sum().alias(f"s{k}"),
        ]
    g = clean.filter(pl.col(a).is_not_null()).group_by(a).agg(aggs)
    idx = np.searchsorted(np.array(levels, dtype=object), g[a].to_numpy())
    out: dict[Pair, np.ndarray] = {}
    for k, n in enumerate(numeric):
        arr = np.zeros((len(levels), 3))
        stats = g.select(f"n{k}", f"m{k}", f"s{k}").fill_null(0.0).to_numpy()
        arr[idx] = stats
        out[(a, n)] = arr
    return out


def merge_correlations(a: Correlations | None, b: Correlations | None) -> Correlations | None:
    """The summary of the rows of ``a`` and ``b`` together (None when either lacks one)."""
    if a is None or b is None:
        return None
    n = a.n + b.n
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(n > 0, a.n * b.n / np.maximum(n, 1), 0.0)
        d = b.mean - a.mean
        mean = np.where(n > 0, a.mean + d * (b.n / np.maximum(n, 1)), 0.0)
    out = Correlations(
        a.numeric,
        n,
        mean,
        a.m2 + b.m2 + d * d * w,
        a.c + b.c + d * d.T * w,
        left_out=a.left_out,
        categorical=a.categorical,
        over_cap=sorted({*a.over_cap, *b.over_cap}, key=a.categorical.index),
    )
    for name in a.categorical:
        if name in out.over_cap:
            continue
        union = sorted({*a.levels[name], *b.levels[name]})
        if len(union) > LEVEL_CAP:
            out.over_cap = sorted([*out.over_cap, name], key=a.categorical.index)
        else:
            out.levels[name] = union
    for pair in a.tables:
        if pair[0] in out.levels and pair[1] in out.levels:
            out.tables[pair] = _align(a, pair, out) + _align(b, pair, out)
    for pair in a.groups:
        if pair[0] in out.levels:
            out.groups[pair] = _merge_groups(a, b, pair, out.levels[pair[0]])
    return out


def _positions(levels: list[str], union: list[str]) -> np.ndarray:
    return np.searchsorted(np.array(union, dtype=object), np.array(levels, dtype=object))


def _align(part: Correlations, pair: Pair, out: Correlations) -> np.ndarray:
    x, y = pair
    table = np.zeros((len(out.levels[x]), len(out.levels[y])))
    ix = _positions(part.levels[x], out.levels[x])
    iy = _positions(part.levels[y], out.levels[y])
    table[np.ix_(ix, iy)] = part.tables[pair]
    return table


def _merge_groups(a: Correlations, b: Correlations, pair: Pair, union: list[str]) -> np.ndarray:
    ga, gb = np.zeros((len(union), 3)), np.zeros((len(union), 3))
    ga[_positions(a.levels[pair[0]], union)] = a.groups[pair]
    gb[_positions(b.levels[pair[0]], union)] = b.groups[pair]
    n = ga[:, 0] + gb[:, 0]
    safe = np.maximum(n, 1)
    d = gb[:, 1] - ga[:, 1]
    mean = np.where(n > 0, ga[:, 1] + d * gb[:, 0] / safe, 0.0)
    m2 = ga[:, 2] + gb[:, 2] + d * d * ga[:, 0] * gb[:, 0] / safe
    return np.column_stack([n, mean, m2])


def correlations_to_dict(corr: Correlations, add: Callable[[bytes], int]) -> dict[str, Any]:
    """The summary as a JSON-able header; arrays go through ``add(bytes) -> index``."""

    def blob(arr: np.ndarray) -> int:
        return add(np.ascontiguousarray(arr, dtype="<f8").tobytes())

    return {
        "numeric": corr.numeric,
        "moments": [blob(m) for m in (corr.n, corr.mean, corr.m2, corr.c)],
        "left_out": corr.left_out,
        "categorical": corr.categorical,
        "levels": corr.levels,
        "over_cap": corr.over_cap,
        "tables": [[a, b, blob(t)] for (a, b), t in corr.tables.items()],
        "groups": [[a, b, blob(g)] for (a, b), g in corr.groups.items()],
    }


def correlations_from_dict(d: dict[str, Any], blobs: list[bytes]) -> Correlations:
    """Read back :func:`correlations_to_dict`."""
    numeric: list[str] = list(d["numeric"])
    p = len(numeric)
    levels: dict[str, list[str]] = {k: list(v) for k, v in d["levels"].items()}

    def arr(i: int, shape: tuple[int, ...]) -> np.ndarray:
        return np.frombuffer(blobs[i], dtype="<f8").astype(np.float64).reshape(shape)

    n, mean, m2, c = (arr(i, (p, p)) for i in d["moments"])
    corr = Correlations(
        numeric,
        n,
        mean,
        m2,
        c,
        left_out=int(d["left_out"]),
        categorical=list(d["categorical"]),
        levels=levels,
        over_cap=list(d["over_cap"]),
    )
    for a, b, i in d["tables"]:
        corr.tables[(a, b)] = arr(i, (len(levels[a]), len(levels[b])))
    for a, b, i in d["groups"]:
        corr.groups[(a, b)] = arr(i, (len(levels[a]), 3))
    return corr
