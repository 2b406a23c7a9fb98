"""Time windows: which window each row belongs to, by timestamp or by row count.

Monitoring compares the data window by window (a day, a week, every 10,000 rows) with the
reference.  :class:`WindowSpec` says how to cut; :func:`window_keys` gives each row of a batch
its window's key, an integer: the window's start in microseconds since the epoch (time windows,
truncated to the hour, the day, the ISO week starting on Monday, or the calendar month) or the
window's number (row windows).  Rows whose timestamp is missing or does not parse get no key and
are counted, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import polars as pl

from mlaudit.errors import ConfigError, SchemaError

__all__ = ["EVERY", "WindowSpec", "timestamps_us", "window_keys", "window_label"]

Every = Literal["hour", "day", "week", "month"]
EVERY: dict[str, str] = {"hour": "1h", "day": "1d", "week": "1w", "month": "1mo"}
"""Window length → polars truncation interval."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WindowSpec:
    """How to cut data into windows: by a timestamp column and a period, or by row count.

    ``column`` is the timestamp column (``None`` means the schema's timestamp column).  Exactly
    one of ``every`` and ``rows`` is set.  Windows with fewer than ``min_rows`` rows are kept
    in the tables but not judged (too few rows for a reliable statistic).
    """

    every: Every | None = None
    rows: int | None = None
    column: str | None = None
    min_rows: int = 100

    def __post_init__(self) -> None:
        if (self.every is None) == (self.rows is None):
            raise ConfigError(
                "windows need exactly one of 'every' (hour, day, week, month) or 'rows'",
                fix="e.g. windows: {every: week} or windows: {rows: 10000}",
            )
        if self.every is not None and self.every not in EVERY:
            raise ConfigError(
                f"unknown window length {self.every!r}",
                fix=f"use one of: {', '.join(EVERY)}, or a row count",
            )
        if self.rows is not None and self.rows < 1:
            raise ConfigError(f"windows.rows must be at least 1 (got {self.rows})", fix="")
        if self.min_rows < 1:
            raise ConfigError(f"windows.min_rows must be at least 1 (got {self.min_rows})", fix="")

    @property
    def by_time(self) -> bool:
        """True for windows cut by a timestamp column."""
        return self.every is not None

    def describe(self) -> str:
        """Plain words, e.g. ``"weekly windows of application_date"``."""
        if self.rows is not None:
            return f"windows of {self.rows:,} consecutive rows"
        adjective = {"hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly"}
        return f"{adjective[str(self.every)]} windows of {self.column or 'the timestamp column'}"


def _as_datetime(s: pl.Series, name: str) -> pl.Series:
    """``s`` as a Datetime series; strings are parsed, values that do not parse become null."""
    dtype = s.dtype
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return s
    if dtype == pl.Date:
        return s.cast(pl.Datetime("us"))
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Categorical):
        text = s.cast(pl.String)
        try:
            return text.str.to_datetime(strict=False, time_unit="us")
        except pl.exceptions.ComputeError:
            # No single format fits the batch: keep what parses as a date, or as ISO datetime.
            iso = text.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
            day = text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
            return iso.fill_null(day)
    raise SchemaError(
        f"the window column {name!r} is {dtype}, not a date or time",
        fix="name a date/time column with windows.column, or cut by rows (windows: {rows: N})",
    )


def window_keys(df: pl.DataFrame, spec: WindowSpec, row_offset: int = 0) -> pl.Series:
    """Each row's window key (Int64), null where the row's timestamp is missing or invalid.

    Time windows: the window start in microseconds since the epoch (UTC wall clock of the
    timestamp as stored; time-zone-aware columns are cut in their own zone).  Row windows:
    ``(row_offset + i) // spec.rows`` for the batch's i-th row.
    """
    if spec.rows is not None:
        idx = pl.int_range(row_offset, row_offset + df.height, dtype=pl.Int64, eager=True)
        return (idx // spec.rows).alias("__window__")
    assert spec.column is not None and spec.every is not None
    start = _timestamps(df, spec.column).dt.truncate(EVERY[spec.every])
    return start.dt.epoch("us").cast(pl.Int64).alias("__window__")


def _timestamps(df: pl.DataFrame, column: str) -> pl.Series:
    if column not in df.columns:
        raise SchemaError(
            f"the window column {column!r} is not in the data",
            fix=f"use one of: {', '.join(df.columns[:12])}",
        )
    ts = _as_datetime(df[column], column)
    if isinstance(ts.dtype, pl.Datetime) and ts.dtype.time_zone is not None:
        ts = ts.dt.replace_time_zone(None)
    return ts.cast(pl.Datetime("us"))


def timestamps_us(df: pl.DataFrame, column: str) -> pl.Series:
    """The timestamp ``column`` in microseconds since the epoch (wall clock), null if invalid."""
    return _timestamps(df, column).dt.epoch("us").cast(pl.Int64)


def window_label(key: int, spec: WindowSpec) -> str:
    """Human label of a window key: ``2025-07-07`` (day, week), ``2025-07`` (month), ..."""
    if spec.rows is not None:
        first = key * spec.rows + 1
        return f"rows {first:,}–{first + spec.rows - 1:,}"
    start = _EPOCH + timedelta(microseconds=key)
    if spec.every == "hour":
        return start.strftime("%Y-%m-%d %H:00")
    if spec.every == "month":
        return start.strftime("%Y-%m")
    return start.strftime("%Y-%m-%d")
