"""Windows for the checks over time: which to cut, how the reference is cut, and the scans.

The current data is cut as configured (by a timestamp column and a period, or by rows).  The
reference is cut the same way when it has the timestamp column, else into row windows of the
median current window's size, so that control limits compare like with like.  With no windows
configured but a check that reads the model's rows (estimation without labels), each period is
one window holding every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from pydantic import ValidationError

from mlaudit._warnings import capture_warnings
from mlaudit.audit._inputs import Input
from mlaudit.audit._progress import NullProgress, ProgressReporter
from mlaudit.checks import Check
from mlaudit.config import Settings, WindowConfig, format_validation_error
from mlaudit.data import Dataset, Role, Schema, WindowSpec
from mlaudit.engines import model_columns, scan_windows, window_columns
from mlaudit.errors import ConfigError
from mlaudit.summary import WINDOW, WINDOW_DTYPE, DatasetProfile, ScanPlan, Window, WindowedData

__all__ = ["cut_windows", "profile_windows", "window_config"]

_ALL_ROWS = WindowSpec(rows=2**62, min_rows=1)
"""One window holding every row of a period, however many."""


@dataclass(frozen=True)
class _Cut:
    """What one windowed pass over an input computes."""

    spec: WindowSpec
    profile_columns: list[str]
    row_columns: list[str]
    order_by: str | None


def window_config(spec: WindowConfig | Mapping[str, Any]) -> WindowConfig:
    """Validate ``{"every": "week"}`` / ``{"rows": 10000}`` into a :class:`WindowConfig`."""
    if isinstance(spec, WindowConfig):
        return spec
    try:
        return WindowConfig.model_validate(dict(spec))
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source="windows"),
            fix="e.g. windows={'every': 'week'} or windows={'rows': 10000}",
        ) from None


def cut_windows(
    checks: Sequence[Check],
    config: WindowConfig | None,
    current: tuple[Input, DatasetProfile],
    reference: Input | None,
    *,
    plan: ScanPlan,
    progress: ProgressReporter,
) -> tuple[WindowedData | None, WindowedData | None]:
    """Cut current and reference into windows when a check reads them (one more pass each)."""
    cur_input, cur_profile = current
    cut = _plan_cut(checks, config, cur_input.schema, cur_profile)
    if cut is None:
        return None, None
    whole = config is None
    cur = _scan(cur_input, cut, plan, progress)
    cur.configured = not whole
    if reference is None:
        return cur, None
    if reference.baseline is not None:
        return cur, _baseline_windows(reference.baseline.windows, cut.spec, whole=whole)
    ref = _scan(reference, _reference_cut(cut, cur, reference.schema, whole=whole), plan, progress)
    ref.configured = not whole
    return cur, ref


def _plan_cut(
    checks: Sequence[Check],
    config: WindowConfig | None,
    schema: Schema,
    profile: DatasetProfile,
) -> _Cut | None:
    """What to compute per window, or None when no check reads windows or rows."""
    need_profiles = any(c.needs_windows for c in checks)
    need_rows = any(c.needs_rows for c in checks)
    if not (need_profiles or need_rows):
        return None
    row_cols = model_columns(schema, {r for c in checks if c.needs_rows for r in c.row_roles})
    named = {n for c in checks if c.needs_rows for n in c.row_columns()}
    row_cols += sorted(n for n in named if n in schema and n not in row_cols)
    spec = _window_spec(config, schema)
    if spec is None:
        if not (need_rows and row_cols):
            return None
        # One window holding every row: estimates for the whole period.
        spec = WindowSpec(rows=max(profile.n_rows, 1), min_rows=1)
        return _Cut(spec, [], row_cols, _order_by(spec, schema))
    prof_cols = window_columns(schema) if need_profiles else []
    return _Cut(spec, prof_cols, row_cols, _order_by(spec, schema))


def _order_by(spec: WindowSpec, schema: Schema) -> str | None:
    """The column giving the rows' time order: the window column, else the first timestamp."""
    if spec.by_time:
        return spec.column
    stamps = schema.with_role(Role.TIMESTAMP)
    return stamps[0].name if stamps else None


def _window_spec(cfg: WindowConfig | None, schema: Schema) -> WindowSpec | None:
    """The window spec with its timestamp column resolved; a clear error when there is none."""
    if cfg is None:
        return None
    if cfg.rows is not None:
        return WindowSpec(rows=cfg.rows, min_rows=cfg.min_rows)
    column = cfg.column
    if column is None:
        stamps = schema.with_role(Role.TIMESTAMP)
        if not stamps:
            raise ConfigError(
                f"windows every {cfg.every} need a timestamp column and none was found",
                fix="declare it (schema.timestamp / --timestamp COL), set windows.column, "
                "or cut by rows (windows: {rows: 10000})",
            )
        column = stamps[0].name
    elif column not in schema:
        raise ConfigError(
            f"windows.column {column!r} is not a column of the current data",
            fix=f"use one of: {', '.join(schema.names[:12])}",
        )
    return WindowSpec(every=cfg.every, column=column, min_rows=cfg.min_rows)


def _reference_cut(cut: _Cut, cur: WindowedData, schema: Schema, *, whole: bool) -> _Cut:
    """Cut the reference like the current data; by rows when it lacks the timestamp column."""
    spec = cut.spec
    if whole:
        spec = _ALL_ROWS
    elif not (spec.by_time and spec.column in schema):
        sizes = sorted(w.n_rows for w in cur.windows) or [spec.rows or 1]
        median = max(sizes[len(sizes) // 2], 1)
        spec = WindowSpec(rows=spec.rows or median, min_rows=spec.min_rows)
    return _Cut(
        spec,
        [c for c in cut.profile_columns if c in schema],
        [c for c in cut.row_columns if c in schema],
        cut.order_by if cut.order_by in schema else None,
    )


def _baseline_windows(
    saved: WindowedData | None, spec: WindowSpec, *, whole: bool
) -> WindowedData | None:
    """The windows a saved baseline holds, as the reference windows of this audit.

    Used as they are when cut like the current data; otherwise (or with no windows configured)
    only their rows serve, as one window (calibration and reference metrics, no control limits).
    """
    if saved is None:
        return None
    same = saved.spec.every == spec.every and saved.spec.rows == spec.rows
    if same and not whole and saved.configured:
        return saved
    rows = saved.rows
    if rows is not None:
        rows = rows.with_columns(pl.lit(0, dtype=WINDOW_DTYPE).alias(WINDOW))
    n = rows.height if rows is not None else sum(w.n_rows for w in saved.windows)
    return WindowedData(
        spec=_ALL_ROWS,
        windows=[Window(key=0, label="all rows", n_rows=n)],
        rows=rows,
        configured=False,
    )


def _scan(inp: Input, cut: _Cut, plan: ScanPlan, progress: ProgressReporter) -> WindowedData:
    assert inp.dataset is not None
    key = f"{inp.name}-windows"
    progress.start(key, f"Windows of {inp.name}", inp.dataset.num_rows)
    try:
        return scan_windows(
            inp.dataset,
            inp.schema,
            cut.spec,
            plan=plan,
            profile_columns=cut.profile_columns,
            row_columns=cut.row_columns,
            order_by=cut.order_by,
            on_rows=lambda n: progress.advance(key, n),
        )
    finally:
        progress.finish(key)


def profile_windows(
    dataset: Dataset,
    schema: Schema,
    windows: WindowConfig | Mapping[str, Any],
    *,
    seed: int = 0,
    settings: Settings | None = None,
    progress: ProgressReporter | None = None,
) -> WindowedData:
    """``dataset`` cut into windows: a profile per window and the model columns per row.

    Saved in a baseline (``mlaudit profile REF --out ref.profile --window week``), it gives the
    checks over time their control limits and the estimation its calibration without the raw
    reference.
    """
    settings = settings or Settings()
    spec = _window_spec(window_config(windows), schema)
    assert spec is not None
    plan = ScanPlan(
        category_cap=settings.category_cap, seed=seed, personal=frozenset(schema.personal)
    )
    cut = _Cut(spec, window_columns(schema), model_columns(schema), _order_by(spec, schema))
    with capture_warnings():
        return _scan(
            Input(dataset.name, schema, dataset=dataset), cut, plan, progress or NullProgress()
        )
