"""quality.metric_history: robust z by hand, a planted jump found, a stable history quiet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from mlaudit import Audit
from mlaudit.audit import profile_data
from mlaudit.checks.quality.metric_history import robust_z
from mlaudit.cli import app
from mlaudit.results import Status

CHECK = {"quality.metric_history": {}}


def test_robust_z_by_hand() -> None:
    history = [10.0, 12.0, 11.0, 13.0, 9.0, 10.0, 11.0, 12.0]
    # median 11; absolute deviations 1,1,0,2,2,1,0,1 -> MAD 1; scale 1.4826
    z, med, scale = robust_z(history, 20.0, 0.01)
    assert med == 11.0 and scale == pytest.approx(1.4826)
    assert z == pytest.approx(9 / 1.4826)
    # a series that never moved: the scale is min_change times the median
    z, _, scale = robust_z([2000.0] * 8, 1000.0, 0.01)
    assert scale == pytest.approx(20.0) and z == pytest.approx(-50.0)


def _period(seed: int, n: int = 2000, shift: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "x": rng.normal(shift, 1.0, n),
            "code": rng.choice(["a", "b", "c"], n).tolist(),
        }
    )


def _history(k: int) -> list[object]:
    return [profile_data(_period(seed))[2] for seed in range(k)]


def _by_column(result: object) -> dict[str | None, object]:
    return {r.column: r for r in result.checks if r.id == "quality.metric_history"}  # type: ignore[attr-defined]


def test_stable_history_stays_quiet() -> None:
    history = _history(10)
    for seed in range(100, 105):
        res = Audit(_period(seed), history=history, suite="none", checks=CHECK).run()
        results = _by_column(res)
        assert set(results) == {None, "x", "code"}
        assert all(r.status is Status.PASS for r in results.values()), [  # type: ignore[attr-defined]
            r.message
            for r in results.values()  # type: ignore[attr-defined]
        ]


def test_planted_jumps_are_found() -> None:
    history = _history(10)
    current = _period(200, n=1000, shift=0.5)
    results = _by_column(Audit(current, history=history, suite="none", checks=CHECK).run())
    rows, x = results[None], results["x"]
    assert rows.status is Status.WARN and rows.metrics["rows_robust_z"] == pytest.approx(-50.0)  # type: ignore[attr-defined]
    assert x.status is Status.WARN and x.metrics["mean_robust_z"] > 8  # type: ignore[attr-defined]
    # the z of the mean against the history's median and MAD, computed here with numpy
    means = np.array([_period(s)["x"].mean() for s in range(10)])
    med = np.median(means)
    mad = np.median(np.abs(means - med))
    expected = (current["x"].mean() - med) / max(1.4826 * mad, 0.01 * abs(med))
    assert x.metrics["mean_robust_z"] == pytest.approx(expected, rel=1e-9)  # type: ignore[attr-defined]
    assert any(d.kind == "series" for d in x.details)  # type: ignore[attr-defined]
    assert results["code"].status is Status.PASS  # type: ignore[attr-defined]


def test_too_short_history_is_skipped() -> None:
    res = Audit(_period(1), history=_history(3), suite="none", checks=CHECK).run()
    (r,) = res.checks
    assert r.status is Status.SKIPPED and "3 earlier period" in r.message


def test_cli_reads_a_folder_of_saved_profiles(tmp_path: Path) -> None:
    runner = CliRunner()
    hist = tmp_path / "history"
    hist.mkdir()
    for seed in range(8):
        data = tmp_path / f"p{seed}.parquet"
        _period(seed).write_parquet(data)
        out = hist / f"2025-{seed + 1:02d}.profile"
        done = runner.invoke(app, ["-q", "profile", str(data), "--out", str(out)])
        assert done.exit_code == 0, done.output
    cur = tmp_path / "cur.parquet"
    _period(99, n=500).write_parquet(cur)
    report = tmp_path / "report"
    done = runner.invoke(
        app,
        ["-q", "audit", "--current", str(cur), "--history", str(hist), "--suite",
         "data_quality", "--format", "json", "--out", str(report), "--fail-on", "never"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    text = (report / "report.json").read_text()
    assert '"quality.metric_history"' in text and "2025-08" in text
