"""What a summary keeps of a personal column: counts and keyed hashes, never a raw value.

A personal column (declared, or found by its name or values: ``ssn``, ``phone``, ``email``,
``date_of_birth``...) keeps:

* the counts every check needs: rows, nulls, NaN, infinities, zeros, negatives, values with a
  fractional part, and the number of finite values (``moments.n``);
* its distinct count as a HyperLogLog estimate over hashes under a secret seed derived from the
  mask key (:func:`mlaudit.summary._hashing.key_seed`): the registers keep, per bucket, the
  largest run of leading zeros of a keyed hash, which tells nothing about a value without
  the key (the usual public hash would let anyone test whether a guessed value could be
  present);
* for text: lengths, blank and padded counts, pattern and format counts, missing markers
  normalised, category counts under masks (keyed BLAKE2b), format examples as shapes.

It does not keep what is a raw value or gives one away: minimum and maximum, the quantile
sketch (exact up to 131,072 values per column: every value), the exact distinct values, sum and
moments (the mean of one row is that row's value, and mean plus variance of two rows give
both), histogram edges (from the minimum and maximum) and outlier fences and examples, nor the
smallest and largest numbers found in a text column.  Coarsening the sketch was considered
and left out: a quantile of an identifier (SSN, phone number, postal code) means nothing, and
a coarsened date of birth would still single people out in small groups.  The checks that need
the distribution (ranges, outliers, sentinels, drift) say that they skip personal columns.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from mlaudit._maskkey import mask_key
from mlaudit.summary._hashing import hash_series, key_seed
from mlaudit.summary._hll import HLL
from mlaudit.summary._model import Moments, NumericSummary

__all__ = ["DISTINCT_PURPOSE", "ROWS_PURPOSE", "keyed_hll", "redacted_numeric", "scan_key"]

DISTINCT_PURPOSE = b"distinct"
ROWS_PURPOSE = b"rows"


def scan_key(personal: bool) -> bytes | None:
    """The mask key when a scan has personal columns, else None (no key is needed)."""
    return mask_key() if personal else None


def redacted_numeric(num: NumericSummary) -> NumericSummary:
    """``num`` without any value: counts only (see the module notes)."""
    nan = math.nan
    return NumericSummary(
        min=None,
        max=None,
        sum=nan,
        moments=Moments(n=num.moments.n, mean=nan, m2=nan, m3=nan, m4=nan),
        zeros=num.zeros,
        negatives=num.negatives,
        nan_count=num.nan_count,
        posinf_count=num.posinf_count,
        neginf_count=num.neginf_count,
        non_integer_count=num.non_integer_count,
        sketch=None,
    )


def keyed_hll(values: np.ndarray | pl.Series, key: bytes) -> HLL:
    """An HLL of ``values`` (non-null) hashed under the secret seed derived from ``key``."""
    s = values if isinstance(values, pl.Series) else pl.Series(values)
    hll = HLL()
    hll.update_hashes(hash_series(s, key_seed(key, DISTINCT_PURPOSE)))
    return hll
