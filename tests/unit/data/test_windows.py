"""Window keys: which window each row falls in, checked against hand-written calendars."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from mlaudit.data._windows import WindowSpec, timestamps_us, window_keys, window_label
from mlaudit.errors import ConfigError, SchemaError


def _labels(df: pl.DataFrame, spec: WindowSpec) -> list[str | None]:
    return [None if k is None else window_label(k, spec) for k in window_keys(df, spec)]


@pytest.mark.parametrize(
    ("every", "expected"),
    [
        # 2025-07-06 is a Sunday: it belongs to the ISO week starting Monday 2025-06-30.
        ("day", ["2025-07-06", "2025-07-07", "2025-07-31"]),
        ("week", ["2025-06-30", "2025-07-07", "2025-07-28"]),
        ("month", ["2025-07", "2025-07", "2025-07"]),
        ("hour", ["2025-07-06 23:00", "2025-07-07 00:00", "2025-07-31 12:00"]),
    ],
)
def test_time_windows_follow_the_calendar(every: str, expected: list[str]) -> None:
    df = pl.DataFrame(
        {
            "t": [
                datetime(2025, 7, 6, 23, 59, 59),
                datetime(2025, 7, 7, 0, 0, 0),
                datetime(2025, 7, 31, 12, 30),
            ]
        }
    )
    assert _labels(df, WindowSpec(every=every, column="t")) == expected  # type: ignore[arg-type]


def test_dates_and_strings_are_parsed_and_bad_values_have_no_window() -> None:
    dates = pl.DataFrame({"d": [date(2025, 1, 31), date(2025, 2, 1)]})
    assert _labels(dates, WindowSpec(every="month", column="d")) == ["2025-01", "2025-02"]
    text = pl.DataFrame({"d": ["2025-03-04", "not a date", None, "2025-03-05"]})
    assert _labels(text, WindowSpec(every="day", column="d")) == [
        "2025-03-04",
        None,
        None,
        "2025-03-05",
    ]


def test_time_zone_aware_timestamps_are_cut_on_their_wall_clock() -> None:
    df = pl.DataFrame({"t": [datetime(2025, 7, 7, 23, 30)]}).with_columns(
        pl.col("t").dt.replace_time_zone("Europe/Paris")
    )
    # 23:30 in Paris is 21:30 UTC the same day; the day is the local one either way.
    assert _labels(df, WindowSpec(every="day", column="t")) == ["2025-07-07"]
    assert timestamps_us(df, "t").to_list() == [
        int((datetime(2025, 7, 7, 23, 30) - datetime(1970, 1, 1)).total_seconds() * 1_000_000)
    ]


def test_row_windows_count_from_the_global_row_index() -> None:
    df = pl.DataFrame({"x": range(5)})
    spec = WindowSpec(rows=3)
    assert window_keys(df, spec, row_offset=7).to_list() == [2, 2, 3, 3, 3]  # rows 7..11
    assert window_label(2, spec) == "rows 7–9"


def test_non_time_column_is_a_schema_error() -> None:
    df = pl.DataFrame({"t": [1.5, 2.5]})
    with pytest.raises(SchemaError, match="not a date or time"):
        window_keys(df, WindowSpec(every="day", column="t"))
    with pytest.raises(SchemaError, match="not in the data"):
        window_keys(df, WindowSpec(every="day", column="when"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"every": "day", "rows": 10}, "exactly one"),
        ({"every": "fortnight"}, "unknown window length"),
        ({"rows": 0}, "at least 1"),
        ({"rows": 10, "min_rows": 0}, "min_rows"),
    ],
)
def test_bad_specs_are_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        WindowSpec(**kwargs)  # type: ignore[arg-type]
