"""The audit runner: configuration → schema → scan plan → profiles → check results.

Data is read once per pass and summarised; every check reads the shared summaries.  A check
that crashes becomes an ``error`` result and the audit goes on; a mistake in the configuration
stops the audit before any data is read.
"""

from __future__ import annotations

import logging
import platform
import traceback
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import polars as pl

from mlaudit.audit.plan import build_checks, validate_columns
from mlaudit.audit.progress import NullProgress, ProgressReporter, make_progress
from mlaudit.checks.base import Check, CheckContext
from mlaudit.config import AuditConfig, DataConfig, SchemaConfig, Settings, WindowConfig
from mlaudit.data.schema import SchemaOverrides, compare_schemas, infer_schema
from mlaudit.data.sources import Dataset
from mlaudit.data.types import ColumnType, Role, Schema
from mlaudit.data.windows import WindowSpec
from mlaudit.engines.local import profile as scan_profile
from mlaudit.engines.windows import (
    WINDOW,
    Window,
    WindowedData,
    model_columns,
    scan_windows,
    window_columns,
)
from mlaudit.errors import ConfigError, DataError, MLAuditError
from mlaudit.results import AuditResult, CheckResult, InputInfo, Severity, Status
from mlaudit.summary.baseline import Baseline, is_baseline, load_baseline
from mlaudit.summary.model import DatasetProfile, ScanPlan

__all__ = ["Audit", "open_dataset", "profile_data", "profile_windows", "run_checks"]

log = logging.getLogger("mlaudit")

_ENV_PACKAGES = ("polars", "pyarrow", "numpy", "scipy", "scikit-learn")


def open_dataset(spec: Any, *, name: str, encoding: str = "utf-8") -> Dataset:
    """Turn a path, a frame, a :class:`DataConfig` or a :class:`Dataset` into a Dataset."""
    if isinstance(spec, Dataset):
        return spec
    if isinstance(spec, DataConfig):
        if spec.sql is not None:
            return Dataset.from_sql(spec.sql.url, spec.sql.query, name=name)
        if spec.path is None:
            raise ConfigError(f"the {name} input has neither 'path' nor 'sql'", fix="add one")
        return Dataset(spec.path, name=name, format=spec.format, encoding=spec.encoding)
    if isinstance(spec, str | Path):
        return Dataset(spec, name=name, encoding=encoding)
    return Dataset(spec, name=name)


@dataclass
class _Input:
    dataset: Dataset | None
    schema: Schema
    profile: DatasetProfile | None = None
    baseline: Baseline | None = None


def _baseline_path(spec: Any) -> Path | None:
    """The path of a saved baseline (``mlaudit profile --out``), if ``spec`` names one."""
    path = spec.path if isinstance(spec, DataConfig) and spec.sql is None else spec
    if isinstance(path, str | Path) and is_baseline(path):
        return Path(path)
    return None


class Audit:
    """An audit of one data set, or of a current data set against a reference.

    Parameters
    ----------
    current
        The data to audit: a path, a pandas/polars/pyarrow frame, or a :class:`Dataset`.
    reference
        Optional baseline data (e.g. the training period) for comparisons.
    schema
        Declared roles and types (target, prediction, score, sensitive, id, ...).
    suite
        Preset of checks: ``"full"`` (default), ``"data_quality"`` or ``"none"``.
    checks
        Options per check id (``{"quality.completeness": {"warn": 0.1}}``); ``False`` turns a
        check off; ids outside the suite are added.
    extra_checks
        Ready-made :class:`~mlaudit.checks.base.Check` objects to run as well.
    seed
        Seed for every random choice (samples, models); same seed, same report.
    progress
        Show progress bars on a terminal, or a custom :class:`ProgressReporter`.
    windows
        Cut the data into windows for the checks over time: ``{"every": "week"}`` (by the
        timestamp column) or ``{"rows": 10000}``; see :class:`~mlaudit.config.WindowConfig`.

    Examples
    --------
    >>> from mlaudit import Audit
    >>> result = Audit("current.parquet", reference="reference.parquet").run()  # doctest: +SKIP
    >>> result.summary.status  # doctest: +SKIP
    """

    def __init__(
        self,
        current: Any,
        *,
        reference: Any = None,
        schema: SchemaConfig | Mapping[str, Any] | None = None,
        suite: str = "full",
        checks: Mapping[str, Mapping[str, Any] | bool] | None = None,
        exclude: Sequence[str] = (),
        extra_checks: Sequence[Check] = (),
        seed: int = 0,
        sample_size: int | None = None,
        title: str = "Model audit",
        progress: bool | ProgressReporter = False,
        settings: Settings | None = None,
        config: dict[str, Any] | None = None,
        windows: WindowConfig | Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.current = current
        self.reference = reference
        if isinstance(schema, SchemaConfig):
            self.schema_config = schema
        else:
            self.schema_config = SchemaConfig.model_validate(dict(schema or {}))
        self.checks = build_checks(suite, checks or {}, exclude=exclude, extra=extra_checks)
        self.seed = seed
        self.sample_size = sample_size or self.settings.sample_size
        self.title = title
        self.progress = progress
        if windows is None or isinstance(windows, WindowConfig):
            self.windows = windows
        else:
            self.windows = _window_config(windows)
        self._config = config or {
            "title": title,
            "suite": suite,
            "checks": dict(checks or {}),
            "exclude": list(exclude),
            "schema": self.schema_config.model_dump(exclude_defaults=True),
            "seed": seed,
            "sample_size": self.sample_size,
        }
        if self.windows is not None and config is None:
            self._config["windows"] = self.windows.model_dump(exclude_none=True)

    @classmethod
    def from_config(cls, config: AuditConfig, **kwargs: Any) -> Audit:
        """Build an audit from a validated :class:`~mlaudit.config.AuditConfig`."""
        return cls(
            config.current,
            reference=config.reference,
            schema=config.schema_,
            suite=config.suite,
            checks=config.checks,
            exclude=config.exclude,
            seed=config.seed,
            sample_size=config.sample_size,
            title=config.title,
            windows=config.windows,
            config=config.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            **kwargs,
        )

    # -- running -------------------------------------------------------------------------------

    def run(self) -> AuditResult:
        """Read the data, run every check and return the :class:`AuditResult`."""
        started = _now()
        if isinstance(self.progress, bool):
            with make_progress(self.progress and self.settings.progress) as reporter:
                checks = self._run(reporter)
        else:
            checks = self._run(self.progress)
        inputs = [self._input_info("current", self._cur)]
        if self._ref is not None:
            inputs.insert(0, self._input_info("reference", self._ref))
        return AuditResult(
            run_id=str(uuid.uuid4()),
            created_at=started,
            finished_at=_now(),
            mlaudit_version=_version("mlaudit"),
            inputs=inputs,
            config=self._config,
            environment=_environment(),
            summary=AuditResult.summarise(checks),
            checks=checks,
        )

    def _run(self, progress: ProgressReporter) -> list[CheckResult]:
        overrides = _overrides(self.schema_config)
        cur_ds = open_dataset(self.current, name="current")
        cur_ds.prefetch_fingerprint()  # hashed meanwhile, for the report's inputs
        self._cur = _Input(cur_ds, infer_schema(cur_ds, overrides=overrides))
        self._ref: _Input | None = None
        saved = _baseline_path(self.reference)
        if saved is not None:
            base = load_baseline(saved)
            self._ref = _Input(None, base.schema, base.profile, baseline=base)
            _require_overlap(self._ref.schema, self._cur.schema)
        elif self.reference is not None:
            ref_ds = open_dataset(self.reference, name="reference")
            ref_ds.prefetch_fingerprint()
            self._ref = _Input(ref_ds, infer_schema(ref_ds, overrides=overrides))
            _require_overlap(self._ref.schema, self._cur.schema)
        validate_columns(self.checks, self._cur.schema)
        plan = self._plan()
        if self._ref is not None and self._ref.profile is None:
            self._ref.profile = _scan(self._ref, plan, progress, reference=None)
        self._cur.profile = _scan(
            self._cur, plan, progress, reference=self._ref.profile if self._ref else None
        )
        ctx = CheckContext(
            current=self._cur.profile,
            schema=self._cur.schema,
            reference=self._ref.profile if self._ref else None,
            reference_schema=self._ref.schema if self._ref else None,
            seed=self.seed,
        )
        ctx.current_windows, ctx.reference_windows = self._windows(plan, progress)
        return run_checks(self.checks, ctx, progress)

    def _windows(
        self, plan: ScanPlan, progress: ProgressReporter
    ) -> tuple[WindowedData | None, WindowedData | None]:
        """Cut current and reference into windows when a check reads them (one more pass)."""
        need_profiles = any(c.needs_windows for c in self.checks)
        need_rows = any(c.needs_rows for c in self.checks)
        if not (need_profiles or need_rows):
            return None, None
        schema = self._cur.schema
        row_cols = model_columns(schema)
        need_rows = need_rows and bool(row_cols)
        spec = _window_spec(self.windows, schema)
        if spec is None and not need_rows:
            return None, None
        assert self._cur.profile is not None
        whole = spec is None
        if spec is None:  # one window holding every row (estimates for the whole period)
            spec = WindowSpec(rows=max(self._cur.profile.n_rows, 1), min_rows=1)
        prof_cols = [] if whole or not need_profiles else window_columns(schema)
        stamps = [c.name for c in schema.with_role(Role.TIMESTAMP)]
        order_by = spec.column if spec.by_time else (stamps[0] if stamps else None)
        cur = _scan_windows(self._cur, spec, plan, prof_cols, row_cols, progress, order_by)
        ref = None
        if self._ref is not None and self._ref.dataset is not None:
            ref_spec = _reference_spec(spec, cur, self._ref.schema, whole=whole)
            ref_rows = [c for c in row_cols if c in self._ref.schema]
            ref_prof = [c for c in prof_cols if c in self._ref.schema]
            ref_order = order_by if order_by in self._ref.schema else None
            ref = _scan_windows(self._ref, ref_spec, plan, ref_prof, ref_rows, progress, ref_order)
            ref.configured = not whole
        elif self._ref is not None and self._ref.baseline is not None:
            ref = _baseline_windows(self._ref.baseline.windows, spec, whole=whole)
        cur.configured = not whole
        return cur, ref

    def _plan(self) -> ScanPlan:
        schema = self._cur.schema
        personal = set(schema.personal)
        if self._ref is not None:
            personal |= set(self._ref.schema.personal)
        plan = ScanPlan(
            sample_size=self.sample_size,
            category_cap=self.settings.category_cap,
            seed=self.seed,
            personal=frozenset(personal),
            keys=[(c.name,) for c in schema.with_role(Role.ID)],
            distinct=any("distinct" in c.reads for c in self.checks),
            duplicates=any("duplicates" in c.reads for c in self.checks),
        )
        for check in self.checks:
            plan = check.scan_plan(plan)
        return plan

    def _input_info(self, name: str, inp: _Input) -> InputInfo:
        assert inp.profile is not None
        if inp.dataset is not None:
            source, fmt, fp = inp.dataset.source, inp.dataset.format, inp.dataset.fingerprint()
        else:
            assert inp.baseline is not None
            base = inp.baseline
            source, fmt, fp = base.source, f"baseline of {base.format}", base.fingerprint
        return InputInfo(
            name=name,
            source=source,
            format=fmt,
            fingerprint=fp,
            rows=inp.profile.n_rows,
            columns=len(inp.schema.columns),
            schema_={
                c.name: c.model_dump(mode="json", exclude={"name"}) for c in inp.schema.columns
            },
        )


def _scan(
    inp: _Input,
    plan: ScanPlan,
    progress: ProgressReporter,
    *,
    reference: DatasetProfile | None,
) -> DatasetProfile:
    assert inp.dataset is not None
    name = inp.dataset.name
    total = inp.dataset.num_rows
    progress.start(name, f"Reading {name}", total * 2 if total is not None else None)
    try:
        profile = scan_profile(
            inp.dataset,
            inp.schema,
            plan,
            reference=reference,
            on_rows=lambda n: progress.advance(name, n),
        )
    finally:
        progress.finish(name)
    if profile.n_rows == 0:
        raise DataError(
            f"the {name} data ({inp.dataset.source}) has no rows",
            fix="check the file, the query or the filter that produced it",
        )
    return profile


def _window_config(spec: Mapping[str, Any]) -> WindowConfig:
    from pydantic import ValidationError

    from mlaudit.config import format_validation_error

    try:
        return WindowConfig.model_validate(dict(spec))
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source="windows"),
            fix="e.g. windows={'every': 'week'} or windows={'rows': 10000}",
        ) from None


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
        rows = rows.with_columns(pl.lit(0, dtype=pl.Int32).alias(WINDOW))
    n = rows.height if rows is not None else sum(w.n_rows for w in saved.windows)
    return WindowedData(
        spec=WindowSpec(rows=2**62, min_rows=1),
        windows=[Window(key=0, label="all rows", n_rows=n)],
        rows=rows,
        configured=False,
    )


def _reference_spec(
    spec: WindowSpec, cur: WindowedData, ref_schema: Schema, *, whole: bool
) -> WindowSpec:
    """Cut the reference like the current data; by rows when it lacks the timestamp column."""
    if whole:
        return WindowSpec(rows=2**62, min_rows=1)
    if spec.by_time and spec.column in ref_schema:
        return spec
    sizes = sorted(w.n_rows for w in cur.windows) or [spec.rows or 1]
    median = max(sizes[len(sizes) // 2], 1)
    return WindowSpec(rows=spec.rows or median, min_rows=spec.min_rows)


def _scan_windows(
    inp: _Input,
    spec: WindowSpec,
    plan: ScanPlan,
    profile_columns: list[str],
    row_columns: list[str],
    progress: ProgressReporter,
    order_by: str | None = None,
) -> WindowedData:
    assert inp.dataset is not None
    name = inp.dataset.name
    key = f"{name}-windows"
    progress.start(key, f"Windows of {name}", inp.dataset.num_rows)
    try:
        return scan_windows(
            inp.dataset,
            inp.schema,
            spec,
            plan=plan,
            profile_columns=profile_columns,
            row_columns=row_columns,
            order_by=order_by,
            on_rows=lambda n: progress.advance(key, n),
        )
    finally:
        progress.finish(key)


def run_checks(
    checks: Sequence[Check], ctx: CheckContext, progress: ProgressReporter | None = None
) -> list[CheckResult]:
    """Run each check isolated: a crash becomes an ``error`` result and the others go on."""
    progress = progress or NullProgress()
    progress.start("checks", "Running checks", len(checks))
    results: list[CheckResult] = []
    for check in checks:
        results.extend(_run_one(check, ctx))
        progress.advance("checks", 1)
    progress.finish("checks")
    return results


def _run_one(check: Check, ctx: CheckContext) -> list[CheckResult]:
    if check.needs_reference and ctx.reference is None:
        return [check.skipped("needs reference data; pass --reference to run it")]
    try:
        out = check.compute(ctx)
    except MLAuditError as exc:
        return [_error_result(check, exc.message)]
    except Exception as exc:  # a bug in a check must not stop the audit
        log.debug("check %s crashed:\n%s", check.id, traceback.format_exc())
        return [_error_result(check, f"the check crashed: {type(exc).__name__}: {exc}")]
    return out if isinstance(out, list) else [out]


def _error_result(check: Check, message: str) -> CheckResult:
    return check.result(Status.ERROR, message, severity=Severity.HIGH)


def _overrides(cfg: SchemaConfig) -> SchemaOverrides:
    data = cfg.model_dump()
    types = {}
    for col, name in cfg.types.items():
        try:
            types[col] = ColumnType(name)
        except ValueError:
            raise ConfigError(
                f"schema.types.{col}: unknown type {name!r}",
                fix=f"use one of: {', '.join(t.value for t in ColumnType)}",
            ) from None
    data["types"] = types
    return SchemaOverrides(**data)


def _require_overlap(reference: Schema, current: Schema) -> None:
    comparison = compare_schemas(reference, current)
    if comparison.disjoint:
        raise DataError(
            "the reference and current data share no column "
            f"(reference: {', '.join(reference.names[:8])}; current: "
            f"{', '.join(current.names[:8])})",
            fix="check that both inputs are the same table from different periods",
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "0+unknown"


def _environment() -> dict[str, str]:
    env = {"python": platform.python_version(), "platform": platform.system().lower()}
    env.update({p: _version(p) for p in _ENV_PACKAGES})
    return env


def profile_data(
    data: Any,
    *,
    schema: SchemaConfig | None = None,
    name: str = "current",
    seed: int = 0,
    settings: Settings | None = None,
    progress: ProgressReporter | None = None,
) -> tuple[Dataset, Schema, DatasetProfile]:
    """Open, infer the schema of, and profile one data set (both passes).

    See :func:`profile_windows` for the same data cut into windows (for a baseline).
    """
    settings = settings or Settings()
    dataset = open_dataset(data, name=name)
    inferred = infer_schema(dataset, overrides=_overrides(schema or SchemaConfig()))
    plan = ScanPlan(
        sample_size=settings.sample_size,
        category_cap=settings.category_cap,
        seed=seed,
        personal=frozenset(inferred.personal),
    )
    prof = _scan(_Input(dataset, inferred), plan, progress or NullProgress(), reference=None)
    return dataset, inferred, prof


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
    cfg = windows if isinstance(windows, WindowConfig) else _window_config(windows)
    spec = _window_spec(cfg, schema)
    assert spec is not None
    plan = ScanPlan(
        category_cap=settings.category_cap, seed=seed, personal=frozenset(schema.personal)
    )
    stamps = [c.name for c in schema.with_role(Role.TIMESTAMP)]
    order_by = spec.column if spec.by_time else (stamps[0] if stamps else None)
    return _scan_windows(
        _Input(dataset, schema),
        spec,
        plan,
        window_columns(schema),
        model_columns(schema),
        progress or NullProgress(),
        order_by,
    )
