"""Learned data contracts from the command line: suggest, edit, validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import yaml

from tests.cli.conftest import Run

CLI = Callable[..., Run]


def test_suggest_learns_types_ranges_categories_and_evidence(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    ref = tmp_path / "ref.parquet"
    small_frame.write_parquet(ref)
    out = tmp_path / "contract.yaml"
    r = cli("contract", "suggest", ref, "--out", out, "--margin", "0.1")
    assert r.code == 0, r.text
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    age = data["columns"]["age"]
    # ages run 20..69: range 49, margin 4.9 → [15.1, 73.9], rounded outward for integers
    assert (small_frame["age"].min(), small_frame["age"].max()) == (20, 69)
    assert age["type"] == "integer" and age["max_missing"] == 0.0
    assert (age["min"], age["max"]) == (15, 74)
    assert data["columns"]["segment"]["allowed"] == sorted(small_frame["segment"].unique())
    assert data["columns"]["id"]["unique"] is True
    assert "# observed" in text  # evidence comments
    assert data["dataset"]["min_rows"] == 100 and data["dataset"]["max_rows"] == 400


def test_suggest_to_stdout(cli: CLI, tmp_path: Path, small_frame: pl.DataFrame) -> None:
    ref = tmp_path / "ref.csv"
    small_frame.write_csv(ref)
    r = cli("--quiet", "contract", "suggest", ref)
    assert r.code == 0 and yaml.safe_load(r.raw)["version"] == 1


def test_validate_passes_on_same_data_and_fails_on_breaches(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    ref = tmp_path / "ref.parquet"
    small_frame.write_parquet(ref)
    contract = tmp_path / "contract.yaml"
    assert cli("contract", "suggest", ref, "--out", contract).code == 0
    ok = cli("validate", ref, "--contract", contract, "--out", tmp_path / "ok", "--format", "json")
    assert ok.code == 0, ok.text

    bad = small_frame.with_columns(
        pl.when(pl.col("age") == 20).then(999).otherwise(pl.col("age")).alias("age"),
        pl.when(pl.col("segment") == "sme")
        .then(pl.lit("SME!"))
        .otherwise(pl.col("segment"))
        .alias("segment"),
    ).drop("income")
    n_age = int((small_frame["age"] == 20).sum())
    n_seg = int((small_frame["segment"] == "sme").sum())
    cur = tmp_path / "cur.parquet"
    bad.write_parquet(cur)
    out = tmp_path / "bad"
    r = cli("validate", cur, "--contract", contract, "--out", out, "--format", "json")
    assert r.code == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by = {(c["id"], c["column"]): c for c in report["checks"]}
    assert by[("quality.required_columns", None)]["status"] == "fail"
    assert "income" in by[("quality.required_columns", None)]["message"]
    rng = by[("quality.value_range", "age")]
    assert rng["status"] == "fail" and rng["metrics"]["outside"] == n_age
    allowed = by[("quality.allowed_values", "segment")]
    assert allowed["status"] in ("fail", "warn")
    assert allowed["metrics"]["disallowed"] == n_seg


def test_validate_rejects_bad_contract(cli: CLI, tmp_path: Path, small_frame: pl.DataFrame) -> None:
    data = tmp_path / "d.parquet"
    small_frame.write_parquet(data)
    c = tmp_path / "c.yaml"
    c.write_text("version: 1\ncolumns:\n  age: {type: integr}\n", encoding="utf-8")
    r = cli("validate", data, "--contract", c, "--out", tmp_path / "o")
    assert r.code == 2 and "columns.age.type" in r.text
    r = cli("validate", data, "--contract", tmp_path / "missing.yaml", "--out", tmp_path / "o")
    assert r.code == 2 and "contract suggest" in r.text
