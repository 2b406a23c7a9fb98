"""``performance.change_points``: detectors date a planted rise of the error rate."""

from __future__ import annotations

import numpy as np
import polars as pl
from tests.unit.checks._monitoring import SCHEMA, make_period

from mlaudit import Audit
from mlaudit.results import CheckResult, Status


def _run(current: pl.DataFrame, windows: dict[str, object] | None = None) -> CheckResult:
    result = Audit(
        current, suite="none", checks={"performance.change_points": {}}, schema=SCHEMA,
        windows=windows or {"every": "week"},
    ).run()  # fmt: skip
    return next(r for r in result.checks if r.id == "performance.change_points")


def test_concept_drift_is_dated_near_its_start() -> None:
    cur = make_period(concept_from=5, seed=21)  # 8 weeks × 1,500 rows; change at row 7,500
    res = _run(cur)
    assert res.status is Status.FAIL, res.message  # several detectors agree
    first = res.metrics["first_change_row"]
    assert first is not None and 7_500 - 1_500 <= first <= 7_500 + 1_500
    table = next(d for d in res.details if d.kind == "table")
    rises = [row for row in table.rows if row[-1] == "rise"]
    assert {row[0] for row in rises} >= {"ddm", "adwin"}
    # The error rates before and after are those of the rows themselves (numpy as the oracle).
    ordered = cur.sort("ts")
    errors = (ordered["y"] != ordered["pred"]).to_numpy().astype(float)
    row = rises[0]
    began, detected = int(row[2]), int(row[3])
    assert row[5] == np.mean(errors[:began])
    assert row[6] == np.mean(errors[began : detected + 1])
    assert "window 2025-06" in res.message


def test_stationary_errors_raise_nothing() -> None:
    res = _run(make_period(seed=22))
    assert res.status is Status.PASS, res.message
    assert res.metrics["rises"] == 0


def test_without_windows_the_stream_is_still_read_in_time_order() -> None:
    cur = make_period(concept_from=5, seed=23).sample(fraction=1.0, shuffle=True, seed=1)
    result = Audit(cur, suite="none", checks={"performance.change_points": {}},
                   schema=SCHEMA).run()  # fmt: skip
    res = next(r for r in result.checks if r.id == "performance.change_points")
    assert res.status in (Status.WARN, Status.FAIL)
    first = res.metrics["first_change_row"]
    assert first is not None and 6_000 <= first <= 9_000
    assert "in time order" in res.message
