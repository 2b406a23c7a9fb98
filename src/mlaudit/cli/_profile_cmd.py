"""``mlaudit profile``: summarise a data set column by column; optionally save the summary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from mlaudit.audit import profile_data, profile_windows
from mlaudit.cli._common import (
    NO_INPUT_OPTIONS,
    WINDOW_HELP,
    console,
    handle_errors,
    input_config,
    input_options,
    parse_window,
    shown,
    state,
)
from mlaudit.config import SchemaConfig
from mlaudit.data import ColumnType
from mlaudit.errors import ConfigError
from mlaudit.summary import Baseline, ColumnSummary, save_baseline

__all__ = ["profile"]


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.4g}"


_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _when(value: float | None, *, dates: bool) -> str:
    """Epoch microseconds (how the profile keeps date-times) as an ISO date or date-time."""
    if value is None or not math.isfinite(value):
        return ""
    moment = _EPOCH + timedelta(microseconds=round(value))
    return moment.date().isoformat() if dates else moment.strftime("%Y-%m-%d %H:%M:%S")


def _range(s: ColumnSummary) -> list[str]:
    """Min, max and mean: numbers, or dates (date-times when a bound has a time of day).

    Blank for personal columns: their summaries keep no value (a date of birth's range is two
    people's dates of birth)."""
    num = s.numeric
    if num is None or s.personal:
        return ["", "", ""]
    mean = num.moments.mean if num.moments.n else None
    if s.type != ColumnType.DATETIME:
        return [_fmt(num.min), _fmt(num.max), _fmt(mean)]
    dates = all(v is not None and v % _DAY_US == 0 for v in (num.min, num.max))
    return [_when(num.min, dates=dates), _when(num.max, dates=dates), _when(mean, dates=dates)]


def _row(s: ColumnSummary, role: str) -> list[str]:
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
        *_range(s),
        top,
    ]


@handle_errors
@input_options
def profile(
    data: Annotated[str, typer.Argument(help="data file, directory or glob")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="save a monitoring baseline here (e.g. ref.profile), usable as --reference"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the row sample")] = 0,
    window: Annotated[
        str | None, typer.Option(help=WINDOW_HELP + "; saved in the baseline (needs --out)")
    ] = None,
    timestamp: Annotated[str | None, typer.Option(help="timestamp column for --window")] = None,
    target: Annotated[str | None, typer.Option(help="label column")] = None,
    prediction: Annotated[str | None, typer.Option(help="predicted class column")] = None,
    score: Annotated[str | None, typer.Option(help="predicted score column")] = None,
    inputs: Mapping[str, Any] = NO_INPUT_OPTIONS,
) -> None:
    """Profile a data set: types, roles, missing values, ranges, distinct counts, top values.

    With --out and --window the baseline also keeps the data cut into windows and the model's
    columns per row, so monitoring gets control limits and calibration without the raw data.
    """
    windows = parse_window(window)
    if windows is not None and out is None:
        raise ConfigError("--window only matters for a saved baseline", fix="add --out ref.profile")
    roles = {"target": target, "prediction": prediction, "score": score, "timestamp": timestamp}
    declared = SchemaConfig(**{k: v for k, v in roles.items() if v})
    source = input_config(data, inputs)
    dataset, schema, prof = profile_data(source, schema=declared, seed=seed)
    if out is not None:
        baseline = Baseline(
            profile=prof,
            schema=schema,
            source=dataset.source,
            fingerprint=dataset.fingerprint(),
            format=dataset.format,
            windows=profile_windows(dataset, schema, windows, seed=seed) if windows else None,
        )
        save_baseline(out, baseline)
    if state["quiet"]:
        return
    table = Table(title=f"{shown(data)}: {prof.n_rows:,} rows × {len(schema.columns)} columns")
    for heading in ("column", "type", "role", "missing", "distinct", "min", "max", "mean", "top"):
        table.add_column(heading, overflow="fold")
    for col in schema.columns:
        role = col.role.value + (", personal" if col.personal else "")
        table.add_row(*(shown(cell) for cell in _row(prof.columns[col.name], role)))
    console.print(table)
    if out is not None:
        where = shown(out)
        console.print(f"baseline saved to {where}; use it with --reference {where}")
