"""Format tallies: values with a column's well-known format, counted before any masking.

:func:`format_tally` works on a batch's distinct values and their counts (the string work is
proportional to the cardinality, not the row count); :func:`merge_tallies` adds two parts.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.data import format_valid, value_shape
from mlaudit.summary._hashing import hash_series, keyed_digests
from mlaudit.summary._model import FormatTally

__all__ = ["EXAMPLES_KEPT", "format_tally", "merge_tallies"]

EXAMPLES_KEPT = 5
"""Distinct values without the format kept as examples per column."""
_EXAMPLE_SALT = 0x464D5445  # mixed with the scan's seed: example choice is seeded, not raw-sorted


def format_tally(
    values: pl.Series, counts: pl.Series, fmt: str, *, seed: int, key: bytes | None = None
) -> FormatTally:
    """The tally of distinct non-null ``values`` (occurring ``counts`` times) for ``fmt``.

    The examples are the :data:`EXAMPLES_KEPT` distinct values without the format whose salted
    64-bit hashes are smallest (a bottom-k choice: deterministic for a seed, and the same
    whichever way the data was cut into parts, since a merge keeps the smallest of both).
    Personal columns (``key`` given: the mask key) keep only each value's shape, never the
    value, and choose by keyed BLAKE2b digests instead of the public seeded hash, which could
    be inverted for short values.
    """
    ok = format_valid(values, fmt)
    matches = int((counts.cast(pl.Int64) * ok.cast(pl.Int64)).sum())
    bad = values.cast(pl.String).filter(~ok)
    if bad.is_empty():
        return FormatTally(fmt, matches)
    hashes = hash_series(bad, seed ^ _EXAMPLE_SALT) if key is None else keyed_digests(bad, key)
    keys = hashes >> np.uint64(1)  # fits a signed int64 (JSON)
    first = np.argsort(keys, kind="stable")[:EXAMPLES_KEPT]
    chosen = bad.gather(first.tolist())
    shown = value_shape(chosen) if key is not None else chosen
    examples = list(zip(keys[first].tolist(), shown.to_list(), strict=True))
    return FormatTally(fmt, matches, [(int(k), str(v)) for k, v in examples])


def merge_tallies(a: FormatTally | None, b: FormatTally | None) -> FormatTally | None:
    """The tally of both parts; None unless both counted the same format."""
    if a is None or b is None or a.format != b.format:
        return None
    seen = dict(sorted([*a.examples, *b.examples]))  # the same value has the same key
    kept = sorted(seen.items())[:EXAMPLES_KEPT]
    return FormatTally(a.format, a.matches + b.matches, kept)
