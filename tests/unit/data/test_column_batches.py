"""Dataset.column_batches: a few columns, read alone from Parquet, the same values as the full
pass (placeholder names and declared missing markers included), its counts left alone."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from mlaudit.data import Dataset
from mlaudit.data._markers import MissingMarkers
from mlaudit.errors import MLAuditWarning


def _write(tmp_path: Path) -> Path:
    table = pa.table(
        {
            "": pa.array(range(6)),  # an unnamed column: placeholder unnamed_1
            "score": pa.array([0.1, 0.9, -1.0, 0.4, -1.0, 0.7]),
            "label": pa.array(["a", "?", "b", "a", "?", "b"]),
            "other": pa.array([1.5] * 6),
        }
    )
    path = tmp_path / "d.parquet"
    pq.write_table(table, path, row_group_size=4)
    return path


def _frame(batches: object) -> pl.DataFrame:
    return pl.concat([pl.from_arrow(b) for b in batches])  # type: ignore[attr-defined,misc]


def test_the_columns_alone_equal_the_full_pass(tmp_path: Path) -> None:
    markers = MissingMarkers(("?",), {"score": (-1.0,)})
    with pytest.warns(MLAuditWarning, match="unnamed_1"):
        ds = Dataset(_write(tmp_path), missing_markers=markers, batch_size=3)
    full = _frame(ds.batches())
    counts = dict(ds.marker_counts)
    assert counts == {"score": {"-1": 2}, "label": {"?": 2}}  # counted by hand above
    wanted = ["label", "unnamed_1", "score"]
    part = _frame(ds.column_batches(wanted))
    assert_frame_equal(part, full.select(wanted))
    assert part["label"].null_count() == 2 and part["score"].null_count() == 2
    assert ds.marker_counts == counts  # the projected pass does not overwrite them


def test_a_frame_source_gives_the_same_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    ds = Dataset(frame)
    assert_frame_equal(_frame(ds.column_batches(["b"])), frame.select("b"))
