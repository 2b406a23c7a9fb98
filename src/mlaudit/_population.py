"""The population a fairness audit covers: an optional filter written as a SQL condition.

The same decisions give other disparity figures on another population (all applicants, or only
those who completed the application; adults only), so the population is a declaration like the
favourable outcome: set once (``fairness.population``, ``--population``, or a check's own
``population``), applied to the rows every fairness check reads, and stated beside every figure
with the number of rows it kept.

The condition is a SQL ``WHERE`` clause over the data's columns (``age >= 18 AND channel <>
'broker'``), parsed by polars' SQL parser into an expression: it can only compare and combine
columns, never run code.  Rows for which it is false or unknown (a missing value) are left out.
"""

from __future__ import annotations

import polars as pl

__all__ = ["population_columns", "population_filter"]


def population_filter(text: str) -> pl.Expr:
    """The condition as a polars expression.

    Raises
    ------
    ValueError
        The text is not a SQL condition over columns (the message says how to write one).
    """
    try:
        expr = pl.sql_expr(text)
    except Exception as exc:  # polars' SQL errors have several types
        raise ValueError(
            f"the population {text!r} is not a SQL condition ({_first_line(exc)}); write it as "
            "a WHERE clause over the data's columns, e.g. \"age >= 18 AND region = 'north'\""
        ) from None
    if not expr.meta.root_names():
        raise ValueError(
            f"the population {text!r} names no column; write a condition over the data's "
            'columns, e.g. "age >= 18"'
        )
    return expr


def population_columns(text: str | None) -> list[str]:
    """The columns the condition reads (none without one)."""
    if not text:
        return []
    return list(dict.fromkeys(population_filter(text).meta.root_names()))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
