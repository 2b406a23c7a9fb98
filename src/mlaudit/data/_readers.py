"""What a :class:`~mlaudit.data.Dataset` reads from: files by format, in-memory frames (polars,
pyarrow, pandas), polars LazyFrames and Arrow streams, each as a reader with a schema, a row count
when known, and re-iterable record batches.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any, Protocol

import polars as pl
import pyarrow as pa

from mlaudit.data._dialect import CsvOptions
from mlaudit.data._files import FileReader, FileSpec, IpcReader, ParquetReader, check_names
from mlaudit.data._names import placeholder_names
from mlaudit.data._text import CsvReader, JsonReader
from mlaudit.errors import DataSourceError, SchemaError

__all__ = [
    "LazyReader",
    "Reader",
    "StreamReader",
    "TableReader",
    "open_file",
    "select_columns",
    "to_table",
]


class Reader(Protocol):
    @property
    def schema(self) -> pa.Schema: ...

    @property
    def num_rows(self) -> int | None: ...

    def batches(self) -> Iterator[pa.RecordBatch]: ...


def open_file(
    spec: FileSpec,
    *,
    batch_size: int,
    encoding: str,
    columns: list[str] | None,
    csv: CsvOptions | None,
) -> FileReader:
    if spec.format in ("csv", "tsv"):
        return CsvReader(
            spec, batch_size=batch_size, encoding=encoding, columns=columns, options=csv
        )
    if csv is not None and csv != CsvOptions():
        raise DataSourceError(
            f"CSV options (separator, decimal, ...) were given for {spec.display!r}, which is "
            f"read as {spec.format}",
            fix="remove the CSV options for this input, or set its format to csv",
        )
    if spec.format == "parquet":
        return ParquetReader(spec, batch_size=batch_size, columns=columns)
    if spec.format == "jsonl":
        return JsonReader(spec, batch_size=batch_size, encoding=encoding, columns=columns)
    return IpcReader(spec, batch_size=batch_size, columns=columns)


def select_columns(names: list[str], columns: list[str] | None, where: str) -> None:
    for col in columns or []:
        if col not in names:
            close = difflib.get_close_matches(col, names, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise SchemaError(
                f"column {col!r} asked for in columns= is not in the {where}{hint}",
                fix=f"use one of: {', '.join(names[:20])}",
            )


class TableReader:
    """An in-memory Arrow table."""

    def __init__(self, table: pa.Table, batch_size: int) -> None:
        self.table = table
        self.batch_size = batch_size

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    @property
    def num_rows(self) -> int | None:
        return int(self.table.num_rows)

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.table.to_batches(max_chunksize=self.batch_size)


class LazyReader:
    """A polars LazyFrame, collected in streaming batches."""

    def __init__(self, lf: pl.LazyFrame, batch_size: int) -> None:
        self.lf = lf
        self.batch_size = batch_size
        try:
            empty = pl.DataFrame(schema=lf.collect_schema())
        except pl.exceptions.PolarsError as exc:
            raise DataSourceError(
                f"the polars LazyFrame cannot be planned: {exc}", fix="check the query"
            ) from None
        self._schema = empty.to_arrow().schema

    @property
    def schema(self) -> pa.Schema:
        return self._schema

    @property
    def num_rows(self) -> int | None:
        return None

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            for frame in self.lf.collect_batches(chunk_size=self.batch_size, lazy=True):
                for batch in frame.to_arrow().to_batches(max_chunksize=self.batch_size):
                    yield batch.cast(self._schema)
        except pl.exceptions.PolarsError as exc:
            raise DataSourceError(
                f"the polars LazyFrame failed while reading: {exc}", fix="check the query"
            ) from None


class StreamReader:
    """A pyarrow RecordBatchReader: read once, kept so that the Dataset can be re-read."""

    def __init__(self, reader: pa.RecordBatchReader) -> None:
        self.reader: pa.RecordBatchReader | None = reader
        self._schema = reader.schema
        self.cache: list[pa.RecordBatch] = []

    @property
    def schema(self) -> pa.Schema:
        return self._schema

    @property
    def num_rows(self) -> int | None:
        return sum(b.num_rows for b in self.cache) if self.reader is None else None

    def batches(self) -> Iterator[pa.RecordBatch]:
        i = 0
        while True:
            if i < len(self.cache):
                yield self.cache[i]
                i += 1
                continue
            if self.reader is None:
                return
            try:
                self.cache.append(self.reader.read_next_batch())
            except StopIteration:
                self.reader = None


def to_table(source: Any) -> tuple[str, pa.Table, dict[str, str]]:
    """The kind of frame and its Arrow table; pandas' blank names replaced (and recorded)."""
    if isinstance(source, pl.DataFrame):
        return "polars.DataFrame", source.to_arrow(), {}
    if isinstance(source, pa.Table):
        return "pyarrow.Table", source, {}
    if isinstance(source, pa.RecordBatch):
        return "pyarrow.RecordBatch", pa.Table.from_batches([source]), {}
    if type(source).__module__.startswith("pandas") and type(source).__name__ == "DataFrame":
        return "pandas.DataFrame", *_from_pandas(source)
    raise DataSourceError(
        f"cannot read an object of type {type(source).__module__}.{type(source).__name__}",
        fix="pass a file path, a pandas or polars DataFrame, a polars LazyFrame, a pyarrow "
        "Table or RecordBatchReader, or use Dataset.from_sql(url, query)",
    )


def _from_pandas(df: Any) -> tuple[pa.Table, dict[str, str]]:
    names, renamed = placeholder_names([str(c) for c in df.columns])
    check_names(names, "the pandas.DataFrame")
    frame = df.set_axis(names, axis=1) if list(df.columns) != names else df
    try:
        return pa.Table.from_pandas(frame, preserve_index=False), renamed
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise DataSourceError(
            f"the pandas.DataFrame cannot be converted to Arrow: {exc}",
            fix="give the column one type (e.g. df[col] = df[col].astype(str))",
        ) from None
