"""Dataset: every format and in-memory input reads back exactly the frame that was written."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from mlaudit.data import _text
from mlaudit.data._sources import Dataset


@pytest.fixture
def frame() -> pl.DataFrame:
    """The oracle: values chosen by hand, with nulls in every column."""
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "amount": [10.5, None, -3.25, 0.0, 1e6],
            "city": ["Paris", "Lyon", None, "Zürich", "Oslo"],
            "flag": [True, False, None, True, False],
        }
    )


def write(frame: pl.DataFrame, path: Path) -> Path:
    ext = path.suffix
    if ext in (".csv", ".txt"):
        frame.write_csv(path)
    elif ext == ".tsv":
        frame.write_csv(path, separator="\t")
    elif ext in (".parquet", ".pq"):
        frame.write_parquet(path)
    elif ext in (".jsonl", ".ndjson", ".json"):
        frame.write_ndjson(path)
    else:
        frame.write_ipc(path)
    return path


EXTENSIONS = [".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json", ".arrow",
              ".feather", ".ipc"]  # fmt: skip


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_each_format_round_trips(frame: pl.DataFrame, tmp_path: Path, ext: str) -> None:
    ds = Dataset(write(frame, tmp_path / f"data{ext}"), batch_size=2)
    assert_frame_equal(ds.to_polars(), frame)
    assert [b.num_rows for b in ds.batches()] == [2, 2, 1]
    assert ds.num_rows == 5  # known from metadata, or counted by the scan above
    assert_frame_equal(ds.head(3), frame.head(3))
    assert ds.arrow_schema.names == frame.columns


@pytest.mark.parametrize(
    ("ext", "fmt", "rows"),
    [(".csv", "csv", None), (".parquet", "parquet", 5), (".jsonl", "jsonl", None),
     (".arrow", "arrow", 5)],
)  # fmt: skip
def test_format_name_and_row_count_before_a_scan(
    frame: pl.DataFrame, tmp_path: Path, ext: str, fmt: str, rows: int | None
) -> None:
    ds = Dataset(write(frame, tmp_path / f"d{ext}"))
    assert ds.format == fmt
    assert ds.num_rows == rows
    assert ds.source == str(tmp_path / f"d{ext}")


def test_format_keyword_overrides_extension(frame: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    frame.write_csv(path)
    assert_frame_equal(Dataset(path, format="csv").to_polars(), frame)


def test_columns_selects_in_the_given_order(frame: pl.DataFrame, tmp_path: Path) -> None:
    for path in (write(frame, tmp_path / "a.csv"), write(frame, tmp_path / "a.parquet")):
        ds = Dataset(path, columns=["city", "id"])
        assert ds.arrow_schema.names == ["city", "id"]
        assert_frame_equal(ds.to_polars(), frame.select("city", "id"))


def test_latin1_csv_with_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name,n\nJosé,1\nMüller,2\n".encode("latin-1"))
    out = Dataset(path, encoding="latin-1").to_polars()
    assert out["name"].to_list() == ["José", "Müller"]


def test_empty_strings_in_csv_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("a,b\nx,1\n,2\n")
    assert Dataset(path).to_polars()["a"].to_list() == ["x", None]


def test_parquet_directory_and_glob_read_every_file_in_order(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    parts = tmp_path / "parts"
    (parts / "year=2024").mkdir(parents=True)
    frame.head(2).write_parquet(parts / "year=2024" / "a.parquet")
    frame.slice(2, 2).write_parquet(parts / "b.parquet")
    frame.slice(4).write_parquet(parts / "c.pq")
    (parts / "_SUCCESS").write_text("")
    (parts / "notes.txt").write_text("not data")
    # order is by relative path: b.parquet, c.pq, year=2024/a.parquet
    expected = pl.concat([frame.slice(2, 2), frame.slice(4), frame.head(2)])
    by_dir = Dataset(parts)
    assert by_dir.num_rows == 5
    assert_frame_equal(by_dir.to_polars(), expected)
    by_glob = Dataset(str(parts / "*.parquet"))
    assert_frame_equal(by_glob.to_polars(), frame.slice(2, 2))
    recursive = Dataset(str(parts / "**" / "*.parquet"))
    assert recursive.num_rows == 4


def test_parquet_row_groups_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "rg.parquet"
    table = pa.table({"x": list(range(1000))})
    pq.write_table(table, path, row_group_size=100)
    ds = Dataset(path, batch_size=64)
    sizes = [b.num_rows for b in ds.batches()]
    assert sum(sizes) == 1000
    assert max(sizes) <= 64
    assert len(sizes) >= 16


def test_large_csv_streams_in_several_bounded_batches(tmp_path: Path) -> None:
    n = 1_000_000
    path = tmp_path / "big.csv"
    with path.open("w") as fh:  # about 14 MB: more than three 4 MiB blocks
        fh.write("i,v\n")
        fh.writelines(f"{i},{i % 7}\n" for i in range(n))
    ds = Dataset(path)
    total = 0
    total_v = 0
    n_batches = 0
    for batch in ds.batches():
        assert batch.num_rows <= ds.batch_size
        total += batch.num_rows
        total_v += pa.compute.sum(batch.column("v")).as_py()
        n_batches += 1
    assert n_batches >= 3
    assert total == n
    assert total_v == sum(i % 7 for i in range(n))  # oracle: plain Python
    assert ds.num_rows == n


def test_value_larger_than_a_block_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_text, "_FIRST_BLOCK", 1000)
    big = "x" * 5000  # spans several 1000-byte blocks: pyarrow refuses, we retry bigger
    path = tmp_path / "huge.csv"
    path.write_text(f'id,text\n1,"{big}"\n2,small\n')
    ds = Dataset(path)
    out = ds.to_polars()
    assert out["text"].str.len_chars().to_list() == [5000, 5]
    assert ds._reader.block_size > 1000  # type: ignore[attr-defined]


def test_value_straddling_a_later_block_restarts_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_text, "_FIRST_BLOCK", 1000)
    rows = [f"{i},s{i}" for i in range(500)]  # several small blocks, then a huge value
    path = tmp_path / "late.csv"
    path.write_text("id,text\n" + "\n".join(rows) + f'\n500,"{"y" * 5000}"\n501,end\n')
    ds = Dataset(path, batch_size=64)
    out = ds.to_polars()
    assert out["id"].to_list() == list(range(502))
    assert out["text"].to_list()[:3] == ["s0", "s1", "s2"]
    assert out["text"][500] == "y" * 5000
    assert out["text"][501] == "end"
    assert ds._reader.block_size > 1000  # type: ignore[attr-defined]


def test_in_memory_inputs(frame: pl.DataFrame) -> None:
    inputs = {
        "polars": frame,
        "pyarrow": frame.to_arrow(),
        "polars-lazy": frame.lazy(),
        "arrow-stream": pa.RecordBatchReader.from_batches(
            frame.to_arrow().schema, frame.to_arrow().to_batches(max_chunksize=2)
        ),
    }
    for fmt, src in inputs.items():
        ds = Dataset(src, batch_size=2)
        assert ds.format == fmt
        assert_frame_equal(ds.to_polars(), frame)
        assert_frame_equal(ds.to_polars(), frame)  # re-iterable, also for a one-shot reader
        assert_frame_equal(ds.head(2), frame.head(2))


def test_pandas_input() -> None:
    pdf = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None], 7: [0.5, 1.5, 2.5]})
    ds = Dataset(pdf)
    assert ds.format == "pandas"
    assert ds.num_rows == 3
    out = ds.to_polars()
    assert out.columns == ["a", "b", "7"]
    assert out["a"].to_list() == [1, 2, 3]
    assert out["b"].to_list() == ["x", "y", None]
    assert out["7"].to_list() == [0.5, 1.5, 2.5]


def test_polars_lazy_streams_in_batches() -> None:
    lf = pl.LazyFrame({"x": list(range(10))}).filter(pl.col("x") % 2 == 0)
    ds = Dataset(lf, batch_size=2)
    assert ds.num_rows is None
    assert pl.concat([pl.from_arrow(b) for b in ds.batches()])["x"].to_list() == [0, 2, 4, 6, 8]  # type: ignore[misc]
    assert ds.num_rows == 5


def make_sqlite(tmp_path: Path, n: int = 25) -> Path:
    db = tmp_path / "loans.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE loans (id INTEGER, amount REAL, grade TEXT, opened TEXT)")
    rows = [(i, i * 1.5, "ABC"[i % 3], f"2024-01-{i % 28 + 1:02d}") for i in range(n)]
    con.executemany("INSERT INTO loans VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return db


def test_sqlite_query_streams_in_chunks(tmp_path: Path) -> None:
    db = make_sqlite(tmp_path)
    ds = Dataset.from_sql(f"sqlite:///{db}", "SELECT * FROM loans WHERE id >= 5", batch_size=8)
    assert ds.format == "sql"
    assert [b.num_rows for b in ds.batches()] == [8, 8, 4]
    out = ds.to_polars()
    assert out["id"].to_list() == list(range(5, 25))
    assert out["amount"].to_list() == [i * 1.5 for i in range(5, 25)]
    assert out["grade"].to_list() == ["ABC"[i % 3] for i in range(5, 25)]
    assert ds.num_rows == 20
    assert ds.head(3)["id"].to_list() == [5, 6, 7]


def test_sql_table_name_and_column_selection(tmp_path: Path) -> None:
    db = make_sqlite(tmp_path, n=4)
    ds = Dataset.from_sql(f"sqlite:///{db}", "loans", columns=["grade", "id"])
    assert ds.arrow_schema.names == ["grade", "id"]
    assert ds.to_polars().rows() == [("A", 0), ("B", 1), ("C", 2), ("A", 3)]


def test_sql_source_masks_the_password() -> None:
    from mlaudit.data._sql import describe_sql, mask_url

    url = "postgresql://alice:s3cret@db.example.com:5432/risk"
    assert "s3cret" not in mask_url(url)
    assert "alice" in mask_url(url)
    assert "***" in describe_sql(url, "SELECT 1")


def test_require_rows(tmp_path: Path) -> None:
    header_only = tmp_path / "h.csv"
    header_only.write_text("a,b\n")
    ds = Dataset(header_only)
    assert ds.to_polars().height == 0
    from mlaudit.errors import DataError

    with pytest.raises(DataError, match="has no rows"):
        ds.require_rows()
    assert ds.num_rows == 0
    Dataset(pl.DataFrame({"a": [1]})).require_rows()  # does not raise


def test_datetime_values_survive_parquet(tmp_path: Path) -> None:
    frame = pl.DataFrame({"t": [dt.datetime(2024, 1, 1, 12), None]})
    out = Dataset(write(frame, tmp_path / "t.parquet")).to_polars()
    assert_frame_equal(out, frame)


def test_column_empty_in_the_first_block_gets_its_type_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_text, "_FIRST_BLOCK", 1000)
    path = tmp_path / "sparse.csv"
    path.write_text("a,b,c,d,e\n" + "1,,,,\n" * 1000 + "2,x,2.5,true,\n3,,7,,\n")
    ds = Dataset(path)
    assert [str(t) for t in ds.arrow_schema.types] == ["int64", "string", "double", "bool", "null"]
    out = ds.to_polars().tail(2)
    assert out.rows() == [(2, "x", 2.5, True, None), (3, None, 7.0, None, None)]
    assert ds.num_rows == 1002
