"""Judging a metric with its interval: absolute limits, the change from the reference, the table.

The rules are stated in :mod:`mlaudit.checks.performance.metrics`: a limit is breached when the
whole interval lies beyond it; a limit inside the interval is inconclusive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mlaudit.checks.performance._evaluation import Evaluation
from mlaudit.results import Bound, Cell, Status, TableDetail

__all__ = [
    "HIGHER_IS_BETTER",
    "METRIC_ORDER",
    "Judged",
    "judge_change",
    "judge_value",
    "metrics_table",
]

HIGHER_IS_BETTER = frozenset(
    {
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "gini",
        "average_precision",
        "ks_statistic",
        "r2",
        "precision_macro",
        "recall_macro",
        "f1_macro",
        "precision_weighted",
        "recall_weighted",
        "f1_weighted",
        "roc_auc_ovr_macro",
        "roc_auc_ovr_weighted",
    }
)
"""Metrics where higher is better; the others are errors (lower is better)."""

METRIC_ORDER = [
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "gini",
    "average_precision",
    "ks_statistic",
    "log_loss",
    "brier_score",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "roc_auc_ovr_macro",
    "roc_auc_ovr_weighted",
    "mae",
    "rmse",
    "mape",
    "r2",
    "median_absolute_error",
]
"""The order of the metric table."""


@dataclass(frozen=True)
class Judged:
    """One judgement: its status, its sentence, and the figures it adds to the result."""

    status: Status
    text: str
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    bounds: dict[str, Bound] = field(default_factory=dict)


def _interval(ev: Evaluation, metric: str) -> tuple[float, float, float] | None:
    value = ev.metrics.get(metric)
    if value is None or not math.isfinite(value):
        return None
    b = ev.bounds.get(metric)
    if b is None or b.low is None or b.high is None:
        return float(value), float(value), float(value)
    return float(value), float(b.low), float(b.high)


def _verdict(
    est: float, lo: float, hi: float, limits: tuple[float | None, float | None], *, higher: bool
) -> tuple[Status, str]:
    """The status and its reason for an estimate, its interval and (warn, fail) limits."""
    warn, fail = limits
    side = "below" if higher else "above"

    def beyond(x: float, limit: float | None) -> bool:
        return limit is not None and (x < limit if higher else x > limit)

    good_edge, bad_edge = (hi, lo) if higher else (lo, hi)
    if beyond(good_edge, fail):
        return Status.FAIL, f"{side} the fail limit {fail:g} over its whole interval"
    if beyond(good_edge, warn):
        return Status.WARN, f"{side} the warn limit {warn:g} over its whole interval"
    if beyond(est, fail):
        return Status.WARN, (
            f"{side} the fail limit {fail:g}, but the interval reaches back over it: "
            "inconclusive, more labelled rows would tell"
        )
    inside = [
        f"{n} limit {v:g}" for n, v in (("warn", warn), ("fail", fail)) if beyond(bad_edge, v)
    ]
    if inside:
        return Status.PASS, f"the {' and '.join(inside)} lie(s) inside the interval: inconclusive"
    if warn is None and fail is None:
        return Status.PASS, ""
    return Status.PASS, "within the limits over its whole interval"


def _ci(lo: float, hi: float, level: float) -> str:
    return f"{level:.0%} CI {lo:.4g} to {hi:.4g}"


def judge_value(
    metric: str, ev: Evaluation, warn: float | None, fail: float | None, *, level: float = 0.95
) -> Judged:
    """The metric against absolute limits."""
    iv = _interval(ev, metric)
    if iv is None:
        return Judged(Status.SKIPPED, f"{metric} is undefined on these rows.")
    est, lo, hi = iv
    status, why = _verdict(est, lo, hi, (warn, fail), higher=metric in HIGHER_IS_BETTER)
    text = f"{metric} {est:.4g} ({_ci(lo, hi, level)}) on {ev.n:,} labelled rows"
    return Judged(status, f"{text}{': ' + why if why else ''}.")


def judge_change(
    metric: str,
    ev: Evaluation,
    ref: Evaluation,
    max_drop: tuple[float, float],
    *,
    level: float = 0.95,
) -> Judged:
    """The change from the reference, against the (warn, fail) limits on the drop."""
    cur, old = _interval(ev, metric), _interval(ref, metric)
    if cur is None or old is None:
        return Judged(Status.SKIPPED, f"The reference's {metric} is undefined: no comparison.")
    (c, c_lo, c_hi), (r, r_lo, r_hi) = cur, old
    change = c - r
    low = change - math.hypot(c - c_lo, r_hi - r)
    high = change + math.hypot(c_hi - c, r - r_lo)
    bound = Bound(
        low=low,
        high=high,
        kind="confidence_interval",
        level=level,
        method="the two periods' intervals combined in quadrature",
    )
    key = f"{metric}_change"
    higher = metric in HIGHER_IS_BETTER
    if higher:
        drop, d_lo, d_hi, unit = -change, -high, -low, ""
    elif r != 0:
        drop, d_lo, d_hi, unit = change / abs(r), low / abs(r), high / abs(r), " of the reference"
    else:
        return Judged(
            Status.SKIPPED,
            f"The reference's {metric} is 0: no relative change.",
            {key: change},
            {key: bound},
        )
    status, why = _verdict(drop, d_lo, d_hi, max_drop, higher=False)
    word = "fall" if higher else "rise"
    text = (
        f"Reference {metric} {r:.4g} ({_ci(r_lo, r_hi, level)}): a {word} of {drop:.3g}{unit} "
        f"({_ci(d_lo, d_hi, level)})"
    )
    return Judged(status, f"{text}{', ' + why if why else ''}.", {key: change}, {key: bound})


def metrics_table(ev: Evaluation, ref: Evaluation | None) -> TableDetail:
    """Every metric with its interval, beside the reference's and the change (current minus
    reference) when there is one."""
    rows: list[list[Cell]] = []
    for name in METRIC_ORDER:
        if name not in ev.metrics:
            continue
        b = ev.bounds.get(name)
        row: list[Cell] = [name, ev.metrics[name], b.low if b else None, b.high if b else None]
        if ref is not None:
            rb = ref.bounds.get(name)
            was, now = ref.metrics.get(name), ev.metrics[name]
            change = now - was if now is not None and was is not None else None
            row += [was, rb.low if rb else None, rb.high if rb else None, change]
        rows.append([*row, b.method if b else ""])
    ref_cols = ["reference", "reference_low", "reference_high", "change"]
    ref_cols = ref_cols if ref is not None else []
    return TableDetail(
        name="metrics",
        title="Metrics with confidence intervals",
        columns=["metric", "current", "low", "high", *ref_cols, "interval"],
        rows=rows,
    )
