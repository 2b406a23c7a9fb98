"""Hand-made schemas for check tests: strings are categorical, everything else numeric."""

from __future__ import annotations

import polars as pl

from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema


def simple_schema(
    df: pl.DataFrame, roles: dict[str, Role] | None = None, personal: tuple[str, ...] = ()
) -> Schema:
    """One feature column per frame column unless ``roles`` says otherwise."""
    roles = roles or {}
    cols = []
    for c in df.columns:
        is_str = df.schema[c] == pl.String
        cols.append(
            ColumnSchema(
                name=c,
                dtype="large_string" if is_str else "double",
                type=ColumnType.CATEGORICAL if is_str else ColumnType.NUMERIC,
                role=roles.get(c, Role.FEATURE),
                personal=c in personal,
            )
        )
    return Schema(columns=cols)
