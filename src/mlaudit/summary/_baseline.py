"""Monitoring baselines: a saved reference profile with its schema and provenance.

``mlaudit profile REF --out ref.profile`` writes one; ``--reference ref.profile`` uses it in
place of the raw reference data, so production jobs never reload the training data.  The file
is the magic bytes, a length-prefixed JSON header (schema, source, fingerprint, rows) and the
profile as :func:`mlaudit.summary.to_bytes` writes it (sketches, counts, the seeded sample with
personal columns masked).  Version 2 may add the reference cut into windows
(:func:`mlaudit.summary._windows.windows_to_bytes`: a profile per window and the model's target,
prediction and score columns per row), for control limits and calibration; version 1 files are
still read.

The header records the id of the key that masked its personal columns (``mask_key``, see
:mod:`mlaudit._maskkey`; the profile's header has it too): an audit against data masked under
another key is refused with a message naming both ids.

The header also names the hashing scheme of the profile's hashes (``hashing``, see
:mod:`mlaudit.summary._hashing`).  A baseline whose hashes came from another scheme, including
every baseline of an mlaudit from before the defined hashes (its profile is format version 2,
hashed with polars), is refused with a message to re-create it: its masks, row hashes and
distinct-count registers cannot be compared with the current data's.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit._atomic import write_file
from mlaudit.data import Schema
from mlaudit.errors import DataError, DataSourceError
from mlaudit.summary._hashing import HASH_SCHEME
from mlaudit.summary._model import DatasetProfile
from mlaudit.summary._serialize import from_bytes, to_bytes
from mlaudit.summary._windows import WindowedData, windows_from_bytes, windows_to_bytes

__all__ = ["BASELINE_MAGIC", "Baseline", "is_baseline", "load_baseline", "save_baseline"]

BASELINE_MAGIC = b"MLABASE\0"
_VERSION = 2
_READS = (1, 2)


@dataclass(frozen=True)
class Baseline:
    """A reference profile and what it was built from."""

    profile: DatasetProfile
    schema: Schema
    source: str
    fingerprint: str
    format: str = "profile"
    windows: WindowedData | None = None
    """The reference cut into windows (``mlaudit profile --window``), if it was."""


def save_baseline(path: str | Path, baseline: Baseline) -> Path:
    """Write ``baseline`` to ``path`` (atomically: a temporary file, then a rename)."""
    profile = to_bytes(baseline.profile)
    windows = windows_to_bytes(baseline.windows) if baseline.windows is not None else b""
    header = json.dumps(
        {
            "version": _VERSION,
            "schema": baseline.schema.model_dump(mode="json"),
            "source": baseline.source,
            "fingerprint": baseline.fingerprint,
            "format": baseline.format,
            "hashing": HASH_SCHEME,
            "mask_key": baseline.profile.mask_key_id,
            "profile_bytes": len(profile),
            "windows_bytes": len(windows),
        },
        sort_keys=True,
    ).encode("utf-8")
    data = BASELINE_MAGIC + struct.pack("<I", len(header)) + header + profile + windows
    return write_file(path, data, what="the profile")


def is_baseline(path: Any) -> bool:
    """True when ``path`` names a file that starts like a saved baseline."""
    if not isinstance(path, str | Path):
        return False
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return fh.read(len(BASELINE_MAGIC)) == BASELINE_MAGIC
    except OSError:
        return False


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline written by :func:`save_baseline`; a clear error for anything else."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DataSourceError(
            f"cannot read baseline {str(p)!r}: {exc.strerror}",
            fix="create it with: mlaudit profile REFERENCE --out ref.profile",
        ) from None
    if not data.startswith(BASELINE_MAGIC) or len(data) < len(BASELINE_MAGIC) + 4:
        raise DataError(
            f"{str(p)!r} is not an mlaudit baseline",
            fix="create it with: mlaudit profile REFERENCE --out ref.profile",
        )
    start = len(BASELINE_MAGIC)
    (size,) = struct.unpack("<I", data[start : start + 4])
    try:
        header = json.loads(data[start + 4 : start + 4 + size].decode("utf-8"))
        if header.get("version") not in _READS:
            raise DataError(
                f"baseline {str(p)!r} has format version {header.get('version')!r}; "
                f"this mlaudit reads version {_VERSION}",
                fix="recreate it with this mlaudit: mlaudit profile REFERENCE --out ref.profile",
            )
        schema = Schema.model_validate(header["schema"])
    except (ValueError, KeyError) as exc:
        raise DataError(f"baseline {str(p)!r} is damaged: {exc}", fix="recreate it") from None
    try:
        profile, windows = _contents(header, data[start + 4 + size :])
    except DataError as exc:
        raise DataError(f"baseline {str(p)!r}: {exc.message}", fix=exc.fix) from None
    return Baseline(
        profile=profile,
        schema=schema,
        source=str(header.get("source", str(p))),
        fingerprint=str(header.get("fingerprint", "")),
        format=str(header.get("format", "profile")),
        windows=windows,
    )


def _contents(header: dict[str, Any], body: bytes) -> tuple[DatasetProfile, WindowedData | None]:
    """The profile and windows after the header; refused when hashed by another scheme.

    Headers before the scheme was recorded say nothing: the profile's own header decides
    (:func:`mlaudit.summary._serialize.from_bytes` refuses the polars-hashed format).
    """
    scheme = header.get("hashing", HASH_SCHEME)
    if scheme != HASH_SCHEME:
        raise DataError(
            f"its hashes were made with hashing scheme {scheme!r} and this mlaudit uses "
            f"{HASH_SCHEME!r}: they cannot be compared",
            fix="re-create it with this mlaudit: mlaudit profile REFERENCE --out ref.profile",
        )
    cut = int(header.get("profile_bytes", len(body)))
    profile = from_bytes(body[:cut])
    windows = windows_from_bytes(body[cut:]) if header.get("windows_bytes") else None
    return profile, windows
