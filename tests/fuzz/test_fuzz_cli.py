"""A few fuzzed runs of the command itself, in a separate process: what the user sees.

Invariant: exit 0/1 with a whole report set, or exit 2/3 with a message and no traceback;
never "internal error", never a Python warning on stderr, never a partial set."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from tests.fuzz._strategies import dialects, tables
from tests.fuzz.conftest import Counter, examples

pytestmark = pytest.mark.fuzz

_SRC = str(Path(__file__).parents[2] / "src")


def _csv(table: dict[str, list[Any]], dialect: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, **dialect)
    writer.writerow(list(table))
    writer.writerows(zip(*table.values(), strict=True))
    return buf.getvalue()


@settings(max_examples=examples(4))
@given(table=tables(max_rows=20), dialect=dialects())
def test_the_command_gives_a_whole_report_set_or_a_clear_exit(
    cases: Counter, table: dict[str, list[Any]], dialect: dict[str, Any]
) -> None:
    cases()
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data.csv", Path(tmp) / "out"
        data.write_text(_csv(table, dialect), encoding="utf-8", newline="")
        env = {**os.environ, "PYTHONPATH": _SRC, "COLUMNS": "200"}
        cmd = [sys.executable, "-m", "mlaudit", "-q", "audit", "--current", str(data)]
        cmd += ["--out", str(out), "--format", "html,json,md,junit", "--suite", "data_quality"]
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        said = run.stdout + run.stderr
        assert run.returncode in (0, 1, 2, 3), said
        assert "internal error" not in said and "Traceback" not in said, said
        assert "Warning:" not in run.stderr, run.stderr
        if run.returncode in (2, 3):
            cases.errors += 1
            assert run.stderr.strip(), "exit 2/3 without a message"
            assert not out.exists() or not any(out.glob("report.*")), "a partial report set"
        else:
            names = {p.name for p in out.iterdir()}
            assert {"report.html", "report.json", "report.md", "report.junit.xml"} <= names
            assert "report.sha256" in names
