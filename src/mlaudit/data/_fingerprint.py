"""Content fingerprints: ``"sha256:<hex>"`` strings that identify the data an audit read.

Files are hashed byte for byte (streamed); a directory or glob of files is the hash of the
sorted list of (relative path, file hash).  In-memory frames and query results are hashed by
*content*: each column is turned into a canonical byte stream that does not depend on how the
data is chunked, nor on the storage width of a type (``int32`` and ``int64`` holding the same
numbers hash alike, as do ``string`` and ``large_string``, timestamps in ``us`` and ``ns``, or a
dictionary-encoded column and its decoded values; a date hashes as midnight of that day).  So
the same table given as pandas, polars or pyarrow, in one chunk or many, has one fingerprint,
and changing any value changes it.  (pandas NaN in a float column means missing, so it arrives
as a null.)

The canonical encoding (version 1) is, per column, separate SHA-256 streams of: validity (one
byte per row), fixed-width values (little-endian; nulls as zero, NaN canonical), and for strings
and binaries the lengths (int64) and the concatenated bytes.  The final digest covers a version
tag, the row count, and per column its name, type family and stream digests.  It uses only
hashlib and numpy, so it is stable across library versions.
"""

from __future__ import annotations

import glob as globmod
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    import pyarrow.compute as pc
else:  # imported on first use (mlaudit._lazy)
    pc = lazy_import("pyarrow.compute")

__all__ = ["fingerprint_batches", "fingerprint_file", "fingerprint_files", "fingerprint_frame"]

_CHUNK = 1 << 20
_VERSION = b"mlaudit-frame-fingerprint-v1\n"
_NAN = np.frombuffer(np.float64("nan").tobytes(), dtype=np.uint64)[0]
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fingerprint_files(paths: Sequence[Path], root: Path) -> str:
    """Fingerprint of several files: SHA-256 over the sorted (relative path, file hash) lines.

    Parameters
    ----------
    paths
        The files.
    root
        Directory the relative paths are taken from (so moving the whole tree keeps the hash).
    """
    rows = sorted((p.relative_to(root).as_posix(), _file_digest(p)) for p in paths)
    h = hashlib.sha256()
    for rel, digest in rows:
        h.update(f"{rel}\x00{digest}\n".encode())
    return "sha256:" + h.hexdigest()


def fingerprint_file(path: str | Path) -> str:
    """Fingerprint of a file's bytes, or of every file under a directory or matching a glob.

    Parameters
    ----------
    path
        A file, a directory (all regular files below it, hidden ones excluded) or a glob.

    Returns
    -------
    str
        ``"sha256:<64 hex digits>"``.

    Raises
    ------
    FileNotFoundError
        If nothing exists at ``path``.
    """
    p = Path(path)
    if p.is_file():
        return "sha256:" + _file_digest(p)
    if p.is_dir():
        files = [
            f
            for f in p.rglob("*")
            if f.is_file() and not any(s.startswith(".") for s in f.relative_to(p).parts)
        ]
        return fingerprint_files(files, p)
    text = str(path)
    matches = [Path(m) for m in globmod.glob(text, recursive=True) if Path(m).is_file()]
    if not matches:
        raise FileNotFoundError(f"nothing to fingerprint at {text!r}")
    base = Path(text.split("*")[0].split("?")[0].split("[")[0])
    return fingerprint_files(matches, base if base.is_dir() else base.parent)


def fingerprint_frame(df: pl.DataFrame | pa.Table | pa.RecordBatch) -> str:
    """Content fingerprint of an in-memory table, independent of its chunking.

    Parameters
    ----------
    df
        A polars DataFrame, a pyarrow Table or RecordBatch.

    Returns
    -------
    str
        ``"sha256:<64 hex digits>"``.
    """
    table = df.to_arrow() if isinstance(df, pl.DataFrame) else df
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    return fingerprint_batches(table.to_batches(), table.schema)


def fingerprint_batches(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> str:
    """Content fingerprint of a stream of record batches sharing ``schema``.

    Parameters
    ----------
    batches
        The batches, in row order.
    schema
        Their Arrow schema (gives the column names and types, even with no batch).
    """
    hashers = [_ColumnHasher(f.type) for f in schema]
    n_rows = 0
    for batch in batches:
        n_rows += batch.num_rows
        for hasher, column in zip(hashers, batch.columns, strict=True):
            hasher.update(column)
    h = hashlib.sha256(_VERSION)
    h.update(f"rows={n_rows};columns={len(schema)}\n".encode())
    for f, hasher in zip(schema, hashers, strict=True):
        name = f.name.encode()
        h.update(len(name).to_bytes(8, "little") + name)
        h.update(hasher.family.encode() + b"\x00" + hasher.digest() + b"\n")
    return "sha256:" + h.hexdigest()


def _family(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return _family(t.value_type)
    checks: list[tuple[str, bool]] = [
        ("null", pa.types.is_null(t)),
        ("bool", pa.types.is_boolean(t)),
        ("uint64", pa.types.is_uint64(t)),
        ("int", pa.types.is_integer(t)),
        ("float", pa.types.is_floating(t)),
        ("decimal", pa.types.is_decimal(t)),
        ("string", pa.types.is_string(t) or pa.types.is_large_string(t)),
        ("string", pa.types.is_string_view(t)),
        ("binary", pa.types.is_binary(t) or pa.types.is_large_binary(t)),
        ("binary", pa.types.is_binary_view(t) or pa.types.is_fixed_size_binary(t)),
        ("time", pa.types.is_time(t)),
        ("duration", pa.types.is_duration(t)),
    ]
    for name, hit in checks:
        if hit:
            return name
    if pa.types.is_date(t):  # a date is midnight of that day (pandas cannot hold dates)
        return "timestamp"
    if pa.types.is_timestamp(t):
        return "timestamp" if t.tz is None else f"timestamp[{t.tz}]"
    return f"other:{t}"


class _ColumnHasher:
    """Chunk-independent canonical hash streams of one column."""

    def __init__(self, dtype: pa.DataType) -> None:
        self.family = _family(dtype)
        self.valid = hashlib.sha256()
        self.values = hashlib.sha256()
        self.data = hashlib.sha256()

    def digest(self) -> bytes:
        return self.valid.digest() + self.values.digest() + self.data.digest()

    def update(self, arr: pa.Array | pa.ChunkedArray) -> None:
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        self.valid.update(np.asarray(arr.is_valid(), dtype=np.uint8).tobytes())
        fam = self.family
        if fam == "null":
            return
        if fam in ("string", "binary", "decimal"):
            self._bytes(arr.cast(pa.large_string()) if fam == "decimal" else arr)
        elif fam in ("int", "uint64", "bool", "float", "time"):
            self.values.update(_fixed(arr, fam).tobytes())
        elif fam == "duration" or fam.startswith("timestamp"):
            self.values.update(_seconds_nanos(arr).tobytes())
        else:
            for value in arr.to_pylist():
                text = repr(value).encode()
                self.data.update(len(text).to_bytes(8, "little") + text)

    def _bytes(self, arr: pa.Array) -> None:
        arr = pc.fill_null(arr.cast(pa.large_binary()), b"")
        lengths = np.asarray(pc.binary_length(arr), dtype=np.int64)
        self.values.update(lengths.astype("<i8").tobytes())
        if len(arr) == 0:
            return
        offsets_buf, data_buf = arr.buffers()[1], arr.buffers()[2]
        offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
        if data_buf is not None:
            self.data.update(memoryview(data_buf)[int(offsets[0]) : int(offsets[-1])])


def _fixed(arr: pa.Array, fam: str) -> np.ndarray:
    if fam == "bool":
        return np.asarray(pc.fill_null(arr, False), dtype=np.uint8)
    if fam == "float":
        v = np.asarray(pc.fill_null(arr.cast(pa.float64()), 0.0), dtype="<f8")
        bits = v.view(np.uint64).copy()
        bits[np.isnan(v)] = _NAN
        return bits
    if fam == "uint64":
        return np.asarray(pc.fill_null(arr, 0), dtype="<u8")
    if fam == "time":
        arr = arr.cast(pa.time64("ns"))
    return np.asarray(pc.fill_null(arr.cast(pa.int64()), 0), dtype="<i8")


def _seconds_nanos(arr: pa.Array) -> np.ndarray:
    """Timestamps and durations as (whole seconds, nanoseconds) pairs, whatever their unit."""
    if pa.types.is_date(arr.type):
        arr = arr.cast(pa.timestamp("s"))
    per_second = _PER_SECOND[arr.type.unit]
    raw = np.asarray(pc.fill_null(arr.cast(pa.int64()), 0), dtype=np.int64)
    seconds = np.floor_divide(raw, per_second)
    nanos = (raw - seconds * per_second) * (1_000_000_000 // per_second)
    return np.stack([seconds, nanos], axis=1).astype("<i8")
