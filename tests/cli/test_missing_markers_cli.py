"""Declared missing markers from the command line and from audit.yaml."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl

from tests.cli.conftest import Run

CLI = Callable[..., Run]


def _data(tmp_path: Path) -> Path:
    # 40 '?' and 10 ' N/A ' in segment, 25 rows of -999 in balance: counted by construction.
    n = 500
    df = pl.DataFrame(
        {
            "segment": ["?"] * 40 + [" N/A "] * 10 + ["retail", "sme"] * ((n - 50) // 2),
            "balance": [-999.0] * 25 + [float(100 + i % 37) for i in range(n - 25)],
        }
    )
    path = tmp_path / "d.csv"
    df.write_csv(path)
    return path


def _checks(out: Path) -> dict[tuple[str, str | None], dict]:  # type: ignore[type-arg]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {(c["id"], c["column"]): c for c in report["checks"]}


def test_missing_markers_option(cli: CLI, tmp_path: Path) -> None:
    data, out = _data(tmp_path), tmp_path / "out"
    r = cli(
        "audit", "--current", data, "--out", out, "--format", "json,md", "--suite", "data_quality",
        "--missing-markers", "?,N/A,-999", "--fail-on", "never",
    )  # fmt: skip
    assert r.code == 0
    checks = _checks(out)
    assert checks["quality.completeness", "segment"]["metrics"]["missing"] == 50
    assert checks["quality.completeness", "balance"]["metrics"]["missing"] == 25
    assert checks["quality.disguised_missing", "segment"]["metrics"]["disguised"] == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    markers = report["inputs"][0]["missing_markers"]
    assert markers["every_column"] == ["?", "N/A", "-999"]
    assert markers["counts"] == {"balance": {"-999": 25}, "segment": {"?": 40, "N/A": 10}}
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "missing markers '?', 'N/A', '-999' read as missing (25 in balance; 50 in segment)" in md


def test_without_markers_the_values_are_reported_as_disguised(cli: CLI, tmp_path: Path) -> None:
    data, out = _data(tmp_path), tmp_path / "out"
    cli("audit", "--current", data, "--out", out, "--format", "json", "--fail-on", "never")
    checks = _checks(out)
    assert checks["quality.completeness", "segment"]["metrics"]["missing"] == 0
    assert checks["quality.disguised_missing", "segment"]["metrics"]["disguised"] == 50
    assert checks["quality.disguised_missing", "balance"]["metrics"]["disguised"] == 25


def test_missing_markers_in_audit_yaml(cli: CLI, tmp_path: Path) -> None:
    data, out = _data(tmp_path), tmp_path / "out"
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"current:\n  path: {data.name}\n  missing_markers: ['?']\n"
        "schema:\n  columns:\n    balance: {missing_markers: [-999]}\n"
        "suite: data_quality\n"
        f"output:\n  dir: {out}\n  formats: [json]\n  fail_on: never\n",
        encoding="utf-8",
    )
    assert cli("audit", config).code == 0
    checks = _checks(out)
    assert checks["quality.completeness", "segment"]["metrics"]["missing"] == 40
    assert checks["quality.completeness", "balance"]["metrics"]["missing"] == 25
    # ' N/A ' was not declared: still reported, with its spaces shown.
    disguised = checks["quality.disguised_missing", "segment"]
    assert disguised["metrics"]["disguised"] == 10 and "' N/A '" in disguised["message"]


def test_contract_suggest_leaves_markers_out_of_allowed_values(cli: CLI, tmp_path: Path) -> None:
    data = _data(tmp_path)
    r = cli("contract", "suggest", data)
    assert r.code == 0
    allowed = next(line for line in r.raw.splitlines() if "allowed:" in line)
    assert allowed.split("#")[0].strip() == "allowed: [retail, sme]"
    assert "missing_markers" in allowed
