"""The local engine: profile a stream of Arrow record batches in bounded memory.

Pass 1 builds the :class:`~mlaudit.summary._model.DatasetProfile` batch by batch (batches are
never concatenated).  :func:`derive_second_pass` then chooses histogram edges and Tukey outlier
fences from it (or from a reference profile), and pass 2 fills the histograms, outlier counts and
rule violations exactly.

Pass 1 sorts each numeric column's values once per batch (for the quantile sketch); while they
fit in ``cache_bytes`` (256 MiB: about two million rows of 16 numeric columns) it keeps those
sorted arrays, and pass 2 is then a few binary searches per column and batch instead of a second
read: exact counts in any bin or beyond any fence, and the outlier examples come from the five
lowest and highest values pass 1 noted.  Columns pass 2 must see in row order (every column when
there are rules) are kept as they arrived.  Larger data are read twice, in bounded memory; in
pass 2, whose work per batch is light, a reader thread decodes the next batch meanwhile
(measured 0.4-0.5 s less per 10M rows; in pass 1 the summaries keep both cores busy and
reading ahead measured no gain).
"""

from __future__ import annotations

import dataclasses
import math
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, runtime_checkable

import numpy as np
import polars as pl
import pyarrow as pa

from mlaudit._threads import carry_context
from mlaudit.data import Schema
from mlaudit.summary import (
    DatasetProfile,
    Extremes,
    NumericSummary,
    ProfileBuilder,
    ScanPlan,
    histogram_from_sorted,
    outlier_counts_from_sorted,
)

__all__ = ["CACHE_BYTES", "BatchSource", "derive_second_pass", "profile", "scan"]

N_BINS = 30
TUKEY_K = 3.0
_Q90_TO_IQR = 2 * 0.6744897501960817 / 1.2815515655446004  # normal IQR over (Q90 - Q50)
_Q99_TO_IQR = 2 * 0.6744897501960817 / 2.3263478740408408  # normal IQR over (Q99 - Q50)
UNIT_BIN_MAX = 50
"""Integer columns with at most this many distinct values get unit-width bins."""
CACHE_BYTES = 256 * 2**20
"""Pass 1 keeps the columns pass 2 needs while they take at most this many bytes."""


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
    frames = (_frame(b) for b in source.batches())
    return _scan_frames(frames, schema, plan, on_rows=on_rows, second_pass=second_pass)


def _frame(batch: pa.RecordBatch | pl.DataFrame) -> pl.DataFrame:
    df = batch if isinstance(batch, pl.DataFrame) else pl.from_arrow(batch)
    assert isinstance(df, pl.DataFrame)
    return df


_END = object()


def _read_ahead(source: BatchSource) -> Iterator[pl.DataFrame]:
    """The source's batches as polars frames, the next one decoded while this one is used.

    A reader thread decodes (Parquet and CSV decoding release the GIL) while the caller
    summarises the previous batch; at most two batches wait in memory.  Errors of the reader
    are raised in the caller.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in source.batches():
                if not hand_over(_frame(batch)):
                    return
            hand_over(_END)
        except BaseException as exc:  # raised in the caller
            hand_over(exc)

    reader = threading.Thread(target=carry_context(read), name="mlaudit-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, pl.DataFrame)
            yield item
    finally:
        stop.set()
        reader.join()


def _scan_frames(
    frames: Iterable[pl.DataFrame],
    schema: Schema,
    plan: ScanPlan,
    *,
    on_rows: Callable[[int], None] | None = None,
    second_pass: bool = False,
    keep: _Kept | None = None,
) -> DatasetProfile:
    builder = ProfileBuilder(
        schema, plan, second_pass=second_pass, keep_sorted=keep is not None and keep.active
    )
    offset = 0
    for df in frames:
        builder.add(df, offset)
        if keep is not None:
            keep.add(df, builder.last_sorted)
        offset += df.height
        if on_rows is not None:
            on_rows(df.height)
    if keep is not None and keep.active:
        keep.extremes = builder.extremes
    return builder.finish()


class _Kept:
    """What pass 2 needs of pass 1's batches, while within a byte budget.

    Each numeric column's finite values, sorted (pass 1 sorts them anyway, for the quantile
    sketch): histograms and outlier counts are then binary searches, exact, and the outlier
    examples come from the extremes pass 1 kept.  Other columns pass 2 reads (every column when
    there are rules) are kept as they arrived.
    """

    def __init__(self, schema: Schema, plan: ScanPlan, budget: int) -> None:
        self.schema, self.plan, self.budget = schema, plan, budget
        self.columns: list[str] | None = None
        self.frames: list[pl.DataFrame] | None = [] if budget > 0 else None
        self.sorted: dict[str, list[np.ndarray]] = {}
        self.extremes: dict[str, Extremes] = {}
        self.heights: list[int] = []
        self.size = 0

    @property
    def active(self) -> bool:
        """Still keeping (within the budget)."""
        return self.frames is not None

    def add(self, df: pl.DataFrame, sorted_values: dict[str, np.ndarray]) -> None:
        if self.frames is None:
            return
        if self.columns is None:
            self.columns = _raw_columns(self.schema, self.plan, df.schema, set(sorted_values))
        for name, values in sorted_values.items():
            self.sorted.setdefault(name, []).append(values)
            self.size += int(values.nbytes)
        if self.columns:
            part = df.select(self.columns)  # shares the batch's buffers, copies nothing
            self.size += int(part.estimated_size())
            self.frames.append(part)
        self.heights.append(df.height)
        if self.size > self.budget:  # too large: pass 2 reads the source again
            self.frames, self.sorted = None, {}

    def schema_kept(self) -> Schema:
        wanted = set(self.columns or [])
        return Schema(columns=[c for c in self.schema.columns if c.name in wanted])


def _raw_columns(schema: Schema, plan: ScanPlan, dtypes: pl.Schema, numeric: set[str]) -> list[str]:
    """Columns pass 2 reads as they are: every one with rules, else named non-numeric ones."""
    if plan.rules:
        return list(schema.names)
    named = set(plan.histogram_edges) | set(plan.outlier_fences)
    return [c.name for c in schema.columns if c.name in named and c.name not in numeric]


def _from_sorted(first: DatasetProfile, plan: ScanPlan, kept: _Kept) -> None:
    """Pass 2 for the numeric columns whose sorted values were kept: histograms and outliers."""
    for name, parts in kept.sorted.items():
        col = first.columns[name]
        edges, fences = plan.histogram_edges.get(name), plan.outlier_fences.get(name)
        if edges is not None:
            col.histogram = histogram_from_sorted(parts, edges)
        if fences is not None:
            col.outliers = outlier_counts_from_sorted(
                parts, kept.extremes.get(name, ([], [])), fences
            )


def derive_second_pass(
    profile: DatasetProfile, plan: ScanPlan, *, reference: DatasetProfile | None = None
) -> ScanPlan:
    """``plan`` plus histogram edges and Tukey fences for every numeric column.

    Edges: 30 equal-width bins between the reference's min and max when a reference is given
    (so both data sets share bins), else this profile's; integer-valued columns with at most
    50 distinct values get unit-width bins centred on the integers.  With a reference, the
    edges are extended by :func:`_extend` to this profile's range, so that the current values
    outside the reference range are drawn and compared too.  Fences: :func:`_tukey` from
    the reference's quantile sketch when a reference is given (so both data sets are counted at
    the same fences), else this profile's.  Anything the plan already sets is kept.  Personal
    columns get neither: their summaries keep no value (:mod:`mlaudit.summary._personal`).
    """
    edges = dict(plan.histogram_edges)
    fences = dict(plan.outlier_fences)
    for name, col in profile.columns.items():
        if col.numeric is None or col.numeric.moments.n == 0 or col.personal:
            continue  # personal columns keep no range or quantiles to bin or fence by
        ref = reference.columns.get(name) if reference is not None else None
        basis = (
            ref if ref is not None and ref.numeric is not None and ref.numeric.moments.n else col
        )
        if name not in edges:
            e = _edges(basis.numeric, basis.distinct, basis.distinct_exact)  # type: ignore[arg-type]
            if e is not None:
                edges[name] = e if basis is col else _extend(e, col.numeric)
        if name not in fences:
            fences[name] = _tukey(basis.numeric)  # type: ignore[arg-type]
    return dataclasses.replace(plan, histogram_edges=edges, outlier_fences=fences)


def _edges(num: NumericSummary, distinct: float, exact: bool) -> list[float] | None:
    lo, hi = num.min, num.max
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    small = max(abs(lo), abs(hi)) < 2.0**51  # whole numbers and their halves are exact
    unit = num.non_integer_count == 0 and exact and distinct <= UNIT_BIN_MAX
    if unit and small and hi - lo <= 1000:
        return [float(x) for x in np.arange(lo - 0.5, hi + 1.0, 1.0)]
    edges = np.unique(np.linspace(lo, hi, N_BINS + 1))  # near-equal huge values: fewer edges
    if edges.size < 2:  # a constant: one bin around it, wide enough to exist at any magnitude
        half = max(0.5, abs(lo) * 2.0**-40)
        return [lo - half, lo + half]
    return [float(x) for x in edges]


def _extend(edges: list[float], cur: NumericSummary) -> list[float]:
    """The reference's ``edges`` plus bins of the same width out to the current's range.

    At most as many bins are added on a side as the reference has (a wild value does not make
    thousands of bins); values beyond them stay counted in the histogram's ``below`` /
    ``above``.  When bins are added above, the reference's top edge moves up by one ulp: its
    last bin was closed on the right (it holds the reference maximum), and a current value
    equal to that maximum must fall in the same bin (no float lies between the two edges).
    The reference's counts in the added bins are zero by construction
    (:func:`mlaudit.summary.reference_over`).
    """
    lo, hi = cur.min, cur.max
    if lo is None or hi is None or len(edges) < 2:
        return edges
    n, width = len(edges) - 1, edges[1] - edges[0]
    below = [edges[0] - width * k for k in range(_added(edges[0] - lo, width, n), 0, -1)]
    k_above = _added(hi - edges[-1], width, n)
    if not k_above:
        return [*below, *edges]
    top = math.nextafter(edges[-1], math.inf)
    return [*below, *edges[:-1], top, *(top + width * k for k in range(1, k_above + 1))]


def _added(beyond: float, width: float, cap: int) -> int:
    """Bins of ``width`` needed to cover ``beyond`` (0 when not positive), at most ``cap``."""
    if not beyond > 0 or not width > 0:
        return 0
    if not math.isfinite(beyond):
        return cap
    k = max(math.ceil(beyond / width), 1)
    return min(k + (k * width < beyond), cap)


def _tukey(num: NumericSummary) -> tuple[float, float, str]:
    """Tukey's far-out fences with a scale per side that does not collapse.

    ``Q1 - 3·s_lo`` and ``Q3 + 3·s_hi`` where each side's scale is the largest of the IQR and
    the IQR a normal distribution would have given that side's ``Q50-Q10`` (resp. ``Q90-Q50``),
    i.e. ``1.0526·(Q90-Q50)``, which tolerates up to 10 % of outliers on a side; when both are
    zero (a mass point holds 40 % or more of the values on that side) ``0.5799·(Q99-Q50)``.
    A positive scale of an integer-valued column is at least 1 (its resolution).  On normal
    data every term equals the IQR: the classic fences.
    """
    q01, q10, q25, q50, q75, q90, q99 = num.quantiles([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    iqr = q75 - q25
    floor = 1.0 if num.non_integer_count == 0 else 0.0
    hi = max(iqr, _Q90_TO_IQR * (q90 - q50)) or _Q99_TO_IQR * (q99 - q50)
    lo = max(iqr, _Q90_TO_IQR * (q50 - q10)) or _Q99_TO_IQR * (q50 - q01)
    hi, lo = (max(v, floor) if v > 0 else v for v in (hi, lo))
    return (q25 - TUKEY_K * lo, q75 + TUKEY_K * hi, "robust-iqr(k=3)")


def profile(
    source: BatchSource,
    schema: Schema,
    plan: ScanPlan,
    *,
    reference: DatasetProfile | None = None,
    on_rows: Callable[[int], None] | None = None,
    cache_bytes: int = CACHE_BYTES,
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
    cache_bytes
        Memory pass 1 may use to keep the columns pass 2 needs; when they take more, pass 2
        reads ``source`` again.  0 always reads twice.

    Returns
    -------
    DatasetProfile
        Pass 1's profile with pass 2's histograms, outliers and rule results filled in.
    """
    first_plan = dataclasses.replace(plan, histogram_edges={}, outlier_fences={}, rules={})
    kept = _Kept(schema, plan, cache_bytes)
    frames = (_frame(b) for b in source.batches())
    first = _scan_frames(frames, schema, first_plan, on_rows=on_rows, keep=kept)
    second_plan = derive_second_pass(first, plan, reference=reference)
    if kept.frames is not None:
        frames_kept, kept.frames = kept.frames, None
        _from_sorted(first, second_plan, kept)
        done_sorted, kept.sorted, kept.extremes = set(kept.sorted), {}, {}
        if frames_kept or kept.columns:
            second: DatasetProfile | None = _scan_frames(
                _drain(frames_kept),
                kept.schema_kept(),
                _restrict(second_plan, [c for c in kept.columns or [] if c not in done_sorted]),
                on_rows=on_rows,
                second_pass=True,
            )
        else:
            second = None
            if on_rows is not None:
                for height in kept.heights:
                    on_rows(height)
    else:  # pass 2 does little per batch: decode the next batch meanwhile
        second = _scan_frames(
            _read_ahead(source), schema, second_plan, on_rows=on_rows, second_pass=True
        )
    if second is not None:
        for name, col in first.columns.items():
            done = second.columns.get(name)
            if done is not None and (done.histogram is not None or done.outliers is not None):
                col.histogram = done.histogram
                col.outliers = done.outliers
        first.rule_violations = second.rule_violations
        first.rule_examples = second.rule_examples
    first.plan = second_plan
    return first


def _drain(frames: list[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """Yield and release the kept frames one by one (memory falls as pass 2 goes)."""
    frames.reverse()
    while frames:
        yield frames.pop()


def _restrict(plan: ScanPlan, columns: list[str]) -> ScanPlan:
    """``plan`` with the per-column work limited to ``columns`` (the kept ones)."""
    keep = set(columns)
    return dataclasses.replace(
        plan,
        histogram_edges={k: v for k, v in plan.histogram_edges.items() if k in keep},
        outlier_fences={k: v for k, v in plan.outlier_fences.items() if k in keep},
        patterns={k: v for k, v in plan.patterns.items() if k in keep},
        formats={k: v for k, v in plan.formats.items() if k in keep},
    )
