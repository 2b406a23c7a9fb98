"""`Dataset`: one interface over files, data frames, Arrow data and SQL queries.

Everything is read as a stream of :class:`pyarrow.RecordBatch` objects of bounded size, so a
file larger than memory is summarised batch by batch.  ``head`` and ``to_polars`` give polars
frames for the small parts that need them (schema inference, samples).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import polars as pl
import pyarrow as pa

from mlaudit.data._dialect import CsvDialect, CsvOptions
from mlaudit.data._files import (
    FileSpec,
    ParquetReader,
    check_names,
    resolve_path,
)
from mlaudit.data._fingerprint import fingerprint_batches, fingerprint_file, fingerprint_files
from mlaudit.data._markers import MissingMarkers, apply_missing_markers
from mlaudit.data._names import placeholder_names
from mlaudit.data._readers import (
    LazyReader,
    Reader,
    StreamReader,
    TableReader,
    open_file,
    select_columns,
    to_table,
)
from mlaudit.data._sql import SqlReader, describe_sql
from mlaudit.data._text import CsvReader
from mlaudit.errors import DataError, MLAuditWarning, SchemaError

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Dataset", "DerivedColumns", "FormatName"]

FormatName = Literal["csv", "tsv", "parquet", "jsonl", "json", "ndjson", "arrow", "feather", "ipc"]


def _add_counts(total: dict[str, dict[str, int]], counts: dict[str, dict[str, int]]) -> None:
    for column, per_marker in counts.items():
        into = total.setdefault(column, {})
        for marker, n in per_marker.items():
            into[marker] = into.get(marker, 0) + n


class DerivedColumns(Protocol):
    """Columns computed from each batch and appended to it (a model's predictions).

    Called with each batch, in order, and the row offset of the batch in the data set; it
    returns one array per field, as long as the batch.
    """

    @property
    def inputs(self) -> Sequence[str]:
        """The columns the computation reads."""
        ...

    @property
    def fields(self) -> Sequence[pa.Field]:
        """The appended columns."""
        ...

    def __call__(self, batch: pa.RecordBatch, offset: int) -> list[pa.Array]:
        """The appended columns' values for ``batch``."""
        ...


class Dataset:
    """A data set to audit: a file, a data frame, Arrow data or an SQL query.

    Parameters
    ----------
    source
        A path (CSV/TSV, Parquet, JSON lines, Arrow IPC/Feather; a directory or a glob of
        Parquet files), a pandas or polars DataFrame, a polars LazyFrame, a pyarrow Table,
        RecordBatch or RecordBatchReader.  For SQL use :meth:`from_sql`.
    name
        Role of the data in the audit (``"current"``, ``"reference"``), used in messages.
    format
        File format when the extension does not tell it.
    batch_size
        Maximum rows per record batch.
    encoding
        Text encoding of CSV files.
    columns
        Read only these columns (in this order).
    csv
        How to read a CSV file (separator, decimal mark, quote, header, null values, stripping
        of the space after a separator, renaming of repeated names), as a :class:`CsvOptions`
        or a mapping of its fields; what is not given is detected on the first 64 KiB and
        recorded in :attr:`dialect`.
    missing_markers
        Declared missing markers (:class:`MissingMarkers`), read as nulls in every batch; how
        many values each turned into a null is in :attr:`marker_counts` after a full read.

    Notes
    -----
    A column whose name is empty or only white space (pandas' unnamed index in a CSV file) is
    called ``unnamed_<position>`` (:func:`mlaudit.data.placeholder_names`), with a warning;
    :attr:`placeholder_columns` maps each placeholder to the name in the source.  ``columns``
    selects by the names in the source, except for pandas frames (placeholders).

    Raises
    ------
    DataSourceError
        The source cannot be found, opened or parsed; the message says why and how to fix it.
    SchemaError
        The source has no columns, duplicated column names, or lacks a column in ``columns``.

    Examples
    --------
    >>> import polars as pl
    >>> ds = Dataset(pl.DataFrame({"x": [1, 2, 3]}))
    >>> ds.num_rows, ds.format
    (3, 'polars')
    """

    _derived: DerivedColumns | None = None
    """Columns appended to each batch (:meth:`with_derived`); none unless set."""

    def __init__(
        self,
        source: Any,
        *,
        name: str = "current",
        format: FormatName | None = None,
        batch_size: int = 262_144,
        encoding: str = "utf-8",
        columns: list[str] | None = None,
        csv: CsvOptions | Mapping[str, Any] | None = None,
        missing_markers: MissingMarkers | None = None,
    ) -> None:
        if batch_size < 1:
            raise DataError(f"batch_size must be at least 1, got {batch_size}", fix="use 262144")
        self.name = name
        self.batch_size = batch_size
        self.columns = list(columns) if columns is not None else None
        self._files: FileSpec | None = None
        self._fingerprint: str | None = None
        self._pending: Future[str] | None = None
        self._counted: int | None = None
        self.missing_markers = missing_markers or MissingMarkers()
        self.marker_counts: dict[str, dict[str, int]] = {}
        self.placeholder_columns: dict[str, str] = {}
        self._names: list[str] | None = None
        if isinstance(source, str | Path):
            self._files = resolve_path(source, format)
            self.format: str = self._files.format
            self.source: str = self._files.display
            self._reader: Reader = open_file(
                self._files,
                batch_size=batch_size,
                encoding=encoding,
                columns=self.columns,
                csv=_csv_options(csv),
            )
        else:
            self.format, self.source, self._reader = self._wrap(source)
        self._validate()

    @classmethod
    def from_sql(
        cls,
        url: str,
        query: str,
        *,
        name: str = "current",
        batch_size: int = 262_144,
        columns: list[str] | None = None,
        missing_markers: MissingMarkers | None = None,
    ) -> Dataset:
        """A query (or a table name) on a SQLAlchemy database URL, streamed in batches.

        Parameters
        ----------
        url
            SQLAlchemy URL, e.g. ``"sqlite:///loans.db"``; the password is masked in
            :attr:`source`.
        query
            A ``SELECT`` statement, or just a table name.
        """
        ds = cls.__new__(cls)
        ds.name = name
        ds.batch_size = batch_size
        ds.columns = list(columns) if columns is not None else None
        ds._files = None
        ds._fingerprint = None
        ds._pending = None
        ds._counted = None
        ds.missing_markers = missing_markers or MissingMarkers()
        ds.marker_counts = {}
        ds.placeholder_columns = {}
        ds._names = None
        ds.format = "sql"
        ds.source = describe_sql(url, query)
        ds._reader = SqlReader(url, query, batch_size=batch_size)
        ds._validate()
        return ds

    def _wrap(self, source: Any) -> tuple[str, str, Reader]:
        if isinstance(source, pl.LazyFrame):
            reader = LazyReader(self._lazy(source), self.batch_size)
            return "polars-lazy", "polars.LazyFrame", reader
        if isinstance(source, pa.RecordBatchReader):
            return "arrow-stream", "pyarrow.RecordBatchReader", StreamReader(source)
        kind, table, self.placeholder_columns = to_table(source)
        if self.columns is not None:
            select_columns(table.column_names, self.columns, kind)
            table = table.select(self.columns)
        return kind.split(".")[0], kind, TableReader(table, self.batch_size)

    def _lazy(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        if self.columns is None:
            return lf
        select_columns(lf.collect_schema().names(), self.columns, "polars.LazyFrame")
        return lf.select(self.columns)

    def _validate(self) -> None:
        raw = self._reader.schema.names
        if isinstance(self._reader, StreamReader | SqlReader):
            select_columns(raw, self.columns, self.source)
        names, renamed = placeholder_names(self._selected_schema().names)
        check_names(names, f"{self.name} data ({self.source})")
        if renamed:
            self._names = names
            self.placeholder_columns |= renamed
        if self.placeholder_columns:
            shown = ", ".join(f"{k} (was {v!r})" for k, v in self.placeholder_columns.items())
            warnings.warn(
                f"the {self.name} data ({self.source}) has columns without a name; "
                f"they are called {shown}",
                MLAuditWarning,
                stacklevel=3,
            )

    @property
    def dialect(self) -> CsvDialect | None:
        """How a CSV file was read (given or detected); None for other sources."""
        return self._reader.dialect if isinstance(self._reader, CsvReader) else None

    @property
    def renamed_columns(self) -> list[str]:
        """Repeated column names renamed with a suffix (``rename_duplicates``)."""
        return list(self._reader.renamed) if isinstance(self._reader, CsvReader) else []

    # -- reading -------------------------------------------------------------------------------

    def _selected_schema(self) -> pa.Schema:
        schema = self._reader.schema
        if self.columns is not None and isinstance(self._reader, StreamReader | SqlReader):
            return pa.schema([schema.field(c) for c in self.columns])
        return schema

    @property
    def arrow_schema(self) -> pa.Schema:
        """Arrow schema of the batches (blank column names replaced by placeholders)."""
        schema = self._selected_schema()
        schema = schema if self._names is None else _renamed_schema(schema, self._names)
        if self._derived is not None:
            for f in self._derived.fields:
                schema = schema.append(f)
        return schema

    def with_derived(self, derived: DerivedColumns) -> Dataset:
        """This data set with columns computed from each batch appended (a model's
        predictions); the source, its fingerprint and its counts are those of this one."""
        clash = [f.name for f in derived.fields if f.name in self.arrow_schema.names]
        if clash:
            raise SchemaError(
                f"the {self.name} data already has column(s) {clash}, which the audit adds",
                fix="rename those columns in the data",
            )
        out = copy.copy(self)
        out._derived = derived
        return out

    def _derive(self, batch: pa.RecordBatch, offset: int) -> pa.RecordBatch:
        if self._derived is None:
            return batch
        arrays = self._derived(batch, offset)
        for f, a in zip(self._derived.fields, arrays, strict=True):
            batch = batch.append_column(f, a)
        return batch

    @property
    def num_rows(self) -> int | None:
        """Row count when known without a scan (Parquet/IPC metadata, frames) or after one."""
        known = self._reader.num_rows
        return known if known is not None else self._counted

    def column_batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        """Stream only ``columns`` (names as :attr:`arrow_schema` gives them), declared missing
        markers applied; Parquet reads just those columns from disk.

        A pass for a few columns (the model columns of the windows pass): it leaves the counts
        the full pass keeps (:attr:`marker_counts`, the row count) untouched.
        """
        wanted = list(columns)
        if not isinstance(self._reader, ParquetReader):
            for batch in self.batches():
                yield batch.select(wanted)
            return
        derived = {f.name for f in self._derived.fields} if self._derived is not None else set()
        if derived & set(wanted):
            assert self._derived is not None
            base = [c for c in wanted if c not in derived]
            read = base + [c for c in self._derived.inputs if c not in base]
            offset = 0
            for batch in self._read_columns(read):
                full = self._derive(batch, offset)
                offset += batch.num_rows
                yield full.select(wanted)
            return
        yield from self._read_columns(wanted)

    def _read_columns(self, wanted: list[str]) -> Iterator[pa.RecordBatch]:
        assert isinstance(self._reader, ParquetReader)
        shown = self._base_names()
        source = self._selected_schema().names
        by_name = dict(zip(shown, source, strict=True))
        missing = [c for c in wanted if c not in by_name]
        if missing:
            raise SchemaError(
                f"the {self.name} data has no column(s) {missing}",
                fix=f"use one of: {', '.join(shown[:20])}",
            )
        for batch in self._reader.batches([by_name[c] for c in wanted]):
            batch = batch.rename_columns(wanted)
            if self.missing_markers:
                batch, _ = apply_missing_markers(batch, self.missing_markers)
            yield batch

    def batches(self) -> Generator[pa.RecordBatch, None, None]:
        """Stream the data as record batches of at most ``batch_size`` rows (re-iterable)."""
        offset = 0
        for batch in self._base_batches():
            yield self._derive(batch, offset)
            offset += batch.num_rows

    def _base_schema(self) -> pa.Schema:
        schema = self._selected_schema()
        return schema if self._names is None else _renamed_schema(schema, self._names)

    def _base_names(self) -> list[str]:
        schema = self._selected_schema()
        return list(self._names) if self._names is not None else list(schema.names)

    def _base_batches(self) -> Generator[pa.RecordBatch, None, None]:
        """The source's batches, renamed and with missing markers applied (no derived columns)."""
        select = self.columns is not None and isinstance(self._reader, StreamReader | SqlReader)
        n = 0
        found: dict[str, dict[str, int]] = {}
        for batch in self._reader.batches():
            n += batch.num_rows
            if select and self.columns:
                batch = batch.select(self.columns)
            if self._names is not None:
                batch = batch.rename_columns(self._names)
            if self.missing_markers:
                batch, counts = apply_missing_markers(batch, self.missing_markers)
                _add_counts(found, counts)
            yield batch
        self._counted = n
        self.marker_counts = found

    def head(self, n: int = 5) -> pl.DataFrame:
        """The first ``n`` rows as a polars DataFrame (reads only what it needs)."""
        lazy_ok = self._names is None and not self.missing_markers and self._derived is None
        if isinstance(self._reader, LazyReader) and lazy_ok:
            return self._reader.lf.head(n).collect()
        parts: list[pa.RecordBatch] = []
        got = 0
        stream = self.batches()
        try:
            for batch in stream:
                parts.append(batch.slice(0, n - got))
                got += parts[-1].num_rows
                if got >= n:  # stop before the next batch is decoded
                    break
        finally:
            stream.close()
        return _to_polars(pa.Table.from_batches(parts, schema=self.arrow_schema))

    def to_polars(self) -> pl.DataFrame:
        """All rows as a polars DataFrame (materialises the data: for small data only)."""
        table = pa.Table.from_batches(list(self.batches()), schema=self.arrow_schema)
        return _to_polars(table)

    def require_rows(self) -> None:
        """Raise :class:`DataError` if the data set has no rows.

        Zero rows is valid data for reading, but nothing can be audited on it.
        """
        rows = self.num_rows
        if rows is None:
            rows = self.head(1).height
        if rows == 0:
            raise DataError(
                f"the {self.name} data ({self.source}) has no rows",
                fix="check the file, the query or the filter that produced it",
            )

    def fingerprint(self) -> str:
        """``"sha256:<hex>"``: of the bytes for files, of the content for frames and queries."""
        if self._fingerprint is None:
            if self._pending is not None:
                pending, self._pending = self._pending, None
                self._fingerprint = pending.result()  # the hashing thread's error, if any
            elif self._files is not None:
                self._fingerprint = _file_fingerprint(self._files)
            else:
                self._fingerprint = fingerprint_batches(self._base_batches(), self._base_schema())
        return self._fingerprint

    def prefetch_fingerprint(self) -> None:
        """Start hashing the files in a background thread; :meth:`fingerprint` then waits for it.

        File reads and SHA-256 release the GIL, so the hashing (about 0.1 s per 100 MB here)
        overlaps the audit instead of following it.  Frames and queries are hashed by content
        on demand, as before (that needs the data read again).
        """
        if self._fingerprint is not None or self._pending is not None or self._files is None:
            return
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlaudit-fingerprint")
        self._pending = pool.submit(_file_fingerprint, self._files)
        pool.shutdown(wait=False)

    def __repr__(self) -> str:
        return f"Dataset({self.source!r}, name={self.name!r}, format={self.format!r})"


def _csv_options(csv: CsvOptions | Mapping[str, Any] | None) -> CsvOptions | None:
    if csv is None or isinstance(csv, CsvOptions):
        return csv
    values = dict(csv)
    if values.get("null_values") is not None:
        values["null_values"] = tuple(values["null_values"])
    try:
        return CsvOptions(**values)
    except TypeError as exc:
        raise DataError(
            f"unknown CSV option in {sorted(values)}: {exc}",
            fix="use separator, decimal, quote, header, null_values, skip_initial_space, "
            "rename_duplicates",
        ) from None


def _file_fingerprint(spec: FileSpec) -> str:
    if spec.root is None:
        return fingerprint_file(spec.paths[0])
    return fingerprint_files(spec.paths, spec.root)


def _to_polars(table: pa.Table) -> pl.DataFrame:
    out = pl.from_arrow(table, rechunk=False)
    assert isinstance(out, pl.DataFrame)
    return out


def _renamed_schema(schema: pa.Schema, names: list[str]) -> pa.Schema:
    return pa.schema(
        [f.with_name(n) for f, n in zip(schema, names, strict=True)], metadata=schema.metadata
    )
