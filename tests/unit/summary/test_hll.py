"""The vectorised HyperLogLog against exact distinct counts, fed by the production hashes."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit.summary._hashing import hash_floats, hash_series
from mlaudit.summary._hll import HLL


@pytest.mark.parametrize("n", [0, 1, 100, 5_000, 40_000, 300_000])
def test_estimate_within_three_standard_errors(n: int) -> None:
    ints = np.random.default_rng(n).integers(0, 2**40, n)
    true = len(set(ints.tolist()))  # the oracle: a Python set
    # Strings go through the hash of category keys; numbers through the numeric columns' hash.
    for hashes in (hash_series(pl.Series([f"v{i}" for i in ints])), hash_floats(ints * 1.0)):
        h = HLL()
        h.update_hashes(hashes)
        assert abs(h.estimate() - true) <= 3 * h.relative_error * max(true, 1)


def test_merge_is_union_and_rse() -> None:
    def hll(lo: int, hi: int) -> HLL:
        h = HLL()
        h.update_hashes(hash_series(pl.Series([str(i) for i in range(lo, hi)])))
        return h

    a, b, u = hll(0, 60_000), hll(30_000, 90_000), hll(0, 90_000)
    assert np.array_equal(a.merge(b).registers, u.registers)
    assert a.relative_error == pytest.approx(1.04 / 128)
    with pytest.raises(ValueError, match="precision"):
        a.merge(HLL(p=10))


def test_nulls_are_not_counted() -> None:
    h = HLL()
    h.update_hashes(hash_series(pl.Series(["a", None, "b", None, "a"])))
    assert round(h.estimate()) == 2
