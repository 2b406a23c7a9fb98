"""Building a :class:`DatasetProfile` batch by batch from Arrow record batches.

Each batch is summarised with one polars ``select`` holding every column's aggregates (polars
runs them in parallel), plus numpy work on each numeric column's values (quantile sketch, distinct
values, histograms, outliers); the batch's profile is then merged into the running one with
:func:`mlaudit.summary._merge.merge`, so building and merging share one code path.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from mlaudit._maskkey import key_id
from mlaudit._threads import carry_context, worker_pool
from mlaudit.data import ColumnSchema, Schema
from mlaudit.errors import ConfigError, SchemaError
from mlaudit.summary import _columns as colmod
from mlaudit.summary._colscan import ColumnScan, ScanFlags
from mlaudit.summary._columns import Extremes, merge_extremes
from mlaudit.summary._correlation import batch_correlations
from mlaudit.summary._hashing import ROW_SEED, hash_rows, key_seed
from mlaudit.summary._hashset import HashSet
from mlaudit.summary._labels import row_hashes
from mlaudit.summary._merge import count_duplicates, merge
from mlaudit.summary._model import (
    DatasetProfile,
    ScanPlan,
)
from mlaudit.summary._personal import ROWS_PURPOSE, scan_key
from mlaudit.summary._plan_checks import check_plan, check_rule_types, compile_rules
from mlaudit.summary._sample import batch_sample

__all__ = ["ProfileBuilder", "batch_profile", "profile_frame"]


class ProfileBuilder:
    """Accumulate record batches into a :class:`DatasetProfile`.

    Parameters
    ----------
    schema
        Columns to summarise (with their types and personal flags).
    plan
        Extra work: histograms, outlier fences, patterns, rules, keys, sample size, seed.
    second_pass
        Only compute histograms, outliers and rules (the rest is left empty).

    Examples
    --------
    >>> from mlaudit.data import infer_schema
    >>> df = pl.DataFrame({"x": [1.0, 2.0, None, 4.0]})
    >>> b = ProfileBuilder(infer_schema(df), ScanPlan())
    >>> for batch in df.to_arrow().to_batches(max_chunksize=2):
    ...     b.add(batch)
    >>> profile = b.finish()
    >>> profile.n_rows, profile.columns["x"].null_count
    (4, 1)
    """

    def __init__(
        self,
        schema: Schema,
        plan: ScanPlan,
        *,
        second_pass: bool = False,
        keep_sorted: bool = False,
    ) -> None:
        self.schema = schema
        self.plan = plan
        self.second_pass = second_pass
        self.keep_sorted = keep_sorted
        self.rules = compile_rules(plan.rules)
        check_plan(schema, plan)
        self._profile: DatasetProfile | None = None
        self._next_row = 0
        self.last_sorted: dict[str, np.ndarray] = {}
        """Each numeric column's sorted finite values in the batch added last (``keep_sorted``)."""
        self.extremes: dict[str, Extremes] = {}
        """Each numeric column's most extreme values and rows so far (``keep_sorted``): a
        second pass from sorted values names its outlier examples from them."""

    def add(self, batch: pa.RecordBatch | pl.DataFrame, row_offset: int | None = None) -> None:
        """Summarise ``batch``, whose first row has global index ``row_offset``."""
        df = batch if isinstance(batch, pl.DataFrame) else pl.from_arrow(batch)
        assert isinstance(df, pl.DataFrame)
        offset = self._next_row if row_offset is None else row_offset
        if self._profile is None:
            check_rule_types(df.clear(), self.plan.rules, self.rules)
        approx = (
            frozenset()
            if self._profile is None
            else frozenset(k for k, c in self._profile.columns.items() if c._hll is not None)
        )
        part, scratch = _batch(
            df,
            self.schema,
            self.plan,
            offset,
            rules=self.rules,
            flags=ScanFlags(self.second_pass, approx, self.keep_sorted),
        )
        self.last_sorted = scratch.sorted
        if self._profile is None:
            self._profile, self.extremes = part, scratch.extremes
        else:  # duplicates are counted once, in finish()
            shift = self._profile.row_start + self._profile.n_rows - part.row_start
            for name, ext in scratch.extremes.items():
                self.extremes[name] = merge_extremes(self.extremes.get(name), ext, shift) or ext
            self._profile = merge(self._profile, part, defer_counts=True)
        self._next_row = offset + df.height

    def finish(self) -> DatasetProfile:
        """The profile of every batch added (an empty profile if none were)."""
        if self._profile is None:
            empty = pl.DataFrame(schema={c.name: _polars_dtype(c) for c in self.schema.columns})
            self.add(empty, 0)
        assert self._profile is not None
        prof = self._profile
        count_duplicates(prof)
        return prof


def profile_frame(df: pl.DataFrame, schema: Schema, plan: ScanPlan | None = None) -> DatasetProfile:
    """Profile an in-memory polars frame as a single batch.

    Parameters
    ----------
    df
        The data; must hold every column of ``schema``.
    schema
        Column types, roles and personal flags.
    plan
        Extra work for the scan; defaults to ``ScanPlan()``.
    """
    builder = ProfileBuilder(schema, plan or ScanPlan())
    builder.add(df, 0)
    return builder.finish()


def _polars_dtype(col: ColumnSchema) -> pl.DataType:
    try:
        return pl.from_arrow(pa.array([], type=pa.type_for_alias(col.dtype))).dtype  # type: ignore[union-attr]
    except (ValueError, KeyError, TypeError):
        return pl.String()


@dataclass
class _Scratch:
    """What a batch's scan hands the builder besides the profile; never saved."""

    sorted: dict[str, np.ndarray] = field(default_factory=dict)
    extremes: dict[str, Extremes] = field(default_factory=dict)


def batch_profile(
    df: pl.DataFrame,
    schema: Schema,
    plan: ScanPlan,
    row_offset: int = 0,
    *,
    rules: dict[str, pl.Expr] | None = None,
    second_pass: bool = False,
) -> DatasetProfile:
    """The profile of one batch (``df``) whose first row is global row ``row_offset``."""
    flags = ScanFlags(second_pass=second_pass)
    return _batch(df, schema, plan, row_offset, rules=rules, flags=flags)[0]


def _batch(
    df: pl.DataFrame,
    schema: Schema,
    plan: ScanPlan,
    row_offset: int,
    *,
    rules: dict[str, pl.Expr] | None,
    flags: ScanFlags,
) -> tuple[DatasetProfile, _Scratch]:
    present = set(df.columns)
    missing = [c for c in schema.names if c not in present]
    if missing:
        raise SchemaError(
            f"the data lacks column(s) {missing} named by the schema",
            fix="re-infer the schema for this data or fix the column names",
        )
    rules = compile_rules(plan.rules) if rules is None else rules
    dtypes = df.schema  # built once: polars makes a new Schema object on every access
    kinds = {c.name: colmod.column_kind(c, dtypes[c.name]) for c in schema.columns}
    row = _aggregate_row(df, schema, plan, rules, flags.second_pass)
    personal = [c.name for c in schema.columns if c.personal or c.name in plan.personal]
    key = scan_key(bool(personal))
    scan = ColumnScan(df, plan, row_offset, flags, key)
    # Column summaries are independent and their heavy parts (numpy sorts, polars queries)
    # release the GIL, so columns are summarised on the worker pool.
    task = carry_context(lambda c: scan.column(c, kinds[c.name]))
    pairs = None  # the feature pairs' summary, beside the columns' (it takes one worker)
    if plan.correlations and not flags.second_pass:
        pairs = worker_pool().submit(
            carry_context(batch_correlations), df, schema, frozenset(personal)
        )
    results = list(worker_pool().map(task, schema.columns))
    cols = {c.name: r[0] for c, r in zip(schema.columns, results, strict=True)}
    scratch = _Scratch()
    for c, (_, sorted_values, ext) in zip(schema.columns, results, strict=True):
        if sorted_values is not None and ext is not None:
            scratch.sorted[c.name], scratch.extremes[c.name] = sorted_values, ext
    prof = DatasetProfile(n_rows=df.height, columns=cols, plan=plan, row_start=row_offset)
    prof.mask_key_id = None if key is None else key_id(key)
    _rules(df, rules, row, prof, row_offset)
    if flags.second_pass:
        return prof, scratch
    prof.rows_with_missing = int(row["__missing"] or 0)
    if pairs is not None:
        prof.correlations = pairs.result()
    _hash_rows(df, schema, plan, prof, (set(personal), key))
    prof.sample, prof._sample_keys = batch_sample(
        df.select(schema.names),
        row_offset,
        size=plan.sample_size,
        seed=plan.seed,
        personal=personal,
        key=key,
    )
    return prof, scratch


def _aggregate_row(
    df: pl.DataFrame,
    schema: Schema,
    plan: ScanPlan,
    rules: dict[str, pl.Expr],
    second_pass: bool,
) -> dict[str, Any]:
    exprs: list[pl.Expr] = [
        (~e).fill_null(False).sum().alias(f"rule|{n}") for n, e in rules.items()
    ]
    if not second_pass:
        missing: list[pl.Expr] = []
        dtypes = df.schema
        for c in schema.columns:
            if df[c.name].null_count():
                missing.append(pl.col(c.name).is_null())
            if dtypes[c.name].is_float():
                missing.append(pl.col(c.name).is_nan().fill_null(False))
        if missing:
            exprs.append(pl.any_horizontal(missing).sum().alias("__missing"))
        else:
            exprs.append(pl.lit(0).alias("__missing"))
    if not exprs:
        return {}
    try:
        return df.select(exprs).row(0, named=True)
    except pl.exceptions.PolarsError as exc:
        raise ConfigError(
            f"a rule or pattern of the scan plan cannot be evaluated: {exc}",
            fix="check the rule's column names and the pattern's regex syntax",
        ) from None


def _rules(
    df: pl.DataFrame,
    rules: dict[str, pl.Expr],
    row: dict[str, Any],
    prof: DatasetProfile,
    row_offset: int,
) -> None:
    for name, expr in rules.items():
        n = int(row[f"rule|{name}"] or 0)
        prof.rule_violations[name] = n
        idx: list[int] = []
        if n:
            hits = df.select((~expr).fill_null(False).arg_true().head(5)).to_series()
            idx = [int(r) + row_offset for r in hits.to_list()]
        prof.rule_examples[name] = idx


def _hash_rows(
    df: pl.DataFrame,
    schema: Schema,
    plan: ScanPlan,
    prof: DatasetProfile,
    masking: tuple[set[str], bytes | None],
) -> None:
    """Row and key hashes; under a secret seed (from the mask key) when they hold a personal
    column, since a hash of a short value under the public seed can be inverted."""
    personal, key = masking
    secret = ROW_SEED if key is None else key_seed(key, ROWS_PURPOSE)
    if plan.labels and schema.names:  # label pairs need the hashes even without duplicates
        seeds = (secret if personal else ROW_SEED, masking)
        hashed, prof.label_conflicts = row_hashes(df, schema, True, seeds)
    if not plan.duplicates:  # not asked for: no row hashes, no duplicate counts
        prof._rows = None
        prof.duplicate_rows, prof.duplicates_exact = math.nan, False
        return
    rows = HashSet()
    if plan.labels and schema.names:
        rows.add(hashed)
    elif schema.names and df.height:
        rows.add(hash_rows(df.select(schema.names), secret if personal else ROW_SEED))
    prof._rows = rows
    prof.duplicate_rows = rows.duplicates()
    for cols in plan.keys:
        name = ",".join(cols)
        hs = HashSet()
        sub = df.select(list(cols)).drop_nulls()
        if sub.height:
            hs.add(hash_rows(sub, secret if personal & set(cols) else ROW_SEED))
        prof._keys[name] = hs
        prof.key_duplicates[name] = round(hs.duplicates())


def replace_plan(profile: DatasetProfile, plan: ScanPlan) -> DatasetProfile:
    """``profile`` with another plan attached (fields are shared, not copied)."""
    return dataclasses.replace(profile, plan=plan)
