"""The seeded, mergeable row sample (bottom-k sampling).

Each row gets a pseudo-random priority ``splitmix64(seed, global row index)``; the sample is the
``k`` rows with the smallest priorities, a uniform sample without replacement.  Building batch by
batch, or merging profiles of consecutive parts built at their true row offsets, gives exactly the
sample of a single pass.  Profiles built independently (each from row 0) are merged by the
weighted rule instead: the number of rows taken from each side is hypergeometric in the sides'
row counts (a uniform sample of the union), drawn with a seeded generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from mlaudit.data import ROW_COLUMN
from mlaudit.summary._hashing import mask_strings, splitmix64

if TYPE_CHECKING:
    from mlaudit.summary._model import DatasetProfile

__all__ = ["ROW_COLUMN", "batch_sample", "merge_samples", "row_priorities"]


def row_priorities(rows: np.ndarray, seed: int) -> np.ndarray:
    """Priorities (``uint64``) of global row indices ``rows`` for ``seed``."""
    salt = splitmix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
    return splitmix64(rows.astype(np.uint64) ^ salt)


def batch_sample(
    df: pl.DataFrame,
    row_offset: int,
    *,
    size: int,
    seed: int,
    personal: list[str],
    key: bytes | None = None,
) -> tuple[pl.DataFrame, np.ndarray]:
    """The batch's ``size`` lowest-priority rows (masked, with ``__row__``) and priorities.

    ``personal`` columns are masked under ``key`` (the mask key; needed when there are any).
    """
    rows = np.arange(row_offset, row_offset + df.height, dtype=np.int64)
    keys = row_priorities(rows, seed)
    if df.height > size:
        pick = np.sort(np.argpartition(keys, size - 1)[:size]) if size else np.empty(0, np.int64)
    else:
        pick = np.arange(df.height)
    out = df[pick] if pick.size < df.height else df
    masked = [c for c in personal if c in out.columns]
    if masked:
        if key is None:
            raise ValueError("personal columns are masked under a key, and none was given")
        out = out.with_columns(mask_strings(out[c], key) for c in masked)
    out = out.insert_column(0, pl.Series(ROW_COLUMN, rows[pick]))
    return out, keys[pick]


def _bottom_k(df: pl.DataFrame, keys: np.ndarray, k: int) -> tuple[pl.DataFrame, np.ndarray]:
    if df.height <= k:
        return df, keys
    pick = np.sort(np.argpartition(keys, k - 1)[:k]) if k else np.empty(0, np.int64)
    return df[pick], keys[pick]


def merge_samples(
    a: DatasetProfile, b: DatasetProfile, shift: int
) -> tuple[pl.DataFrame | None, np.ndarray | None]:
    """Sample of the union of ``a`` and ``b`` (rows of ``b`` shifted by ``shift``)."""
    if a.sample is None or b.sample is None:
        return (a.sample, a._sample_keys) if b.sample is None else (b.sample, b._sample_keys)
    sb = b.sample.with_columns(pl.col(ROW_COLUMN) + shift) if shift else b.sample
    ka = a._sample_keys if a._sample_keys is not None else np.zeros(a.sample.height, np.uint64)
    kb = b._sample_keys if b._sample_keys is not None else np.zeros(b.sample.height, np.uint64)
    k = a.plan.sample_size
    if shift == 0:
        both = pl.concat([a.sample, sb], how="vertical_relaxed")
        return _bottom_k(both, np.concatenate([ka, kb]), k)
    return _weighted(a, sb, ka, kb, b.n_rows, k)


def _weighted(
    a: DatasetProfile, sb: pl.DataFrame, ka: np.ndarray, kb: np.ndarray, nb: int, k: int
) -> tuple[pl.DataFrame, np.ndarray]:
    sa = a.sample
    assert sa is not None
    total = min(k, sa.height + sb.height)
    rng = np.random.default_rng([a.plan.seed, a.n_rows, nb])
    take_a = int(rng.hypergeometric(a.n_rows, nb, total)) if a.n_rows and nb else sa.height
    take_a = min(max(take_a, total - sb.height), sa.height, total)
    ia = np.sort(rng.choice(sa.height, size=take_a, replace=False))
    ib = np.sort(rng.choice(sb.height, size=total - take_a, replace=False))
    df = pl.concat([sa[ia], sb[ib]], how="vertical_relaxed")
    return df, np.concatenate([ka[ia], kb[ib]])
