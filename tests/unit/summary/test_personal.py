"""Summaries of personal columns: counts exact, no value kept, distinct count estimated.

Expected counts come from numpy on the raw values; the distinct count is judged against the
true count with the HyperLogLog's own error bound (4 standard errors, 1.04/sqrt(m)).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from mlaudit.data import ColumnSchema, ColumnType, Schema
from mlaudit.engines._local import derive_second_pass
from mlaudit.summary import ProfileBuilder, ScanPlan, from_bytes, to_bytes


def _schema() -> Schema:
    return Schema(
        columns=[
            ColumnSchema(name="ssn", dtype="int64", type=ColumnType.INTEGER, personal=True),
            ColumnSchema(
                name="dob", dtype="timestamp[us]", type=ColumnType.DATETIME, personal=True
            ),
            ColumnSchema(name="amount", dtype="double", type=ColumnType.NUMERIC),
        ]
    )


def _frame(n: int = 30_000) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    ssn = rng.integers(-5_000, 900_000_000, n)
    ssn[:700] = 0
    born = dt.datetime(1940, 1, 1)
    return pl.DataFrame(
        {
            "ssn": ssn,
            "dob": [born + dt.timedelta(days=int(d)) for d in rng.integers(0, 25_000, n)],
            "amount": rng.normal(0.0, 1.0, n),
        }
    )


def _built(df: pl.DataFrame) -> ProfileBuilder:
    b = ProfileBuilder(_schema(), ScanPlan(personal=frozenset({"ssn", "dob"})))
    for batch in df.to_arrow().to_batches(max_chunksize=7_000):
        b.add(batch)
    return b


def test_personal_numbers_keep_counts_and_no_value() -> None:
    df = _frame()
    prof = _built(df).finish()
    ssn = prof.columns["ssn"]
    raw = df["ssn"].to_numpy()
    assert ssn.numeric is not None
    assert (ssn.numeric.min, ssn.numeric.max, ssn.numeric.sketch) == (None, None, None)
    assert math.isnan(ssn.numeric.moments.mean) and math.isnan(ssn.numeric.sum)
    assert ssn.numeric.moments.n == raw.size
    assert ssn.numeric.zeros == int((raw == 0).sum())
    assert ssn.numeric.negatives == int((raw < 0).sum())
    assert ssn._distinct_values is None and not ssn.distinct_exact
    for name in ("ssn", "dob"):
        truth = np.unique(df[name].to_physical().to_numpy()).size
        col = prof.columns[name]
        assert abs(col.distinct - truth) <= 4 * 1.04 / math.sqrt(2**14) * truth
    assert prof.columns["amount"].numeric.sketch is not None  # type: ignore[union-attr]
    plan = derive_second_pass(prof, prof.plan)
    assert set(plan.histogram_edges) == set(plan.outlier_fences) == {"amount"}
    assert prof.mask_key_id is not None
    again = from_bytes(to_bytes(prof))
    assert again.mask_key_id == prof.mask_key_id
    assert again.columns["ssn"].distinct == ssn.distinct


def test_the_same_data_and_key_give_the_same_bytes() -> None:
    df = _frame(5_000)
    assert to_bytes(_built(df).finish()) == to_bytes(_built(df).finish())
