"""Streaming readers for files: CSV/TSV, Parquet (file, directory, glob), JSON lines, Arrow IPC.

Every reader yields :class:`pyarrow.RecordBatch` objects of at most ``batch_size`` rows and keeps
memory bounded by one block.  Errors from pyarrow are translated into :mod:`mlaudit.errors`
classes that name the file, the problem and the fix.
"""

from __future__ import annotations

import difflib
import glob as globmod
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.ipc as paipc
import pyarrow.parquet as pq

from mlaudit.errors import DataSourceError, SchemaError

__all__ = [
    "FileFormat",
    "FileReader",
    "FileSpec",
    "IpcReader",
    "ParquetReader",
    "check_names",
    "parse_format",
    "resolve_path",
]

FileFormat = Literal["csv", "tsv", "parquet", "jsonl", "arrow"]

_EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}
_FORMAT_ALIASES: dict[str, FileFormat] = {
    "csv": "csv",
    "tsv": "tsv",
    "parquet": "parquet",
    "jsonl": "jsonl",
    "json": "jsonl",
    "ndjson": "jsonl",
    "arrow": "arrow",
    "feather": "arrow",
    "ipc": "arrow",
}
_SUPPORTED = ".csv, .tsv, .txt, .parquet, .pq, .jsonl, .ndjson, .json, .arrow, .feather, .ipc"


@dataclass(frozen=True)
class FileSpec:
    """Resolved file input: the files to read (in order), their format and the root for hashes."""

    paths: tuple[Path, ...]
    format: FileFormat
    root: Path | None
    display: str


# -- resolving paths ---------------------------------------------------------------------------


def parse_format(fmt: str) -> FileFormat:
    """Normalise a user-given format name."""
    try:
        return _FORMAT_ALIASES[fmt.lower()]
    except KeyError:
        raise DataSourceError(
            f"unknown format {fmt!r}",
            fix=f"use one of: {', '.join(sorted(set(_FORMAT_ALIASES)))}",
        ) from None


def resolve_path(source: str | Path, fmt: str | None) -> FileSpec:
    """Resolve a file, a directory of Parquet files or a glob into a :class:`FileSpec`."""
    text = str(source)
    path = Path(text).expanduser()
    forced = parse_format(fmt) if fmt is not None else None
    if path.is_dir():
        files = _parquet_files(path)
        if not files:
            raise DataSourceError(
                f"directory {text!r} contains no Parquet files ({_listing(path)})",
                fix="point to a Parquet file, a directory of *.parquet files or a single CSV file",
            )
        return FileSpec(tuple(files), _multi_format(forced, text), path, text)
    if not path.exists() and any(ch in text for ch in "*?["):
        return _resolve_glob(text, forced)
    if path.exists() and not path.is_file():
        raise DataSourceError(
            f"{text!r} is not a regular file (a named pipe, socket or device)",
            fix="mlaudit reads its inputs more than once: save the stream to a file first",
        )
    if not path.is_file():
        raise DataSourceError(f"file {text!r} does not exist{_suggest(path)}", fix=_fix_missing())
    chosen = forced or _format_from_extension(path)
    _check_content(path, chosen, forced is not None)
    return FileSpec((path,), chosen, None, text)


def _resolve_glob(pattern: str, forced: FileFormat | None) -> FileSpec:
    matches = sorted(Path(p) for p in globmod.glob(pattern, recursive=True) if Path(p).is_file())
    if not matches:
        raise DataSourceError(
            f"no file matches the pattern {pattern!r}", fix="check the directory and the pattern"
        )
    fmt = _multi_format(forced, pattern)
    bad = [str(p) for p in matches if p.suffix.lower() not in (".parquet", ".pq")]
    if bad:
        raise DataSourceError(
            f"the pattern {pattern!r} matches files that are not Parquet: {', '.join(bad[:5])}",
            fix="globs are supported for Parquet files only; narrow the pattern to *.parquet",
        )
    base = Path(pattern.split("*")[0].split("?")[0].split("[")[0])
    root = base if base.is_dir() else base.parent
    return FileSpec(tuple(matches), fmt, root, pattern)


def _multi_format(forced: FileFormat | None, text: str) -> FileFormat:
    if forced not in (None, "parquet"):
        raise DataSourceError(
            f"{text!r} names several files, which is supported for Parquet only "
            f"(format={forced!r} was asked)",
            fix="pass a single file, or convert the files to Parquet",
        )
    return "parquet"


def _parquet_files(directory: Path) -> list[Path]:
    out = []
    for p in directory.rglob("*"):
        rel = p.relative_to(directory).parts
        if any(part.startswith((".", "_")) for part in rel):
            continue  # _SUCCESS, _metadata, .crc files and hidden directories
        if p.is_file() and p.suffix.lower() in (".parquet", ".pq"):
            out.append(p)
    return sorted(out, key=lambda p: p.relative_to(directory).as_posix())


def _listing(directory: Path) -> str:
    names = sorted(p.name for p in directory.iterdir())
    if not names:
        return "it is empty"
    more = f", ... {len(names) - 8} more" if len(names) > 8 else ""
    return "found: " + ", ".join(names[:8]) + more


def _suggest(path: Path) -> str:
    parent = path.parent
    if not parent.is_dir():
        return f" (its directory {str(parent)!r} does not exist either)"
    names = [p.name for p in parent.iterdir()]
    close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(str(parent / c)) for c in close) + "?"


def _fix_missing() -> str:
    return "check the path (relative paths start from the current directory or the config file)"


def _format_from_extension(path: Path) -> FileFormat:
    ext = path.suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    looks = _sniff(path)
    hint = f"; its content looks like {looks}" if looks else ""
    raise DataSourceError(
        f"cannot tell the format of {str(path)!r} from its extension {ext or '(none)'!r}{hint}",
        fix=f"use one of the extensions {_SUPPORTED}, or set the input's format "
        "(format= in Python, 'format:' under the input in audit.yaml)",
    )


# -- content sniffing --------------------------------------------------------------------------

_LOOKS_FORMAT: dict[str, FileFormat] = {
    "Parquet": "parquet",
    "Arrow IPC": "arrow",
    "JSON lines": "jsonl",
    "CSV text": "csv",
}


def _sniff(path: Path) -> str | None:
    """A plain description of what the file's first bytes look like, or None if empty."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        return None
    magic = [
        (b"PAR1", "Parquet"),
        (b"ARROW1", "Arrow IPC"),
        (b"\xff\xff\xff\xff", "Arrow IPC"),
        (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
        (b"PK\x03\x04", "a zip archive or an Excel workbook (export it as CSV or Parquet)"),
        (b"SQLite format 3", "an SQLite database (use Dataset.from_sql)"),
    ]
    for prefix, name in magic:
        if head.startswith(prefix):
            return name
    if b"\x00" in head:
        return "binary data of an unknown format"
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "JSON lines"
    if stripped.startswith(b"["):
        return "a JSON array (only JSON lines, one object per line, is supported)"
    return "CSV text"


def _check_content(path: Path, fmt: FileFormat, forced: bool) -> None:
    if path.stat().st_size == 0:
        raise DataSourceError(
            f"file {str(path)!r} is empty (0 bytes)", fix="check the export that wrote it"
        )
    looks = _sniff(path)
    expected = "csv" if fmt == "tsv" else fmt
    if looks is not None and _LOOKS_FORMAT.get(looks) == expected:
        return
    if looks is None:
        return
    how = f"was to be read as {fmt} (format={fmt!r})" if forced else f"is named {path.suffix!r}"
    guess = _LOOKS_FORMAT.get(looks)
    fix = (
        f"rename it, or set format={guess!r} (in Python) / 'format: {guess}' under the input in "
        "audit.yaml"
        if guess
        else "convert it to CSV or Parquet"
    )
    raise DataSourceError(f"file {str(path)!r} {how} but its content looks like {looks}", fix=fix)


# -- names -------------------------------------------------------------------------------------


ROW_COLUMN = "__row__"
"""The column that carries each sampled row's number (reserved: no data column may use it)."""


def check_names(names: list[str], where: str) -> None:
    """Reject zero columns and duplicated column names with a clear message."""
    if not names:
        raise SchemaError(f"{where} has no columns", fix="check the header line or the export")
    if ROW_COLUMN in names:
        raise SchemaError(
            f"{where} has a column named {ROW_COLUMN!r}, the name mlaudit gives row numbers",
            fix="rename that column in the source (or select the others with columns=[...])",
        )
    seen: set[str] = set()
    dups = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dups:
        raise SchemaError(
            f"{where} has duplicated column names: {', '.join(map(repr, dups))}",
            fix="give every column a unique name (rename the duplicates in the source)",
        )


# -- readers -----------------------------------------------------------------------------------


def slice_batch(batch: pa.RecordBatch, size: int) -> Iterator[pa.RecordBatch]:
    for start in range(0, batch.num_rows, size):
        yield batch.slice(start, size)


def select_columns(batch: pa.RecordBatch, columns: list[str] | None) -> pa.RecordBatch:
    return batch if columns is None else batch.select(columns)


class FileReader(ABC):
    """Base reader: ``schema``, ``num_rows`` (None when unknown) and ``batches()``."""

    def __init__(self, spec: FileSpec, *, batch_size: int, columns: list[str] | None) -> None:
        self.spec = spec
        self.batch_size = batch_size
        self.columns = columns
        self._schema: pa.Schema | None = None

    @property
    def path(self) -> Path:
        """The first (usually only) file."""
        return self.spec.paths[0]

    @property
    def schema(self) -> pa.Schema:
        """Arrow schema of the batches (after column selection)."""
        if self._schema is None:
            full = self._read_schema()
            check_names(full.names, f"file {self.spec.display!r}")
            _check_columns(full.names, self.columns, self.spec.display)
            self._schema = (
                full if self.columns is None else pa.schema([full.field(c) for c in self.columns])
            )
        return self._schema

    @property
    def num_rows(self) -> int | None:
        """Rows in the file when known without a scan."""
        return None

    @abstractmethod
    def _read_schema(self) -> pa.Schema:
        """The file's schema, read from its header or first block."""

    @abstractmethod
    def batches(self) -> Iterator[pa.RecordBatch]:
        """Stream the batches."""


def _check_columns(names: list[str], wanted: list[str] | None, where: str) -> None:
    if wanted is None:
        return
    for col in wanted:
        if col not in names:
            close = difflib.get_close_matches(col, names, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise SchemaError(
                f"column {col!r} asked for in columns= is not in {where!r}{hint}",
                fix=f"use one of: {', '.join(names[:20])}",
            )


class ParquetReader(FileReader):
    """One or several Parquet files read row group by row group."""

    def _open(self, path: Path) -> pq.ParquetFile:
        # pre_buffer=False: with pre-buffering, iter_batches keeps the buffers of every row
        # group read so far (measured: 1.3 GB of Arrow memory after 10M rows of a 50M-row file,
        # 0.1 GB without), which breaks the bounded-memory promise of streaming.
        try:
            return pq.ParquetFile(path, pre_buffer=False)
        except (pa.ArrowException, OSError) as exc:
            raise DataSourceError(
                f"cannot read Parquet file {str(path)!r}: {exc}",
                fix="check that the file is complete (not truncated) and really Parquet",
            ) from None

    def _read_schema(self) -> pa.Schema:
        first: pa.Schema = self._open(self.path).schema_arrow
        for p in self.spec.paths[1:]:
            other = self._open(p).schema_arrow
            if not other.remove_metadata().equals(first.remove_metadata()):
                raise SchemaError(
                    f"Parquet file {str(p)!r} has columns or types different from "
                    f"{str(self.path)!r} ({_schema_diff(first, other)})",
                    fix="keep only files of the same table in the directory or glob",
                )
        return first

    @property
    def num_rows(self) -> int | None:
        """Exact, from the files' footers."""
        return sum(int(self._open(p).metadata.num_rows) for p in self.spec.paths)

    def batches(self, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """Stream row groups as batches of at most ``batch_size`` rows (only ``columns``, read
        from the files alone, when given)."""
        schema = self.schema
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])
        for p in self.spec.paths:
            pf = self._open(p)
            read = columns if columns is not None else self.columns
            batches = pf.iter_batches(batch_size=self.batch_size, columns=read)
            done = 0
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except (OSError, pa.ArrowException) as exc:
                    raise DataSourceError(
                        f"file {str(p)!r} is damaged: the data after row {done:,} cannot be "
                        f"read ({str(exc).strip().splitlines()[0]})",
                        fix="export the file again; the rows before that point read fine",
                    ) from None
                done += batch.num_rows
                yield batch.cast(schema) if not batch.schema.equals(schema) else batch


def _schema_diff(a: pa.Schema, b: pa.Schema) -> str:
    fa = {f.name: str(f.type) for f in a}
    fb = {f.name: str(f.type) for f in b}
    parts = [f"missing {n!r}" for n in fa if n not in fb]
    parts += [f"extra {n!r}" for n in fb if n not in fa]
    parts += [f"{n!r} is {fb[n]} not {t}" for n, t in fa.items() if n in fb and fb[n] != t]
    return "; ".join(parts[:5]) or "column order differs"


class IpcReader(FileReader):
    """Arrow IPC file (Feather v2) or stream format."""

    def _open(self) -> paipc.RecordBatchFileReader | paipc.RecordBatchStreamReader:
        try:
            source = pa.memory_map(str(self.path), "r")
            try:
                return paipc.open_file(source)
            except pa.ArrowInvalid:
                return paipc.open_stream(pa.memory_map(str(self.path), "r"))
        except (pa.ArrowException, OSError) as exc:
            raise DataSourceError(
                f"cannot read Arrow IPC file {str(self.path)!r}: {exc}",
                fix="check that the file is complete and written by Arrow/Feather v2",
            ) from None

    def _read_schema(self) -> pa.Schema:
        schema: pa.Schema = self._open().schema
        return schema

    @property
    def num_rows(self) -> int | None:
        """Exact for the IPC file format (from its footer); unknown for the stream format."""
        reader = self._open()
        if isinstance(reader, paipc.RecordBatchFileReader):
            return sum(int(reader.get_batch(i).num_rows) for i in range(reader.num_record_batches))
        return None

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Stream record batches, re-sliced to at most ``batch_size`` rows."""
        self.schema  # noqa: B018 - validates names and columns
        reader = self._open()
        if isinstance(reader, paipc.RecordBatchFileReader):
            raw: Iterator[pa.RecordBatch] = (
                reader.get_batch(i) for i in range(reader.num_record_batches)
            )
        else:
            raw = iter(reader)
        for batch in raw:
            yield from slice_batch(select_columns(batch, self.columns), self.batch_size)
