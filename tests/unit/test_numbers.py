"""The one finite-number rule shared by checks and reports."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from mlaudit._numbers import finite_or_none


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (-0.25, -0.25),
        (np.float64(1.5), 1.5),
        (np.float32(0.5), 0.5),
        (np.int64(7), 7.0),
        (Fraction(1, 4), 0.25),
    ],
)
def test_finite_numbers_come_back_as_python_floats(value: object, expected: float) -> None:
    got = finite_or_none(value)
    assert got == expected
    assert type(got) is float


@pytest.mark.parametrize(
    "value",
    [None, math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf"), True, False,
     np.bool_(True), "1.5", b"1", [1.0]],
)  # fmt: skip
def test_missing_non_finite_booleans_and_non_numbers_are_none(value: object) -> None:
    assert finite_or_none(value) is None
