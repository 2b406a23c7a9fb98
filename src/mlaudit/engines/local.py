"""The local engine: profile a stream of Arrow record batches in bounded memory.

Pass 1 builds the :class:`~mlaudit.summary.model.DatasetProfile` batch by batch (batches are
never concatenated).  :func:`derive_second_pass` then chooses histogram edges and Tukey outlier
fences from it (or from a reference profile), and pass 2 reads the data again to fill the
histograms, outlier counts and rule violations exactly.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable

import numpy as np
import pyarrow as pa

from mlaudit.data.types import Schema
from mlaudit.summary.build import ProfileBuilder
from mlaudit.summary.model import DatasetProfile, NumericSummary, ScanPlan

__all__ = ["BatchSource", "derive_second_pass", "profile", "scan"]

N_BINS = 30
TUKEY_K = 3.0
UNIT_BIN_MAX = 50
"""Integer columns with at most this many distinct values get unit-width bins."""


@runtime_checkable
class BatchSource(Protocol):
    """Anything that can yield its data as Arrow record batches, again on every call."""

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Yield the data's record batches in order."""
        ...


def scan(
    source: BatchSource,
    schema: Schema,
    plan: ScanPlan,
    *,
    on_rows: Callable[[int], None] | None = None,
    second_pass: bool = False,
) -> DatasetProfile:
    """One pass over ``source``: the profile of every batch, merged as they arrive.

    Parameters
    ----------
    source
        The data, as record batches.
    schema, plan
        Columns to summarise and the extra work to do.
    on_rows
        Called with the number of rows of each batch once it is summarised (progress).
    second_pass
        Only fill histograms, outliers and rules (see :func:`profile`).
    """
    builder = ProfileBuilder(schema, plan, second_pass=second_pass)
    offset = 0
    for batch in source.batches():
        builder.add(batch, offset)
        offset += batch.num_rows
        if on_rows is not None:
            on_rows(batch.num_rows)
    return builder.finish()


def derive_second_pass(
    profile: DatasetProfile, plan: ScanPlan, *, reference: DatasetProfile | None = None
) -> ScanPlan:
    """``plan`` plus histogram edges and Tukey fences for every numeric column.

    Edges: 30 equal-width bins between the reference's min and max when a reference is given
    (so both data sets share bins), else this profile's; integer-valued columns with at most
    50 distinct values get unit-width bins centred on the integers.  Fences: ``Q1 - 3·IQR`` and
    ``Q3 + 3·IQR`` from this profile's quantile sketch (method ``'iqr(k=3)'``).  Anything the plan
    already sets is kept.
    """
    edges = dict(plan.histogram_edges)
    fences = dict(plan.outlier_fences)
    for name, col in profile.columns.items():
        if col.numeric is None or col.numeric.moments.n == 0:
            continue
        ref = reference.columns.get(name) if reference is not None else None
        basis = (
            ref if ref is not None and ref.numeric is not None and ref.numeric.moments.n else col
        )
        if name not in edges:
            e = _edges(basis.numeric, basis.distinct, basis.distinct_exact)  # type: ignore[arg-type]
            if e is not None:
                edges[name] = e
        if name not in fences:
            fences[name] = _tukey(col.numeric)
    return dataclasses.replace(plan, histogram_edges=edges, outlier_fences=fences)


def _edges(num: NumericSummary, distinct: float, exact: bool) -> list[float] | None:
    lo, hi = num.min, num.max
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    if num.non_integer_count == 0 and exact and distinct <= UNIT_BIN_MAX and hi - lo <= 1000:
        return [float(x) for x in np.arange(lo - 0.5, hi + 1.0, 1.0)]
    if hi == lo:
        return [lo - 0.5, lo + 0.5]
    return [float(x) for x in np.linspace(lo, hi, N_BINS + 1)]


def _tukey(num: NumericSummary) -> tuple[float, float, str]:
    q1, q3 = num.quantile(0.25), num.quantile(0.75)
    iqr = q3 - q1
    return (q1 - TUKEY_K * iqr, q3 + TUKEY_K * iqr, "iqr(k=3)")


def profile(
    source: BatchSource,
    schema: Schema,
    plan: ScanPlan,
    *,
    reference: DatasetProfile | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> DatasetProfile:
    """Two passes: the profile (pass 1), then exact histograms, outliers and rules (pass 2).

    Parameters
    ----------
    source
        Re-iterable record batches.
    schema, plan
        Columns and extra work; histogram edges and fences not in ``plan`` are derived
        after pass 1 (see :func:`derive_second_pass`).
    reference
        Reference profile whose ranges define the histogram edges (for drift comparisons).
    on_rows
        Progress callback, called per batch in both passes.

    Returns
    -------
    DatasetProfile
        Pass 1's profile with pass 2's histograms, outliers and rule results filled in.
    """
    first_plan = dataclasses.replace(plan, histogram_edges={}, outlier_fences={}, rules={})
    first = scan(source, schema, first_plan, on_rows=on_rows)
    second_plan = derive_second_pass(first, plan, reference=reference)
    second = scan(source, schema, second_plan, on_rows=on_rows, second_pass=True)
    for name, col in first.columns.items():
        col.histogram = second.columns[name].histogram
        col.outliers = second.columns[name].outliers
    first.rule_violations = second.rule_violations
    first.rule_examples = second.rule_examples
    first.plan = second_plan
    return first
