"""Configuration and contract files are read with bounded time and memory, and every problem is
a usage error (exit 2) that names the file and the fix."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.cli.conftest import Run, cli  # noqa: F401  (the fixture)

from mlaudit._safeyaml import MAX_NODES, load_mapping_file
from mlaudit.config import load_config
from mlaudit.errors import ConfigError
from mlaudit.suites import load_contract

LAUGHS = """\
current: d.csv
checks:
  quality.rules:
    rules: &a9
      - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      - &a1 [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]
      - &a2 [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]
      - &a3 [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]
      - &a4 [*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3]
      - &a5 [*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4]
      - &a6 [*a5,*a5,*a5,*a5,*a5,*a5,*a5,*a5,*a5]
      - &a7 [*a6,*a6,*a6,*a6,*a6,*a6,*a6,*a6,*a6]
      - &a8 [*a7,*a7,*a7,*a7,*a7,*a7,*a7,*a7,*a7]
"""


def _write(tmp_path: Path, text: str | bytes, name: str = "audit.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def test_alias_expansion_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    # 9**9 = 387 million strings once expanded; the bound stops it at the composed graph.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ConfigError, match=f"expand to more than {MAX_NODES:,}"):
        load_config(_write(tmp_path, LAUGHS))
    assert time.perf_counter() - start < 30  # generous: the point is "not minutes"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200


def test_ordinary_aliases_still_work(tmp_path: Path) -> None:
    text = "a: &b [1, 2]\nc: *b\nd: {<<: {x: 1}, y: 2}\n"
    assert load_mapping_file(_write(tmp_path, text), "file", fix="-") == {
        "a": [1, 2],
        "c": [1, 2],
        "d": {"x": 1, "y": 2},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("current: d.csv\nchecks: {}\nchecks: {quality.rules: {}}\n", "'checks' appears twice"),
        ("a: &x [*x]\n", "recursive alias"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", "deeper than 64 levels"),
    ],
)
def test_hostile_yaml_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, text))


def test_deep_toml_is_a_usage_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n", "audit.toml")
    with pytest.raises(ConfigError, match="nests too deeply|not valid TOML"):
        load_config(p)


def test_not_utf8_and_data_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(_write(tmp_path, b"current: d.csv\ntitle: '\xff\xfe'\n"))
    data = _write(tmp_path, b"PAR1\x00\x01", "data.parquet")
    with pytest.raises(ConfigError, match="looks like a data file") as e:
        load_config(data)
    assert e.value.fix is not None and "--current" in e.value.fix


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no rules"),
        ("# only a comment\n", "has no rules"),
        ("version: 1\n", "has no rules"),
        ("columns: {a: {min: 5, max: 1}}\n", "min \\(5\\) is greater than max \\(1\\)"),
        ("dataset: {min_rows: 10, max_rows: 2}\n", "min_rows \\(10\\) is greater than max_rows"),
        ("columns: {a: {max_missing: -0.1}}\n", "greater than or equal to 0"),
        ("columns: {a: {allowed: []}}\n", "empty list"),
        ("columns: {a: {min: 1}}\ncolumns: {b: {min: 2}}\n", "'columns' appears twice"),
        ("- a\n- b\n", "must hold a mapping"),
    ],
)
def test_contracts_that_cannot_mean_anything_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_contract(_write(tmp_path, text, "contract.yaml"))


def test_validate_exits_2_on_an_empty_contract(
    cli: Callable[..., Run],  # noqa: F811
    tmp_path: Path,
) -> None:
    data = _write(tmp_path, "a,b\n1,2\n3,4\n", "d.csv")
    contract = _write(tmp_path, "version: 1\n", "contract.yaml")
    r = cli("validate", data, "--contract", contract, "--out", tmp_path / "out")
    assert r.code == 2 and "has no rules" in r.text
    assert not (tmp_path / "out").exists()
