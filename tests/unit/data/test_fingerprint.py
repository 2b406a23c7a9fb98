"""Fingerprints: byte hashes for files (oracle: hashlib), content hashes for frames."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlaudit.data._fingerprint import fingerprint_file, fingerprint_frame
from mlaudit.data._sources import Dataset


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "i": [1, 2, 3, 4, 5, 6],
            "f": [0.5, -1.0, float("nan"), 2.25, 1e300, -0.0],
            "s": ["a", "", "ümlaut", "d", "e", "long string " * 10],
            "b": [True, False, True, True, False, False],
            "t": [dt.datetime(2024, 1, d, 8, 30) for d in range(1, 7)],
            "d": [dt.date(2020, 5, d) for d in range(1, 7)],
        }
    )


def test_file_fingerprint_is_sha256_of_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    data = b"x,y\n" + b"1,2\n" * 400_000  # > one 1 MiB read chunk
    path.write_bytes(data)
    assert fingerprint_file(path) == sha(data)
    assert Dataset(path).fingerprint() == sha(data)


def test_prefetched_file_fingerprint_is_the_same_and_keeps_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    data = b"x,y\n" + b"1,2\n" * 400_000
    path.write_bytes(data)
    ds = Dataset(path)
    ds.prefetch_fingerprint()  # hashed on a background thread
    ds.prefetch_fingerprint()  # a second call starts nothing new
    assert ds.fingerprint() == sha(data)
    assert ds.fingerprint() == sha(data)  # cached
    gone = tmp_path / "b.csv"
    gone.write_bytes(data)
    late = Dataset(gone)
    gone.unlink()  # the background read fails; the error reaches the caller
    late.prefetch_fingerprint()
    with pytest.raises(FileNotFoundError):
        late.fingerprint()
    frame_ds = Dataset(pl.DataFrame({"x": [1, 2]}))
    frame_ds.prefetch_fingerprint()  # frames are hashed by content, on demand
    assert frame_ds.fingerprint() == fingerprint_frame(pl.DataFrame({"x": [1, 2]}))


def test_directory_and_glob_fingerprint(tmp_path: Path) -> None:
    d = tmp_path / "parts"
    (d / "sub").mkdir(parents=True)
    pl.DataFrame({"a": [1]}).write_parquet(d / "b.parquet")
    pl.DataFrame({"a": [2]}).write_parquet(d / "sub" / "a.parquet")
    lines = sorted(
        (p.relative_to(d).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in (d / "b.parquet", d / "sub" / "a.parquet")
    )
    expected = sha(b"".join(f"{r}\x00{h}\n".encode() for r, h in lines))
    assert fingerprint_file(d) == expected
    assert Dataset(d).fingerprint() == expected
    assert Dataset(str(d / "**" / "*.parquet")).fingerprint() == expected
    moved = tmp_path / "moved"
    d.rename(moved)
    assert Dataset(moved).fingerprint() == expected  # relative paths: moving keeps the hash


def test_missing_path() -> None:
    with pytest.raises(FileNotFoundError):
        fingerprint_file("/nonexistent/*.parquet")


def test_frame_fingerprint_independent_of_chunking(frame: pl.DataFrame) -> None:
    table = frame.to_arrow()
    one = fingerprint_frame(table)
    assert one.startswith("sha256:")
    assert len(one) == 7 + 64
    assert fingerprint_frame(frame) == one
    for size in (1, 2, 4, 5):
        chunked = pa.Table.from_batches(table.to_batches(max_chunksize=size))
        assert fingerprint_frame(chunked) == one
        assert Dataset(table, batch_size=size).fingerprint() == one


def test_frame_fingerprint_same_across_inputs(frame: pl.DataFrame) -> None:
    # pandas uses NaN as its missing marker, so a NaN read from pandas is a null: leave it out
    frame = frame.with_columns(pl.col("f").fill_nan(3.0))
    expected = Dataset(frame).fingerprint()
    assert Dataset(frame.to_pandas()).fingerprint() == expected
    assert Dataset(frame.to_arrow()).fingerprint() == expected
    assert Dataset(frame.lazy()).fingerprint() == expected
    reader = pa.RecordBatchReader.from_batches(
        frame.to_arrow().schema, frame.to_arrow().to_batches(max_chunksize=4)
    )
    assert Dataset(reader).fingerprint() == expected
    pdf = pd.DataFrame(
        {"i": pd.array([1, 2, None], dtype="Int64"), "c": pd.Categorical(["x", "y", "x"])}
    )
    pl_equiv = pl.DataFrame({"i": [1, 2, None], "c": ["x", "y", "x"]})
    assert Dataset(pdf).fingerprint() == Dataset(pl_equiv).fingerprint()


def test_storage_width_does_not_matter(frame: pl.DataFrame) -> None:
    narrow = frame.with_columns(
        pl.col("i").cast(pl.Int16),
        pl.col("t").cast(pl.Datetime("ns")),
        pl.col("s").cast(pl.Categorical),
    )
    assert fingerprint_frame(narrow) == fingerprint_frame(frame)


@pytest.mark.parametrize(
    "change",
    [
        pl.col("i").replace(3, 4),
        pl.col("f").replace(0.5, 0.5000000001),
        pl.col("s").replace("d", "D"),
        pl.col("b").not_(),
        pl.col("t").dt.offset_by("1us"),
        pl.col("f").replace(-0.0, 0.0),
    ],
)
def test_changing_one_value_changes_the_fingerprint(frame: pl.DataFrame, change: pl.Expr) -> None:
    assert fingerprint_frame(frame.with_columns(change)) != fingerprint_frame(frame)


def test_nulls_names_order_and_types_count(frame: pl.DataFrame) -> None:
    base = fingerprint_frame(frame)
    null_s = frame.with_columns(
        pl.when(pl.col("i") == 2).then(None).otherwise(pl.col("s")).alias("s")
    )
    assert fingerprint_frame(null_s) != base  # "" and null differ
    assert fingerprint_frame(frame.rename({"i": "j"})) != base
    assert fingerprint_frame(frame.select(reversed(frame.columns))) != base
    assert fingerprint_frame(frame.with_columns(pl.col("i").cast(pl.Float64))) != base
    assert fingerprint_frame(frame.reverse()) != base
    assert fingerprint_frame(frame.head(5)) != base
    # string boundaries are part of the hash: ["ab", "c"] is not ["a", "bc"]
    assert fingerprint_frame(pl.DataFrame({"s": ["ab", "c"]})) != fingerprint_frame(
        pl.DataFrame({"s": ["a", "bc"]})
    )


def test_nan_payloads_hash_alike() -> None:
    import numpy as np

    other_nan = np.frombuffer(np.uint64(0x7FF8000000000001).tobytes(), dtype=np.float64)[0]
    a = pa.table({"f": pa.array([1.0, float("nan")])})
    b = pa.table({"f": pa.array([1.0, other_nan])})
    assert fingerprint_frame(a) == fingerprint_frame(b)


def test_sql_fingerprint_hashes_the_rows(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (a INTEGER, b TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(k, f"v{k}") for k in range(10)])
    con.commit()
    con.close()
    url = f"sqlite:///{db}"
    expected = fingerprint_frame(
        pl.DataFrame({"a": list(range(10)), "b": [f"v{k}" for k in range(10)]})
    )
    assert Dataset.from_sql(url, "SELECT * FROM t", batch_size=3).fingerprint() == expected
    assert Dataset.from_sql(url, "SELECT * FROM t WHERE a < 9").fingerprint() != expected


def test_fingerprint_follows_the_documented_v1_encoding() -> None:
    """Hand-built from the module docstring: a change here breaks stored reports' inputs."""
    df = pl.DataFrame({"a": [1, None], "s": ["x", None]})

    def d(b: bytes) -> bytes:
        return hashlib.sha256(b).digest()

    i64 = b"".join(v.to_bytes(8, "little", signed=True) for v in (1, 0))  # null → 0
    col_a = d(b"\x01\x00") + d(i64) + d(b"")
    lengths = b"".join(v.to_bytes(8, "little") for v in (1, 0))  # null → ""
    col_s = d(b"\x01\x00") + d(lengths) + d(b"x")
    expected = hashlib.sha256(
        b"mlaudit-frame-fingerprint-v1\nrows=2;columns=2\n"
        + (1).to_bytes(8, "little")
        + b"a"
        + b"int\x00"
        + col_a
        + b"\n"
        + (1).to_bytes(8, "little")
        + b"s"
        + b"string\x00"
        + col_s
        + b"\n"
    ).hexdigest()
    assert fingerprint_frame(df) == "sha256:" + expected


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=1, max_size=40),
    texts=st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=40, max_size=40),
    size=st.integers(1, 7),
)
def test_chunking_never_matters(
    values: list[int | None], texts: list[str | None], size: int
) -> None:
    table = pa.table({"v": pa.array(values, pa.int64()), "t": pa.array(texts[: len(values)])})
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=size))
    assert fingerprint_frame(chunked) == fingerprint_frame(table)
