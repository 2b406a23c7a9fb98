"""``quality.over_time``: a week with a column half empty, and a week with too few rows."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from tests.unit.checks._monitoring import SCHEMA, make_period, reference

from mlaudit import Audit
from mlaudit.results import CheckResult, Status


def _run(current: pl.DataFrame, ref: pl.DataFrame | None) -> list[CheckResult]:
    result = Audit(
        current, reference=ref, suite="none", checks={"quality.over_time": {}},
        schema=SCHEMA, windows={"every": "week"},
    ).run()  # fmt: skip
    return [r for r in result.checks if r.id == "quality.over_time"]


def test_a_week_with_missing_values_is_flagged_alone() -> None:
    res = {r.column: r for r in _run(make_period(missing_week=3, seed=5), reference())}
    x2 = res["x2"]
    assert x2.status is Status.WARN
    table = next(d for d in x2.details if d.kind == "table")
    assert [row[-1] for row in table.rows] == ["ok"] * 3 + ["alert"] + ["ok"] * 4
    assert table.rows[3][2] == pytest.approx(0.5)  # every other row of week 3 is missing
    assert "first 2025-05-26" in x2.message
    assert "x1" not in res  # complete everywhere: no per-column result


def test_row_count_limits_come_from_full_reference_weeks() -> None:
    cur = make_period(seed=6)
    weeks = cur["ts"].dt.truncate("1w")
    fourth = weeks.unique().sort()[4]
    # Keep a third of week 4: a broken feed.
    keep = (weeks != fourth) | (pl.Series(np.arange(cur.height)) % 3 == 0)
    res = _run(cur.filter(keep), reference())
    rows = res[0]
    assert rows.column is None and rows.status is Status.WARN
    assert rows.metrics["windows_out_of_limits"] == 1
    assert "except 2025-06-02" in rows.message
    ref = reference()
    counts = ref.group_by(ref["ts"].dt.truncate("1w").alias("w")).len().sort("w")["len"]
    inner = counts.to_numpy()[1:-1].astype(float)  # partial first and last weeks left out
    lo = max(float(inner.mean() - 3 * inner.std(ddof=1)), 0.0)
    assert rows.metrics["lower_control_limit"] == pytest.approx(lo)


def test_without_reference_windows_missing_share_is_held_to_the_reference_share() -> None:
    res = {r.column: r for r in _run(make_period(missing_week=2, seed=8), None)}
    # No reference at all: nothing to hold a share to, the check still lists the windows.
    assert res[None].status is Status.PASS
    assert res["x2"].status is Status.PASS
    assert res["x2"].metrics["max_missing_share"] == pytest.approx(0.5)
