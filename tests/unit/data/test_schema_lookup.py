"""Schema lookups by name: right after copies and on wide schemas (an index, not a scan)."""

from __future__ import annotations

import pytest

from mlaudit.data import ColumnSchema, ColumnType, Schema


def _col(name: str) -> ColumnSchema:
    return ColumnSchema(name=name, dtype="double", type=ColumnType.NUMERIC)


def test_lookup_follows_the_columns_of_each_copy() -> None:
    schema = Schema(columns=[_col("a"), _col("b")])
    assert schema["b"].name == "b" and "a" in schema and "z" not in schema
    copy = schema.model_copy(update={"columns": [_col("z")]})
    assert "z" in copy and "a" not in copy  # the copy's own index, not the original's
    assert "a" in schema and "z" not in schema
    with pytest.raises(KeyError):
        copy["a"]
    assert 3 not in schema  # not a name: not a column (and no error)


def test_a_wide_schema_finds_every_column() -> None:
    names = [f"c{i}" for i in range(20_000)]
    schema = Schema(columns=[_col(n) for n in names])
    assert all(schema[n].name == n for n in names)
    assert schema.names == names


def test_equality_ignores_whether_a_lookup_was_made() -> None:
    a, b = Schema(columns=[_col("a")]), Schema(columns=[_col("a")])
    assert a["a"] is not None  # builds a's index only
    assert a == b and b == a
    assert a != Schema(columns=[_col("b")])
