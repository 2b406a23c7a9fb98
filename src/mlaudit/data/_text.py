"""Block-based streaming readers for text files: CSV/TSV and JSON lines.

Types come from the first block (4 MiB); a value larger than a block makes the reader start
again with a bigger block (up to 1 GiB), keeping the types it already inferred.
"""

from __future__ import annotations

import csv
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson

from mlaudit._lazy import lazy_import
from mlaudit.data._files import FileReader, FileSpec, select_columns, slice_batch
from mlaudit.errors import DataSourceError, SchemaError

if TYPE_CHECKING:
    import pyarrow.compute as pc
else:  # imported on first use (mlaudit._lazy)
    pc = lazy_import("pyarrow.compute")

__all__ = ["CsvReader", "JsonReader"]

_FIRST_BLOCK = 4 << 20  # block size in bytes; also the type-inference window
_MAX_BLOCK = 1 << 30  # retry limit for values larger than a block


class _TextReader(FileReader):
    """Shared retry logic of the block-based text readers (CSV, JSON lines)."""

    def __init__(
        self, spec: FileSpec, *, batch_size: int, encoding: str, columns: list[str] | None
    ) -> None:
        super().__init__(spec, batch_size=batch_size, columns=columns)
        self.encoding = encoding
        self.block_size = _FIRST_BLOCK
        self._full_schema = pa.schema([])

    @abstractmethod
    def _open_raw(self, block_size: int) -> pa.RecordBatchReader:
        """A reader of the file with blocks of ``block_size`` bytes."""

    @abstractmethod
    def _translate(self, exc: pa.ArrowException) -> Exception:
        """The clear error for a reading failure of this format."""

    def _open_grow(self) -> pa.RecordBatchReader:
        """Open, doubling the block size while a value straddles blocks (up to 1 GiB)."""
        while True:
            try:
                return self._open_raw(self.block_size)
            except pa.ArrowInvalid as exc:
                if "straddl" in str(exc) and self.block_size < _MAX_BLOCK:
                    self.block_size = min(self.block_size * 4, _MAX_BLOCK)
                    continue
                raise self._translate(exc) from None
            except (pa.ArrowException, OSError, UnicodeError, LookupError) as exc:
                raise self._translate(exc) from None

    def _read_schema(self) -> pa.Schema:
        schema: pa.Schema = self._open_grow().schema
        return schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Stream blocks; restart with a bigger block if a value straddles two blocks."""
        self.schema  # noqa: B018 - validates names and columns
        done = 0  # rows given to the caller so far
        while True:
            reader = self._open_grow()
            seen = 0  # rows read in this attempt
            try:
                for raw in reader:
                    start, seen = seen, seen + raw.num_rows
                    if seen <= done:
                        continue  # already given before a restart
                    batch = select_columns(raw, self.columns).slice(max(done - start, 0))
                    for part in slice_batch(batch, self.batch_size):
                        done += part.num_rows
                        yield part
                return
            except pa.ArrowInvalid as exc:
                if "straddl" in str(exc) and self.block_size < _MAX_BLOCK:
                    self.block_size = min(self.block_size * 4, _MAX_BLOCK)
                    continue
                raise self._translate(exc) from None
            except (pa.ArrowException, UnicodeError) as exc:
                raise self._translate(exc) from None


_UTF8_FIX = "pass encoding='latin-1' (or the file's real encoding; --encoding on the CLI)"


class CsvReader(_TextReader):
    """CSV/TSV read block by block with ``pyarrow.csv.open_csv``; types from the first block."""

    @property
    def delimiter(self) -> str:
        """Field separator: tab for TSV, else comma."""
        return "\t" if self.spec.format == "tsv" else ","

    def _open_raw(self, block_size: int) -> pa.RecordBatchReader:
        types = None
        if self._schema is not None:  # keep the first block's types when restarting
            types = {f.name: f.type for f in self._full_schema}
        reader = self._open_typed(block_size, types)
        if types is None:
            nulls = [f.name for f in reader.schema if pa.types.is_null(f.type)]
            if nulls and self.path.stat().st_size > block_size:
                found = self._sparse_types(block_size, nulls)
                if found:
                    reader = self._open_typed(block_size, found)
        self._full_schema = reader.schema
        self._check_binary(reader.schema)
        return reader

    def _open_typed(
        self, block_size: int, types: dict[str, pa.DataType] | None, only: list[str] | None = None
    ) -> pa.RecordBatchReader:
        read = pacsv.ReadOptions(block_size=block_size, encoding=self.encoding)
        parse = pacsv.ParseOptions(delimiter=self.delimiter)
        convert = pacsv.ConvertOptions(
            column_types=types or {}, strings_can_be_null=True, include_columns=only or []
        )
        return pacsv.open_csv(
            str(self.path), read_options=read, parse_options=parse, convert_options=convert
        )

    def _sparse_types(self, block_size: int, nulls: list[str]) -> dict[str, pa.DataType]:
        """Types of the columns empty in the first block, from their first non-empty values."""
        reader = self._open_typed(block_size, dict.fromkeys(nulls, pa.string()), only=nulls)
        found: dict[str, pa.DataType] = {}
        for batch in reader:
            for name in nulls:
                values = batch.column(name).drop_null()
                if name not in found and len(values):
                    found[name] = _guess_type(values)
            if len(found) == len(nulls):
                break
        return found

    def _check_binary(self, schema: pa.Schema) -> None:
        binary = [f.name for f in schema if pa.types.is_binary(f.type)]
        if binary:
            raise DataSourceError(
                f"file {str(self.path)!r} is not valid {self.encoding}: column "
                f"{binary[0]!r} holds bytes that do not decode",
                fix=_UTF8_FIX,
            )

    def _translate(self, exc: pa.ArrowException) -> Exception:
        msg = str(exc)
        where = f"file {str(self.path)!r}"
        if "Empty CSV file or block" in msg:
            return SchemaError(f"{where} has no columns (no header line)", fix="add a header")
        if "Empty CSV file" in msg:
            return DataSourceError(f"{where} is empty", fix="check the export that wrote it")
        if "Expected" in msg and "columns, got" in msg:
            line = _ragged_line(self.path, self.encoding, self.delimiter)
            at = f" at line {line}" if line is not None else ""
            return DataSourceError(
                f"{where} is malformed{at}: {msg.split(': ', 1)[-1]}",
                fix="fix the row (a missing or extra separator, or an unquoted separator)",
            )
        if "UTF8" in msg or "UTF-8" in msg or isinstance(exc, UnicodeError):
            return DataSourceError(f"{where} is not valid {self.encoding}: {msg}", fix=_UTF8_FIX)
        if "conversion error" in msg:
            return DataSourceError(
                f"{where}: a value later in the file does not fit the column type inferred "
                f"from the first rows ({msg})",
                fix="the column mixes types; clean it, or convert the file to Parquet with "
                "explicit types",
            )
        if isinstance(exc, LookupError):
            return DataSourceError(f"unknown encoding {self.encoding!r}", fix="use e.g. 'utf-8'")
        return DataSourceError(f"cannot read CSV {where}: {msg}", fix="check the file")


def _guess_type(values: pa.Array) -> pa.DataType:
    """The first of int64, float64, bool, timestamp that every string converts to, else string."""
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    if pc.all(pc.is_in(lowered, pa.array(["true", "false"]))).as_py():
        return pa.bool_()
    for t in (pa.int64(), pa.float64(), pa.timestamp("s")):
        try:
            values.cast(t)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return t
    return pa.string()


def _ragged_line(path: Path, encoding: str, delimiter: str) -> int | None:
    """1-based line number of the first row whose field count differs from the header's."""
    try:
        with path.open(encoding=encoding, errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                return None
            for row in reader:
                if row and len(row) != len(header):
                    return reader.line_num
    except (OSError, csv.Error):
        return None
    return None


class JsonReader(_TextReader):
    """JSON lines read block by block with ``pyarrow.json.open_json``."""

    def _open_raw(self, block_size: int) -> pa.RecordBatchReader:
        if self.encoding.lower().replace("-", "") not in ("utf8", "ascii"):
            raise DataSourceError(
                f"JSON lines file {str(self.path)!r}: only UTF-8 is supported for JSON "
                f"(encoding={self.encoding!r} was asked)",
                fix="re-encode the file as UTF-8",
            )
        opts = pajson.ReadOptions(block_size=block_size)
        parse = None
        if self._schema is not None:
            parse = pajson.ParseOptions(explicit_schema=self._full_schema)
        reader = pajson.open_json(str(self.path), read_options=opts, parse_options=parse)
        self._full_schema = reader.schema
        return reader

    def _translate(self, exc: pa.ArrowException) -> Exception:
        msg = str(exc)
        where = f"JSON lines file {str(self.path)!r}"
        if "UTF8" in msg or "UTF-8" in msg:
            return DataSourceError(f"{where} is not valid UTF-8: {msg}", fix="re-encode as UTF-8")
        if "Empty" in msg:
            return DataSourceError(f"{where} has no records", fix="check the export")
        return DataSourceError(
            f"{where} is malformed: {msg}",
            fix="write one JSON object per line (JSON lines), with the same keys on each line",
        )
