"""``drift.over_time``: the window where a planted shift begins is found; quiet data stays quiet."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.unit.checks._monitoring import SCHEMA, make_period, reference
from tests.unit.checks.drift._oracle import robust_effect

from mlaudit import Audit
from mlaudit.results import CheckResult, Status


def _run(current, ref, windows=None, **options) -> list[CheckResult]:  # type: ignore[no-untyped-def]
    result = Audit(
        current,
        reference=ref,
        suite="none",
        checks={"drift.over_time": options},
        schema=SCHEMA,
        windows=windows if windows is not None else {"every": "week"},
    ).run()
    return [r for r in result.checks if r.id == "drift.over_time"]


def _by_column(results: list[CheckResult]) -> dict[str | None, CheckResult]:
    return {r.column: r for r in results}


def test_shift_found_from_the_week_it_starts() -> None:
    ref = reference()
    cur = make_period(shift_from=5, shift=0.6, seed=1)
    res = _by_column(_run(cur, ref))
    x1 = res["x1"]
    assert x1.status is Status.FAIL  # 0.6 SD ≥ 3 × the 0.1 floor
    table = next(d for d in x1.details if d.kind == "table")
    verdicts = [row[-1] for row in table.rows]
    assert verdicts == ["ok"] * 5 + ["alert"] * 3
    assert "first in 2025-06-09" in x1.message  # week 5 starts on Monday 2025-06-09
    # The effect size of a window is the robust W1 shift; check one against a hand oracle.
    w6 = cur.filter(cur["ts"].dt.truncate("1w") == cur["ts"].dt.truncate("1w").unique().sort()[6])
    expected = robust_effect(ref["x1"].to_numpy(), w6["x1"].to_numpy())
    assert table.rows[6][4] == pytest.approx(expected, rel=2e-3)  # reference sketch: exact here
    for col in ("x2", "c", "score"):
        if col == "score":
            continue  # the score moves with x1: prediction drift, expected
        assert res[col].status is Status.PASS, res[col].message
    summary = res[None]
    assert summary.metrics["windows"] == 8
    assert summary.metrics["windows_alerting"] == 3


def test_stationary_data_raises_no_alert() -> None:
    res = _run(make_period(seed=7), reference())
    assert all(r.status is Status.PASS for r in res), [r.message for r in res if r.status != "pass"]
    x1 = _by_column(res)["x1"]
    assert x1.metrics["reference_windows"] == 12
    ucl = x1.metrics["upper_control_limit"]
    assert ucl is not None and 0 < ucl < 0.2


def test_control_limit_is_mean_plus_three_sd_of_reference_windows() -> None:
    ref = reference()
    res = _by_column(_run(make_period(seed=3), ref))
    # Oracle: every reference week's robust W1 shift against the whole reference, by hand.
    weeks = ref["ts"].dt.truncate("1w")
    effects = [
        robust_effect(ref["x1"].to_numpy(), ref.filter(weeks == w)["x1"].to_numpy())
        for w in weeks.unique().sort()
    ]
    expected = float(np.mean(effects) + 3 * np.std(effects, ddof=1))
    assert res["x1"].metrics["upper_control_limit"] == pytest.approx(expected, rel=1e-3)


def test_small_windows_are_listed_not_judged() -> None:
    cur = make_period(weeks=2, rows_per_week=50, seed=2)
    res = _run(cur, reference(), windows={"every": "week", "min_rows": 100})
    assert len(res) == 1 and res[0].status is Status.SKIPPED
    assert "fewer than min_rows=100" in res[0].message


def test_without_windows_the_check_says_how_to_enable_it() -> None:
    out = Audit(make_period(weeks=1), reference=reference(weeks=2), suite="none",
                checks={"drift.over_time": {}}, schema=SCHEMA).run()  # fmt: skip
    r = next(r for r in out.checks if r.id == "drift.over_time")
    assert r.status is Status.SKIPPED and "every: week" in r.message


def test_row_windows_work_without_timestamps() -> None:
    ref = reference().drop("ts")
    cur = make_period(shift_from=4, seed=4).drop("ts")
    schema = {k: v for k, v in SCHEMA.items() if k != "timestamp"}
    out = Audit(cur, reference=ref, suite="none", checks={"drift.over_time": {}},
                schema=schema, windows={"rows": 1500}).run()  # fmt: skip
    x1 = next(r for r in out.checks if r.id == "drift.over_time" and r.column == "x1")
    table = next(d for d in x1.details if d.kind == "table")
    assert [row[-1] for row in table.rows] == ["ok"] * 4 + ["alert"] * 4
    assert table.rows[0][0] == "rows 1–1,500"
    assert not math.isnan(x1.metrics["upper_control_limit"] or math.nan)


def test_window_above_the_control_limit_but_not_significant_is_no_alert() -> None:
    from mlaudit.checks.drift.over_time import _Cell, _Limits
    from mlaudit.stats import control_limits

    control = control_limits([0.02, 0.03, 0.04, 0.03], k=3.0, floor=0.0)
    assert control is not None
    lim = _Limits(floor=0.1, fail_at=0.3, control=control, alpha=0.05)
    big = {"effect": 0.5, "statistic": 0.2, "drifted": False, "skipped": None}
    assert not lim.alerts(_Cell(p_adjusted=0.22, **big))  # one outlier, test not significant
    assert lim.alerts(_Cell(p_adjusted=0.01, **big))
    assert lim.alerts(_Cell(p_adjusted=None, **big))  # a distance without a test: limits decide
