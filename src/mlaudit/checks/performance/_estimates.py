"""The estimates ``performance.estimated`` and ``performance.estimate_vs_actual`` share.

The scores are calibrated on the labelled reference once, and each current window's metrics are
estimated once per set of options that changes them; both checks read the same
:class:`Estimates` (cached in ``ctx.extras``).  See :mod:`mlaudit.checks.performance.estimated`
for the method and :mod:`mlaudit.stats._estimation` for the statistics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from mlaudit._numbers import finite_or_none
from mlaudit._threads import carry_context, worker_pool
from mlaudit.checks._base import Check, CheckContext
from mlaudit.checks.performance._labels import ModelRows, ScoreRule, model_rows
from mlaudit.errors import MLAuditError
from mlaudit.results import Severity
from mlaudit.stats import (
    Calibration,
    Estimate,
    estimate_binary_metrics,
    fit_calibration,
    midranks,
    realised_binary_metrics,
)
from mlaudit.summary import WindowedData

__all__ = [
    "ASSUMPTION",
    "BandSeries",
    "Estimates",
    "EstimationOptions",
    "calibration_note",
    "estimates",
    "windows_axis",
]

ASSUMPTION = (
    "Assumption: no concept drift. The estimates take the model's calibrated scores at their "
    "word, so they hold while the link between the inputs and the outcome is as it was in the "
    "reference; covariate drift (a different mix of cases) is allowed and is what they track. "
    "When labels arrive, performance.estimate_vs_actual tests this assumption."
)
_CACHE = "performance.estimated:"
_ESTIMATE_OPTIONS = {"confidence", "positive_label", "threshold", "min_rows"}
_CALIBRATION_BOOTSTRAP = 50
"""Bootstrap calibrators behind the calibration part of the bands: about 45 ms on 20,000
reference rows; the calibration's standard error is then known to within about 10 %."""


class EstimationOptions(Check):
    """Options and traits shared by the two checks (not registered)."""

    family: ClassVar[str] = "performance"
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True
    needs_rows: ClassVar[bool] = True

    metric: Literal["accuracy", "precision", "recall", "f1", "roc_auc"] = "roc_auc"
    """The metric the status is decided on (every metric is reported)."""
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    """Confidence of the bands over the whole series (Bonferroni across windows)."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold for the predicted class when there is no prediction column (any real
    number); default: ``schema.score_threshold``, else 0.5 for probabilities."""
    min_rows: int = Field(default=100, ge=10)
    """Fewest rows for a window to be estimated."""


@dataclass
class Estimates:
    """The calibration, the reference's realised metrics and each window's estimates."""

    rows: ModelRows
    calibration: Calibration
    reference: dict[str, float]
    level: float
    per_window: list[dict[str, Estimate] | None]
    counts: list[int]


def estimates(check: EstimationOptions, ctx: CheckContext) -> Estimates | str:
    """The estimates for ``check``'s options (computed once per run), or why there are none."""
    # Only the options that change the estimates: both checks share one computation.
    key = _CACHE + repr(sorted(check.model_dump(include=_ESTIMATE_OPTIONS).items()))
    return ctx.shared(key, lambda: _compute(check, ctx))


def _compute(check: EstimationOptions, ctx: CheckContext) -> Estimates | str:
    both = _model_rows(check, ctx)
    if isinstance(both, str):
        return both
    rows, ref_rows = both
    assert ref_rows.y is not None and ref_rows.score is not None and ref_rows.y_pred is not None
    assert rows.score is not None and rows.y_pred is not None
    assert ctx.current_windows is not None
    counts = [int((rows.window == i).sum()) for i in range(len(ctx.current_windows.windows))]
    # Ranking the current scores needs nothing from the reference: a worker ranks them while
    # this thread calibrates on the reference (the two costliest steps on large data).
    ranking = worker_pool().submit(
        carry_context(_window_ranks), rows.score, rows.window, counts, check.min_rows
    )
    try:
        cal = fit_calibration(
            ref_rows.score, ref_rows.y, seed=ctx.seed, n_boot=_CALIBRATION_BOOTSTRAP
        )
    except MLAuditError as exc:
        ranking.result()
        return f"the reference cannot calibrate the scores: {exc.message}"
    reference = realised_binary_metrics(ref_rows.y, ref_rows.y_pred, ref_rows.score)
    p = cal.transform(rows.score)
    ranks = ranking.result()
    judged = sum(1 for c in counts if c >= check.min_rows)
    level = 1.0 - (1.0 - check.confidence) / max(judged, 1)
    per: list[dict[str, Estimate] | None] = []
    for i, n in enumerate(counts):
        if n < check.min_rows:
            per.append(None)
            continue
        # One window of every row (no windows configured): the arrays themselves, not copies.
        m = slice(None) if n == rows.window.size else rows.window == i
        per.append(
            estimate_binary_metrics(
                p[m], rows.y_pred[m], rows.score[m], level=level, seed=ctx.seed + i,
                min_rows=check.min_rows, calibration=cal, ranks=ranks[i],
            )
        )  # fmt: skip
    return Estimates(rows, cal, reference, level, per, counts)


def _window_ranks(
    score: np.ndarray, window: np.ndarray, counts: list[int], min_rows: int
) -> list[np.ndarray | None]:
    """Each estimated window's mid-ranks of its scores (None for windows left out)."""
    out: list[np.ndarray | None] = []
    for i, n in enumerate(counts):
        if n < min_rows:
            out.append(None)
        else:
            out.append(midranks(score if n == window.size else score[window == i]))
    return out


def _model_rows(check: EstimationOptions, ctx: CheckContext) -> tuple[ModelRows, ModelRows] | str:
    """The current rows (labels optional) and the labelled reference rows, or why not."""
    cur, ref = ctx.current_windows, ctx.reference_windows
    if cur is None:
        return "no model columns in the current data (declare schema.score)"
    if ref is None:
        return (
            "needs the labelled reference data itself (a saved baseline holds no rows to "
            "calibrate the scores on)"
        )
    rule = ScoreRule.of(check.threshold, ctx.schema)
    rows = model_rows(
        cur, ctx.schema, positive_label=check.positive_label, rule=rule,
        need_labels=False, need_score=True, need_probability=True,
    )  # fmt: skip
    if isinstance(rows, str):
        return rows
    if rows.task != "binary":
        return f"performance estimation covers binary classifiers; this model is {rows.task}"
    ref_rows = model_rows(
        ref, ctx.reference_schema or ctx.schema, positive_label=check.positive_label,
        rule=rule, need_labels=True, need_score=True, need_probability=True,
    )  # fmt: skip
    if isinstance(ref_rows, str):
        return f"the reference cannot calibrate the scores: {ref_rows}"
    return rows, ref_rows


@dataclass
class BandSeries:
    """A metric's estimate per window with its band, as the chart draws them (None: no point)."""

    values: list[float | None] = field(default_factory=list)
    lows: list[float | None] = field(default_factory=list)
    highs: list[float | None] = field(default_factory=list)

    def add(self, e: Estimate | None) -> None:
        """Add the next window's estimate (None: the window has none)."""
        self.values.append(None if e is None else finite_or_none(e.value))
        self.lows.append(None if e is None else finite_or_none(e.low))
        self.highs.append(None if e is None else finite_or_none(e.high))


def windows_axis(cur: WindowedData) -> tuple[list[str], str]:
    """The window labels and the axis's title (one point for the whole period when unwindowed)."""
    if cur.configured:
        return cur.labels, cur.spec.describe()
    return ["all rows"], "the whole current period"


def calibration_note(cal: Calibration) -> str:
    """How the scores were calibrated and what the bands hold, in words."""
    before = (
        "not probabilities (outside [0, 1])"
        if math.isnan(cal.ece_before)
        else f"ECE {cal.ece_before:.3f}"
    )
    fitted = cal.fitted_rows
    on = (
        f"a seeded subsample of {fitted:,} of the {cal.n_reference:,} reference rows "
        f"({cal.n_positive:,} positive in all)"
        if fitted < cal.n_reference
        else f"{cal.n_reference:,} reference rows ({cal.n_positive:,} positive)"
    )
    return (
        f"Calibration on {on} by isotonic regression: "
        f"raw scores {before}; calibrated, out of fold, ECE {cal.ece_after:.3f}. The bands "
        "hold the window's sampling error and the calibration's own error (the estimate's "
        f"spread over {cal.n_boot} calibrators fitted on bootstrap resamples of the "
        f"{'subsample' if fitted < cal.n_reference else 'reference'}"
        + (
            f", drawn from a seeded subsample of {cal.n_bootstrap_rows:,} of its rows, the "
            f"spread scaled by {cal.spread_scale:.3g} = √(subsample ÷ "
            f"{'rows fitted' if fitted < cal.n_reference else 'reference rows'})"
            if cal.n_bootstrap_rows < fitted
            else ""
        )
        + ")."
    )
