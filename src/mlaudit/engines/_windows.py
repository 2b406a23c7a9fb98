"""Windowed scans: a profile per time window, and the model's columns row by row.

Checks over time read a :class:`WindowedData` per period (current and, for control limits,
reference): one mergeable :class:`~mlaudit.summary._model.DatasetProfile` per window (built by the
same code as the whole-data profile, batch by batch, so memory stays bounded by the number of
windows, not rows) and, when the audit has model columns (target, prediction, score), those
columns for every row with their window and order (20–36 bytes a row: performance over time and
change detectors need the rows in order, and estimated performance needs each row's score).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import polars as pl

from mlaudit.data import (
    ColumnType,
    Dataset,
    Role,
    Schema,
    WindowSpec,
    timestamps_us,
    window_keys,
    window_label,
)
from mlaudit.engines._local import BatchSource
from mlaudit.errors import ConfigError
from mlaudit.summary import (
    ORDER,
    WINDOW,
    WINDOW_DTYPE,
    ProfileBuilder,
    ScanPlan,
    Window,
    WindowedData,
)

__all__ = [
    "MAX_WINDOWS",
    "WINDOW_SKETCH_EXACT",
    "model_columns",
    "scan_windows",
    "window_columns",
]

WINDOW_SKETCH_EXACT = 16_384
"""A window's quantile sketches hold this many values exactly (128 KiB a column), then compact
with a hard rank-error bound: memory grows with windows × columns, not rows (a year of weekly
windows of 20 columns: about 130 MB a period, against 1 GB with the whole-data capacity).
Larger windows are compared from their sketches, with the bounds in the results."""
MAX_WINDOWS = 2_000
"""More windows than this is almost always a mistake (hourly windows over years)."""


_WINDOW_TYPES = (ColumnType.NUMERIC, ColumnType.INTEGER, ColumnType.CATEGORICAL, ColumnType.BOOLEAN)
_WINDOW_ROLES = (Role.FEATURE, Role.TARGET, Role.PREDICTION, Role.SCORE, Role.SENSITIVE)


def window_columns(schema: Schema) -> list[str]:
    """Columns worth a profile per window: those drift compares (not personal, text, ids or
    times)."""
    return [
        c.name
        for c in schema.columns
        if c.role in _WINDOW_ROLES and c.type in _WINDOW_TYPES and not c.personal
    ]


def _narrow(part: pl.DataFrame) -> pl.DataFrame:
    """``part`` with each integer column in the smallest signed type that holds its values.

    Labels and predicted classes are mostly 0/1 or a few classes, read as 8-byte integers:
    kept for every row of both periods they were most of the windows' memory (10,000,000 +
    10,000,000 rows held 720 MB of model rows; 12 bytes a row instead of 36 now).  The values
    do not change, only their width.
    """
    casts = []
    for name, dtype in part.schema.items():
        if not dtype.is_integer() or part.height == 0:
            continue
        col = part[name]
        low, high = col.min(), col.max()
        if not (isinstance(low, int) and isinstance(high, int)):
            continue  # every value missing
        for narrow, bits in ((pl.Int8, 8), (pl.Int16, 16), (pl.Int32, 32)):
            if -(2 ** (bits - 1)) <= low and high < 2 ** (bits - 1):
                if narrow != dtype:
                    casts.append(col.cast(narrow))
                break
    return part.with_columns(casts) if casts else part


def model_columns(schema: Schema, roles: Iterable[Role] = ()) -> list[str]:
    """The target, prediction and score columns (kept row by row for performance checks), with
    a multiclass model's declared class probabilities (8 bytes a row per class), and the
    columns of ``roles`` (the sensitive attributes, for the fairness checks)."""
    cols = [c.name for c in schema.with_role(Role.TARGET, Role.PREDICTION, Role.SCORE)]
    cols += [c for c in dict.fromkeys(schema.class_scores.values()) if c in schema]
    cols = list(dict.fromkeys(cols))
    cols += _grade_columns(schema, cols)
    return cols + [c.name for c in schema.with_role(*roles) if c.name not in cols]


def _grade_columns(schema: Schema, taken: list[str]) -> list[str]:
    """The declared rating grade column and the first declared id column (to link rows for the
    grades' migration), when a grade is declared and present; none otherwise."""
    if schema.grade is None or schema.grade not in schema:
        return []
    ids = [c.name for c in schema.with_role(Role.ID) if not c.inferred][:1]
    return [c for c in dict.fromkeys([schema.grade, *ids]) if c not in taken]


def scan_windows(
    source: BatchSource,
    schema: Schema,
    spec: WindowSpec,
    *,
    plan: ScanPlan | None = None,
    profile_columns: Sequence[str] = (),
    row_columns: Sequence[str] = (),
    order_by: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> WindowedData:
    """One pass over ``source``: a profile per window and the model columns per row.

    Parameters
    ----------
    source
        Re-iterable record batches.
    schema
        The data's schema (types of the profiled columns).
    spec
        How to cut windows (its ``column`` must be set for time windows).
    plan
        Scan options for the window profiles (category cap, seed, personal columns); no sample
        is kept per window.
    profile_columns
        Columns to profile per window (none: no profiles, e.g. only rows are needed).
    row_columns
        Columns to keep for every row (target, prediction, score).
    order_by
        Timestamp column giving the rows' order (default: the window column for time windows,
        else the row order); rows whose timestamp is invalid keep their place at the end.
    on_rows
        Progress callback with each batch's row count.
    """
    base = plan or ScanPlan()
    light = ScanPlan(
        sample_size=1,
        category_cap=base.category_cap,
        seed=base.seed,
        personal=base.personal,
        sketch_exact=WINDOW_SKETCH_EXACT,
        shapes=False,  # no check reads a window's format shapes
    )
    order_col = order_by or (spec.column if spec.by_time else None)
    scan = _WindowScan(
        spec,
        Schema(columns=[schema[c] for c in profile_columns]),
        light,
        list(row_columns),
        order_col,
    )
    needed = [*profile_columns, *row_columns, spec.column if spec.by_time else None, order_col]
    wanted = list(dict.fromkeys(c for c in needed if c is not None))
    # Only the columns this pass reads (a Dataset reads just those from a Parquet file).
    batches = source.column_batches(wanted) if isinstance(source, Dataset) else source.batches()
    for batch in batches:
        df = pl.from_arrow(batch)
        assert isinstance(df, pl.DataFrame)
        scan.add(df)
        if on_rows is not None:
            on_rows(df.height)
    return scan.finish()


class _WindowScan:
    """The running state of one windowed pass: a builder and a row count per window, and the
    model columns of the rows seen so far."""

    def __init__(
        self,
        spec: WindowSpec,
        profiled: Schema,
        plan: ScanPlan,
        row_columns: list[str],
        order_col: str | None,
    ) -> None:
        self.spec, self.profiled, self.plan = spec, profiled, plan
        self.row_columns, self.order_col = row_columns, order_col
        self.builders: dict[int, ProfileBuilder] = {}
        self.counts: dict[int, int] = {}
        self.parts: list[pl.DataFrame] = []
        self.unassigned = self.offset = 0

    def add(self, df: pl.DataFrame) -> None:
        """Tag the batch's rows with their window; count, profile and keep them."""
        keys = window_keys(df, self.spec, self.offset)
        self.unassigned += keys.null_count()
        tagged = df.with_columns(keys).filter(pl.col(WINDOW).is_not_null())
        if self.row_columns:
            part = _narrow(tagged.select(*self.row_columns, WINDOW))
            if self.order_col is not None:  # else the parts are in row order already
                part = part.with_columns(timestamps_us(tagged, self.order_col).alias(ORDER))
            self.parts.append(part)
        for (key,), part in tagged.partition_by(WINDOW, as_dict=True, maintain_order=True).items():
            k = int(key)
            self.counts[k] = self.counts.get(k, 0) + part.height
            if self.profiled.columns:
                self._builder(k).add(part.select(self.profiled.names))
        self.offset += df.height

    def _builder(self, k: int) -> ProfileBuilder:
        if k not in self.builders:
            if len(self.builders) >= MAX_WINDOWS:
                raise ConfigError(
                    f"{self.spec.describe()} give more than {MAX_WINDOWS:,} windows",
                    fix="choose a longer window (day, week, month) or more rows each",
                )
            self.builders[k] = ProfileBuilder(self.profiled, self.plan)
        return self.builders[k]

    def finish(self) -> WindowedData:
        """The windows in time order, with their profiles and the rows sorted by time."""
        if len(self.counts) > MAX_WINDOWS:
            raise ConfigError(
                f"{self.spec.describe()} give {len(self.counts):,} windows "
                f"(more than {MAX_WINDOWS:,})",
                fix="choose a longer window (day, week, month) or more rows each",
            )
        ordered = sorted(self.counts)
        windows = [
            Window(
                key=k,
                label=window_label(k, self.spec),
                n_rows=self.counts[k],
                profile=self.builders[k].finish() if k in self.builders else None,
            )
            for k in ordered
        ]
        rows = self._rows({k: i for i, k in enumerate(ordered)}) if self.row_columns else None
        return WindowedData(spec=self.spec, windows=windows, unassigned=self.unassigned, rows=rows)

    def _rows(self, index: dict[int, int]) -> pl.DataFrame:
        """The kept rows in one frame, windows as indices, sorted by time.

        One contiguous copy of the batches' parts, which are dropped once it is made (the
        concatenation, the window indices and the sort run as one lazy query), so that the
        checks read its columns as arrays without copying them.  The sort is stable, so rows
        with equal (or invalid, last) timestamps keep their row order; the timestamps are
        dropped once sorted (the checks read the rows in order, never the times).  Without a
        timestamp the parts are in row order already, and nothing is sorted.
        """
        parts, self.parts = self.parts, []
        if not parts:
            return pl.DataFrame()
        # Parts narrowed differently (a label column Int8 in one batch, Int16 in another) are
        # concatenated in their common type.
        query = (
            pl.concat(parts, how="vertical_relaxed", rechunk=False)
            .lazy()
            .with_columns(pl.col(WINDOW).replace_strict(index, return_dtype=WINDOW_DTYPE))
        )
        del parts
        if self.order_col is not None:
            query = query.sort(ORDER, nulls_last=True, maintain_order=True).drop(ORDER)
        return query.collect().rechunk()  # contiguous: the checks read columns as arrays
