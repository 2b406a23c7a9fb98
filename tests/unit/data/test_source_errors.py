"""Bad inputs fail with one mlaudit error naming the file or column and the fix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from mlaudit.data._sources import Dataset
from mlaudit.errors import ConfigError, DataError, DataSourceError, MLAuditError, SchemaError


def read_all(ds: Dataset) -> None:
    for _ in ds.batches():
        pass


def test_missing_file_suggests_a_close_name(tmp_path: Path) -> None:
    (tmp_path / "current.parquet").write_bytes(b"PAR1")
    with pytest.raises(DataSourceError) as err:
        Dataset(tmp_path / "curent.parquet")
    msg = str(err.value)
    assert "curent.parquet" in msg
    assert "does not exist" in msg
    assert "did you mean" in msg
    assert "current.parquet" in msg
    assert err.value.fix  # always says what to do


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="does not exist either"):
        Dataset(tmp_path / "nope" / "data.csv")


def test_directory_without_parquet_lists_what_it_found(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n")
    with pytest.raises(DataSourceError) as err:
        Dataset(tmp_path)
    assert "contains no Parquet files" in str(err.value)
    assert "a.csv" in str(err.value)


def test_glob_matching_nothing(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="no file matches"):
        Dataset(str(tmp_path / "*.parquet"))


def test_parquet_files_with_different_columns(tmp_path: Path) -> None:
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "1.parquet")
    pl.DataFrame({"b": [1]}).write_parquet(tmp_path / "2.parquet")
    with pytest.raises(SchemaError) as err:
        Dataset(tmp_path)
    assert "2.parquet" in str(err.value)
    assert "missing 'a'" in str(err.value)


def test_unknown_extension_says_what_the_content_looks_like(tmp_path: Path) -> None:
    path = tmp_path / "data.xyz"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataSourceError) as err:
        Dataset(path)
    msg = str(err.value)
    assert "'.xyz'" in msg
    assert "looks like CSV text" in msg
    assert "format=" in msg


def test_csv_named_parquet(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataSourceError) as err:
        Dataset(path)
    msg = str(err.value)
    assert "named '.parquet'" in msg
    assert "looks like CSV text" in msg
    assert "format='csv'" in msg


def test_parquet_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    pl.DataFrame({"a": [1]}).write_parquet(path)
    with pytest.raises(DataSourceError, match="looks like Parquet"):
        Dataset(path)


def test_excel_file(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(DataSourceError, match="Excel"):
        Dataset(path)


def test_unknown_format_keyword(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    with pytest.raises(DataSourceError, match="unknown format 'xls'"):
        Dataset(path, format="xls")  # type: ignore[arg-type]


def test_truncated_parquet(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    pl.DataFrame({"a": list(range(100))}).write_parquet(good)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes()[:60])
    with pytest.raises(DataSourceError, match=r"bad\.parquet"):
        Dataset(bad)


def test_ragged_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6,7\n8,9\n")
    with pytest.raises(DataSourceError) as err:
        read_all(Dataset(path))
    msg = str(err.value)
    assert "ragged.csv" in msg
    assert "line 4" in msg
    assert "Expected 2 columns, got 3" in msg


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataSourceError, match="is empty"):
        Dataset(path)


def test_zero_columns(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n")
    with pytest.raises(SchemaError, match="has no columns"):
        Dataset(path)
    with pytest.raises(SchemaError, match="has no columns"):
        Dataset(pl.DataFrame())


def test_header_only_is_data_with_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("a,b\n")
    ds = Dataset(path)
    assert ds.to_polars().shape == (0, 2)
    with pytest.raises(DataError, match=r"has no rows"):
        ds.require_rows()


def test_duplicate_column_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a,c,b\n1,2,3,4,5\n")
    with pytest.raises(SchemaError) as err:
        Dataset(path)
    assert "duplicated column names: 'a', 'b'" in str(err.value)
    assert "rename" in str(err.value)
    pdf = pd.DataFrame([[1, 2]], columns=["x", "x"])
    with pytest.raises(SchemaError, match="'x'"):
        Dataset(pdf)


def test_non_utf8_csv_suggests_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name,n\nJosé,1\n".encode("latin-1"))
    with pytest.raises(DataSourceError) as err:
        Dataset(path)
    assert "not valid utf-8" in str(err.value)
    assert "encoding='latin-1'" in str(err.value)


def test_type_change_late_in_a_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlaudit.data import _text

    monkeypatch.setattr(_text, "_FIRST_BLOCK", 1000)
    path = tmp_path / "mixed.csv"
    path.write_text("n\n" + "1\n" * 2000 + "abc\n")
    with pytest.raises(DataSourceError) as err:
        read_all(Dataset(path))
    assert "mixed.csv" in str(err.value)
    assert "'abc'" in str(err.value)


def test_malformed_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(DataSourceError, match=r"bad\.jsonl.*malformed"):
        read_all(Dataset(path))


def test_json_array_is_not_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "arr.json"
    path.write_text('[{"a": 1}]')
    with pytest.raises(DataSourceError, match="JSON array"):
        Dataset(path)


def test_unsupported_python_object() -> None:
    with pytest.raises(DataSourceError) as err:
        Dataset([1, 2, 3])
    assert "builtins.list" in str(err.value)
    assert "from_sql" in str(err.value)


def test_pandas_column_with_mixed_objects() -> None:
    with pytest.raises(DataSourceError, match="pandas"):
        Dataset(pd.DataFrame({"a": [1, "x", 2.5]}, dtype=object))


def test_columns_that_do_not_exist(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as err:
        Dataset(pl.DataFrame({"income": [1]}), columns=["incme"])
    assert "'incme'" in str(err.value)
    assert "'income'" in str(err.value)
    path = tmp_path / "a.csv"
    path.write_text("income\n1\n")
    with pytest.raises(SchemaError, match="'incme'"):
        Dataset(path, columns=["incme"])


def test_sql_bad_url_missing_db_and_missing_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a valid database URL"):  # a usage error: exit 2
        Dataset.from_sql("not a url", "SELECT 1")
    with pytest.raises(DataSourceError, match="no database driver"):
        Dataset.from_sql("nosuchdb://u:p@h/db", "SELECT 1")
    with pytest.raises(DataSourceError, match="does not exist"):
        Dataset.from_sql(f"sqlite:///{tmp_path / 'missing.db'}", "SELECT 1")
    assert not (tmp_path / "missing.db").exists()  # not silently created
    db = tmp_path / "x.db"
    sqlite3.connect(db).close()
    with pytest.raises(DataSourceError) as err:
        Dataset.from_sql(f"sqlite:///{db}", "SELECT * FROM loans")
    assert "no such table: loans" in str(err.value)
    assert "SELECT * FROM loans" in str(err.value)


def test_sql_error_message_hides_the_password() -> None:
    with pytest.raises(DataSourceError) as err:
        Dataset.from_sql("nosuchdb://alice:s3cret@host/db", "SELECT 1")
    assert "s3cret" not in str(err.value)


def test_sql_column_changing_type(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (v)")
    con.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), ("text",)])
    con.commit()
    con.close()
    with pytest.raises(
        DataSourceError, match=r"(?s)'v' of the query changes type: int64.*string later.*CAST"
    ):
        read_all(Dataset.from_sql(f"sqlite:///{db}", "SELECT v FROM t", batch_size=2))


def test_errors_are_mlaudit_errors_with_builtin_bases(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist") as err:
        Dataset(tmp_path / "x.csv")
    assert isinstance(err.value, MLAuditError)


def test_bad_batch_size() -> None:
    with pytest.raises(DataError, match="batch_size"):
        Dataset(pa.table({"a": [1]}), batch_size=0)
