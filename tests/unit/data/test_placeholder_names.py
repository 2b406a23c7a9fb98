"""Empty and blank column names get a placeholder, from every reader (issue 10, item 1).

pandas writes its unnamed index as a CSV column with the header ``""``; before, any such name
crashed the audit with ``ColumnNotFoundError: "" not found``.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlaudit import Audit
from mlaudit.data import Dataset, placeholder_names
from mlaudit.errors import MLAuditWarning


def test_placeholder_names_by_position_and_suffixed_on_collision() -> None:
    names, renamed = placeholder_names(["", "a", "  ", "unnamed_4", "\t"])
    # position 4 is taken by a real column, so the blank at position 5 keeps unnamed_5 and
    # no name collides; the blank at 3 is unnamed_3
    assert names == ["unnamed_1", "a", "unnamed_3", "unnamed_4", "unnamed_5"]
    assert renamed == {"unnamed_1": "", "unnamed_3": "  ", "unnamed_5": "\t"}
    names, renamed = placeholder_names(["unnamed_1", ""])
    assert names == ["unnamed_1", "unnamed_2"]
    names, renamed = placeholder_names(["", "unnamed_1"])
    assert names == ["unnamed_1_2", "unnamed_1"]
    assert renamed == {"unnamed_1_2": ""}
    assert placeholder_names(["a", "b"]) == (["a", "b"], {})


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=300), "b": rng.integers(0, 5, 300)})


def _sources(tmp_path: Path) -> dict[str, object]:
    df = _frame()
    df.to_csv(tmp_path / "x.csv")  # pandas defaults: the index is a column named ""
    table = pa.table({"": df["a"].to_numpy(), "b": df["b"].to_numpy()})
    pq.write_table(table, tmp_path / "x.parquet")
    with sqlite3.connect(tmp_path / "x.db") as con:
        con.execute('CREATE TABLE t (" " REAL, b INTEGER)')
        con.executemany("INSERT INTO t VALUES (?, ?)", zip(df["a"], df["b"].tolist(), strict=True))
    return {
        "csv": tmp_path / "x.csv",
        "parquet": tmp_path / "x.parquet",
        "arrow": table,
        "polars": pl.from_pandas(df).rename({"a": ""}),
        "lazy": pl.from_pandas(df).rename({"a": ""}).lazy(),
        "pandas": df.rename(columns={"a": ""}),
        "stream": pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
        "sql": f"sqlite:///{tmp_path / 'x.db'}",
    }


@pytest.mark.parametrize(
    "kind", ["csv", "parquet", "arrow", "polars", "lazy", "pandas", "stream", "sql"]
)
def test_every_reader_renames_the_blank_column(kind: str, tmp_path: Path) -> None:
    src = _sources(tmp_path)[kind]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = Dataset.from_sql(str(src), "t") if kind == "sql" else Dataset(src)
    assert ds.arrow_schema.names[0] == "unnamed_1"
    assert list(ds.placeholder_columns) == ["unnamed_1"]
    assert ds.placeholder_columns["unnamed_1"] in ("", " ")
    assert any("unnamed_1" in str(w.message) for w in caught if w.category is MLAuditWarning)
    batches = list(ds.batches())
    assert all(b.schema.names[0] == "unnamed_1" for b in batches)
    assert sum(b.num_rows for b in batches) == 300
    assert ds.head(3).columns[0] == "unnamed_1"


def test_audit_of_a_pandas_csv_records_the_placeholder(tmp_path: Path) -> None:
    _frame().to_csv(tmp_path / "x.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MLAuditWarning)
        result = Audit(
            current=tmp_path / "x.csv", suite="none", checks={"quality.completeness": {}}
        ).run()
    info = result.inputs[0]
    assert info.columns == 3
    assert "unnamed_1" in info.schema_
    assert info.placeholder_columns == {"unnamed_1": ""}
    assert {r.column for r in result.checks} - {None} == {"unnamed_1", "a", "b"}
