"""``performance.calibration``: do a binary model's probabilities match the observed rates?

For a binary target with a probability score (every score in [0, 1]) on the current data:

- the **expected calibration error** (ECE) over ``n_bins`` equal-width bins, with a seeded
  bootstrap interval (:func:`mlaudit.stats.ece_interval`: the basic interval, which corrects
  the ECE's upward bias on small samples);
- the **reliability diagram**: per bin, the mean predicted probability against the observed
  rate with its Wilson interval, and the rows;
- the **Brier score** and Murphy's decomposition over the same bins (reliability, resolution,
  uncertainty, and the within-bin remainder that makes the identity exact);
- the **Hosmer–Lemeshow test** by score deciles (χ² on groups − 2 degrees of freedom).

**Verdict.** A badly calibrated model is one whose miscalibration is both *real* and *material*:
the Hosmer–Lemeshow test rejects at ``alpha`` and the lower end of the ECE's interval reaches
``ece_warn`` (warn), or the test rejects at ``fail_alpha`` (0.001) and that lower end reaches
``ece_fail`` (fail).  Neither alone: the test rejects trivial gaps on
large data and misses large ones on small data, and the ECE alone is biased upwards by noise (a
perfectly calibrated model scored on 500 rows shows an ECE near 0.05).  The limits 0.02 and 0.05
(two and five percentage points of average gap) are conventions to set per portfolio.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.performance._labels import ModelRows, ScoreRule, model_rows
from mlaudit.results import (
    Bound,
    Cell,
    CheckResult,
    CurveDetail,
    Detail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.stats import (
    BrierDecomposition,
    HosmerLemeshow,
    ReliabilityBin,
    brier_decomposition,
    ece_interval,
    hosmer_lemeshow,
    reliability_bins,
)

__all__ = ["Calibration", "binary_probabilities"]

_LEVEL = 0.95


def binary_probabilities(
    ctx: CheckContext, positive_label: str | None, *, min_rows: int
) -> ModelRows | str:
    """The current data's labelled rows with a probability score, or why there are none."""
    cur = ctx.current_windows
    if cur is None:
        return "no model columns were read: declare schema.target and schema.score"
    rows = model_rows(
        cur,
        ctx.schema,
        positive_label=positive_label,
        rule=ScoreRule.of(None, ctx.schema),
        need_score=True,
        need_probability=True,
    )
    if isinstance(rows, str):
        return rows
    if rows.task != "binary" or rows.y is None or rows.score is None:
        return f"the target is {rows.task}: calibration is computed for binary targets"
    n, pos = int(rows.y.size), int(rows.y.sum())
    if n < min_rows:
        return f"only {n} labelled rows with a score (min_rows={min_rows})"
    if pos in (0, n):
        return f"the labelled rows hold one class only ({pos} positive of {n}): no calibration"
    return rows


@register
class Calibration(Check):
    """Expected calibration error, reliability diagram, Brier decomposition, Hosmer–Lemeshow."""

    id: ClassVar[str] = "performance.calibration"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "Predicted probabilities match observed rates"
    why: ClassVar[str] = (
        "Provisions, prices and limits use the predicted probability itself, not only its "
        "ranking: a model that says 5% where 10% happen under-reserves by half."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()
    needs_rows: ClassVar[bool] = True
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = (
        ("ece_warn", "ece_fail"),
        ("fail_alpha", "alpha"),
    )

    positive_label: str | None = None
    """Positive class of the target (needed when the classes are text)."""
    n_bins: int = Field(default=10, ge=2, le=100)
    """Equal-width bins of [0, 1] for the ECE, the reliability diagram and the Brier terms."""
    groups: int = Field(default=10, ge=3, le=100)
    """Hosmer–Lemeshow groups (score deciles: 10)."""
    alpha: Alpha = 0.05
    """Significance level of the Hosmer–Lemeshow test for a warning."""
    fail_alpha: Alpha = 0.001
    """Significance level of the Hosmer–Lemeshow test for a failure."""
    ece_warn: Share = 0.02
    """Warn when the ECE interval's lower end reaches this and the test rejects."""
    ece_fail: Share = 0.05
    """Fail when the ECE interval's lower end reaches this and the test rejects at
    ``fail_alpha``."""
    n_boot: int = Field(default=1000, ge=10, le=100_000)
    """Bootstrap resamples for the ECE interval (seeded by the audit's seed)."""
    min_rows: int = Field(default=50, ge=10)
    """Fewest labelled rows to assess calibration on."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the whole current data."""
        rows = binary_probabilities(ctx, self.positive_label, min_rows=self.min_rows)
        if isinstance(rows, str):
            return self.skipped(rows)
        assert rows.y is not None and rows.score is not None
        p, y = rows.score, rows.y
        ece, low, high = ece_interval(
            p, y, n_bins=self.n_bins, n_boot=self.n_boot, level=_LEVEL, seed=ctx.seed
        )
        bins = reliability_bins(p, y, n_bins=self.n_bins, level=_LEVEL)
        brier = brier_decomposition(p, y, n_bins=self.n_bins)
        hl = hosmer_lemeshow(p, y, groups=self.groups)
        rejects = hl.p_value < self.alpha
        status = Status.PASS
        if hl.p_value < self.fail_alpha and low >= self.ece_fail:
            status = Status.FAIL
        elif rejects and low >= self.ece_warn:
            status = Status.WARN
        return self.result(
            status,
            self._message(status, rows, (ece, low, high), hl, bins),
            metrics=_metrics(rows, ece, brier, hl),
            bounds={
                "ece": Bound(
                    low=low,
                    high=high,
                    kind="confidence_interval",
                    level=_LEVEL,
                    method=f"basic bootstrap, {self.n_boot} seeded resamples of the bins' sums",
                )
            },
            threshold=Threshold(
                metric="ece", direction="max", warn=self.ece_warn, fail=self.ece_fail
            ),
            details=_details(bins, brier, hl),
        )

    def _message(
        self,
        status: Status,
        rows: ModelRows,
        ece: tuple[float, float, float],
        hl: HosmerLemeshow,
        bins: list[ReliabilityBin],
    ) -> str:
        value, low, high = ece
        col = rows.score_column
        head = (
            f"{col} is miscalibrated: the predicted probabilities are on average "
            f"{value:.3f} from the observed rates"
            if status in (Status.WARN, Status.FAIL)
            else f"{col} is calibrated within the limits (ECE {value:.3f})"
        )
        parts = [
            head,
            f"ECE {value:.3f} (95% interval {low:.3f}–{high:.3f}) over {self.n_bins} bins of "
            f"{rows.y.size if rows.y is not None else 0:,} labelled rows",
            f"Hosmer–Lemeshow χ² = {hl.statistic:.2f} on {hl.df} df, p = {hl.p_value:.3g}",
        ]
        worst = _worst_bin(bins)
        if worst is not None:
            parts.append(
                f"largest gap in bin {worst.low:.1f}–{worst.high:.1f}: predicted "
                f"{worst.predicted:.3f}, observed {worst.observed:.3f} ({worst.rows:,} rows)"
            )
        if hl.min_expected < 5:
            parts.append(
                f"a Hosmer–Lemeshow group expects only {hl.min_expected:.1f} of one class, so "
                "its p-value is rough"
            )
        if rows.dropped:
            parts.append(f"{rows.dropped:,} rows without label or score left out")
        text = "; ".join(parts) + "."
        if status in (Status.WARN, Status.FAIL):
            text += (
                " Recalibrate the model (Platt scaling or isotonic regression on recent "
                "labelled data) before its probabilities are used for provisions or prices."
            )
        return text


def _worst_bin(bins: list[ReliabilityBin]) -> ReliabilityBin | None:
    used = [b for b in bins if b.rows]
    return max(used, key=lambda b: b.rows * abs(b.observed - b.predicted)) if used else None


def _metrics(
    rows: ModelRows, ece: float, brier: BrierDecomposition, hl: HosmerLemeshow
) -> dict[str, float | int | None]:
    assert rows.y is not None
    return {
        "ece": ece,
        "brier_score": brier.brier,
        "brier_reliability": brier.reliability,
        "brier_resolution": brier.resolution,
        "brier_uncertainty": brier.uncertainty,
        "brier_within_bin": brier.within_bin,
        "hosmer_lemeshow_statistic": hl.statistic,
        "hosmer_lemeshow_df": hl.df,
        "hosmer_lemeshow_p_value": hl.p_value if np.isfinite(hl.p_value) else None,
        "rows_labelled": int(rows.y.size),
        "positive_rate": float(rows.y.mean()),
        "mean_predicted": float(np.mean(rows.score)) if rows.score is not None else None,
    }


def _details(
    bins: list[ReliabilityBin], brier: BrierDecomposition, hl: HosmerLemeshow
) -> list[Detail]:
    return [*_reliability(bins), _brier_table(brier), _hosmer_lemeshow_table(hl)]


def _reliability(bins: list[ReliabilityBin]) -> list[Detail]:
    """The reliability diagram and its bins' table."""
    used = [b for b in bins if b.rows]
    table: list[list[Cell]] = [
        [f"{b.low:.2f}–{b.high:.2f}", b.rows, b.positives, _r(b.predicted), _r(b.observed),
         _r(b.observed_low), _r(b.observed_high)]
        for b in bins
    ]  # fmt: skip
    columns = ["bin", "rows", "positives", "mean_predicted", "observed_rate"]
    return [
        CurveDetail(
            name="reliability_diagram",
            title="Reliability diagram: observed rate against mean predicted probability",
            x_label="mean predicted probability",
            y_label="observed rate",
            curves={
                "model": {"x": [b.predicted for b in used], "y": [b.observed for b in used]},
            },
            diagonal=True,  # perfect calibration
        ),
        TableDetail(
            name="reliability_bins",
            title="Reliability bins (Wilson 95% interval of the observed rate)",
            columns=[*columns, "observed_low", "observed_high"],
            rows=table,
        ),
    ]


def _brier_table(brier: BrierDecomposition) -> TableDetail:
    return TableDetail(
        name="brier_decomposition",
        title="Brier score decomposition (Murphy), over the same bins",
        columns=["term", "value"],
        rows=[
            ["reliability (lower is better)", _r(brier.reliability)],
            ["resolution (higher is better)", _r(brier.resolution)],
            ["uncertainty (base rate)", _r(brier.uncertainty)],
            ["within-bin remainder", _r(brier.within_bin)],
            ["Brier score", _r(brier.brier)],
        ],
        note="Brier = reliability − resolution + uncertainty + within-bin remainder; the "
        "remainder is 0 only when every forecast in a bin is the same (binned forecasts).",
    )


def _hosmer_lemeshow_table(hl: HosmerLemeshow) -> TableDetail:
    return TableDetail(
        name="hosmer_lemeshow",
        title="Hosmer–Lemeshow test by score deciles",
        columns=["statistic", "df", "p_value", "groups", "min_expected"],
        rows=[[_r(hl.statistic), hl.df, _sig(hl.p_value), hl.groups, _r(hl.min_expected)]],
        note="χ² on groups − 2 degrees of freedom (the credit-validation convention); "
        "sensitive to the grouping, over-powered on large data, rough when a group "
        "expects fewer than 5 of a class.",
    )


def _sig(x: float) -> float | None:
    """Four significant figures (a p-value of 1e-42 stays 1e-42)."""
    return float(f"{x:.4g}") if np.isfinite(x) else None


def _r(x: float) -> float | None:
    return round(float(x), 6) if np.isfinite(x) else None
