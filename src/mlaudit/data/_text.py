"""Block-based streaming readers for text files: CSV/TSV and JSON lines.

Types come from the first block (4 MiB); a value larger than a block makes the reader start
again with a bigger block (up to 1 GiB), keeping the types it already inferred.
"""

from __future__ import annotations

import csv
import warnings
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson

from mlaudit._lazy import lazy_import
from mlaudit.data._dialect import (
    SEPARATORS,
    CsvDialect,
    CsvOptions,
    detect_dialect,
    dialect_names,
)
from mlaudit.data._files import FileReader, FileSpec, select_columns, slice_batch
from mlaudit.errors import ConfigError, DataSourceError, MLAuditWarning, SchemaError

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

    def _convert(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch as the caller sees it (CSV converts decimal commas here)."""
        return batch

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
                    batch = select_columns(self._convert(raw), self.columns).slice(
                        max(done - start, 0)
                    )
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
    """CSV/TSV read block by block with ``pyarrow.csv.open_csv``; types from the first block.

    The dialect (separator, quote, decimal mark, header) is what the user gave, else detected
    on the first 64 KiB (:func:`~mlaudit.data._dialect.detect_dialect`).  Decimal-comma columns
    are read as text and converted batch by batch, so memory stays bounded.
    """

    def __init__(
        self,
        spec: FileSpec,
        *,
        batch_size: int,
        encoding: str,
        columns: list[str] | None,
        options: CsvOptions | None = None,
    ) -> None:
        super().__init__(spec, batch_size=batch_size, encoding=encoding, columns=columns)
        default = "\t" if spec.format == "tsv" else ","
        self.dialect = detect_dialect(
            self.path, encoding=encoding, options=options or CsvOptions(), default_separator=default
        )
        self.renamed: list[str] = []
        self._names: list[str] | None = None
        self._decimal: list[str] = []

    @property
    def delimiter(self) -> str:
        """Field separator (given or detected)."""
        return self.dialect.separator

    def _read_schema(self) -> pa.Schema:
        raw = self._open_grow()  # the header's names as they are (column_N without a header)
        names = self._column_names(raw.schema.names)
        if names != raw.schema.names or self._decimal:
            self._names = names
            raw = self._open_grow()
        self._check_single_column(raw.schema.names)
        fields = [
            pa.field(f.name, pa.float64()) if f.name in self._decimal else f for f in raw.schema
        ]
        return pa.schema(fields)

    def _column_names(self, names: list[str]) -> list[str]:
        """The names after stripping and renaming (with a warning); decimal columns noted."""
        d = self.dialect
        if not d.header:
            names = [f"column_{i + 1}" for i in range(len(names))]
        names, self.renamed = dialect_names(names, d)
        _check_duplicates(names, self.spec.display)
        if self.renamed:
            warnings.warn(
                f"file {self.spec.display!r}: repeated column names renamed with a suffix "
                f"({', '.join(sorted(set(self.renamed)))}): the second is NAME_2",
                MLAuditWarning,
                stacklevel=2,
            )
        self._decimal = [names[i] for i in d.decimal_columns if i < len(names)]
        return names

    def _check_single_column(self, names: list[str]) -> None:
        if len(names) != 1:
            return
        seps = [s for s in (*SEPARATORS, ",") if s in names[0] and s != self.delimiter]
        if seps:
            raise SchemaError(
                f"file {self.spec.display!r} was read as one column named {names[0]!r}, whose "
                f"name holds {seps[0]!r}: the separator is probably {seps[0]!r}, not "
                f"{self.delimiter!r}",
                fix=f"pass separator={seps[0]!r} (--separator on the CLI, 'separator:' under "
                "the input in audit.yaml)",
            )

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

    def _convert(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Decimal-comma columns to numbers; leading spaces stripped when asked."""
        if not self._decimal and not self.dialect.skip_initial_space:
            return batch
        arrays = []
        for f, col in zip(batch.schema, batch.columns, strict=True):
            if f.name in self._decimal:
                col = _decimal_comma(col, f.name, self.spec.display)
            elif self.dialect.skip_initial_space and pa.types.is_string(f.type):
                col = pc.utf8_ltrim(col, characters=" ")
            arrays.append(col)
        return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)

    def _open_typed(
        self,
        block_size: int,
        types: dict[str, pa.DataType] | None,
        only: list[str] | None = None,
    ) -> pa.RecordBatchReader:
        d = self.dialect
        read = pacsv.ReadOptions(block_size=block_size, encoding=self.encoding)
        if self._names is None:
            read.autogenerate_column_names = not d.header
        else:
            read.column_names = self._names
            read.skip_rows = 1 if d.header else 0
        parse = pacsv.ParseOptions(delimiter=d.separator, quote_char=d.quote)
        column_types = dict.fromkeys(self._decimal, pa.string()) | (types or {})
        convert = pacsv.ConvertOptions(
            column_types=column_types,
            strings_can_be_null=True,
            include_columns=only or [],
            null_values=_null_values(d),
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
                f"{where} is malformed{at}: {msg.split(': ', 1)[-1]} (read with "
                f"{self.dialect.describe()})",
                fix="fix the row (a missing or extra separator, or an unquoted separator), "
                "or pass the right separator (--separator)",
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
            return ConfigError(
                f"unknown encoding {self.encoding!r}",
                fix="use a Python codec name such as 'utf-8', 'latin-1' or 'cp1252'",
            )
        return DataSourceError(f"cannot read CSV {where}: {msg}", fix="check the file")


def _null_values(d: CsvDialect) -> list[str]:
    """The strings read as missing; with ``skip_initial_space``, also after a space."""
    base = list(d.null_values) if d.null_values is not None else _PYARROW_NULLS
    if d.skip_initial_space:
        base = base + [" " + v for v in base if v]
    return base


_PYARROW_NULLS: list[str] = list(pacsv.ConvertOptions().null_values)


def _decimal_comma(col: pa.Array, name: str, where: str) -> pa.Array:
    """Decimal-comma text (``-1,5``) to float64; a value that is not one is an error."""
    text = pc.replace_substring(pc.utf8_trim_whitespace(col), ",", ".")
    try:
        return text.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(text, r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
        bad = pc.filter(col, pc.invert(ok))
        shown = bad[0].as_py() if len(bad) else "?"
        raise DataSourceError(
            f"file {where!r}: column {name!r} holds decimal-comma numbers in the first rows "
            f"but later the value {shown!r}, which is not a number",
            fix="clean the column, or pass decimal='.' to read it as text",
        ) from None


def _check_duplicates(names: list[str], where: str) -> None:
    seen: set[str] = set()
    dups = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dups:
        raise SchemaError(
            f"file {where!r} has duplicated column names: {', '.join(map(repr, dups))}",
            fix="rename them in the source, or pass rename_duplicates=True "
            "(--rename-duplicates on the CLI) to suffix the repeats (NAME_2) with a warning",
        )


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
