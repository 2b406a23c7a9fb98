"""The vectorised HyperLogLog against exact distinct counts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit.summary.hll import HLL


@pytest.mark.parametrize("n", [0, 1, 100, 5_000, 40_000, 300_000])
def test_estimate_within_three_standard_errors(n: int) -> None:
    values = pl.Series(np.random.default_rng(n).integers(0, 2**62, n))
    true = values.n_unique()
    h = HLL()
    h.update(values)
    assert abs(h.estimate() - true) <= 3 * h.relative_error * max(true, 1)


def test_merge_is_union_and_rse() -> None:
    a, b = HLL(), HLL()
    a.update(pl.Series(np.arange(0, 60_000)))
    b.update(pl.Series(np.arange(30_000, 90_000)))
    u = HLL()
    u.update(pl.Series(np.arange(0, 90_000)))
    assert np.array_equal(a.merge(b).registers, u.registers)
    assert a.relative_error == pytest.approx(1.04 / 128)
    with pytest.raises(ValueError, match="precision"):
        a.merge(HLL(p=10))
