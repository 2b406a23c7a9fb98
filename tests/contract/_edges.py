"""The edge-case data of the check contract, and its profiles as an audit builds them.

Every edge is a 60-row table (or none) with one column of each type and role, daily windows of
the hourly timestamp (three windows), and a typical reference drawn from another seed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from mlaudit.checks._base import Check
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.data._windows import WindowSpec
from mlaudit.engines._local import profile
from mlaudit.engines._windows import model_columns, scan_windows, window_columns
from mlaudit.models import Model, load_model
from mlaudit.summary import DatasetProfile, ScanPlan
from mlaudit.summary._windows import WindowedData

N = 60
INF = float("inf")

Reference = Literal["none", "typical", "itself"]
"""What the check compares with: nothing, typical data of another seed, or the edge data."""
REFERENCES: tuple[Reference, ...] = ("none", "typical", "itself")

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


def schema_of(df: pl.DataFrame) -> Schema:
    """The declared schema of an edge frame (unicode names map back to their columns)."""
    back = {v: k for k, v in UNICODE.items()}
    cols = []
    for name in df.columns:
        _, ctype, role, personal = COLUMNS[back.get(name, name)]
        arrow = str(df.select(name).to_arrow().schema.field(0).type)
        cols.append(ColumnSchema(name=name, dtype=arrow, type=ctype, role=role, personal=personal))
    grade = UNICODE["cat"] if UNICODE["cat"] in df.columns else "cat"  # performance.rating_grades
    return Schema(columns=cols, grade=grade if grade in df.columns else None)


class _Frame:
    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.df.to_arrow().to_batches(max_chunksize=25)


def scan_plan(schema: Schema, checks: Iterable[Check]) -> ScanPlan:
    """The scan plan an audit of ``checks`` would build."""
    plan = ScanPlan(sample_size=100, personal=frozenset(schema.personal))
    for check in checks:
        plan = check.scan_plan(plan)
    return plan


def _windows(df: pl.DataFrame, schema: Schema) -> WindowedData:
    """Daily windows of the hourly ``ts`` column (60 rows: three windows), min_rows 5."""
    spec = WindowSpec(every="day", column="ts", min_rows=5)
    return scan_windows(
        _Frame(df),
        schema,
        spec,
        profile_columns=window_columns(schema),
        row_columns=model_columns(schema, [Role.SENSITIVE]),  # as for the fairness checks
    )


def _reference_frame(edge: str, reference: Reference) -> pl.DataFrame | None:
    if reference == "none":
        return None
    if reference == "itself":
        return EDGES[edge]()
    ref = _frame(_typical(seed=1))
    return ref.rename(UNICODE) if edge == "unicode" else ref


@functools.cache
def windowed(edge: str, reference: Reference) -> tuple[WindowedData, WindowedData | None]:
    """(current windows, reference windows or None) for an edge case."""
    df = EDGES[edge]()
    ref_df = _reference_frame(edge, reference)
    ref = None if ref_df is None else _windows(ref_df, schema_of(ref_df))
    return _windows(df, schema_of(df)), ref


def profiles(
    edge: str, reference: Reference, checks: Iterable[Check]
) -> tuple[Schema, DatasetProfile, DatasetProfile | None]:
    """(schema, current profile, reference profile or None) through the two-pass engine.

    As in an audit, the reference is profiled first and its ranges set the current histograms.
    """
    df = EDGES[edge]()
    schema = schema_of(df)
    plan = scan_plan(schema, checks)
    ref_df = _reference_frame(edge, reference)
    ref = None if ref_df is None else profile(_Frame(ref_df), schema, plan)
    return schema, profile(_Frame(df), schema, plan, reference=ref), ref


@functools.cache
def _fitted(edge: str, trees: bool) -> Model:
    """A pipeline (one-hot encoding, then gradient boosting or a logistic regression) fitted on
    typical data under the edge's column names: the model object of the model checks."""
    names = UNICODE if edge == "unicode" else {}
    num, cat = [names.get(c, c) for c in ("x", "n")], names.get("cat", "cat")
    train = _frame(_typical(seed=2)).rename(names).to_pandas()
    pipe = make_pipeline(
        make_column_transformer(
            ("passthrough", num),
            (OneHotEncoder(handle_unknown="ignore"), [cat]),
        ),
        HistGradientBoostingClassifier(max_iter=8, random_state=0)
        if trees
        else LogisticRegression(),
    )
    return load_model(pipe.fit(train[[*num, cat]], train["target"]))


def model_context(
    edge: str, reference: Reference, *, trees: bool = False
) -> tuple[Model, dict[str, pl.DataFrame]]:
    """The model and the inputs' rows a model check reads (as ``CheckContext`` holds them):
    a tree ensemble (``trees``, for the checks that cut one) or a linear model (which skl2onnx
    converts whatever the input types)."""
    df = EDGES[edge]()
    samples = {"current": df.with_row_index("__row__")}
    ref_df = _reference_frame(edge, reference)
    if ref_df is not None:
        samples["reference"] = ref_df.with_row_index("__row__")
    return _fitted(edge, trees), samples
