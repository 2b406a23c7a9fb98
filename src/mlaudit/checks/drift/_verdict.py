"""One column's drift verdict: the status, the bounds it rests on, and the message saying why.

The rules are those of :mod:`mlaudit.checks.drift.univariate` (see its docstring): drift when
the adjusted p-value is below α and the effect reaches the floor, ``fail`` from the fail limit
on, and ``inconclusive`` when the sketch's bounds leave the verdict open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from mlaudit.checks.drift._compare import ColumnDrift
from mlaudit.checks.drift._drift_options import DriftOptions
from mlaudit.results import Bound, CheckResult, Status, Threshold
from mlaudit.stats.drift import min_detectable_ks, underpowered
from mlaudit.summary import QuantileSketch

__all__ = ["decide"]

_EXACT_VALUES = QuantileSketch().exact_capacity  # values per side compared exactly
_EFFECT_BOUND = {"ks": "wasserstein_robust", "wasserstein": "wasserstein_normalized"}
_EXACT_NAME = {"ks": "KS", "wasserstein": "Wasserstein distance"}
_CORRECTION_NAMES = {
    "bh": "Benjamini-Hochberg adjusted",
    "holm": "Holm adjusted",
    "bonferroni": "Bonferroni adjusted",
    "none": "unadjusted",
}


class _Limits(NamedTuple):
    alpha: float
    floor: float
    fail_at: float


class _Ranges(NamedTuple):
    """Where the true adjusted p-value and effect lie (a single point when exact)."""

    p_adjusted: tuple[float, float] | None  # None: the method has no p-value
    effect: tuple[float, float]


@dataclass(frozen=True)
class _Verdict:
    """What was decided for one column, with what the message needs to say why."""

    status: Status
    drifted: bool  # drifted at both ends of the bounds
    p_adjusted: float
    limits: _Limits
    n_reference: int
    n_current: int
    underpowered: bool
    crossings: list[str]  # what straddles what, when the bounds leave the verdict open
    fix: str  # the change of threshold that would decide it


def decide(
    check: DriftOptions, d: ColumnDrift, p_adj: float, *, factor: float = 1.0
) -> CheckResult:
    """The result for one compared column, given its adjusted p-value.

    ``factor`` is the column's adjustment factor ``p_adj / p``: the sketch's bound on ``p``
    times it bounds the adjusted p-value.
    """
    lim = _limits(check, d)
    r = _ranges(d, p_adj, factor)
    v = _verdict(d, p_adj, lim, r)
    threshold = Threshold(metric="effect_size", direction="max", warn=lim.floor, fail=lim.fail_at)
    return check.result(
        v.status,
        _message(check, d, v),
        column=d.column,
        metrics=_metrics(d, v),
        threshold=threshold,
        bounds=_bounds(d, r),
        exact=d.exact,
        details=d.details,
    )


def _limits(check: DriftOptions, d: ColumnDrift) -> _Limits:
    """α, effect floor and fail limit for this column."""
    over = check.columns_thresholds.get(d.column, {})
    alpha = over.get("alpha", check.alpha)
    if d.method == "psi":
        warn, fail = check.psi_limits
        return _Limits(alpha, over.get("min_effect", warn), fail)
    if d.method == "rate":  # Cohen's h is on Cohen's d scale: the numeric floor
        floor = over.get("min_effect", check.min_effect_numeric)
    elif d.method == "js" or d.kind == "categorical":
        floor = over.get("min_effect", check.min_effect_categorical)
    else:
        floor = over.get("min_effect", check.min_effect_numeric)
    return _Limits(alpha, floor, floor * over.get("fail_multiple", check.fail_multiple))


def _status_at(p_adj: float | None, effect: float, lim: _Limits) -> Status:
    """The verdict for one adjusted p-value (None: a distance, no test) and one effect size."""
    if (p_adj is not None and not p_adj < lim.alpha) or not effect >= lim.floor:
        return Status.PASS
    return Status.FAIL if effect >= lim.fail_at else Status.WARN


def _ranges(d: ColumnDrift, p_adj: float, factor: float) -> _Ranges:
    """The sketch's hard bounds on the adjusted p-value (p bound x factor) and on the effect."""
    p_range = None if d.p_value is None else (p_adj, p_adj)
    pb = d.bounds.get("p_value")
    if not d.exact and p_range is not None and pb is not None and None not in (pb.low, pb.high):
        assert pb.low is not None and pb.high is not None
        p_range = (min(pb.low * factor, 1.0), min(pb.high * factor, 1.0))
    eb = d.bounds.get(_EFFECT_BOUND.get(d.method, "")) if d.kind == "numeric" else None
    if d.exact or eb is None or eb.low is None or eb.high is None:
        return _Ranges(p_range, (d.effect_size, d.effect_size))
    return _Ranges(p_range, (float(eb.low), float(eb.high)))


def _verdict(d: ColumnDrift, p_adj: float, lim: _Limits, r: _Ranges) -> _Verdict:
    """The status at the two extreme corners of the bounds, and what it is when they differ.

    The verdict is monotone, so the corners are the largest p-value with the smallest effect
    and the smallest p-value with the largest effect.
    """
    p_lo, p_hi = r.p_adjusted if r.p_adjusted is not None else (None, None)
    least, most = _status_at(p_hi, r.effect[0], lim), _status_at(p_lo, r.effect[1], lim)
    drifted = least in (Status.WARN, Status.FAIL)  # at both ends of the bounds
    # Drifted for certain but unsure between warn and fail: a finding all the same (warn).
    status = least if least == most else (Status.WARN if drifted else Status.INCONCLUSIVE)
    n, m = int(d.metrics["n_reference"] or 0), int(d.metrics["n_current"] or 0)
    # power matters only when nothing was found: a column that drifted is not underpowered
    weak = (
        status == Status.PASS
        and d.kind == "numeric"
        and d.method == "ks"
        and underpowered(n, m, lim.alpha, lim.floor)
    )
    crossings, fix = _crossings(r, lim, d) if least != most else ([], "")
    return _Verdict(status, drifted, p_adj, lim, n, m, weak, crossings, fix)


def _straddles(r: tuple[float, float], threshold: float) -> bool:
    return r[0] < threshold <= r[1]


def _crossings(r: _Ranges, lim: _Limits, d: ColumnDrift) -> tuple[list[str], str]:
    """What straddles what, in words, and the change of threshold that decides it."""
    p_lo = r.p_adjusted[0] if r.p_adjusted is not None else None
    can_be_significant = p_lo is None or p_lo < lim.alpha
    lo, hi = r.effect
    out, fix = [], ""
    if r.p_adjusted is not None and _straddles(r.p_adjusted, lim.alpha) and hi >= lim.floor:
        a, b = r.p_adjusted
        out.append(
            f"the adjusted p-value lies between {_fmt_p(a)} and {_fmt_p(b)}, on both sides of "
            f"α = {lim.alpha:g}"
        )
        fix = f"set the effect floor above {hi:.3g} if an effect of this size does not matter"
    limits = (("floor", lim.floor), ("fail limit", lim.fail_at))
    sides = [f"the {name} {value:g}" for name, value in limits if _straddles(r.effect, value)]
    if sides and can_be_significant:
        out.append(
            f"the effect size ({d.effect_name}) lies between {lo:.3g} and {hi:.3g}, on both "
            f"sides of {' and of '.join(sides)}"
        )
        if _straddles(r.effect, lim.floor):
            fix = (
                f"raise the effect floor slightly, to {hi:.3g} or more (min_effect_numeric, or "
                "min_effect for this column in columns_thresholds)"
            )
        else:
            fix = f"raise fail_multiple slightly, so that the fail limit exceeds {hi:.3g}"
    return out, fix


def _metrics(d: ColumnDrift, v: _Verdict) -> dict[str, float | int | None]:
    metrics = dict(d.metrics)
    metrics.update(
        statistic=d.statistic,
        p_value=d.p_value,
        p_value_adjusted=None if d.p_value is None else v.p_adjusted,
        effect_size=d.effect_size,
        effect_floor=v.limits.floor,
        drifted=int(v.drifted),
    )
    if d.kind == "numeric":
        metrics["min_detectable_statistic"] = min_detectable_ks(
            v.n_reference, v.n_current, v.limits.alpha
        )
        metrics["underpowered"] = int(v.underpowered)
    return metrics


def _bounds(d: ColumnDrift, r: _Ranges) -> dict[str, Bound]:
    """The sketch's bounds, plus those of the adjusted p-value and the effect size."""
    out = dict(d.bounds)
    if d.exact:
        return out
    method = "hard bound from the quantile sketches' rank errors"
    if r.p_adjusted is not None and "p_value" in d.bounds:
        out["p_value_adjusted"] = Bound(
            low=r.p_adjusted[0],
            high=r.p_adjusted[1],
            method=method + ", times the adjustment factor p_value_adjusted / p_value",
        )
    if r.effect[0] != r.effect[1]:
        out["effect_size"] = Bound(low=r.effect[0], high=r.effect[1], method=method)
    return out


def _fmt_p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 or p == 0 else f"{p:.2e}"


def _message(check: DriftOptions, d: ColumnDrift, v: _Verdict) -> str:
    parts = [_headline(d, v), *_figures(check, d, v)]
    text = "; ".join(parts) + ". " + "; ".join(d.notes) + "."
    if v.crossings:
        text += (
            " If you need a yes/no answer, " + (f"{v.fix}, " if v.fix else "") + "or compare a "
            f"random sample of at most {_EXACT_VALUES:,} values per side, which is compared "
            "exactly."
        )
    return text if math.isfinite(d.statistic) else text + " (statistic undefined)"


def _headline(d: ColumnDrift, v: _Verdict) -> str:
    """The verdict in words, with the statistic; why it is open when it is."""
    if not v.crossings:
        verdict = "has drifted" if v.drifted else "shows no drift that matters"
        return f"{d.column} {verdict}: {d.method} statistic {d.statistic:.4g}"
    what = (
        f"{d.column} has drifted, but whether it fails is inconclusive"
        if v.drifted
        else f"Drift of {d.column} is inconclusive"
    )
    return (
        f"{what}: {' and '.join(v.crossings)}. The data is too large for "
        f"exact {_EXACT_NAME.get(d.method, d.method)}; the sketch's error bound covers the "
        f"threshold, so the verdict differs between the ends of the bound: {d.method} statistic "
        f"{d.statistic:.4g}"
    )


def _figures(check: DriftOptions, d: ColumnDrift, v: _Verdict) -> list[str]:
    """The p-values, the effect against its floor, the sizes, and what to keep in mind."""
    alpha, floor, p_adj = v.limits.alpha, v.limits.floor, v.p_adjusted
    n, m = v.n_reference, v.n_current
    parts = []
    if d.p_value is not None:
        parts.append(
            f"p = {_fmt_p(d.p_value)}, {_CORRECTION_NAMES[check.correction]} p = {_fmt_p(p_adj)} "
            f"({'<' if p_adj < alpha else '≥'} α = {alpha:g})"
        )
    rel = "≥" if d.effect_size >= floor else "<"
    parts.append(f"effect size {d.effect_size:.3g} ({d.effect_name}) {rel} floor {floor:g}")
    parts.append(f"{n:,} reference vs {m:,} current values")
    if not d.exact:
        parts.append("approximate (from quantile sketches; bounds in the metrics)")
    infinite = int(d.metrics.get("infinite_reference") or 0) + int(
        d.metrics.get("infinite_current") or 0
    )
    if infinite:
        parts.append(
            f"{d.metrics.get('infinite_reference')} reference and "
            f"{d.metrics.get('infinite_current')} current infinite values excluded"
        )
    if v.underpowered:
        parts.append(
            f"underpowered: with these sizes only a KS statistic ≥ "
            f"{min_detectable_ks(n, m, alpha):.3g} is detectable, more than a shift of {floor:g} "
            "standard deviations produces"
        )
    return parts
