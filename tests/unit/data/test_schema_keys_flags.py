"""Keys with repeats are key candidates; a yes/no flag named like personal data is not personal."""

from __future__ import annotations

import polars as pl
import pytest

from mlaudit import Audit, Role
from mlaudit.data import ColumnType, Dataset, infer_schema


def _keys_frame(repeats: int, n: int = 1_000) -> pl.DataFrame:
    keys = [f"K{i:05d}" for i in range(n - repeats)] + [f"K{i:05d}" for i in range(repeats)]
    return pl.DataFrame({"account_id": keys, "x": [float(i % 37) for i in range(n)]})


@pytest.mark.parametrize("repeats", [0, 30, 150])
def test_a_key_with_repeats_is_a_key_candidate(repeats: int) -> None:
    schema = infer_schema(Dataset(_keys_frame(repeats), name="d"))
    col = schema["account_id"]
    assert (col.type, col.role) == (ColumnType.ID, Role.ID)
    share = (1_000 - repeats) / 1_000  # distinct values / rows, by construction
    assert f"{share:.1%}" in col.reason or share == 1.0


def test_a_foreign_key_is_not_a_key_candidate() -> None:
    df = pl.DataFrame({"customer_id": [f"C{i % 300}" for i in range(1_000)]})  # 30% distinct
    assert infer_schema(Dataset(df, name="d"))["customer_id"].role != Role.ID


def test_repeated_keys_are_reported_as_duplicate_keys() -> None:
    result = Audit(_keys_frame(150), suite="none", checks={"quality.duplicate_keys": {}}).run()
    (dup,) = [c for c in result.checks if c.id == "quality.duplicate_keys"]
    assert dup.status in ("warn", "fail")
    # 150 rows repeat an earlier row's key, by construction
    assert dup.metrics["duplicate_keys"] == 150


@pytest.mark.parametrize(
    ("values", "personal"),
    [
        (["none", "yes"] * 50, False),  # German credit's telephone: a flag
        ([True, False] * 50, False),
        ([f"+44 20 7946 {i:04d}" for i in range(100)], True),
        (["+44 20 7946 0001", "+44 20 7946 0002"] * 50, True),  # two numbers are still numbers
    ],
)
def test_a_flag_named_like_personal_data_is_not_personal(values: list, personal: bool) -> None:
    schema = infer_schema(Dataset(pl.DataFrame({"telephone": values}), name="d"))
    assert schema["telephone"].personal is personal
