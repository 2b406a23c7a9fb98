"""``robustness.*``: does the model's decision survive small, realistic changes of its inputs?

Three checks run the audited model on the current data's seeded sample (at most ``rows`` rows
of it) and on copies with one kind of change, first to every eligible feature at once (the
judged figure), then to one feature at a time (the table that says which feature the model is
fragile to):

* ``robustness.numeric_noise``: Gaussian noise of ``noise`` standard deviations of each numeric
  feature (rounded for integer features), as measurement error or rounding upstream would add;
* ``robustness.category_swap``: a ``share`` of each categorical feature's values replaced by
  another level seen in the sample (uniform among the others), as a miskeyed code would;
* ``robustness.missing_values``: a ``share`` of each feature's values made missing, as a broken
  feed would; a model that cannot predict then fails with the library's error quoted.

The flip share (rows whose predicted class changed; for a regressor, whose prediction moved by
more than ``tolerance`` standard deviations of the predictions) is judged against the
``warn``/``fail`` budgets, and, when the sample has labels, the metric's loss (accuracy points,
or the relative rise of the mean absolute error) against ``max_metric_drop``.  The budgets are
conventions a validator should set for the model's use; the defaults say that a change this
small should leave at least 95 % of the decisions as they were.  The flip share's Wilson
interval is reported: the sample bounds the evidence.
"""

from __future__ import annotations

import zlib
from typing import ClassVar

import numpy as np
import polars as pl

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._model_sample import NO_MODEL, model_and_sample
from mlaudit.checks._options import Positive, PositiveCount, Share
from mlaudit.checks.robustness._perturb import Outcome, Scorer
from mlaudit.data import Role
from mlaudit.errors import ModelError
from mlaudit.results import CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.stats import wilson_interval

__all__ = ["CategorySwap", "MissingValues", "NumericNoise"]


class _Perturbation(Check):
    """Shared flow: the sample, the model, all features changed at once, then one at a time."""

    family: ClassVar[str] = "robustness"
    severity: ClassVar[Severity] = Severity.MEDIUM
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2
    change: ClassVar[str] = ""
    """The change in words, for messages."""

    rows: PositiveCount = 5_000
    """Rows of the current data's seeded sample the model is run on."""
    warn: Share = 0.05
    """Warn when more than this share of the decisions flip."""
    fail: Share = 0.10
    """Fail when more than this share of the decisions flip."""
    max_metric_drop: Share = 0.02
    """Warn when the metric worsens by more than this (accuracy points, or the mean absolute
    error's relative rise), with labels in the sample."""
    tolerance: Positive = 0.1
    """Regressors: a prediction that moves by more than this many standard deviations of the
    predictions counts as flipped."""

    def eligible(self, frame: pl.DataFrame, features: list[str]) -> list[str]:
        """The features this change applies to."""
        raise NotImplementedError

    def perturb(self, column: pl.Series, rng: np.random.Generator) -> pl.Series:
        """``column`` with the change applied."""
        raise NotImplementedError

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model: the flip share with every eligible feature changed."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        sample = sample.head(self.rows)
        features = self.eligible(sample, list(model.features))
        if not features:
            return self.skipped(f"the model reads no feature this check changes ({self.change})")
        targets = ctx.schema.with_role(Role.TARGET)
        try:
            scorer = Scorer(model, sample, targets[0].name if targets else None, self.tolerance)
        except ModelError as exc:
            return self.skipped(
                f"the model cannot predict the current data as it is: {exc.message}"
            )
        rng = np.random.default_rng([ctx.seed, zlib.crc32(self.id.encode())])
        every = scorer.outcome(sample.with_columns(self.perturb(sample[f], rng) for f in features))
        each = {
            f: scorer.outcome(sample.with_columns(self.perturb(sample[f], rng))) for f in features
        }
        return self._judge(scorer, every, each)

    def _judge(self, scorer: Scorer, every: Outcome, each: dict[str, Outcome]) -> CheckResult:
        table = _table(scorer, each)
        failed = {f: o.error for f, o in each.items() if o.error}
        if every.error or failed:
            where = ", ".join(failed) or "several features"
            return self.result(
                Status.FAIL,
                f"The model could not predict after {self.change} ({where}): "
                f"{every.error or next(iter(failed.values()))}. Production data will hold such "
                "values: make the model (or its pipeline) handle them, e.g. with an imputer.",
                metrics={"features_failing": len(failed)},
                details=[table],
            )
        low, high = wilson_interval(every.flips, every.rows)
        drop = scorer.drop(every)
        limit = Threshold(metric="flip_share", warn=self.warn, fail=self.fail)
        status = limit.status_for(every.flip_share)
        text = (
            f"After {self.change} ({len(each)} feature(s) at once), "
            f"{format_share(every.flip_share)} of {every.rows:,} decisions changed "
            f"(95% CI {format_share(low)}–{format_share(high)})"
        )
        if drop is not None:
            text += f"; {scorer.metric_name} moved from {scorer.metric:.4g} to {every.metric:.4g}"
            if drop > self.max_metric_drop and status == Status.PASS:
                status = Status.WARN
        worst = max(each, key=lambda f: each[f].flip_share)
        text += f". Most fragile to {worst} ({format_share(each[worst].flip_share)} alone)."
        if status != Status.PASS:
            text += (
                " Check that the model's sensitivity there is intended: a decision should not "
                "turn on a change this small."
            )
        return self.result(
            status,
            text,
            metrics={
                "flip_share": every.flip_share,
                "flip_share_low": low,
                "flip_share_high": high,
                "rows": every.rows,
                "features": len(each),
                f"{scorer.metric_name}_before": scorer.metric,
                f"{scorer.metric_name}_after": every.metric,
                "metric_drop": drop,
            },
            threshold=limit,
            details=[table],
        )


def _table(scorer: Scorer, each: dict[str, Outcome]) -> TableDetail:
    order = sorted(each, key=lambda f: (-each[f].flip_share, f))
    return TableDetail(
        name="By feature",
        title="Decisions changed when one feature at a time is changed",
        columns=["feature", "flip share", "rows flipped", f"{scorer.metric_name} after", "error"],
        rows=[[f, each[f].flip_share, each[f].flips, each[f].metric, each[f].error] for f in order],
    )


@register
class NumericNoise(_Perturbation):
    """Gaussian noise on numeric features; the share of decisions that change."""

    id: ClassVar[str] = "robustness.numeric_noise"
    title: ClassVar[str] = "Decisions survive small noise on numeric features"
    why: ClassVar[str] = (
        "Inputs carry measurement and rounding error; a model whose decisions flip under noise "
        "that small decides by chance near its threshold and is easy to game."
    )
    change: ClassVar[str] = "noise on the numeric features"

    noise: Positive = 0.05
    """Standard deviation of the noise, in robust standard deviations of each feature (its
    interquartile range ÷ 1.349, the standard deviation for normal data; the standard deviation
    when the quartiles are equal)."""

    def eligible(self, frame: pl.DataFrame, features: list[str]) -> list[str]:
        """Numeric features with some spread."""
        return [
            f for f in features
            if frame[f].dtype.is_numeric() and frame[f].drop_nulls().std() not in (None, 0.0)
        ]  # fmt: skip

    def perturb(self, column: pl.Series, rng: np.random.Generator) -> pl.Series:
        """Add noise, kept within the column's observed range (noise on an income does not
        make it negative); integers stay integers (rounded).

        The noise's scale is robust: a few planted or real outliers inflate a standard
        deviation many times, and noise scaled by it would no longer be small."""
        values = column.cast(pl.Float64)
        sd = _robust_sd(values.drop_nulls())
        noise = rng.normal(0.0, self.noise * sd, column.len())
        low, high = values.min(), values.max()
        noisy = (values + pl.Series(noise)).clip(low, high)  # type: ignore[arg-type]
        if column.dtype.is_integer():
            noisy = noisy.round(0).cast(column.dtype, strict=False)
        return noisy.alias(column.name)


def _robust_sd(values: pl.Series) -> float:
    """Interquartile range ÷ 1.349, or the standard deviation when the quartiles are equal."""
    q1, q3 = values.quantile(0.25, "linear"), values.quantile(0.75, "linear")
    if isinstance(q1, float) and isinstance(q3, float) and q3 > q1:
        return (q3 - q1) / 1.349
    sd = values.std()
    return float(sd) if isinstance(sd, int | float) else 0.0


@register
class CategorySwap(_Perturbation):
    """A share of categorical values swapped for another level."""

    id: ClassVar[str] = "robustness.category_swap"
    title: ClassVar[str] = "Decisions survive a few miskeyed categories"
    why: ClassVar[str] = (
        "Codes get miskeyed and categories remapped; a model whose decisions swing on a few "
        "swapped categories over-relies on them."
    )
    change: ClassVar[str] = "swapping categories"

    share: Share = 0.05
    """Share of each categorical feature's values replaced by another level."""

    def eligible(self, frame: pl.DataFrame, features: list[str]) -> list[str]:
        """Text, categorical and boolean features with at least two levels."""
        kinds = (pl.String, pl.Categorical, pl.Enum, pl.Boolean)
        return [
            f for f in features if isinstance(frame[f].dtype, kinds) and frame[f].n_unique() > 1
        ]

    def perturb(self, column: pl.Series, rng: np.random.Generator) -> pl.Series:
        """Replace ``share`` of the values by another level, uniformly among the others."""
        levels = column.drop_nulls().unique().sort()
        values = column.cast(pl.String) if column.dtype != pl.Boolean else column
        text = levels.cast(pl.String) if column.dtype != pl.Boolean else levels
        codes = np.searchsorted(text.to_numpy(), values.fill_null(text[0]).to_numpy())
        pick = rng.random(column.len()) < self.share
        shift = rng.integers(1, len(text), column.len())
        swapped = np.where(pick, (codes + shift) % len(text), codes)
        out = pl.Series(column.name, text.to_numpy()[swapped], dtype=text.dtype)
        out = pl.select(
            pl.when(column.is_null() & ~pl.Series(pick)).then(None).otherwise(out)
        ).to_series()
        return out.cast(column.dtype).alias(column.name)


@register
class MissingValues(_Perturbation):
    """A share of each feature's values made missing."""

    id: ClassVar[str] = "robustness.missing_values"
    title: ClassVar[str] = "The model copes with missing inputs"
    why: ClassVar[str] = (
        "Feeds break and fields arrive empty; a model that crashes or swings its decisions on "
        "a few missing values fails in production where the validation data was complete."
    )
    change: ClassVar[str] = "making values missing"

    share: Share = 0.05
    """Share of each feature's values made missing."""

    def eligible(self, frame: pl.DataFrame, features: list[str]) -> list[str]:
        """Every feature."""
        return features

    def perturb(self, column: pl.Series, rng: np.random.Generator) -> pl.Series:
        """Null ``share`` of the values."""
        pick = pl.Series(rng.random(column.len()) < self.share)
        return pl.select(pl.when(pick).then(None).otherwise(column)).to_series().alias(column.name)
