"""Windowed scans: per-window profiles and ordered model rows, checked against polars."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from mlaudit.data._schema import infer_schema
from mlaudit.data._sources import Dataset
from mlaudit.data._windows import WindowSpec
from mlaudit.engines._windows import MAX_WINDOWS, scan_windows
from mlaudit.errors import ConfigError
from mlaudit.summary._windows import ORDER, WINDOW


class _Batches:
    def __init__(self, df: pl.DataFrame, size: int) -> None:
        self.df, self.size = df, size

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.df.to_arrow().to_batches(max_chunksize=self.size)


def _frame(n: int = 5_000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime(2025, 3, 1)
    stamps = [start + timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 40, n)]
    return pl.DataFrame(
        {
            "t": stamps,
            "x": rng.normal(size=n),
            "c": rng.choice(["a", "b", "c"], n),
            "y": rng.integers(0, 2, n),
            "s": rng.random(n),
        }
    )


def test_window_profiles_match_a_group_by() -> None:
    df = _frame()
    schema = infer_schema(Dataset(df))
    data = scan_windows(
        _Batches(df, 700),  # batches cut across windows, timestamps unsorted
        schema,
        WindowSpec(every="week", column="t"),
        profile_columns=["x", "c"],
        row_columns=["y", "s"],
    )
    oracle = (
        df.group_by(pl.col("t").dt.truncate("1w").alias("w"))
        .agg(pl.len(), pl.col("x").mean().alias("mean"), (pl.col("c") == "b").sum().alias("b"))
        .sort("w")
    )
    assert [w.label for w in data.windows] == [d.strftime("%Y-%m-%d") for d in oracle["w"]]
    assert [w.n_rows for w in data.windows] == oracle["len"].to_list()
    for w, mean, b in zip(data.windows, oracle["mean"], oracle["b"], strict=True):
        assert w.profile is not None
        assert w.profile.columns["x"].numeric.moments.mean == pytest.approx(mean, rel=1e-12)  # type: ignore[union-attr]
        assert w.profile.columns["c"].categories.counts.get("b", 0) == b  # type: ignore[union-attr]
    assert data.unassigned == 0


def test_rows_come_in_time_order_with_their_window() -> None:
    df = _frame(2_000, seed=1)
    schema = infer_schema(Dataset(df))
    data = scan_windows(
        _Batches(df, 333), schema, WindowSpec(every="day", column="t"), row_columns=["y", "s"]
    )
    rows = data.rows
    assert rows is not None and rows.height == df.height
    expected = df.with_row_index("i").sort(["t", "i"])
    assert rows["s"].to_list() == expected["s"].to_list()
    assert ORDER not in rows.columns  # the timestamps sorted the rows and were dropped
    # Each row's window index points at the window holding its day.
    labels = [data.windows[i].label for i in rows[WINDOW].to_list()]
    assert labels == expected["t"].dt.strftime("%Y-%m-%d").to_list()
    assert all(w.profile is None for w in data.windows)  # no profile columns asked for


def test_rows_without_a_valid_timestamp_are_counted_not_dropped_silently() -> None:
    df = pl.DataFrame({"t": ["2025-01-01", "garbage", None, "2025-01-02"], "y": [1, 0, 1, 0]})
    schema = infer_schema(Dataset(df))
    data = scan_windows(_Batches(df, 2), schema, WindowSpec(every="day", column="t"))
    assert data.unassigned == 2
    assert [w.n_rows for w in data.windows] == [1, 1]


def test_row_windows_and_min_rows() -> None:
    df = _frame(1_050)
    schema = infer_schema(Dataset(df))
    data = scan_windows(
        _Batches(df, 100), schema, WindowSpec(rows=250, min_rows=100), profile_columns=["x"]
    )
    assert [w.n_rows for w in data.windows] == [250, 250, 250, 250, 50]
    assert data.judged() == [0, 1, 2, 3]
    assert (
        data.windows[1].profile.columns["x"].numeric.moments.mean
        == pytest.approx(  # type: ignore[union-attr]
            float(df["x"][250:500].mean()), rel=1e-12
        )
    )


def test_rows_cut_by_count_keep_the_row_order_and_only_what_is_read() -> None:
    df = _frame(1_050)
    schema = infer_schema(Dataset(df))
    data = scan_windows(_Batches(df, 100), schema, WindowSpec(rows=250), row_columns=["y", "s"])
    rows = data.rows
    assert rows is not None
    assert rows.columns == ["y", "s", WINDOW]  # the model columns and the window index
    assert rows["s"].to_list() == df["s"].to_list()
    assert rows["y"].to_list() == df["y"].to_list()
    assert rows[WINDOW].to_list() == [i // 250 for i in range(1_050)]
    # 0/1 labels kept in one byte a row and the window index in two; the score as it was.
    assert (df["y"].dtype, rows["y"].dtype) == (pl.Int64, pl.Int8)
    assert rows[WINDOW].dtype == pl.Int16
    assert rows["s"].dtype == df["s"].dtype


def test_kept_integers_are_narrowed_per_batch_and_joined_in_a_common_type() -> None:
    # The first batches fit Int8, a later one needs Int32, one holds only nulls: the values
    # come back unchanged, in the widest type any batch needed.
    y = [0, 1] * 100 + [-40_000, 70_000] + [None] * 98 + [5] * 100
    df = pl.DataFrame({"y": y, "s": np.linspace(0, 1, len(y))})
    schema = infer_schema(Dataset(df))
    data = scan_windows(_Batches(df, 100), schema, WindowSpec(rows=100), row_columns=["y", "s"])
    assert data.rows is not None
    assert data.rows["y"].to_list() == y
    assert data.rows["y"].dtype == pl.Int32


def test_too_many_windows_is_a_config_error() -> None:
    n = MAX_WINDOWS + 5
    df = pl.DataFrame(
        {"t": [datetime(2020, 1, 1) + timedelta(hours=i) for i in range(n)], "x": np.ones(n)}
    )
    schema = infer_schema(Dataset(df))
    with pytest.raises(ConfigError, match="more than"):
        scan_windows(_Batches(df, 1000), schema, WindowSpec(every="hour", column="t"),
                     profile_columns=["x"])  # fmt: skip


def test_large_windows_keep_bounded_sketches_with_a_hard_bound() -> None:
    from scipy import stats

    from mlaudit.engines._windows import WINDOW_SKETCH_EXACT
    from mlaudit.stats.drift import ks_sketch
    from mlaudit.summary._quantiles import QuantileSketch

    rng = np.random.default_rng(3)
    n = 3 * WINDOW_SKETCH_EXACT
    df = pl.DataFrame({"x": rng.normal(size=n)})
    schema = infer_schema(Dataset(df))
    data = scan_windows(
        _Batches(df, 10_000), schema, WindowSpec(rows=n // 2), profile_columns=["x"]
    )
    ref_values = rng.normal(0.05, 1, 50_000)
    ref = QuantileSketch()
    ref.update(ref_values)
    for i, w in enumerate(data.windows):
        sketch = w.profile.columns["x"].numeric.sketch  # type: ignore[union-attr]
        assert sketch is not None and sketch.n == n // 2 and not sketch.is_exact
        assert sketch.num_retained < WINDOW_SKETCH_EXACT  # memory stays bounded
        raw = df["x"].to_numpy()[i * (n // 2) : (i + 1) * (n // 2)]
        res = ks_sketch(ref, sketch)
        exact = stats.ks_2samp(ref_values, raw).statistic
        assert res.statistic_low <= exact <= res.statistic_high  # scipy as the oracle
