"""Warnings of numpy, scipy and scikit-learn never reach the console during an audit (issue:
hardening, item 16): those raised while a check computes become a note on its results, the
others go to the debug log. Before, an audit of values near the float64 maximum printed five
``RuntimeWarning: overflow ...`` blocks with source lines on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl


def _huge(path: Path, seed: int) -> Path:
    # Values near 1.8e308: their differences and sums overflow float64 (numpy warns).
    rng = np.random.default_rng(seed)
    x = np.r_[rng.normal(size=300) * 1e307, [1.7e308, -1.7e308, 1.79e308]]
    pl.DataFrame({"x": x, "y": rng.normal(size=x.size)}).write_parquet(path)
    return path


def test_an_audit_that_makes_numpy_warn_prints_nothing_on_stderr(tmp_path: Path) -> None:
    ref, cur, out = (
        _huge(tmp_path / "ref.parquet", 0),
        _huge(tmp_path / "cur.parquet", 1),
        tmp_path / "o",
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src"), "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "mlaudit", "audit", "--reference", str(ref), "--current", str(cur)]
    cmd += ["--out", str(out), "--format", "json", "--fail-on", "never"]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stderr and "overflow" not in run.stderr, run.stderr
    report = json.loads((out / "report.json").read_text())
    notes = [
        (c["id"], d["text"])
        for c in report["checks"]
        for d in c["details"]
        if d["kind"] == "note" and d["name"] == "Warnings while computing"
    ]
    assert notes, "no check recorded the overflow"
    assert all("overflow encountered" in text and "RuntimeWarning" in text for _, text in notes)
