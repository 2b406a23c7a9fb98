"""``mlaudit profile``: summarise a data set column by column; optionally save the summary."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mlaudit.audit import profile_data
from mlaudit.cli._common import console, handle_errors, state
from mlaudit.summary.baseline import Baseline, save_baseline
from mlaudit.summary.model import ColumnSummary

__all__ = ["profile"]


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.4g}"


def _row(s: ColumnSummary, role: str) -> list[str]:
    num = s.numeric
    top = ""
    if s.categories is not None and s.categories.counts:
        top = ", ".join(f"{k} ({v:,})" for k, v in s.categories.top(3))
    distinct = f"{s.distinct:,.0f}" + ("" if s.distinct_exact else " ~")
    return [
        s.name,
        s.type.value,
        role,
        f"{s.missing_share:.1%}" if s.count else "",
        distinct,
        _fmt(num.min if num else None),
        _fmt(num.max if num else None),
        _fmt(num.moments.mean if num and num.moments.n else None),
        top,
    ]


@handle_errors
def profile(
    data: Annotated[str, typer.Argument(help="data file, directory or glob")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="save a monitoring baseline here (e.g. ref.profile), usable as --reference"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the row sample")] = 0,
) -> None:
    """Profile a data set: types, roles, missing values, ranges, distinct counts, top values."""
    dataset, schema, prof = profile_data(data, seed=seed)
    if out is not None:
        baseline = Baseline(
            profile=prof,
            schema=schema,
            source=dataset.source,
            fingerprint=dataset.fingerprint(),
            format=dataset.format,
        )
        save_baseline(out, baseline)
    if state["quiet"]:
        return
    table = Table(title=f"{data}: {prof.n_rows:,} rows × {len(schema.columns)} columns")
    for header in ("column", "type", "role", "missing", "distinct", "min", "max", "mean", "top"):
        table.add_column(header, overflow="fold")
    for col in schema.columns:
        table.add_row(*_row(prof.columns[col.name], col.role.value))
    console.print(table)
    if out is not None:
        console.print(f"baseline saved to {out}; use it with --reference {out}")
