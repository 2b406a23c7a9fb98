"""--favourable on the command line reaches every fairness check (tests/unit/checks/fairness)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from tests.cli.conftest import Run

FAIR = ("fairness.group_metrics", "fairness.four_fifths", "fairness.bias_audit")


def test_favourable_from_the_command_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    data = tmp_path / "d.parquet"
    rng = np.random.default_rng(0)
    sex = rng.choice(np.array(["f", "m"]), 1000)
    pred = (rng.random(1000) < np.where(sex == "f", 0.3, 0.5)).astype(np.int64)
    pl.DataFrame({"sex": sex, "pred": pred, "y": rng.integers(0, 2, 1000)}).write_parquet(data)
    r = cli("audit", "--current", data, "--target", "y", "--prediction", "pred",
            "--sensitive", "sex", "--favourable", "0", "--suite", "full",
            "--out", tmp_path / "out", "--format", "json")  # fmt: skip
    assert r.code in (0, 1), r.text
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    fair = [c for c in report["checks"] if c["id"] in FAIR and c["status"] != "skipped"]
    assert fair and {c["params"]["favourable"] for c in fair} == {"0"}


def test_population_from_the_command_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    data = tmp_path / "d.parquet"
    rng = np.random.default_rng(1)
    sex = rng.choice(np.array(["f", "m"]), 1000)
    age = rng.integers(16, 70, 1000)
    pred = rng.integers(0, 2, 1000)
    pl.DataFrame({"sex": sex, "age": age, "pred": pred, "y": pred}).write_parquet(data)
    r = cli("audit", "--current", data, "--target", "y", "--prediction", "pred",
            "--sensitive", "sex", "--population", "age >= 18", "--suite", "full",
            "--out", tmp_path / "out", "--format", "json")  # fmt: skip
    assert r.code in (0, 1), r.text
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["config"]["fairness"] == {"population": "age >= 18"}
    check = next(c for c in report["checks"] if c["id"] == "fairness.group_metrics")
    adults = int((age >= 18).sum())
    assert sum(g["n"] for g in check["details"][0]["groups"]) == adults
    assert f"rows where age >= 18 ({adults:,} of 1,000)" in json.dumps(check["details"])
    bad = cli("audit", "--current", data, "--prediction", "pred", "--sensitive", "sex",
              "--population", "age >>= 18", "--out", tmp_path / "bad")  # fmt: skip
    assert bad.code == 2 and "not a SQL condition" in bad.text and "Traceback" not in bad.text
    assert not (tmp_path / "bad").exists()
