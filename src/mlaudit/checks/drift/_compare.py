"""Per-column drift computations for ``drift.univariate``: summaries in, numbers out.

Kept apart from the check so the check module holds only options, decisions and messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from mlaudit.results import Bound, Cell, DistributionDetail, TableDetail
from mlaudit.stats.drift import (
    KSResult,
    RobustShift,
    WassersteinResult,
    categorical_test,
    cdf_gap,
    decile_edges,
    js_distance,
    js_distance_from_counts,
    ks_sketch,
    psi,
    psi_from_counts,
    rate_change,
    robust_shift,
    sketch_shares,
    wasserstein_sketch,
)
from mlaudit.summary import (
    ColumnSummary,
    Histogram,
    NumericSummary,
    QuantileSketch,
    reference_over,
)

__all__ = [
    "ColumnDrift",
    "compare_categorical",
    "compare_numeric",
    "compare_rate",
    "two_levels",
]

Metrics = dict[str, float | int | None]
_TOP_CATEGORIES = 20
_MAX_LISTED = 50
_ROBUST_NAME = "W1 of the 1-99% body in robust standard deviations"


@dataclass
class ColumnDrift:
    """What one column's comparison measured, before multiple testing and the decision."""

    column: str
    kind: Literal["numeric", "categorical"]
    method: str
    statistic: float
    p_value: float | None
    effect_size: float
    effect_name: str
    metrics: Metrics
    exact: bool
    bounds: dict[str, Bound] = field(default_factory=dict)
    details: list[DistributionDetail | TableDetail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _sketch(num: NumericSummary) -> QuantileSketch:
    assert num.sketch is not None
    return num.sketch


def compare_numeric(ref: ColumnSummary, cur: ColumnSummary, method: str) -> ColumnDrift:
    """KS, normalised Wasserstein, PSI and JS for a numeric column; ``method`` picks the verdict."""
    rn, cn = ref.numeric, cur.numeric
    assert rn is not None and cn is not None
    rs, cs = _sketch(rn), _sketch(cn)
    gap = None if rs.is_exact and cs.is_exact else cdf_gap(rs, cs)  # one merge for KS and W1
    ks = ks_sketch(rs, cs, gap=gap)
    w = wasserstein_sketch(
        rs,
        cs,
        reference_std=rn.moments.std,
        current_std=cn.moments.std,
        reference_mean=rn.moments.mean,
        gap=gap,
    )
    rob = robust_shift(
        rs, cs, reference_std=rn.moments.std, current_std=cn.moments.std,
        reference_mean=rn.moments.mean, gap_bound=ks.statistic_high,
    )  # fmt: skip
    edges = decile_edges(rs)
    r_share, c_share = sketch_shares(rs, edges), sketch_shares(cs, edges)
    psi_value = psi(r_share, c_share)
    js_value, detail = _numeric_js(ref, cur, edges, r_share, c_share)
    metrics: Metrics = {
        "ks_statistic": ks.statistic,
        "wasserstein": w.distance,
        "wasserstein_normalized": w.normalized,
        "wasserstein_robust": rob.normalized,
        "robust_scale": rob.scale,
        "psi": psi_value,
        "js_distance": js_value,
        **_sample_metrics(rn, cn),
    }
    verdict = {  # what each method decides on: statistic, p-value, effect size and its name
        "ks": (ks.statistic, ks.p_value, rob.normalized, _ROBUST_NAME),
        "wasserstein": (w.normalized, None, w.normalized, "normalised Wasserstein"),
        "psi": (psi_value, None, psi_value, "PSI"),
    }
    stat, p, effect, effect_name = verdict.get(
        method, (js_value, None, js_value, "Jensen-Shannon distance")
    )
    bounds = {} if ks.exact else _sketch_bounds(ks, w, rob)
    if method == "ks" and "ks_statistic" in bounds:
        bounds["statistic"] = bounds["ks_statistic"]
    return ColumnDrift(
        column=cur.name, kind="numeric", method=method, statistic=stat, p_value=p,
        effect_size=effect, effect_name=effect_name, metrics=metrics, exact=ks.exact,
        bounds=bounds, details=[detail],
        notes=_scale_notes(method, w, rob),
    )  # fmt: skip


def _scale_notes(method: str, w: WassersteinResult, rob: RobustShift) -> list[str]:
    """How the effect was scaled, and the classic figure beside the robust one."""
    if method != "ks":
        return [f"W1 is divided by the {w.scale_source} ({w.scale:.4g})"]
    return [
        f"effect = W1 of the values clipped to [{rob.lo:.4g}, {rob.hi:.4g}] (both periods' 1st "
        f"to 99th percentiles, so a few extreme values cannot inflate it) divided by the "
        f"{rob.scale_source} ({rob.scale:.4g}); unclipped W1 / standard deviation: "
        f"{w.normalized:.3g}"
    ]


def _sample_metrics(rn: NumericSummary, cn: NumericSummary) -> Metrics:
    """Sizes, infinite values, means and standard deviations of both samples."""
    return {
        "n_reference": _sketch(rn).n,
        "n_current": _sketch(cn).n,
        "infinite_reference": rn.posinf_count + rn.neginf_count,
        "infinite_current": cn.posinf_count + cn.neginf_count,
        "reference_mean": rn.moments.mean,
        "current_mean": cn.moments.mean,
        "reference_std": rn.moments.std,
        "current_std": cn.moments.std,
    }


def _sketch_bounds(ks: KSResult, w: WassersteinResult, rob: RobustShift) -> dict[str, Bound]:
    """Hard bounds on KS, its p-value and the normalised W1 from the sketches' rank errors."""
    m = "hard bound from the quantile sketches' rank errors"
    return {
        "ks_statistic": Bound(low=ks.statistic_low, high=ks.statistic_high, method=m),
        "p_value": Bound(low=ks.p_value_low, high=ks.p_value_high, method=m),
        "wasserstein_normalized": Bound(
            low=max(w.normalized - w.error_bound / w.scale, 0.0),
            high=w.normalized + w.error_bound / w.scale,
            method=m,
        ),
        "wasserstein_robust": Bound(
            low=rob.normalized_low,
            high=rob.normalized_high,
            method=m,
        ),
    }


def _numeric_js(
    ref: ColumnSummary,
    cur: ColumnSummary,
    edges: np.ndarray,
    r_share: np.ndarray,
    c_share: np.ndarray,
) -> tuple[float, DistributionDetail]:
    """JS over the engine's common histogram bins when both have them, else the decile bins.

    The common bins are the reference's, extended with bins of the same width to the current's
    range (:func:`mlaudit.summary.reference_over`); current values beyond the added bins (at
    most as many as the reference has on a side) are counted in an open bin at either end.
    """
    rh, ch = ref.histogram, cur.histogram
    common = reference_over(rh, ch) if rh is not None and ch is not None and rh.counts else None
    if common is not None:
        assert ch is not None
        rh = common[0]
        r = np.array([rh.below, *rh.counts, rh.above], dtype=np.float64)
        c = np.array([ch.below, *ch.counts, ch.above], dtype=np.float64)
        return js_distance(r, c), _bins_detail(cur.name, rh, ch, common[1])
    rs, cs = _sketch(ref.numeric), _sketch(cur.numeric)  # type: ignore[arg-type]
    lo, hi = min(rs.min, cs.min), max(rs.max, cs.max)
    detail = DistributionDetail(
        name="distribution",
        title=f"{cur.name}: reference vs current over the reference's decile bins",
        column=cur.name,
        edges=[lo, *[float(e) for e in edges], hi],
        counts={
            "reference": [float(x) for x in r_share * rs.n],
            "current": [float(x) for x in c_share * cs.n],
        },
        exact=rs.is_exact and cs.is_exact,
    )
    return js_distance(r_share, c_share), detail


def _bins_detail(name: str, rh: Histogram, ch: Histogram, own: slice) -> DistributionDetail:
    """The chart of both histograms over the common bins (``own``: the reference's), with an
    open bin at an end when the current has values beyond the last bin there (drawn one bin
    wide, said in the title)."""
    edges, ref_counts, cur_counts = list(ch.edges), [*rh.counts], [*ch.counts]
    width = edges[1] - edges[0]
    low = ch.below + sum(ch.counts[: own.start])
    high = sum(ch.counts[own.stop :]) + ch.above
    notes = [f"current outside the reference range: {low:,} below, {high:,} above"]
    if ch.below:
        notes.append(f"the first bin is open: {ch.below:,} current values below {edges[0]:.6g}")
        edges, ref_counts, cur_counts = (
            [edges[0] - width, *edges],
            [0, *ref_counts],
            [ch.below, *cur_counts],
        )
    if ch.above:
        notes.append(f"the last bin is open: {ch.above:,} current values above {edges[-1]:.6g}")
        edges, ref_counts, cur_counts = (
            [*edges, edges[-1] + width],
            [*ref_counts, 0],
            [*cur_counts, ch.above],
        )
    added = own.start + len(ch.counts) - own.stop
    span = "the reference's bins" + (
        f" and {added} more of the same width to the current's range" if added else ""
    )
    return DistributionDetail(
        name="distribution",
        title=f"{name}: reference vs current over {span} ({'; '.join(notes)})",
        column=name,
        edges=edges,
        counts={
            "reference": [float(x) for x in ref_counts],
            "current": [float(x) for x in cur_counts],
        },
    )


def compare_categorical(ref: ColumnSummary, cur: ColumnSummary, method: str) -> ColumnDrift:
    """Chi-square (or G), Cramér's V, PSI and JS for a categorical column."""
    assert ref.categories is not None and cur.categories is not None
    rc, cc = ref.categories.counts, cur.categories.counts
    test = categorical_test(rc, cc, method="g_test" if method == "g_test" else "chi2")
    psi_value = psi_from_counts(rc, cc)
    js_value = js_distance_from_counts(rc, cc)
    n_r, n_c = sum(rc.values()), sum(cc.values())
    metrics: Metrics = {
        "chi2_statistic" if test.method == "chi2" else "g_statistic": test.statistic,
        "dof": test.dof,
        "cramers_v": test.cramers_v,
        "psi": psi_value,
        "js_distance": js_value,
        "n_reference": n_r,
        "n_current": n_c,
        "categories": len(test.categories),
        "new_categories": len(test.new),
        "vanished_categories": len(test.vanished),
    }
    if method in ("chi2", "g_test"):
        stat, p, effect, effect_name = test.statistic, test.p_value, test.cramers_v, "Cramér's V"
    elif method == "psi":
        stat, p, effect, effect_name = psi_value, None, psi_value, "PSI"
    else:
        stat, p, effect, effect_name = js_value, None, js_value, "Jensen-Shannon distance"
    details: list[DistributionDetail | TableDetail] = [_top_categories(cur.name, rc, cc)]
    if test.new or test.vanished:
        details.append(_changes_table(cur.name, rc, cc, test.new, test.vanished))
    notes = []
    if test.new:
        notes.append(f"new categories: {', '.join(map(repr, test.new[:5]))}")
    if test.vanished:
        notes.append(f"vanished categories: {', '.join(map(repr, test.vanished[:5]))}")
    return ColumnDrift(
        column=cur.name,
        kind="categorical",
        method=method,
        statistic=stat,
        p_value=p,
        effect_size=effect,
        effect_name=effect_name,
        metrics=metrics,
        exact=True,
        details=details,
        notes=notes,
    )


def _top_categories(name: str, rc: dict[str, int], cc: dict[str, int]) -> DistributionDetail:
    keys = sorted(set(rc) | set(cc), key=lambda k: (-(rc.get(k, 0) + cc.get(k, 0)), k))
    top = keys[:_TOP_CATEGORIES]
    return DistributionDetail(
        name="distribution",
        title=f"{name}: the {len(top)} most frequent categories, reference vs current",
        column=name,
        categories=top,
        counts={
            "reference": [float(rc.get(k, 0)) for k in top],
            "current": [float(cc.get(k, 0)) for k in top],
        },
    )


def _changes_table(
    name: str, rc: dict[str, int], cc: dict[str, int], new: list[str], vanished: list[str]
) -> TableDetail:
    rows: list[list[Cell]] = [[k, "new", 0, cc.get(k, 0)] for k in new[:_MAX_LISTED]]
    rows += [[k, "vanished", rc.get(k, 0), 0] for k in vanished[:_MAX_LISTED]]
    more = len(new) + len(vanished) - len(rows)
    return TableDetail(
        name="category_changes",
        title=f"Categories of {name} new in the current data or vanished from it",
        columns=["category", "change", "reference_count", "current_count"],
        rows=rows,
        note=f"{more:,} more not listed" if more > 0 else "",
    )


def two_levels(
    ref: ColumnSummary, cur: ColumnSummary
) -> tuple[dict[str, int], dict[str, int]] | None:
    """Counts per level when the column has exactly two levels, both seen in the reference.

    Categorical and boolean columns use their exact category counts; numeric ones their exact
    quantile sketches (up to 131,072 values per side; larger numeric columns keep KS).
    """
    if ref.categories is not None and cur.categories is not None and ref.numeric is None:
        if not (ref.categories.exact and cur.categories.exact):
            return None
        rc, cc = dict(ref.categories.counts), dict(cur.categories.counts)
    elif ref.numeric is not None and cur.numeric is not None:
        rs, cs = ref.numeric.sketch, cur.numeric.sketch
        if rs is None or cs is None or not (rs.is_exact and cs.is_exact):
            return None
        rv, rw = np.unique(rs.values(), return_counts=True)
        cv, cw = np.unique(cs.values(), return_counts=True)
        rc = {f"{v:g}": int(w) for v, w in zip(rv, rw, strict=True)}
        cc = {f"{v:g}": int(w) for v, w in zip(cv, cw, strict=True)}
    else:
        return None
    both = {k for k, v in rc.items() if v > 0}
    return (rc, cc) if len(both) == 2 and set(cc) <= both else None


def compare_rate(name: str, rc: dict[str, int], cc: dict[str, int]) -> ColumnDrift:
    """A two-level column as a rate: both rates, the change with its Newcombe interval, the test.

    The rate is the share of the upper level (``1``, ``True``, or the later of two names).
    """
    levels = sorted(set(rc) | set(cc), key=_level_key)
    upper = levels[1]
    n, m = sum(rc.values()), sum(cc.values())
    rate = rate_change(rc.get(upper, 0), n, cc.get(upper, 0), m)
    metrics: Metrics = {
        "rate_reference": rate.rate_reference,
        "rate_current": rate.rate_current,
        "rate_difference": rate.difference,
        "rate_difference_low": rate.difference_low,
        "rate_difference_high": rate.difference_high,
        "z_statistic": rate.z,
        "phi": rate.phi,
        "cohens_h": rate.cohens_h,
        "n_reference": n,
        "n_current": m,
    }
    note = (
        f"share of {upper!r}: {rate.rate_reference:.2%} in the reference, "
        f"{rate.rate_current:.2%} now, a change of {100 * rate.difference:+.2f} points "
        f"(95% Newcombe interval {100 * rate.difference_low:+.2f} to "
        f"{100 * rate.difference_high:+.2f}); two-proportion z-test; effect Cohen's h, |φ| = "
        f"{rate.phi:.3g}"
    )
    return ColumnDrift(
        column=name, kind="categorical", method="rate", statistic=rate.z, p_value=rate.p_value,
        effect_size=rate.cohens_h, effect_name="Cohen's h", metrics=metrics, exact=True,
        details=[_top_categories(name, rc, cc)], notes=[note],
    )  # fmt: skip


def _level_key(level: str) -> tuple[int, float, str]:
    low = level.lower()
    if low in ("true", "false"):
        return (0, float(low == "true"), low)
    try:
        return (0, float(level), level)
    except ValueError:
        return (1, 0.0, level)
