"""The fuzz tier's invariant: a whole report set, or a clear MLAuditError, nothing else."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from mlaudit import AuditResult, MLAuditError, write_reports
from mlaudit.report import FILE_NAMES, FORMATS, MANIFEST_NAME

T = TypeVar("T")

OPEN_ISSUES: dict[str, str] = {}
"""Failures the fuzzer found that another change owns; the tests mark them, not hide them
(none open)."""


def clear_or_value(fn: Callable[[], T]) -> T | MLAuditError:
    """``fn()``'s value, or the MLAuditError it raised, checked to be a clear one.

    Any other exception propagates and fails the test: that is an internal error.
    """
    try:
        return fn()
    except MLAuditError as exc:
        assert_clear(exc)
        if os.environ.get("MLAUDIT_FUZZ_SHOW"):
            print(f"clear error: {type(exc).__name__}: {exc}")
        return exc


def assert_clear(exc: MLAuditError) -> None:
    """Exit code 2 or 3, a message that names something, and never "internal error"."""
    assert exc.exit_code in (2, 3), exc
    text = str(exc)
    assert text.strip(), "an error without a message"
    assert "internal error" not in text.lower(), text
    assert "Traceback" not in text, text


def assert_whole_set(result: AuditResult, out: Path) -> None:
    """Every format written, the manifest matching the files, no temporary file left."""
    written = clear_or_value(lambda: write_reports(result, out, formats=FORMATS))
    assert not isinstance(written, MLAuditError), written
    manifest = (out / MANIFEST_NAME).read_text().splitlines()
    digests = dict(reversed(line.split("  ", 1)) for line in manifest)
    assert set(digests) == set(FILE_NAMES.values())
    for name, digest in digests.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    names = {p.name for p in out.iterdir()}
    assert names == {*FILE_NAMES.values(), MANIFEST_NAME, ".mlaudit.lock"}, names
