"""Numbers at the edges of what float64 holds: constants above 2**53, uint64 near 2**64,
decimal128 near 1e29 and values near 1.8e308 are summarised and audited without a crash."""

from __future__ import annotations

import decimal
import warnings

import numpy as np
import pyarrow as pa
import pytest

from mlaudit import Audit, profile_data
from mlaudit.results import Status

N = 300


def _table(values: pa.Array) -> pa.Table:
    return pa.table({"x": values, "b": pa.array(range(N))})


CASES = {
    "constant 1e16": pa.array([1e16] * N),
    "constant -3e20": pa.array([-3e20] * N),
    "uint64 near 2**64": pa.array([2**64 - 5] * N, pa.uint64()),
    "decimal128 near 1e29": pa.array([decimal.Decimal(10**28)] * N, pa.decimal128(38, 0)),
    "two values 1e16 apart by 2": pa.array([1e16, 1e16 + 2] * (N // 2)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_huge_magnitudes_are_summarised(name: str) -> None:
    values = CASES[name]
    expected = np.asarray(values.cast(pa.float64(), safe=False), dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak to the console either
        result = Audit(_table(values), suite="data_quality").run()
    assert result.summary.status is not Status.ERROR
    assert not [c for c in result.checks if c.status is Status.ERROR]
    col = profile_data(_table(values))[2].columns["x"]  # the summary itself, against numpy
    assert col.numeric is not None
    assert col.numeric.min == expected.min() and col.numeric.max == expected.max()
    assert col.histogram is not None
    assert sum(col.histogram.counts) + col.histogram.below + col.histogram.above == N
    assert np.all(np.diff(col.histogram.edges) > 0)


def test_values_near_the_float_limit_have_a_finite_mean() -> None:
    x = np.array([1.7e308, 1.6e308] * (N // 2))
    col = profile_data(pa.table({"x": x}))[2].columns["x"]
    assert col.numeric is not None
    expected = float((x / 1.7e308).mean() * 1.7e308)  # scaled by hand: 1.65e308
    assert col.numeric.moments.mean == pytest.approx(expected, rel=1e-12)
    assert np.isfinite(col.numeric.moments.mean)
