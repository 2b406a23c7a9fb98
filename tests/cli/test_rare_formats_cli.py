"""Learned formats in suggested contracts, through the command line: the pattern is written,
the data it was learned from passes ``validate``, and data with more values in other formats
fails it.  Expected figures are counted by hand and checked with Python's ``re``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from tests.cli.conftest import Run

CLI = Callable[..., Run]


def _ids(n: int, seed: int, planted: int) -> list[str]:
    rng = np.random.default_rng(seed)
    a = rng.choice(list("KLMN"), size=(n, 2))
    out = [f"{x}{y}{k:06d}" for (x, y), k in zip(a, rng.integers(0, 10**6, n), strict=True)]
    out[:planted] = [f"KL-{i:05d}" for i in range(planted)]
    return out


def _write(tmp_path: Path, name: str, planted: int) -> Path:
    df = pl.DataFrame({"account": _ids(2_000, 0, planted), "amount": np.arange(2_000) * 1.5})
    path = tmp_path / name
    df.write_csv(path)
    return path


def test_suggested_pattern_passes_its_data_and_fails_more_defects(cli: CLI, tmp_path: Path) -> None:
    learned = _write(tmp_path, "learned.csv", planted=4)  # 4 of 2,000 in another format
    r = cli("contract", "suggest", learned)
    assert r.code == 0
    column = yaml.safe_load(r.raw)["columns"]["account"]
    assert column["pattern"] == r"^\p{Lu}{2}\d{6}$"
    # 0.2 % outside the formats, widened by half of it and at least 0.1 point: 0.3 %
    assert column["max_nonmatching"] == 0.003
    assert "hold 1,996 of 2,000 values (99.80%)" in r.raw
    py = re.compile(r"^[A-Z]{2}[0-9]{6}$")  # the same rule for these ASCII ids, in Python
    ids = pl.read_csv(learned)["account"].to_list()
    assert sum(py.match(v) is None for v in ids) == 4
    contract = tmp_path / "contract.yaml"
    contract.write_text(r.raw, encoding="utf-8")

    out = tmp_path / "ok"
    r = cli("-q", "validate", learned, "--contract", contract, "--out", out)
    assert r.code == 0  # the contract passes on the data it was learned from
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (pattern,) = [c for c in report["checks"] if c["id"] == "quality.pattern"]
    assert pattern["status"] == "pass" and pattern["metrics"]["nonmatching"] == 4

    worse = _write(tmp_path, "worse.csv", planted=40)  # 2 %: above the 0.3 % allowed
    out = tmp_path / "bad"
    r = cli("-q", "validate", worse, "--contract", contract, "--out", out)
    assert r.code != 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (pattern,) = [c for c in report["checks"] if c["id"] == "quality.pattern"]
    assert pattern["status"] == "fail" and pattern["metrics"]["nonmatching"] == 40
