"""Helpers for command-line tests: run mlaudit in-process and read what it printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from mlaudit.cli import app


@dataclass
class Run:
    code: int
    text: str  # stdout and stderr, whitespace collapsed (rich wraps long lines)
    raw: str


@pytest.fixture
def cli() -> Callable[..., Run]:
    runner = CliRunner()

    def run(*args: str | Path) -> Run:
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        out = result.output
        return Run(result.exit_code, " ".join(out.split()), out)

    return run


@pytest.fixture
def small_frame() -> pl.DataFrame:
    n = 200
    return pl.DataFrame(
        {
            "id": [f"A{i:04d}" for i in range(n)],
            "age": [20 + (i * 7) % 50 for i in range(n)],
            "income": [1000.0 + 13.5 * ((i * 31) % 97) for i in range(n)],
            "segment": [["retail", "sme", "corporate"][i % 3] for i in range(n)],
            "default": [int(i % 9 == 0) for i in range(n)],
        }
    )
