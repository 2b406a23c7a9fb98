"""``explain.shap``: which features drive the model's outputs, by their SHAP values.

The audited model is explained on the current data's seeded sample (its first ``rows`` rows;
``agnostic_rows`` with the model-agnostic explainer, which runs the model thousands of times a
row): TreeExplainer for tree ensembles (XGBoost, LightGBM, scikit-learn trees, forests and
boosting, also at a pipeline's end), LinearExplainer for scikit-learn's binary and regression
linear models, shap's PermutationExplainer otherwise (ONNX graphs included); the last two with
``background`` rows of the reference data's sample (the current data's without one) as the
values that stand in for an unknown feature.  When TreeExplainer or LinearExplainer refuses the
model or fails, the permutation explainer takes over and the result says why (the
``Explainer`` note).  :mod:`mlaudit.checks.explain._shap` gives the details of the paths.

The result ranks the features by their mean |SHAP| value (summed over the classes of a
multiclass model), in the explainer's output space (log-odds for a boosted classifier under
TreeExplainer, probabilities for the agnostic explainer, the prediction for a regressor), and
states the expected value (the base value every row's SHAP values start from).

It is judged on **additivity**: for every row, the base value plus the row's SHAP values must
equal the model's own output (computed by the model's library).  The largest absolute error,
relative to the outputs' scale (the largest |output|, at least 1), is held to ``warn`` and
``fail``: a breach means the values do not explain this model (a model shap misreads, a
version mismatch), which is the failure shap's users report most.  Float32 trees reach about
1e-7; the permutation explainer is additive by construction.

Cost (measured on a shared 2-core machine under heavy load, ``benchmarks/bench_shap.py``): a
200-tree LightGBM model on 10,000 rows took 19.5 s through ``Audit`` (2,000 rows, the default,
a fifth of it), plus 2-3 s to import shap.  The agnostic explainer first compiles shap's
masking code (numba, 4-13 s once per process), so the check joins no suite: name it.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import NO_MODEL, missing_features, model_and_sample
from mlaudit.checks._options import PositiveCount, Share
from mlaudit.checks.explain._shap import ShapExplanation, explain
from mlaudit.errors import ExtraNotInstalledError, ModelError
from mlaudit.results import (
    BarsDetail,
    CheckResult,
    NoteDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["ShapValues"]

_TOP_SHOWN = 5
"""Features named in the message."""


@register
class ShapValues(Check):
    """SHAP values of the model on the current data, ranked, with their additivity checked."""

    id: ClassVar[str] = "explain.shap"
    family: ClassVar[str] = "explain"
    title: ClassVar[str] = "What drives the model (SHAP values)"
    why: ClassVar[str] = (
        "Validators and regulators ask which inputs drive a model's decisions; SHAP values "
        "answer it in the model's own output units, and are worthless if they do not add up "
        "to the model's output."
    )
    severity: ClassVar[Severity] = Severity.LOW
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2
    reads: ClassVar[frozenset[str]] = frozenset()

    rows: PositiveCount = 2_000
    """Rows of the current data's seeded sample explained by TreeExplainer."""
    agnostic_rows: PositiveCount = 300
    """Rows explained by the model-agnostic explainer (each costs ``permutations × (2 ×
    features + 1)`` model calls on ``background`` rows)."""
    background: PositiveCount = 100
    """Background rows of the model-agnostic explainer (seeded, from the reference data's
    sample, else the current data's)."""
    permutations: PositiveCount = 3
    """Feature orderings per row of the model-agnostic explainer (more: less noise)."""
    warn: Share = 1e-4
    """Warn when a row's base value plus SHAP values misses the model's output by more than
    this, relative to the outputs' scale (the largest |output|, at least 1)."""
    fail: Share = 1e-2
    """Fail when the additivity error exceeds this (relative, as ``warn``)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        lacking = missing_features(model, sample)
        if lacking is not None:
            return self.skipped(f"{lacking}; SHAP values need them")
        reference = ctx.model_samples.get("reference")
        if reference is None or reference.height == 0 or _missing_in(reference, model.features):
            reference = sample
        seed = zlib.crc32(f"{ctx.seed}:{self.id}".encode())
        with _progress(ctx) as tick:
            try:
                found = explain(
                    model,
                    sample.head(self.rows),
                    reference,
                    background=self.background,
                    permutations=self.permutations,
                    seed=seed,
                    tick=tick,
                    agnostic_rows=self.agnostic_rows,
                )
            except ExtraNotInstalledError as exc:
                return self.skipped(f"{exc.message}: {exc.fix}")
            except ModelError as exc:
                return self.skipped(
                    f"the model cannot be explained on the current data: {exc.message}"
                )
        return self._judge(found)

    def _judge(self, found: ShapExplanation) -> CheckResult:
        errors = found.additivity_errors
        worst = float(errors.max()) if errors.size else 0.0
        scale = max(1.0, float(np.abs(found.model_output).max())) if errors.size else 1.0
        relative = worst / scale
        limit = Threshold(metric="additivity_error_relative", warn=self.warn, fail=self.fail)
        status = limit.status_for(relative)
        mean_abs = found.mean_abs
        order = sorted(range(len(found.features)), key=lambda i: (-mean_abs[i], found.features[i]))
        rows = found.values.shape[0]
        top = ", ".join(f"{found.features[i]} ({mean_abs[i]:.3g})" for i in order[:_TOP_SHOWN])
        base = _base_text(found)
        text = (
            f"{found.explainer} explained {rows:,} rows in {found.space}: the features with the "
            f"largest mean |SHAP| are {top}. Expected value {base}. "
        )
        if status == Status.PASS:
            text += (
                f"Each row's SHAP values add up to the model's output (largest error {worst:.2g})."
            )
        else:
            text += (
                f"Additivity is broken: base value plus SHAP values miss the model's output by "
                f"up to {worst:.3g} ({relative:.2g} of its scale), so these values do not explain "
                "this model; check the shap and model library versions, or explain it with the "
                "model-agnostic explainer."
            )
        if found.fallback:
            text += f" Fell back to the model-agnostic explainer: {found.fallback}."
        share = mean_abs / mean_abs.sum() if mean_abs.sum() > 0 else np.zeros_like(mean_abs)
        table = TableDetail(
            name="Mean |SHAP| by feature",
            title=f"Features ranked by mean |SHAP| ({found.space})",
            columns=["rank", "feature", "mean |SHAP|", "share", "columns"],
            rows=[
                [
                    r + 1,
                    found.features[i],
                    float(mean_abs[i]),
                    float(share[i]),
                    ", ".join(found.encoded.get(found.features[i], [])),
                ]
                for r, i in enumerate(order)
            ],
        )
        low, high = _mean_interval(np.abs(found.values).sum(axis=2))
        chart = BarsDetail(
            name="Mean |SHAP|",
            title=f"Mean |SHAP| by feature ({found.space}), with 95% intervals over the rows",
            value_label=f"mean |SHAP| ({found.space})",
            labels=[found.features[i] for i in order],
            series={"mean |SHAP|": [float(mean_abs[i]) for i in order]},
            lower={"mean |SHAP|": [float(low[i]) for i in order]},
            upper={"mean |SHAP|": [float(high[i]) for i in order]},
        )
        note = NoteDetail(name="Explainer", text=_explainer_note(found))
        details: list[Any] = [table, chart, note]
        if len(found.outputs) > 1:
            details.append(
                TableDetail(
                    name="Expected value by output",
                    columns=["output", "expected value"],
                    rows=[[o, float(b)] for o, b in zip(found.outputs, found.base, strict=True)],
                )
            )
        return self.result(
            status,
            text,
            metrics={
                "rows": rows,
                "features": len(found.features),
                "expected_value": float(found.base[0]) if len(found.base) == 1 else None,
                "additivity_error": worst,
                "additivity_error_relative": relative,
                "fallback": int(found.fallback is not None),
                "top_mean_abs_shap": float(mean_abs[order[0]]) if order else None,
            },
            threshold=limit,
            details=details,
        )


def _mean_interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Student's t 95 % interval of each column's mean over the rows (the row sample's error;
    the bounds equal the mean for one row)."""
    n = values.shape[0]
    mean = values.mean(axis=0)
    if n < 2:
        return mean, mean
    half = float(scipy_stats.t.ppf(0.975, n - 1)) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean - half, mean + half


def _missing_in(frame: pl.DataFrame, features: tuple[str, ...]) -> bool:
    """Whether ``frame`` lacks one of ``features``."""
    return any(f not in frame.columns for f in features)


def _base_text(found: ShapExplanation) -> str:
    if len(found.base) == 1:
        return f"{found.base[0]:.4g} ({found.outputs[0]})"
    return ", ".join(f"{o}: {b:.4g}" for o, b in zip(found.outputs, found.base, strict=True))


def _explainer_note(found: ShapExplanation) -> str:
    text = f"{found.explainer}: {found.why}. Output space: {found.space}."
    if found.fallback:
        text += f" Fallback: {found.fallback}."
    if found.encoded:
        text += (
            " Features made of several transformed columns carry the sum of their columns' "
            "SHAP values."
        )
    return text


class _progress:  # noqa: N801  (a context manager used as a function)
    """A bar of explained rows on the audit's progress reporter, when it has one."""

    def __init__(self, ctx: CheckContext) -> None:
        self.reporter = ctx.progress

    def __enter__(self) -> Any:
        if self.reporter is None:
            return lambda n: None
        self.reporter.start("shap", "Explaining the model (SHAP)", None)
        return lambda n: self.reporter.advance("shap", n)

    def __exit__(self, *exc: object) -> None:
        if self.reporter is not None:
            self.reporter.finish("shap")
