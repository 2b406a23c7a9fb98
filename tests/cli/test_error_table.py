"""The user guide's exit-code table is the behaviour: every example in it is run here.

The table (docs/user-guide.md, "Exit codes") is parsed rather than copied, so a row added,
changed or removed there is tested as written, and a row without a runnable example fails.
This test only supplies the files the examples name; what each file holds is said in the
table's own words (``chekcs:`` for ``checks:``, half of ``income`` missing...).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from mlaudit.cli import app
from mlaudit.errors import ConfigError, DataError, ReportError

GUIDE = Path(__file__).parents[2] / "docs" / "user-guide.md"


@dataclass(frozen=True)
class Example:
    code: int
    when: str
    command: str


def _rows() -> list[tuple[int, str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## 7. Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            rows.append((int(cells[0]), cells[1], cells[2]))
    return rows


ROWS = _rows()
EXAMPLES = [
    Example(code, when, cmd)
    for code, when, cell in ROWS
    for cmd in re.findall(r"`((?:[A-Z_]+=\S+ )*mlaudit [^`]+)`", cell)
]


def _files(root: Path) -> None:
    """The files the table's examples name."""
    rng = np.random.default_rng(7)
    n = 300
    loans = pl.DataFrame(
        {
            "id": [f"L{i:05d}" for i in range(n)],
            "age": rng.integers(18, 80, n),
            "income": rng.normal(50_000, 8_000, n).round(2),
            "region": rng.choice(["north", "south", "east", "west"], n),
            "default": rng.integers(0, 2, n),
        }
    )
    loans.write_csv(root / "loans.csv")
    gappy = loans.with_columns(
        pl.when(pl.int_range(n) % 2 == 0).then(None).otherwise(pl.col("income")).alias("income")
    )
    gappy.write_csv(root / "gappy.csv")
    (root / "semicolon.csv").write_text(loans.write_csv(separator=";"))
    (root / "ragged.csv").write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    (root / "empty.csv").write_text("a,b,c\n")
    (root / "other.csv").write_text("p,q\n1,2\n3,4\n")
    (root / "damaged.parquet").write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    (root / "taken.txt").write_text("a file where the report folder should be\n")
    config = "current: loans.csv\nsuite: none\n"
    yamls = {
        "audit.yaml": config + "checks:\n  quality.row_count: {min_rows: 10}\n",
        "typo.yaml": config + "chekcs: {}\n",
        "limits.yaml": config + "checks:\n  quality.completeness: {warn: 0.5, fail: 0.1}\n",
        "bounds.yaml": config + "checks:\n  quality.value_range: {bounds: {age: [100, 18]}}\n",
        "column_typo.yaml": config
        + "checks:\n  quality.value_range: {bounds: {agee: [18, 100]}}\n",
        "strict.yaml": "dataset:\n  min_rows: 1000\n",
        "empty_contract.yaml": "version: 1\n",
    }
    for name, body in yamls.items():
        (root / name).write_text(body)


def _run(command: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    words = shlex.split(command)
    env = {}
    while "=" in words[0] and words[0] != "mlaudit":
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "mlaudit", command
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, words[1:], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_the_table_has_a_runnable_example_for_every_row() -> None:
    assert {code for code, _, _ in ROWS} == {0, 1, 2, 3}
    for _code, when, _cell in ROWS:
        assert any(e.when == when for e in EXAMPLES), f"no runnable example in row {when!r}"


def test_the_codes_are_those_of_the_error_classes() -> None:
    assert (ConfigError.exit_code, DataError.exit_code, ReportError.exit_code) == (2, 3, 3)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.command for e in EXAMPLES])
def test_each_example_exits_with_the_code_of_its_row(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _files(tmp_path)
    code, output = _run(example.command, tmp_path, monkeypatch)
    assert code == example.code, (example.when, output)
    assert "internal error" not in output and "Traceback" not in output
