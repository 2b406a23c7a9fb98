"""Windowed data: a profile per window and the model's columns row by row, and their bytes.

Containers filled by :func:`mlaudit.engines._windows.scan_windows` and read by the checks over
time; :func:`windows_to_bytes` / :func:`windows_from_bytes` store them in a monitoring baseline
(``mlaudit profile REF --out ref.profile --window week``) so that control limits and
calibration never need the raw reference again.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass

import polars as pl

from mlaudit.data import WindowSpec
from mlaudit.errors import DataError
from mlaudit.summary._model import DatasetProfile
from mlaudit.summary._serialize import from_bytes, to_bytes

__all__ = [
    "ORDER",
    "WINDOW",
    "WINDOW_DTYPE",
    "Window",
    "WindowedData",
    "windows_from_bytes",
    "windows_to_bytes",
]

WINDOW = "__window__"
"""Column of :attr:`WindowedData.rows` holding the row's window index (0, 1, ...)."""
WINDOW_DTYPE = pl.Int16
"""The type of ``__window__``: 2 bytes hold the most windows an audit allows (2,000)."""
ORDER = "__order__"
"""Column holding the rows' timestamps while they are sorted into time order (dropped then)."""


@dataclass
class Window:
    """One window: its key, label, row count and (optionally) its profile."""

    key: int
    label: str
    n_rows: int
    profile: DatasetProfile | None = None


@dataclass
class WindowedData:
    """The windows of one period in time order, with the rows that had no window."""

    spec: WindowSpec
    windows: list[Window]
    unassigned: int = 0
    """Rows whose timestamp was missing or did not parse (in no window)."""
    rows: pl.DataFrame | None = None
    """Model columns per row (integers in the narrowest type that holds them), plus
    ``__window__`` (index into ``windows``), sorted by time (stable: rows with equal timestamps
    keep their order)."""
    configured: bool = True
    """False for the single window holding every row that the runner makes when no windows
    were configured (checks over time skip it; estimates use it for the whole period)."""

    @property
    def labels(self) -> list[str]:
        """Window labels in order."""
        return [w.label for w in self.windows]

    def judged(self) -> list[int]:
        """Indices of windows with at least ``spec.min_rows`` rows."""
        return [i for i, w in enumerate(self.windows) if w.n_rows >= self.spec.min_rows]


def windows_to_bytes(data: WindowedData) -> bytes:
    """Deterministic bytes of ``data``: a JSON header, each window's profile, the rows (IPC)."""
    blobs = [to_bytes(w.profile) if w.profile is not None else b"" for w in data.windows]
    rows = b""
    if data.rows is not None and data.rows.height:
        buf = io.BytesIO()
        data.rows.write_ipc(buf, compression="zstd")
        rows = buf.getvalue()
    spec = data.spec
    header = json.dumps(
        {
            "spec": {"every": spec.every, "rows": spec.rows, "column": spec.column,
                     "min_rows": spec.min_rows},
            "windows": [[w.key, w.label, w.n_rows, len(b)] for w, b in zip(data.windows, blobs,
                                                                             strict=True)],
            "unassigned": data.unassigned,
            "configured": data.configured,
            "rows": len(rows),
        },
        sort_keys=True,
    ).encode("utf-8")  # fmt: skip
    return struct.pack("<Q", len(header)) + header + b"".join(blobs) + rows


def windows_from_bytes(data: bytes) -> WindowedData:
    """Read what :func:`windows_to_bytes` wrote; :class:`DataError` when it is damaged."""
    try:
        (size,) = struct.unpack_from("<Q", data, 0)
        head = json.loads(data[8 : 8 + size].decode("utf-8"))
        pos = 8 + size
        windows = []
        for key, label, n_rows, length in head["windows"]:
            prof = from_bytes(data[pos : pos + length]) if length else None
            windows.append(Window(key=int(key), label=str(label), n_rows=int(n_rows), profile=prof))
            pos += length
        rows = None
        if head["rows"]:
            rows = pl.read_ipc(io.BytesIO(data[pos : pos + head["rows"]]))
        spec = WindowSpec(**head["spec"])
    except (ValueError, KeyError, TypeError, struct.error) as exc:
        raise DataError(
            f"the windows stored in the baseline are damaged: {exc}",
            fix="recreate it: mlaudit profile REFERENCE --out ref.profile --window ...",
        ) from None
    return WindowedData(
        spec=spec,
        windows=windows,
        unassigned=int(head["unassigned"]),
        rows=rows,
        configured=bool(head["configured"]),
    )
