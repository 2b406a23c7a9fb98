"""Checks of a scan plan before any data is read: rules that compile, edges that make sense."""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.data import Schema
from mlaudit.errors import ConfigError
from mlaudit.summary._model import ScanPlan

__all__ = ["check_plan", "check_rule_types", "compile_rules"]


def compile_rules(rules: dict[str, str]) -> dict[str, pl.Expr]:
    out = {}
    for name, text in rules.items():
        try:
            out[name] = pl.sql_expr(text)
        except Exception as exc:  # polars raises several error types for bad SQL
            raise ConfigError(
                f"rule {name!r} ({text!r}) is not a valid polars SQL expression: {exc}",
                fix="write the rule as a SQL boolean expression over column names, "
                'e.g. "age >= 18"',
            ) from None
    return out


def check_rule_types(empty: pl.DataFrame, texts: dict[str, str], rules: dict[str, pl.Expr]) -> None:
    """Every rule must name existing columns and give true/false on a frame of these columns."""
    for name, expr in rules.items():
        try:
            dtype = empty.select(expr.alias("r")).schema["r"]
        except pl.exceptions.ColumnNotFoundError as exc:
            raise ConfigError(
                f"rule {name!r} ({texts[name]!r}) names a column the data lacks: {exc}",
                fix=f"use the data's column names: {', '.join(empty.columns[:20])}",
            ) from None
        except pl.exceptions.PolarsError as exc:
            raise ConfigError(
                f"rule {name!r} ({texts[name]!r}) cannot be evaluated on this data: {exc}",
                fix="check the column types the rule combines",
            ) from None
        if dtype != pl.Boolean:
            raise ConfigError(
                f"rule {name!r} ({texts[name]!r}) gives {dtype} values, not true/false",
                fix="write a condition that holds on every valid row, e.g. 'a + 1 > 0'",
            )


def check_plan(schema: Schema, plan: ScanPlan) -> None:
    for col, edges in plan.histogram_edges.items():
        e = np.asarray(edges, dtype=np.float64)
        if e.size < 2 or not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0):
            raise ConfigError(
                f"histogram edges for column {col!r} must be at least two finite, strictly "
                f"increasing numbers; got {list(edges)[:10]}",
                fix="give sorted, distinct bin edges",
            )
    for group in (plan.histogram_edges, plan.outlier_fences, plan.patterns):
        for col in group:
            if col not in schema:
                raise ConfigError(
                    f"the scan plan names column {col!r}, which the schema lacks",
                    fix=f"use one of: {', '.join(schema.names[:20])}",
                )
