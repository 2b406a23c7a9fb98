"""The reference's labels encoded as the current rows' labels are: booleans, numbers, text."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit.checks.performance._labels import ModelRows
from mlaudit.checks.performance._sample_rows import labels_like


def _rows(task: str, positive: str) -> ModelRows:
    empty = np.zeros(0)
    return ModelRows(task, empty, empty, empty, None, positive, 0, "y", "p", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "positive", "expected"),
    [
        ([True, False, None, True], "True", [1, 0, 0, 1]),
        ([0.0, 1.0, 1.0], "1", [0, 1, 1]),
        ([3, 7, 7], "7", [0, 1, 1]),
        (["bad", "good", None], "bad", [1, 0, 0]),
    ],
)
def test_binary_labels(values: list[object], positive: str, expected: list[int]) -> None:
    got = labels_like(pl.Series(values), _rows("binary", positive))
    assert got.tolist() == expected


def test_other_tasks_keep_their_values() -> None:
    assert labels_like(pl.Series([1, 2, 3]), _rows("regression", "")).dtype == np.float64
    assert labels_like(pl.Series(["a", "b"]), _rows("multiclass", "")).tolist() == ["a", "b"]
