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


# --- seasonal baselines ---------------------------------------------------------------------

WEEK = np.array([1000, 1100, 1200, 1150, 1250, 6000, 5500])
"""Rows per weekday: a weekend peak five times the weekdays'."""


def _weekly_counts(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(WEEK[np.arange(n) % 7] * (1 + 0.02 * rng.standard_normal(n))).astype(int)


def _rows_history(counts: np.ndarray) -> list[object]:
    return [profile_data(pl.DataFrame({"x": np.zeros(int(c))}))[2] for c in counts]


def _rows_result(counts: np.ndarray, current: int, **options: object) -> object:
    cur = pl.DataFrame({"x": np.zeros(current)})
    checks = {"quality.metric_history": options}
    res = Audit(cur, history=_rows_history(counts), suite="none", checks=checks).run()
    return _by_column(res)[None]


def _seasonal_z_by_hand(counts: np.ndarray, current: float, season: int) -> float:
    """Same-phase median; scale 1.4826 x median |leave-one-out residual| x sqrt(1 - 1/k^2)."""
    n = len(counts)
    residuals = []
    for j in range(season):
        phase = counts[j::season].astype(float)
        residuals += [phase[i] - np.median(np.delete(phase, i)) for i in range(len(phase))]
    same = counts[n % season :: season].astype(float)
    k = len(same)
    scale = 1.4826 * np.median(np.abs(residuals)) * np.sqrt(1 - 1 / k**2)
    return float((current - np.median(same)) / max(scale, 0.01 * np.median(counts)))


def test_a_weekly_cycle_is_quiet_with_the_season_and_flags_without_it() -> None:
    counts = _weekly_counts(26)  # three weeks and five days: the current period is a Saturday
    current = 6050  # a normal Saturday
    plain = _rows_result(counts, current, find_season=False)
    assert plain.status is Status.WARN  # type: ignore[attr-defined]
    med = np.median(counts)
    mad = np.median(np.abs(counts - med))
    assert plain.metrics["rows_robust_z"] == pytest.approx((current - med) / (1.4826 * mad))  # type: ignore[attr-defined]
    declared = _rows_result(counts, current, season=7)
    assert declared.status is Status.PASS, declared.message  # type: ignore[attr-defined]
    assert declared.metrics["rows_season"] == 7  # type: ignore[attr-defined]
    assert declared.metrics["rows_median"] == np.median(counts[5::7])  # type: ignore[attr-defined]
    assert declared.metrics["rows_robust_z"] == pytest.approx(  # type: ignore[attr-defined]
        _seasonal_z_by_hand(counts, current, 7)
    )
    found = _rows_result(counts, current)  # no season declared: the cycle is found
    assert found.status is Status.PASS and "a 7-period cycle (found)" in found.message  # type: ignore[attr-defined]


def test_a_jump_hidden_inside_the_cycle_is_found() -> None:
    counts = _weekly_counts(26, seed=3)
    current = 1200  # a Saturday with a weekday's rows: half the feed missing
    plain = _rows_result(counts, current, find_season=False)
    assert plain.status is Status.PASS  # type: ignore[attr-defined]  # inside the week's range
    res = _rows_result(counts, current, season=7)
    assert res.status is Status.WARN and "for the same phase of a 7-period cycle" in res.message  # type: ignore[attr-defined]
    z = _seasonal_z_by_hand(counts, current, 7)
    assert z < -8 and res.metrics["rows_robust_z"] == pytest.approx(z)  # type: ignore[attr-defined]
    chart = next(d for d in res.details if d.kind == "series")  # type: ignore[attr-defined]
    assert chart.series["current"][-1] == current and chart.series["current"][0] is None
    # the band follows the cycle: each period's phase median +- 8 scales
    width = 8 * (np.median(counts[5::7]) - current) / -z
    assert chart.upper["rows"][5] == pytest.approx(np.median(counts[5::7]) + width)
    assert chart.lower["rows"][0] == pytest.approx(np.median(counts[0::7]) - width)


def test_too_few_cycles_fall_back_to_the_plain_baseline() -> None:
    counts = _weekly_counts(12)
    res = _rows_result(counts, int(counts[5]), season=7)
    assert res.metrics["rows_season"] is None  # type: ignore[attr-defined]
    assert "plain (a 7-period cycle needs 14 earlier periods)" in res.message  # type: ignore[attr-defined]
    med = np.median(counts)
    expected = (counts[5] - med) / (1.4826 * np.median(np.abs(counts - med)))
    assert res.metrics["rows_robust_z"] == pytest.approx(expected)  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(5))
def test_stable_series_find_no_cycle_and_stay_quiet(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = np.round(2000 * (1 + 0.03 * rng.standard_normal(40))).astype(int)
    res = _rows_result(counts, int(2000 * (1 + 0.03 * rng.standard_normal())))
    assert res.status is Status.PASS and res.metrics["rows_season"] is None  # type: ignore[attr-defined]
    assert "cycle" not in res.message  # type: ignore[attr-defined]


def test_the_series_is_drawn_in_the_html_report() -> None:
    from mlaudit.report._html import render_html

    counts = _weekly_counts(26, seed=3)
    cur = pl.DataFrame({"x": np.zeros(1200)})
    checks = {"quality.metric_history": {"season": 7}}
    res = Audit(cur, history=_rows_history(counts), suite="none", checks=checks).run()
    page = render_html(res)
    assert "rows per period" in page and "<polygon" in page and "chart not drawn" not in page


def _coded(seed: int, n: int, codes: list[str], p: list[float]) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({"code": rng.choice(codes, n, p=p).tolist()})


def test_a_rare_value_absent_by_chance_does_not_warn_a_common_one_does() -> None:
    codes, p = ["a", "b", "c", "rare"], [0.5, 0.3, 0.1996, 0.0004]
    history = []
    for seed in range(10):
        frame = _coded(seed, 2500, codes, p)
        if "rare" not in frame["code"].to_list():  # every earlier period had it once at least
            frame = pl.concat([frame, pl.DataFrame({"code": ["rare"]})])
        history.append(profile_data(frame)[2])
    checks = {"quality.metric_history": {}}
    cur = _coded(99, 2500, ["a", "b", "c"], [0.5, 0.3, 0.2])
    res = _by_column(Audit(cur, history=history, suite="none", checks=checks).run())["code"]
    assert res.status is Status.PASS and res.metrics["distinct_robust_z"] < -8  # type: ignore[attr-defined]
    # 'rare' is 1 of about 2,500 x 10 earlier values: about 1 expected here (by hand)
    assert "1 value(s) of earlier periods absent" in res.message  # type: ignore[attr-defined]
    cur = _coded(98, 2500, ["a", "b", "rare"], [0.6, 0.3996, 0.0004])  # 'c' (20 %) vanished
    res = _by_column(Audit(cur, history=history, suite="none", checks=checks).run())["code"]
    assert res.status is Status.WARN and "distinct 3 against a median of 4" in res.message  # type: ignore[attr-defined]
