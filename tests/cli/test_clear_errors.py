"""Everyday mistakes get one clear message and the documented exit code, never an internal error
(issue: hardening, items 5 and 6). Each case failed with "internal error" or a misleading
message before."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import Run

CLI = Callable[..., Run]


def _ok(path: Path) -> Path:
    pl.DataFrame({"a": list(range(200)), "b": [i % 2 for i in range(200)]}).write_parquet(path)
    return path


def _assert_clear(r: Run, code: int, *words: str) -> None:
    assert r.code == code, r.text
    assert "internal error" not in r.text and "Traceback" not in r.raw
    for w in words:
        assert w in r.text, (w, r.text)


def test_unknown_encoding_is_a_usage_error(cli: CLI, tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a,b\n1,2\n")
    r = cli("audit", "--current", csv, "--encoding", "no-such-codec", "--out", tmp_path / "o")
    _assert_clear(r, 2, "unknown encoding 'no-such-codec'", "utf-8")


@pytest.mark.parametrize(
    ("variable", "value"), [("MLAUDIT_BATCH_SIZE", "abc"), ("MLAUDIT_THREADS", "-1")]
)
def test_a_bad_environment_variable_is_named(
    cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    data = _ok(tmp_path / "d.parquet")
    monkeypatch.setenv(variable, value)
    r = cli("audit", "--current", data, "--out", tmp_path / "o")
    _assert_clear(r, 2, variable, repr(value))


def test_a_named_pipe_is_not_called_missing(cli: CLI, tmp_path: Path) -> None:
    fifo = tmp_path / "stream.csv"
    os.mkfifo(fifo)
    r = cli("audit", "--current", fifo, "--out", tmp_path / "o")
    _assert_clear(r, 3, "not a regular file", "save the stream to a file")


def test_a_column_named_like_the_row_number_column(cli: CLI, tmp_path: Path) -> None:
    data = tmp_path / "d.parquet"
    pl.DataFrame({"__row__": [1, 2, 3] * 50, "b": list(range(150))}).write_parquet(data)
    r = cli("audit", "--current", data, "--out", tmp_path / "o")
    _assert_clear(r, 3, "'__row__'", "rename that column")


@pytest.mark.parametrize(
    ("rule", "words"),
    [("a + 1", ("gives Int64 values, not true/false",)), ("zz > 1", ("zz", "lacks"))],
)
def test_a_rule_that_is_not_a_condition_is_a_usage_error(
    cli: CLI, tmp_path: Path, rule: str, words: tuple[str, ...]
) -> None:
    data = _ok(tmp_path / "d.parquet")
    config = tmp_path / "audit.yaml"
    config.write_text(f"current: d.parquet\nchecks:\n  quality.rules: {{rules: {{r: '{rule}'}}}}\n")
    r = cli("audit", config, "--out", tmp_path / "o")
    _assert_clear(r, 2, "rule 'r'", *words)
    assert data.exists() and not (tmp_path / "o").exists()


def test_an_invalid_database_url_is_a_usage_error(cli: CLI, tmp_path: Path) -> None:
    config = tmp_path / "audit.yaml"
    config.write_text('current: {sql: {url: "not a url::", query: "t"}}\n')
    r = cli("audit", config, "--out", tmp_path / "o")
    _assert_clear(r, 2, "not a valid database URL")


def test_a_damaged_later_row_group_names_the_file_and_the_row(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    n = 300_000
    table = pa.table({"a": np.arange(n), "b": np.random.default_rng(0).normal(size=n)})
    pq.write_table(table, path, row_group_size=100_000)
    page = pq.ParquetFile(path).metadata.row_group(2).column(1).data_page_offset
    data = bytearray(path.read_bytes())
    for i in range(page + 40, page + 4000):  # scramble the third row group's page
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    r = cli("audit", "--current", path, "--out", tmp_path / "o")
    _assert_clear(r, 3, "is damaged", "export the file again")
    assert not (tmp_path / "o").exists()
