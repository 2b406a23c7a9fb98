"""``performance.score_stability``: the score's and the characteristics' population stability.

The table credit validators expect: the score cut into bands at the reference's deciles (ties
merged, so a coarse score can give fewer bands; each band ``(e_{i-1}, e_i]`` with open ends, as
:mod:`mlaudit.stats.drift` cuts numeric columns), and per band the reference share, the current
share and its contribution ``(c − r)·ln(c / r)`` to the population stability index (PSI; empty
shares floored at 1e-4 as the drift checks do).  Beside it, the PSI of each feature
(characteristic stability), computed from the profiles by the same functions as
``drift.univariate`` (reference deciles for numeric columns, categories otherwise); numeric,
categorical and boolean features only (not free text, identifiers or personal columns, whose
every value is new).

**Verdict** on the score's PSI.  The rule of thumb — below 0.1 stable, 0.1–0.25 a moderate
shift, above 0.25 a significant one — is an industry *convention*, not a statistical result, and
on small samples chance alone reaches it: under no shift, ``PSI · n_r n_c / (n_r + n_c)`` is
about χ² on ``bands − 1`` degrees of freedom (Yurdakul and Naranjo, 2020, *Journal of Risk Model
Validation* 14(4)), so 10 bands on 200 rows each give a PSI near 0.09 on average and above 0.1
about one time in 3 (tested: the χ² test's false rejections stay near its level).  The check
therefore warns when the PSI reaches ``psi_warn`` (0.1) *and* that χ² test rejects at
``alpha``, and fails when it reaches ``psi_fail`` (0.25) and the test rejects at ``fail_alpha``
(0.001): on 150 rows a side chance alone reaches 0.25 about one time in 36, so the failure asks
for stronger evidence than the warning.  The features' PSIs are shown, not judged:
``drift.univariate`` judges features.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, NonNegative
from mlaudit.data import ColumnType, Role, Schema
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.stats.drift import psi, psi_from_counts, psi_sketch
from mlaudit.summary import DatasetProfile, WindowedData

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["ScoreStability", "score_bands"]

_BANDS = 10
_MAX_FEATURES = 100


def _scores(data: WindowedData | None, schema: Schema) -> tuple[str, np.ndarray] | str:
    """The first score column's finite values, or why there are none."""
    cols = [c.name for c in schema.with_role(Role.SCORE)]
    if not cols:
        return "no score column: declare schema.score"
    if data is None or data.rows is None or cols[0] not in data.rows.columns:
        return f"the score column {cols[0]} was not read"
    s = data.rows[cols[0]]
    if not s.dtype.is_numeric():
        return f"the score column {cols[0]} is {s.dtype}, not numeric"
    x = s.drop_nulls().cast(pl.Float64).to_numpy()
    return cols[0], x[np.isfinite(x)]


def score_bands(
    reference: np.ndarray, current: np.ndarray, *, bands: int = _BANDS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inner edges at the reference deciles (ties merged) and each band's two shares."""
    edges = np.unique(np.quantile(reference, np.arange(1, bands) / bands))
    k = edges.size + 1
    r = np.bincount(np.searchsorted(edges, reference, side="left"), minlength=k) / reference.size
    c = np.bincount(np.searchsorted(edges, current, side="left"), minlength=k) / current.size
    return edges, r.astype(np.float64), c.astype(np.float64)


@register
class ScoreStability(Check):
    """PSI of the score per reference decile band, and of each feature."""

    id: ClassVar[str] = "performance.score_stability"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "The score's population is stable"
    why: ClassVar[str] = (
        "A model validated on one population scores another when its score distribution "
        "moves: cut-offs then approve or reject a different share than was signed off."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    needs_reference: ClassVar[bool] = True
    needs_rows: ClassVar[bool] = True
    reads: ClassVar[frozenset[str]] = frozenset()
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = (
        ("psi_warn", "psi_fail"),
        ("fail_alpha", "alpha"),
    )

    psi_warn: NonNegative = 0.1
    """PSI from which a (significant) shift warns: the moderate-shift convention."""
    psi_fail: NonNegative = 0.25
    """PSI from which a (significant) shift fails: the significant-shift convention."""
    alpha: Alpha = 0.05
    """Level of the χ² test that the shift is more than chance."""
    fail_alpha: Alpha = 0.001
    """Level of the χ² test for a failure."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the score's band table and the features' PSI."""
        cur = _scores(ctx.current_windows, ctx.schema)
        if isinstance(cur, str):
            return self.skipped(cur)
        ref = _scores(ctx.reference_windows, ctx.reference_schema or ctx.schema)
        if isinstance(ref, str):
            return self.skipped(f"reference: {ref}")
        col, c = cur
        r = ref[1]
        if r.size < _BANDS or c.size < _BANDS:
            return self.skipped(f"too few scores ({r.size} reference, {c.size} current)")
        edges, rs, cs = score_bands(r, c)
        contrib = (np.maximum(cs, 1e-4) - np.maximum(rs, 1e-4)) * np.log(
            np.maximum(cs, 1e-4) / np.maximum(rs, 1e-4)
        )
        value = psi(rs, cs)
        stat = value * r.size * c.size / (r.size + c.size)
        p_value = float(scipy_stats.chi2.sf(stat, edges.size)) if edges.size else 1.0
        real = p_value < self.alpha
        status = Status.PASS
        if p_value < self.fail_alpha and value >= self.psi_fail:
            status = Status.FAIL
        elif real and value >= self.psi_warn:
            status = Status.WARN
        return self.result(
            status,
            _message(col, value, p_value, status, (r.size, c.size)),
            metrics={
                "psi": value,
                "p_value": p_value,
                "bands": edges.size + 1,
                "rows_reference": int(r.size),
                "rows_current": int(c.size),
            },
            threshold=Threshold(
                metric="psi", direction="max", warn=self.psi_warn, fail=self.psi_fail
            ),
            details=[_band_table(col, edges, rs, cs, contrib), *_features(ctx, col)],
        )


def _band_table(
    col: str, edges: np.ndarray, rs: np.ndarray, cs: np.ndarray, contrib: np.ndarray
) -> TableDetail:
    lows = ["-inf", *[f"{e:.6g}" for e in edges]]
    highs = [*[f"{e:.6g}" for e in edges], "+inf"]
    rows: list[list[Cell]] = [
        [f"({lo}, {hi}]", round(float(a) * 100, 2), round(float(b) * 100, 2), round(float(x), 5)]
        for lo, hi, a, b, x in zip(lows, highs, rs, cs, contrib, strict=True)
    ]
    rows.append(["total", 100.0, 100.0, round(float(contrib.sum()), 5)])
    return TableDetail(
        name="score_bands",
        title=f"Population stability of {col} by reference decile band",
        columns=["band", "reference_%", "current_%", "psi_contribution"],
        rows=rows,
        note="Conventions: PSI below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 "
        "significant shift.",
    )


def _level(x: float) -> str:
    return "significant" if x >= 0.25 else "moderate" if x >= 0.1 else "stable"


def _feature_psi(ref: DatasetProfile, cur: DatasetProfile, name: str) -> float | None:
    a, b = ref.columns.get(name), cur.columns.get(name)
    if a is None or b is None:
        return None
    if a.numeric is not None and b.numeric is not None:
        if a.numeric.sketch is None or b.numeric.sketch is None:
            return None
        if a.numeric.sketch.is_empty or b.numeric.sketch.is_empty:
            return None
        return psi_sketch(a.numeric.sketch, b.numeric.sketch)
    ra = a.categories.counts if a.categories is not None else {}
    cb = b.categories.counts if b.categories is not None else {}
    if sum(ra.values()) > 0 and sum(cb.values()) > 0:
        return psi_from_counts(ra, cb)
    return None


def _features(ctx: CheckContext, score: str) -> list[TableDetail]:
    if ctx.reference is None:
        return []
    kinds = (ColumnType.NUMERIC, ColumnType.INTEGER, ColumnType.CATEGORICAL, ColumnType.BOOLEAN)
    names = [
        c.name
        for c in ctx.schema.with_role(Role.FEATURE)
        if c.name != score and c.type in kinds and not c.personal
    ]
    found = [(n, _feature_psi(ctx.reference, ctx.current, n)) for n in names]
    rows: list[list[Cell]] = [
        [n, round(v, 5), _level(v)] for n, v in found if v is not None and np.isfinite(v)
    ]
    if not rows:
        return []
    rows.sort(key=lambda r: -float(r[1] or 0.0))
    return [
        TableDetail(
            name="characteristic_stability",
            title="Characteristic stability: PSI of each feature (reference deciles or categories)",
            columns=["feature", "psi", "convention"],
            rows=rows[:_MAX_FEATURES],
            note="Shown, not judged here (drift.univariate judges the features).",
        )
    ]


def _message(col: str, value: float, p: float, status: Status, n: tuple[int, int]) -> str:
    head = (
        f"The population of {col} shifted: PSI {value:.3f} ({_level(value)} by the usual "
        f"convention), more than chance explains (χ² p = {p:.3g})"
        if status in (Status.WARN, Status.FAIL)
        else f"The population of {col} is stable enough: PSI {value:.3f} ({_level(value)} by "
        f"the usual convention; χ² p = {p:.3g})"
    )
    tail = f" over reference decile bands ({n[0]:,} reference and {n[1]:,} current scores)."
    if status in (Status.WARN, Status.FAIL):
        tail += (
            " Find which applicants moved (the characteristic table below) and check that the "
            "model's cut-offs and calibration still hold for them."
        )
    return head + tail
