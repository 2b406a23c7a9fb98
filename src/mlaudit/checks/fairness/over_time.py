"""``fairness.over_time``: does a gap between groups grow from window to window?

With windows (``--window month``, ``windows:``), each sensitive attribute's groups are compared
in every window: each group's selection rate (Wilson interval) and its **gap** to the
reference group (the largest group over the whole period), with a standard error per window
``√(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)`` (half a row added to a zero or full count, so a window where a
rate is 0 still has a spread).  Per group, the **trend** of its gap is the slope of an
inverse-variance weighted least-squares line of the gap on the window's position (0, 1, 2...),
with its standard error ``1/√(Σw(x−x̄)²)`` (the variances known, not estimated: statsmodels'
WLS with ``cov_type="fixed scale"``) and a two-sided z-test, Holm-adjusted over the groups.

**Verdict.**  A gap that **grows**: a significant slope (adjusted p < ``alpha``) that moves the
gap away from parity (the slope has the sign of the gap in the last judged window) warns; it
fails when, in addition, the last window's gap lies beyond ``fail`` over its whole Newcombe
interval.  A gap that shrinks, or only wanders, passes.  Windows with fewer than
``min_group_size`` rows of a group leave that group out of them; fewer than three judged
windows cannot show a trend (inconclusive).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.fairness._common import FairnessOptions, declared_note
from mlaudit.checks.fairness._groups import UNKNOWN
from mlaudit.checks.fairness._rows import FairRows
from mlaudit.checks.fairness.four_fifths import holm
from mlaudit.results import CheckResult, SeriesDetail, Severity, Status, TableDetail
from mlaudit.stats import newcombe_difference, wilson_arrays
from mlaudit.summary import WINDOW

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["FairnessOverTime", "weighted_trend"]


def weighted_trend(y: np.ndarray, se: np.ndarray) -> tuple[float, float, float]:
    """Slope of ``y`` on 0..n−1 by weights ``1/se²``, its standard error and two-sided p."""
    x = np.arange(y.size, dtype=np.float64)
    w = 1.0 / se**2
    xbar = float(np.sum(w * x) / np.sum(w))
    ybar = float(np.sum(w * y) / np.sum(w))
    sxx = float(np.sum(w * (x - xbar) ** 2))
    slope = float(np.sum(w * (x - xbar) * (y - ybar)) / sxx)
    se_slope = 1.0 / math.sqrt(sxx)
    p = float(2 * scipy_stats.norm.sf(abs(slope / se_slope)))
    return slope, se_slope, p


@register
class FairnessOverTime(FairnessOptions):
    """The gap between groups, window by window, and whether it grows."""

    id: ClassVar[str] = "fairness.over_time"
    title: ClassVar[str] = "Gaps between groups do not grow over time"
    why: ClassVar[str] = (
        "A model fair at validation can drift into unfairness as the population or the data "
        "feeding it change; a gap that widens window after window needs action before it is "
        "large."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = ()

    intersections: bool = False
    """Also follow the groups of each pair of sensitive attributes."""
    alpha: Alpha = 0.05
    """Level of the trend test (Holm-adjusted over the attribute's groups)."""
    fail: Share = 0.10
    """Fail when a growing gap lies beyond this in the last window over its whole interval."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per attribute."""
        data = ctx.current_windows
        if data is None or not data.configured:
            return [self.skipped("no windows: cut the data by time (--window month, windows:)")]
        rows = self.fair_rows(ctx)
        if isinstance(rows, str):
            return [self.skipped(rows)]
        return [self._attribute(rows, a, data.labels) for a in rows.attributes]

    def _attribute(self, rows: FairRows, attr: str, labels: list[str]) -> CheckResult:
        frame = rows.frame.with_columns(pl.col(attr).fill_null(UNKNOWN))
        counts = (
            frame.group_by(WINDOW, attr)
            .agg(pl.len().alias("n"), pl.col("decision").sum().alias("k"))
            .sort(WINDOW, attr)
        )
        totals = (
            frame.group_by(attr).agg(pl.len().alias("n")).sort("n", attr, descending=[True, False])
        )
        big = totals.filter(pl.col("n") >= self.min_group_size)
        note = declared_note(rows, "largest")
        if big.height < 2:
            return self.result(
                Status.INCONCLUSIVE,
                f"{attr}: fewer than two groups have {self.min_group_size} rows (insufficient "
                "evidence).",
                column=attr, details=[note],
            )  # fmt: skip
        ref = str(big[attr][0])
        windows = sorted(set(counts[WINDOW].to_list()))
        table: dict[tuple[int, str], tuple[float, float]] = {
            (int(w), str(g)): (float(n), float(k)) for w, g, n, k in counts.iter_rows()
        }
        groups = [str(g) for g in big[attr].to_list()]
        series: dict[str, list[float | None]] = {g: [] for g in groups}
        lower: dict[str, list[float | None]] = {g: [] for g in groups}
        upper: dict[str, list[float | None]] = {g: [] for g in groups}
        for w in windows:
            for g in groups:
                n, k = table.get((w, g), (0.0, 0.0))
                ok = n >= self.min_group_size
                ci = wilson_arrays([k], [n])
                series[g].append(float(k / n) if ok else None)
                lower[g].append(float(ci.low[0]) if ok else None)
                upper[g].append(float(ci.high[0]) if ok else None)
        trends = [self._trend(table, windows, g, ref) for g in groups if g != ref]
        judged = [t for t in trends if t is not None]
        x = [labels[w] if w < len(labels) else str(w) for w in windows]
        chart = SeriesDetail(
            name="rates", title=f"Selection rate (outcome {rows.favourable}) by {attr}, per window",
            x_label="window", y_label="selection rate", x=x, series=series, lower=lower,
            upper=upper,
        )  # fmt: skip
        if not judged:
            return self.result(
                Status.INCONCLUSIVE,
                f"{attr}: no group has {self.min_group_size} rows in three windows or more; a "
                "trend needs three (insufficient evidence).",
                column=attr, details=[chart, note],
            )  # fmt: skip
        adjusted = holm([t["p_value"] for t in judged])
        for t, p in zip(judged, adjusted, strict=True):
            t["p_adjusted"] = p
            t["growing"] = p < self.alpha and np.sign(t["slope"]) == np.sign(t["last_gap"])
        growing = [t for t in judged if t["growing"]]
        beyond = [t for t in growing if t["last_low"] > self.fail or t["last_high"] < -self.fail]
        status = Status.FAIL if beyond else Status.WARN if growing else Status.PASS
        worst = max(judged, key=lambda t: abs(t["slope"]) / t["slope_se"])
        details = [
            chart,
            TableDetail(
                name="trends", title=f"Gap to {ref} per window: trend by group",
                columns=["group", "windows", "first gap", "last gap", "last gap 95% CI",
                         "slope per window", "p (Holm)", "growing"],
                rows=[[t["group"], t["windows"], t["first_gap"], t["last_gap"],
                       f"[{t['last_low']:.3f}, {t['last_high']:.3f}]", t["slope"],
                       t["p_adjusted"], "yes" if t["growing"] else ""] for t in judged],
            ),
            note,
        ]  # fmt: skip
        text = (
            f"{attr}: the gap in selection rate to {ref} (the largest group) over "
            f"{len(windows)} windows; steepest trend {worst['group']}: {worst['slope']:+.4f} a "
            f"window (Holm-adjusted p = {worst['p_adjusted']:.3g}), gap {worst['first_gap']:+.3f} "
            f"→ {worst['last_gap']:+.3f}"
        )
        if growing:
            text += (
                f". {len(growing)} group(s)' gap grows significantly"
                + (f", beyond {self.fail:g} in the last window" if beyond else "")
                + ": find what changed (population, data, a feature) before the gap is large."
            )
        else:
            text += ". No gap grows significantly."
        return self.result(
            status, text, column=attr,
            metrics={"groups_growing": len(growing), "max_slope": worst["slope"],
                     "max_slope_p_value": worst["p_adjusted"], "windows": len(windows)},
            details=details,
        )  # fmt: skip

    def _trend(
        self,
        table: dict[tuple[int, str], tuple[float, float]],
        windows: list[int],
        group: str,
        ref: str,
    ) -> dict[str, Any] | None:
        gaps, ses, ks, ns, k0s, n0s = [], [], [], [], [], []
        for w in windows:
            n1, k1 = table.get((w, group), (0.0, 0.0))
            n0, k0 = table.get((w, ref), (0.0, 0.0))
            if n1 < self.min_group_size or n0 < self.min_group_size:
                continue
            p1 = min(max(k1, 0.5), n1 - 0.5) / n1
            p0 = min(max(k0, 0.5), n0 - 0.5) / n0
            gaps.append(k1 / n1 - k0 / n0)
            ses.append(math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0))
            ks.append(k1)
            ns.append(n1)
            k0s.append(k0)
            n0s.append(n0)
        if len(gaps) < 3:
            return None
        slope, se, p = weighted_trend(np.asarray(gaps), np.asarray(ses))
        last = newcombe_difference([ks[-1]], [ns[-1]], [k0s[-1]], [n0s[-1]])
        return {
            "group": group, "windows": len(gaps), "first_gap": gaps[0], "last_gap": gaps[-1],
            "last_low": float(last.low[0]), "last_high": float(last.high[0]),
            "slope": slope, "slope_se": se, "p_value": p,
        }  # fmt: skip
