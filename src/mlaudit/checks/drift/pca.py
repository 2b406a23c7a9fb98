"""``drift.pca``: do current rows still follow the reference's correlation structure?

Principal components fitted on the reference keep the directions in which the reference
varies; a row that follows the same structure is rebuilt from them with a small error.  When
columns stop moving together (a broken correlation, a new mode, a scale change) the error grows,
even if each column's distribution looks the same.

Method, on the seeded samples of both profiles:

1. Numeric feature columns present in both samples (identifier, timestamp, target, prediction,
   score, sensitive, ignored and personal columns are left out).  Missing values take the
   reference median and ±inf the reference's finite extremes; columns without a finite value
   or constant in the reference are left out.
2. Each column is standardised with the reference sample's mean and standard deviation
   (``ddof=0``, as :class:`sklearn.preprocessing.StandardScaler`).
3. A PCA (full SVD, :func:`mlaudit.stats._pca.fit_pca`, the same components as
   scikit-learn's ``PCA(n_components=variance, svd_solver="full")``) fitted on the reference
   keeps the fewest components explaining at least ``variance`` (90%) of the variance, and at
   most one fewer than the columns: with every component kept each row is rebuilt exactly and
   only rounding noise would be compared (the kept share is then below ``variance``, stated).
4. Reconstruction error of a row: the mean over columns of the squared difference between the
   standardised row and its projection back from the kept components.
5. Control limits from the reference: its rows are split into ``chunks`` (10) seeded chunks;
   the chunk mean errors give ``mean ± sigmas · std`` (``sigmas`` = 3, ``ddof=1``).
6. Warn when the current mean error is outside the limits.  Above means the structure broke;
   below means current rows are more regular than the reference (e.g. a column became a copy
   of another, or variation collapsed).  The method is a screening heuristic, so it never fails.

The reference error is measured on the rows the components were fitted on, which favours the
reference slightly (by the order of features / rows); the ``3 · std`` limits absorb it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import Field

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Positive
from mlaudit.checks.drift.multivariate import drift_columns
from mlaudit.data import ColumnSchema, ColumnType
from mlaudit.results import (
    CheckResult,
    NoteDetail,
    SeriesDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.stats import fit_pca

if TYPE_CHECKING:
    import threadpoolctl
else:  # imported on first use (mlaudit._lazy)
    threadpoolctl = lazy_import("threadpoolctl")

__all__ = [
    "PCADrift",
    "ReconstructionErrors",
    "chunk_means",
    "reconstruction_errors",
    "standardised_numeric",
]

FloatArray = npt.NDArray[np.float64]

_NUMERIC = (ColumnType.NUMERIC, ColumnType.INTEGER)
_TOP = 10
_NOISE = 1e-12  # a mean squared residual below this is rounding, not structure


def _floats(values: pl.Series) -> FloatArray:
    return np.asarray(values.cast(pl.Float64, strict=False).to_numpy(), dtype=np.float64)


def standardised_numeric(
    reference: pl.DataFrame, current: pl.DataFrame, columns: list[ColumnSchema]
) -> tuple[FloatArray, FloatArray, list[str], dict[str, str]]:
    """Standardised reference and current matrices of the usable numeric ``columns``.

    Returns both matrices, the names of the columns kept and a mapping of left-out columns to
    the reason.
    """
    ref_cols: list[FloatArray] = []
    cur_cols: list[FloatArray] = []
    names: list[str] = []
    dropped: dict[str, str] = {}
    for col in columns:
        if col.type not in _NUMERIC:
            continue
        r, c = _floats(reference.get_column(col.name)), _floats(current.get_column(col.name))
        finite = r[np.isfinite(r)]
        if finite.size == 0:
            dropped[col.name] = "no finite value in the reference sample"
            continue
        scale = 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            mean, std = float(finite.mean()), float(finite.std())
        if not (np.isfinite(mean) and np.isfinite(std)):  # values near 1.8e308 overflow:
            scale = float(np.abs(finite).max())  # standardise in units of the largest value
            mean, std = float((finite / scale).mean()), float((finite / scale).std())
        if std <= 1e-12 * max(1.0 / scale, abs(mean)):
            dropped[col.name] = "constant in the reference sample"
            continue
        lo, hi = float(finite.min()), float(finite.max())
        med = float(np.median(finite / scale)) * scale  # the middle pair's mean may overflow
        for v, out in ((r, ref_cols), (c, cur_cols)):
            v = np.where(v == np.inf, hi, np.where(v == -np.inf, lo, v))
            out.append((np.where(np.isnan(v), med, v) / scale - mean) / std)
        names.append(col.name)
    if not names:
        return np.empty((reference.height, 0)), np.empty((current.height, 0)), names, dropped
    return np.column_stack(ref_cols), np.column_stack(cur_cols), names, dropped


@dataclass(frozen=True)
class ReconstructionErrors:
    """Per-row errors of both samples and the squared residuals per column."""

    reference: FloatArray
    current: FloatArray
    reference_by_column: FloatArray
    current_by_column: FloatArray
    components: int
    explained_variance: float


def reconstruction_errors(
    reference: FloatArray, current: FloatArray, *, variance: float = 0.9
) -> ReconstructionErrors:
    """Fit PCA on ``reference`` keeping ``variance`` of it; reconstruction errors of both.

    At most ``p − 1`` components are kept (``p`` columns): every component rebuilds any row
    exactly, leaving only rounding noise (1e-31) to compare.
    """
    pca = fit_pca(reference, variance=variance)
    most = reference.shape[1] - 1
    if pca.n_components > most:
        pca = dataclasses.replace(
            pca,
            components=pca.components[:most],
            explained_variance_ratio=pca.explained_variance_ratio[:most],
        )

    def residual(x: FloatArray) -> FloatArray:
        return np.asarray((x - pca.reconstruct(x)) ** 2, dtype=np.float64)

    r2, c2 = residual(reference), residual(current)
    return ReconstructionErrors(
        reference=r2.mean(axis=1),
        current=c2.mean(axis=1),
        reference_by_column=r2.mean(axis=0),
        current_by_column=c2.mean(axis=0) if len(current) else np.zeros(reference.shape[1]),
        components=pca.n_components,
        explained_variance=float(np.sum(pca.explained_variance_ratio)),
    )


def chunk_means(errors: FloatArray, *, chunks: int, seed: int) -> FloatArray:
    """Mean of ``errors`` over ``chunks`` seeded, near-equal random chunks."""
    order = np.random.default_rng(seed).permutation(len(errors))
    return np.array([errors[idx].mean() for idx in np.array_split(order, chunks)])


@register
class PCADrift(Check):
    """Warn when current rows no longer fit the reference's principal components."""

    id: ClassVar[str] = "drift.pca"
    family: ClassVar[str] = "drift"
    title: ClassVar[str] = "Current rows follow the reference's correlation structure"
    why: ClassVar[str] = (
        "Models rely on how features move together.  When current rows are rebuilt worse from "
        "the reference's principal components, relations between columns have changed even if "
        "every column on its own looks the same."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True

    variance: float = Field(default=0.9, gt=0, lt=1)
    """Share of the reference's variance the kept components must explain."""
    chunks: int = Field(default=10, ge=3)
    """Seeded chunks of the reference sample that give the control limits."""
    sigmas: Positive = 3.0
    """Width of the control limits in standard deviations of the chunk mean errors."""
    min_rows: int = Field(default=50, ge=10)
    """Skip when either sample has fewer rows than this."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the data set."""
        if ctx.reference is None:
            return self.skipped("no reference data: the PCA drift check compares two data sets")
        for label, prof in (("reference", ctx.reference), ("current", ctx.current)):
            n = 0 if prof.sample is None else prof.sample.height
            if n < max(self.min_rows, self.chunks):
                return self.skipped(
                    f"the {label} sample has {n:,} rows, fewer than the "
                    f"{max(self.min_rows, self.chunks)} needed"
                )
        assert ctx.reference.sample is not None and ctx.current.sample is not None
        names = None if self.columns is None else self.target_columns(ctx, [])
        cols = drift_columns(ctx, names)
        ref, cur, kept, dropped = standardised_numeric(
            ctx.reference.sample, ctx.current.sample, cols
        )
        if len(kept) < 2:
            return self.skipped(
                f"{len(kept)} usable numeric feature column(s), at least 2 are needed"
                + (
                    f" (left out: {', '.join(f'{k}: {v}' for k, v in dropped.items())})"
                    if dropped
                    else ""
                )
            )
        # numpy's BLAS (loaded with numpy) does the SVD; one thread: the same figures on every
        # machine, and no stall under load.
        with threadpoolctl.threadpool_limits(limits=1):
            errs = reconstruction_errors(ref, cur, variance=self.variance)
        if not float(errs.reference.mean()) > _NOISE:
            return self.skipped(
                f"the {errs.components} kept principal component(s) rebuild every reference row "
                f"exactly (mean error {float(errs.reference.mean()):.2g}): the {len(kept)} "
                "columns are linear combinations of each other, no residual is left to compare"
            )
        return self._judge(ctx, errs, kept, dropped)

    def _judge(
        self,
        ctx: CheckContext,
        errs: ReconstructionErrors,
        kept: list[str],
        dropped: dict[str, str],
    ) -> CheckResult:
        means = chunk_means(errs.reference, chunks=self.chunks, seed=ctx.seed)
        centre, spread = float(means.mean()), float(means.std(ddof=1))
        upper, lower = centre + self.sigmas * spread, max(0.0, centre - self.sigmas * spread)
        ref_err, cur_err = float(errs.reference.mean()), float(errs.current.mean())
        status = Status.WARN if not lower <= cur_err <= upper else Status.PASS
        where = (
            "above the upper limit: current rows no longer follow the reference's structure"
            if cur_err > upper
            else "below the lower limit: current rows are more regular than the reference"
            if cur_err < lower
            else "within the limits"
        )
        msg = (
            f"Mean reconstruction error from {errs.components} principal component(s) "
            f"({errs.explained_variance:.1%} of the reference variance, {len(kept)} numeric "
            f"columns): current {cur_err:.4g} vs reference {ref_err:.4g}, control limits "
            f"{lower:.4g}–{upper:.4g}; {where}."
        )
        return self.result(
            status,
            msg,
            threshold=Threshold(metric="current_error", direction="max", warn=upper),
            exact=False,
            metrics={
                "reference_error": ref_err,
                "current_error": cur_err,
                "upper_limit": upper,
                "lower_limit": lower,
                "components": errs.components,
                "explained_variance": errs.explained_variance,
                "features": len(kept),
                "n_reference": int(errs.reference.size),
                "n_current": int(errs.current.size),
            },
            details=[
                _error_table(errs, kept),
                _chunk_series(means, {"lower": lower, "upper": upper, "current": cur_err}),
                self._note(ctx, errs, kept, dropped),
            ],
        )

    def _note(
        self,
        ctx: CheckContext,
        errs: ReconstructionErrors,
        kept: list[str],
        dropped: dict[str, str],
    ) -> NoteDetail:
        return NoteDetail(
            name="method",
            text=(
                "Columns standardised with the reference sample's mean and standard deviation; "
                f"PCA fitted on the reference keeps {errs.components} component(s) for at least "
                f"{self.variance:.0%} of its variance; error = mean squared residual per row; "
                f"limits = mean ± {self.sigmas:g} std of {self.chunks} seeded reference chunk "
                f"means (seed {ctx.seed}). Columns: {', '.join(kept[:40])}"
                + (" ..." if len(kept) > 40 else "")
                + "."
                + (
                    ""
                    if not dropped
                    else " Left out: "
                    + "; ".join(f"{k} ({v})" for k, v in list(dropped.items())[:20])
                    + "."
                )
            ),
        )


def _error_table(errs: ReconstructionErrors, kept: list[str]) -> TableDetail:
    """The columns whose reconstruction got worse most."""
    change = errs.current_by_column - errs.reference_by_column
    order = np.argsort(-change, kind="stable")[:_TOP]
    return TableDetail(
        name="error_by_column",
        title="Columns whose reconstruction got worse most",
        columns=["column", "reference_error", "current_error", "change"],
        rows=[
            [
                kept[j],
                round(float(errs.reference_by_column[j]), 6),
                round(float(errs.current_by_column[j]), 6),
                round(float(change[j]), 6),
            ]
            for j in order
        ],
        note="Mean squared residual of the standardised column after projection.",
    )


def _chunk_series(means: FloatArray, limits: dict[str, float]) -> SeriesDetail:
    """The reference chunks' mean errors, with the control limits and the current error."""
    return SeriesDetail(
        name="chunk_errors",
        title="Reference chunk errors and control limits",
        x_label="reference chunk",
        y_label="mean reconstruction error",
        x=list(range(1, len(means) + 1)),
        series={"reference chunk": [float(m) for m in means]},
        limits=limits,
    )
