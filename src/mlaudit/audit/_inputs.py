"""An audit's inputs: opened, their schemas inferred, scanned into profiles, described.

An :class:`Input` is a value: the data set (or the saved baseline standing in for it) and its
schema.  Scanning returns a profile rather than storing it, so the runner passes values from
step to step and an :class:`~mlaudit.audit.Audit` can run any number of times.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit._secrets import redact
from mlaudit.audit._progress import ProgressReporter
from mlaudit.config import DataConfig, SchemaConfig
from mlaudit.data import (
    ColumnType,
    Dataset,
    MissingMarkers,
    Schema,
    SchemaOverrides,
    compare_schemas,
    format_by_name,
    infer_schema,
    marker_text,
)
from mlaudit.engines import profile as scan_profile
from mlaudit.errors import ConfigError, DataError
from mlaudit.results import CsvDialectInfo, InputInfo, MissingMarkersInfo
from mlaudit.summary import Baseline, DatasetProfile, ScanPlan, is_baseline, load_baseline

__all__ = ["Input", "known_formats", "open_dataset", "open_inputs", "overrides", "scan"]


@dataclass(frozen=True)
class Input:
    """One input of an audit: a data set to scan, or a saved baseline that holds its profile."""

    name: str
    schema: Schema
    dataset: Dataset | None = None
    baseline: Baseline | None = None

    def info(self, profile: DatasetProfile) -> InputInfo:
        """The input as the report records it: source, format, fingerprint, size, schema."""
        if self.dataset is not None:
            ds = self.dataset
            source, fmt, fp = ds.source, ds.format, ds.fingerprint()
            dialect = _dialect_info(ds)
            markers = _markers_info(ds)
        else:
            assert self.baseline is not None
            base = self.baseline
            source, fmt, fp = base.source, f"baseline of {base.format}", base.fingerprint
            dialect, markers = None, None
        return InputInfo(
            name=self.name,
            source=redact(source),
            format=fmt,
            fingerprint=fp,
            rows=profile.n_rows,
            columns=len(self.schema.columns),
            schema_={
                c.name: c.model_dump(mode="json", exclude={"name"}) for c in self.schema.columns
            },
            dialect=dialect,
            missing_markers=markers,
            placeholder_columns=dict(self.dataset.placeholder_columns) if self.dataset else {},
            mask_key_id=profile.mask_key_id,
        )


def _markers_info(ds: Dataset) -> MissingMarkersInfo | None:
    """The declared missing markers of an input and what they replaced, for the report."""
    m = ds.missing_markers
    if not m:
        return None
    return MissingMarkersInfo(
        every_column=list(m.every),
        columns={c: [marker_text(v) for v in vs] for c, vs in m.columns.items() if vs},
        counts={c: dict(sorted(n.items())) for c, n in sorted(ds.marker_counts.items())},
    )


def _dialect_info(ds: Dataset) -> CsvDialectInfo | None:
    """How a CSV input was read, for the report."""
    d = ds.dialect
    if d is None:
        return None
    keys = ("separator", "quote", "decimal", "header")
    return CsvDialectInfo(
        separator=d.separator,
        quote=d.quote,
        decimal=d.decimal,
        header=d.header,
        padded=d.padded,
        skip_initial_space=d.skip_initial_space,
        null_values=list(d.null_values) if d.null_values is not None else None,
        detected=[k for k in keys if k not in d.given],
        renamed_columns=ds.renamed_columns,
    )


def open_dataset(
    spec: Any,
    *,
    name: str,
    encoding: str = "utf-8",
    columns: dict[str, tuple[str | float, ...]] | None = None,
) -> Dataset:
    """Turn a path, a frame, a :class:`DataConfig` or a :class:`Dataset` into a Dataset.

    ``columns`` are per-column missing markers (``schema.columns``), added to the markers a
    :class:`DataConfig` declares for the whole input; a :class:`Dataset` keeps its own.
    """
    if isinstance(spec, Dataset):
        return spec
    every = tuple(spec.missing_markers) if isinstance(spec, DataConfig) else ()
    markers = MissingMarkers(every, dict(columns or {}))
    if isinstance(spec, DataConfig):
        if spec.sql is not None:
            return Dataset.from_sql(
                spec.sql.url, spec.sql.query, name=name, missing_markers=markers
            )
        if spec.path is None:
            raise ConfigError(f"the {name} input has neither 'path' nor 'sql'", fix="add one")
        return Dataset(
            spec.path,
            name=name,
            format=spec.format,
            encoding=spec.encoding,
            csv=spec.csv_options(),
            missing_markers=markers,
        )
    if isinstance(spec, str | Path):
        return Dataset(spec, name=name, encoding=encoding, missing_markers=markers)
    return Dataset(spec, name=name, missing_markers=markers)


def open_inputs(
    current: Any,
    reference: Any,
    *,
    schema: SchemaOverrides,
    prepare: Callable[[Dataset], Dataset] | None = None,
) -> tuple[Input, Input | None]:
    """Open the current input and the reference (data or saved baseline), schemas inferred.

    ``prepare`` turns each opened data set into the one audited (a model's outputs appended)
    before its schema is inferred.  Files are hashed for the report on a background thread
    meanwhile.
    """
    cur = _open_data(current, "current", schema, prepare)
    saved = _baseline_path(reference)
    if saved is not None:
        base = load_baseline(saved)
        ref: Input | None = Input("reference", base.schema, baseline=base)
    elif reference is not None:
        ref = _open_data(reference, "reference", schema, prepare)
    else:
        return cur, None
    assert ref is not None
    _require_overlap(ref.schema, cur.schema)
    return cur, ref


def _open_data(
    spec: Any, name: str, schema: SchemaOverrides, prepare: Callable[[Dataset], Dataset] | None
) -> Input:
    columns = {c: tuple(d.missing_markers) for c, d in schema.columns.items()}
    dataset = open_dataset(spec, name=name, columns=columns)
    dataset.prefetch_fingerprint()
    if prepare is not None:
        dataset = prepare(dataset)
    return Input(name, infer_schema(dataset, overrides=schema), dataset=dataset)


def _baseline_path(spec: Any) -> Path | None:
    """The path of a saved baseline (``mlaudit profile --out``), if ``spec`` names one."""
    path = spec.path if isinstance(spec, DataConfig) and spec.sql is None else spec
    if isinstance(path, str | Path) and is_baseline(path):
        return Path(path)
    return None


def _require_overlap(reference: Schema, current: Schema) -> None:
    comparison = compare_schemas(reference, current)
    if comparison.disjoint:
        raise DataError(
            "the reference and current data share no column "
            f"(reference: {', '.join(reference.names[:8])}; current: "
            f"{', '.join(current.names[:8])})",
            fix="check that both inputs are the same table from different periods",
        )


def overrides(cfg: SchemaConfig) -> SchemaOverrides:
    """The declared schema (roles, types) as overrides for schema inference."""
    data = cfg.model_dump(exclude={"formats"})
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


def known_formats(schema: Schema, declared: Mapping[str, str]) -> dict[str, str]:
    """Column → format for the scan to count: ``declared`` ones, and the formats the other
    columns' names announce (:func:`mlaudit.data.format_by_name`).

    The check that judges them confirms an inferred format by the values first.  A declared
    column the data lacks is a :class:`ConfigError` naming the closest columns.
    """
    for col in declared:
        if col not in schema:
            close = difflib.get_close_matches(col, schema.names, n=3)
            raise ConfigError(
                f"schema.formats names column {col!r}, which the data does not have",
                fix=f"did you mean {', '.join(map(repr, close))}?"
                if close
                else f"the data has: {', '.join(schema.names[:15])}",
            )
    out = {c.name: f for c in schema.columns if (f := format_by_name(c.name)) is not None}
    out.update(declared)
    return out


def scan(
    inp: Input,
    plan: ScanPlan,
    progress: ProgressReporter,
    *,
    reference: DatasetProfile | None,
) -> DatasetProfile:
    """The input's profile: saved in its baseline, or scanned now (both passes)."""
    if inp.dataset is None:
        assert inp.baseline is not None
        return inp.baseline.profile
    dataset = inp.dataset
    total = dataset.num_rows
    progress.start(inp.name, f"Reading {inp.name}", total * 2 if total is not None else None)
    try:
        profile = scan_profile(
            dataset,
            inp.schema,
            plan,
            reference=reference,
            on_rows=lambda n: progress.advance(inp.name, n),
        )
    finally:
        progress.finish(inp.name)
    if profile.n_rows == 0:
        raise DataError(
            f"the {inp.name} data ({dataset.source}) has no rows",
            fix="check the file, the query or the filter that produced it",
        )
    return profile
