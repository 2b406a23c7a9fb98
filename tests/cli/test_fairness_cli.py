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
