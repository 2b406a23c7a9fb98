"""Every registered check, with its default options, over edge-case data.

Properties every check must keep (DESIGN.md, house style 9): it never raises on empty data, one
row, an all-null column, one class, a constant column, unicode column names or NaN/inf scores;
it returns well-formed :class:`CheckResult` objects (its own id and family, a non-empty plain
message, a status a check may give, a column that exists) that serialise to JSON.

The data goes through the real two-pass local engine with the scan plan of every check, as an
audit would do it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from mlaudit.checks.base import Check, CheckContext, list_checks
from mlaudit.data.types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.data.windows import WindowSpec
from mlaudit.engines.local import profile
from mlaudit.engines.windows import WindowedData, model_columns, scan_windows, window_columns
from mlaudit.results import CheckResult, Status
from mlaudit.summary import DatasetProfile, ScanPlan

N = 60
INF = float("inf")

# name → (polars dtype, mlaudit type, role, personal)
COLUMNS: dict[str, tuple[pl.DataType, ColumnType, Role, bool]] = {
    "x": (pl.Float64(), ColumnType.NUMERIC, Role.FEATURE, False),
    "n": (pl.Int64(), ColumnType.INTEGER, Role.FEATURE, False),
    "cat": (pl.String(), ColumnType.CATEGORICAL, Role.FEATURE, False),
    "flag": (pl.Boolean(), ColumnType.BOOLEAN, Role.FEATURE, False),
    "id": (pl.Int64(), ColumnType.ID, Role.ID, False),
    "target": (pl.Int64(), ColumnType.BOOLEAN, Role.TARGET, False),
    "prediction": (pl.Int64(), ColumnType.BOOLEAN, Role.PREDICTION, False),
    "score": (pl.Float64(), ColumnType.NUMERIC, Role.SCORE, False),
    "gender": (pl.String(), ColumnType.CATEGORICAL, Role.SENSITIVE, False),
    "ts": (pl.Datetime("us"), ColumnType.DATETIME, Role.TIMESTAMP, False),
    "email": (pl.String(), ColumnType.TEXT, Role.FEATURE, True),
    "skip": (pl.String(), ColumnType.TEXT, Role.IGNORED, False),
}
UNICODE = {"x": "revenu_annuel_€", "cat": "région 日本", "score": 'scöre "q"', "n": "名前"}


def _typical(n: int = N, seed: int = 0) -> dict[str, list[object]]:
    rng = np.random.default_rng(seed)
    score = rng.random(n)
    return {
        "x": list(rng.normal(50, 10, n)),
        "n": [int(v) for v in rng.integers(0, 100, n)],
        "cat": [str(v) for v in rng.choice(["a", "b", "c"], n)],
        "flag": [bool(v) for v in rng.integers(0, 2, n)],
        "id": list(range(n)),
        "target": [int(v) for v in rng.integers(0, 2, n)],
        "prediction": [int(s > 0.5) for s in score],
        "score": list(score),
        "gender": [str(v) for v in rng.choice(["f", "m"], n)],
        "ts": [datetime(2025, 1, 1) + timedelta(hours=i) for i in range(n)],
        "email": [f"user{i}@example.com" for i in range(n)],
        "skip": ["z"] * n,
    }


def _frame(data: dict[str, list[object]]) -> pl.DataFrame:
    return pl.DataFrame({k: pl.Series(k, v, dtype=COLUMNS[k][0]) for k, v in data.items()})


def _empty() -> pl.DataFrame:
    return _frame({k: [] for k in COLUMNS})


def _one_row() -> pl.DataFrame:
    return _frame({k: v[:1] for k, v in _typical().items()})


def _all_null() -> pl.DataFrame:
    data = _typical()
    for k in ("x", "cat", "score", "gender", "email"):
        data[k] = [None] * N
    return _frame(data)


def _one_class() -> pl.DataFrame:
    data = _typical()
    data["target"], data["prediction"], data["gender"] = [1] * N, [1] * N, ["f"] * N
    return _frame(data)


def _constant() -> pl.DataFrame:
    data = _typical()
    data["x"], data["n"], data["cat"], data["score"] = [5.0] * N, [7] * N, ["a"] * N, [0.5] * N
    return _frame(data)


def _nan_inf() -> pl.DataFrame:
    data = _typical()
    data["score"] = [np.nan, INF, -INF] * (N // 3)
    data["x"] = [INF] * 3 + data["x"][3:]
    return _frame(data)


def _duplicates() -> pl.DataFrame:
    df = _frame(_typical(N // 2))
    return pl.concat([df, df])


def _unicode() -> pl.DataFrame:
    return _frame(_typical()).rename(UNICODE)


EDGES: dict[str, Callable[[], pl.DataFrame]] = {
    "empty": _empty,
    "one_row": _one_row,
    "all_null": _all_null,
    "one_class": _one_class,
    "constant": _constant,
    "nan_inf": _nan_inf,
    "duplicates": _duplicates,
    "unicode": _unicode,
}


def _schema(df: pl.DataFrame) -> Schema:
    back = {v: k for k, v in UNICODE.items()}
    cols = []
    for name in df.columns:
        _, ctype, role, personal = COLUMNS[back.get(name, name)]
        arrow = str(df.select(name).to_arrow().schema.field(0).type)
        cols.append(ColumnSchema(name=name, dtype=arrow, type=ctype, role=role, personal=personal))
    return Schema(columns=cols)


class _Frame:
    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.df.to_arrow().to_batches(max_chunksize=25)


def _plan(schema: Schema) -> ScanPlan:
    plan = ScanPlan(sample_size=100, personal=frozenset(schema.personal))
    for cls in list_checks():
        plan = cls().scan_plan(plan)
    return plan


def _windows(df: pl.DataFrame, schema: Schema) -> WindowedData:
    """Daily windows of the hourly ``ts`` column (60 rows: three windows), min_rows 5."""
    spec = WindowSpec(every="day", column="ts", min_rows=5)
    return scan_windows(
        _Frame(df),
        schema,
        spec,
        profile_columns=window_columns(schema),
        row_columns=model_columns(schema),
    )


@functools.cache
def _windowed(edge: str) -> tuple[WindowedData, WindowedData]:
    """(current windows, reference windows) for an edge case."""
    df = EDGES[edge]()
    ref_df = _frame(_typical(seed=1))
    if edge == "unicode":
        ref_df = ref_df.rename(UNICODE)
    return _windows(df, _schema(df)), _windows(ref_df, _schema(ref_df))


@functools.cache
def _profiles(edge: str) -> tuple[Schema, DatasetProfile, DatasetProfile]:
    """(schema, current profile, reference profile) for an edge case."""
    df = EDGES[edge]()
    ref_df = _frame(_typical(seed=1))
    if edge == "unicode":
        ref_df = ref_df.rename(UNICODE)
    schema = _schema(df)
    plan = _plan(schema)
    ref = profile(_Frame(ref_df), schema, plan)
    cur = profile(_Frame(df), schema, plan, reference=ref)
    return schema, cur, ref


def _ids() -> list[type[Check]]:
    return list_checks()


def test_checks_are_registered() -> None:
    ids = [c.id for c in list_checks()]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 9
    for cls in list_checks():
        assert cls.id.startswith(f"{cls.family}.")
        assert cls.title, cls.id
        assert cls.why.strip(), cls.id


@pytest.mark.parametrize("with_reference", [False, True], ids=["alone", "with_reference"])
@pytest.mark.parametrize("edge", list(EDGES))
@pytest.mark.parametrize("cls", _ids(), ids=lambda c: c.id)
def test_check_survives_edge_case(cls: type[Check], edge: str, with_reference: bool) -> None:
    schema, cur, ref = _profiles(edge)
    if cls.needs_reference and not with_reference:
        return  # the runner skips these without calling them
    cur_w, ref_w = _windowed(edge) if cls.needs_windows or cls.needs_rows else (None, None)
    ctx = CheckContext(
        current=cur,
        schema=schema,
        reference=ref if with_reference else None,
        reference_schema=schema if with_reference else None,
        current_windows=cur_w,
        reference_windows=ref_w if with_reference else None,
    )
    out = cls().compute(ctx)
    results = out if isinstance(out, list) else [out]
    assert results, f"{cls.id} returned no result"
    for r in results:
        _assert_well_formed(cls, r, schema)


def _assert_well_formed(cls: type[Check], r: CheckResult, schema: Schema) -> None:
    assert isinstance(r, CheckResult)
    assert r.id == cls.id
    assert r.family == cls.family
    assert r.message.strip(), f"{cls.id}: empty message"
    assert r.status in (Status.PASS, Status.INCONCLUSIVE, Status.WARN, Status.FAIL, Status.SKIPPED)
    assert r.column is None or r.column in schema, f"{cls.id}: unknown column {r.column!r}"
    for name, value in r.metrics.items():
        assert value is None or isinstance(value, int | float), f"{cls.id}.{name}"
    for d in r.details:
        if d.kind == "examples":
            personal = set(schema.personal)
            assert set(d.masked_columns) == personal & set(d.columns)
    r.model_dump_json()  # serialisable


def test_empty_data_fails_row_count() -> None:
    schema, cur, _ = _profiles("empty")
    from mlaudit.checks.base import check_class

    r = check_class("quality.row_count")().compute(CheckContext(current=cur, schema=schema))
    assert not isinstance(r, list)
    assert r.status is Status.FAIL
