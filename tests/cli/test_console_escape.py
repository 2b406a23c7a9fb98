"""Names and values printed to the console are escaped (issue 10, item 15), and a pandas CSV
with its unnamed index column is audited and profiled (item 1).

Before, a column named ``evil\\x1b]0;pwned\\x07\\x1b[2J`` reached the terminal raw (setting its
title and clearing the screen), and a name like ``[red]x[/]`` was read as rich markup (printed
as ``x``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlaudit._printable import printable
from tests.cli.conftest import Run

CLI = Callable[..., Run]
EVIL = "evil\x1b]0;pwned\x07\x1b[2J"
MARKUP = "[red]x[/]"


def test_printable_escapes_controls_and_keeps_text() -> None:
    assert printable(EVIL) == "evil\\x1b]0;pwned\\x07\\x1b[2J"
    assert printable("bad\x01name\x7f\x85") == "bad\\x01name\\x7f\\x85"
    assert printable("a\u202eb\u200bc\ufeff") == "a\\u202eb\\u200bc\\ufeff"
    assert printable("a\nb\tc") == "a\\x0ab\\x09c"
    assert printable("a\nb\tc", lines=True) == "a\nb\tc"
    assert printable("Zürich – 東京 [x]") == "Zürich – 東京 [x]"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 300
    x = rng.normal(size=n)
    x[:60] = np.nan  # a completeness warning names the column
    y = rng.integers(0, 3, n).astype(float)
    y[:100] = np.nan  # a completeness failure names this one
    cat = np.array([EVIL, MARKUP, "plain"])[rng.integers(0, 3, n)]
    frame = pd.DataFrame({EVIL: x, MARKUP: y, "ok": rng.normal(size=n), "value": cat})
    path = tmp_path / "hostile.parquet"
    frame.to_parquet(path)
    return path


def _no_control_bytes(r: Run) -> None:
    assert "\x1b" not in r.raw and "\x07" not in r.raw, r.raw
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in r.raw


def test_audit_summary_escapes_names(cli: CLI, hostile: Path, tmp_path: Path) -> None:
    r = cli("audit", "--current", hostile, "--out", tmp_path / "o", "--format", "json")
    assert r.code == 1, r.text
    _no_control_bytes(r)
    assert f"quality.completeness[{MARKUP}]" in r.raw  # literal, not read as markup


def test_profile_table_escapes_names_and_values(cli: CLI, hostile: Path) -> None:
    r = cli("profile", hostile)
    assert r.code == 0, r.text
    # the table folds long cells over lines: compare without the borders and line breaks
    flat = "".join(ch for ch in r.raw if ch not in "│┃ \n")
    assert "\x1b" not in r.raw and "\x07" not in r.raw
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J" in flat
    assert MARKUP in flat


def test_error_messages_escape_names(cli: CLI, hostile: Path, tmp_path: Path) -> None:
    r = cli("audit", "--current", hostile, "--target", "no\x1b[2Jsuch", "--out", tmp_path / "o")
    assert r.code == 2, r.text
    assert "\x1b" not in r.raw
    assert "no\\x1b[2Jsuch" in r.raw


def _process(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """The command line in a process of its own: warnings printed as a user sees them."""
    cmd = [sys.executable, "-m", "mlaudit", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False)


def test_warnings_are_escaped(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a\x1b[2J,a\x1b[2J,b\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(50)))
    r = _process("-q", "profile", csv, "--rename-duplicates")
    assert r.returncode == 0, r.stderr
    assert b"\x1b" not in r.stdout + r.stderr and b"\x07" not in r.stdout + r.stderr
    assert b"warning: file" in r.stderr and b"a\\x1b[2J" in r.stderr, r.stderr


def test_pandas_csv_with_its_index_is_audited_and_profiled(cli: CLI, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.integers(0, 4, 300)})
    frame.to_csv(tmp_path / "x.csv")
    r = cli("profile", tmp_path / "x.csv")
    assert r.code == 0, r.text
    assert "unnamed_1" in r.text
    p = _process(
        "audit", "--current", tmp_path / "x.csv", "--out", tmp_path / "o", "--format", "json"
    )
    assert p.returncode in (0, 1), p.stderr
    assert b"internal error" not in p.stderr
    assert b"warning: the current data" in p.stderr and b"unnamed_1 (was '')" in p.stderr


def test_debug_log_lines_are_escaped() -> None:
    import logging

    from mlaudit.cli._common import _PrintableFormatter

    record = logging.LogRecord("mlaudit", logging.DEBUG, "f", 1, "column %s", (EVIL,), None)
    assert (
        _PrintableFormatter("%(message)s").format(record) == "column evil\\x1b]0;pwned\\x07\\x1b[2J"
    )
