"""Fixed-seed hashing used by the summaries: numeric values, strings, rows, salted masks.

Every seed here is a constant so that summaries built in different processes (or on different
Spark executors) agree and merge.  Numeric values are hashed in numpy with SplitMix64 over the
IEEE bits (``-0.0`` is folded into ``0.0``); everything else uses polars ``hash`` with fixed seeds.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = [
    "MASK_SEED",
    "ROW_SEED",
    "hash_floats",
    "hash_series",
    "mask_strings",
    "splitmix64",
]

ROW_SEED = 0x524F5753  # "ROWS"
MASK_SEED = 0x4D41534B  # "MASK"
_STR_SEED = 0x53545253

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser of ``uint64`` values (a bijection with good avalanche)."""
    return _mix_inplace(x.astype(np.uint64, copy=True))


def _mix_inplace(z: np.ndarray) -> np.ndarray:
    """:func:`splitmix64` overwriting ``z`` (``uint64``); one scratch array for the shifts."""
    t = np.empty_like(z)
    z += _GOLDEN
    for shift, mult in ((30, _C1), (27, _C2)):
        np.right_shift(z, np.uint64(shift), out=t)
        z ^= t
        z *= mult
    np.right_shift(z, np.uint64(31), out=t)
    z ^= t
    return z


def hash_floats(values: np.ndarray) -> np.ndarray:
    """64-bit hashes of float64 values (caller drops NaN; ``-0.0`` hashes as ``0.0``)."""
    v = np.add(values, 0.0, dtype=np.float64)  # a fresh array, with -0.0 made 0.0
    return _mix_inplace(v.view(np.uint64))


def hash_series(values: pl.Series, seed: int = _STR_SEED) -> np.ndarray:
    """64-bit hashes of the non-null values of any polars series."""
    return values.drop_nulls().hash(seed=seed).to_numpy()


def mask_strings(values: pl.Series, salt: int) -> pl.Series:
    """Salted-hash masks ``'h:' + 16 hex digits`` of ``values`` (cast to string); nulls stay null.

    The salt is derived from the scan's seed: masks are stable within an audit (so counts and
    joins still work) but keep no raw value.
    """
    s = values.cast(pl.String)
    h = s.hash(seed=MASK_SEED ^ (salt & 0xFFFFFFFF)).to_numpy()
    nulls = s.is_null().to_numpy()
    out = [None if n else f"h:{int(v):016x}" for v, n in zip(h, nulls, strict=True)]
    return pl.Series(values.name, out, dtype=pl.String)
