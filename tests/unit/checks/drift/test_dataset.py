"""drift.dataset: the (weighted) share of drifted columns, limits and the severity table."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit.checks._base import CheckContext, check_class
from mlaudit.checks.drift.dataset import DatasetDrift
from mlaudit.checks.drift.univariate import UnivariateDrift
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.errors import ConfigError
from mlaudit.results import Status, TableDetail
from mlaudit.summary import profile_frame

_NAMES = ["a", "b", "c", "d", "e"]


def _ctx(shifts: dict[str, float], n: int = 2000) -> CheckContext:
    rng = np.random.default_rng(0)
    schema = Schema(
        columns=[ColumnSchema(name=c, dtype="double", type=ColumnType.NUMERIC) for c in _NAMES]
    )
    ref = pl.DataFrame({c: rng.normal(0, 1, n) for c in _NAMES})
    cur = pl.DataFrame({c: rng.normal(shifts.get(c, 0.0), 1, n) for c in _NAMES})
    return CheckContext(
        current=profile_frame(cur, schema), schema=schema, reference=profile_frame(ref, schema)
    )


def test_registered() -> None:
    assert check_class("drift.dataset") is DatasetDrift


@pytest.mark.parametrize(
    ("shifts", "share", "status"),
    [
        ({}, 0.0, Status.PASS),
        ({"a": 1.0}, 0.2, Status.WARN),  # 1 of 5: at the 20% warn limit
        ({"a": 1.0, "b": 0.5}, 0.4, Status.WARN),
        ({"a": 1.0, "b": 0.5, "c": 0.3}, 0.6, Status.FAIL),
    ],
)
def test_share_and_limits(shifts: dict[str, float], share: float, status: Status) -> None:
    r = DatasetDrift().compute(_ctx(shifts))
    assert r.metrics["drifted_share"] == pytest.approx(share)
    assert r.metrics["compared_columns"] == 5
    assert r.status == status


def test_weights_and_table_order() -> None:
    ctx = _ctx({"a": 1.0, "b": 0.5})
    r = DatasetDrift(weights={"a": 3.0, "b": 1.0, "c": 4.0, "d": 1.0, "e": 1.0}).compute(ctx)
    assert r.metrics["drifted_share"] == pytest.approx(4.0 / 10.0)  # hand: (3 + 1) / 10
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert [row[0] for row in table.rows[:2]] == ["a", "b"]  # drifted, larger effect first
    effects = [row[6] for row in table.rows[2:]]
    assert effects == sorted(effects, reverse=True)  # type: ignore[type-var]
    # reuses the univariate table cached in ctx.extras: identical rows
    uni = {u.column: u for u in UnivariateDrift().compute(ctx)}
    assert table.rows[0][3] == uni["a"].metrics["statistic"]
    assert sum(k.startswith("drift.univariate:") for k in ctx.extras) == 1


def test_bad_weights() -> None:
    with pytest.raises(ConfigError, match="zzz"):
        DatasetDrift(weights={"zzz": 1.0}).compute(_ctx({}))
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        DatasetDrift(weights={"a": -1.0})


def test_nothing_compared_is_skipped() -> None:
    ctx = _ctx({}, n=10)  # fewer than 30 values: every column skipped
    r = DatasetDrift().compute(ctx)
    assert r.status == Status.SKIPPED
