"""``operations.onnx_conversion``: what converting a scikit-learn model to ONNX would give.

The audited scikit-learn model (an estimator or a pipeline) is converted with skl2onnx (inputs
typed from the current data's sample, one per column; probabilities as a tensor), run by
onnxruntime on the sample, and compared with the model itself: the share of rows whose
predicted class is the same (for regressors, whose prediction agrees within ``tolerance``
relative to the predictions' spread), the largest probability difference, and the latency of
both on one row and on the whole sample (median of three calls).  ONNX stores numbers as
32-bit floats for most operators, so small differences near a threshold are expected; the
check warns when the agreement is below ``min_agreement``.  A model skl2onnx cannot convert is
skipped with the converter's reason.  It is a what-if: mlaudit never replaces the model.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pyarrow as pa

from mlaudit._lazy import lazy_import
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._model_sample import NO_MODEL, batch_of, median_seconds, model_and_sample
from mlaudit.checks._options import Positive, PositiveCount, Share
from mlaudit.errors import ModelError
from mlaudit.models import Model, onnx_model
from mlaudit.results import CheckResult, Severity, Status, TableDetail

if TYPE_CHECKING:
    import skl2onnx
else:  # imported on first use (mlaudit._lazy); the "models" extra
    skl2onnx = lazy_import("skl2onnx", extra="models")

__all__ = ["OnnxConversion"]


@register
class OnnxConversion(Check):
    """Agreement and speed of the model converted to ONNX."""

    id: ClassVar[str] = "operations.onnx_conversion"
    family: ClassVar[str] = "operations"
    title: ClassVar[str] = "What converting the model to ONNX would give"
    why: ClassVar[str] = (
        "ONNX runtimes serve models faster and without Python, but a conversion can change "
        "predictions; before switching, know how many decisions change and what it saves."
    )
    severity: ClassVar[Severity] = Severity.INFO
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2

    rows: PositiveCount = 5_000
    """Rows of the current data's sample compared."""
    min_agreement: Share = 0.999
    """Warn when fewer decisions than this share agree."""
    tolerance: Positive = 1e-4
    """Regressors: predictions agree when they differ by at most this many standard deviations
    of the predictions."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        estimator = getattr(model, "estimator", None)
        if estimator is None:
            return self.skipped(
                f"the model is a {model.info.format} model; the what-if converts scikit-learn "
                "models (XGBoost and LightGBM have their own converters)"
            )
        batch = batch_of(
            sample.head(self.rows), list(model.features), min(sample.height, self.rows)
        )
        try:
            converted = _convert(estimator, batch)
        except Exception as exc:  # skl2onnx's own reasons: an unsupported step, a type
            return self.skipped(
                f"skl2onnx cannot convert this model: {str(exc).splitlines()[0][:200]}"
            )
        try:
            return self._compare(model, converted, batch)
        except ModelError as exc:
            return self.skipped(
                f"the model or its conversion cannot predict the data: {exc.message}"
            )

    def _compare(self, model: Model, converted: Model, batch: pa.RecordBatch) -> CheckResult:
        ours, theirs = model.predict_batch(batch), converted.predict_batch(batch)
        if model.task == "regression":
            spread = float(np.std(ours.label)) or 1.0
            agree = np.abs(ours.label - theirs.label) <= self.tolerance * spread
            largest = float(np.max(np.abs(ours.label - theirs.label)))
        else:
            agree = ours.label == theirs.label
            largest = float("nan")
            if ours.proba is not None and theirs.proba is not None:
                largest = float(np.max(np.abs(ours.proba - theirs.proba)))
        share = float(np.mean(agree))
        one = batch.slice(0, 1)
        timings = {
            name: (
                median_seconds(partial(m.predict_batch, one)),
                median_seconds(partial(m.predict_batch, batch)),
            )
            for name, m in (("model", model), ("onnx", converted))
        }
        gain_one = timings["model"][0] / timings["onnx"][0]
        gain_all = timings["model"][1] / timings["onnx"][1]
        status = Status.WARN if share < self.min_agreement else Status.PASS
        text = (
            f"Converted with skl2onnx and run by onnxruntime, {format_share(share)} of "
            f"{batch.num_rows:,} decisions agree with the model (largest difference "
            f"{largest:.2g}); ONNX is {gain_one:.1f}× as fast on one row and {gain_all:.1f}× on "
            f"{batch.num_rows:,} rows."
        )
        if status == Status.WARN:
            text += (
                " The conversion changes decisions: validate the converted model itself before "
                "serving it."
            )
        return self.result(
            status,
            text,
            metrics={"agreement": share, "largest_difference": largest,
                     "speedup_one_row": gain_one, "speedup_batch": gain_all},
            details=[TableDetail(
                name="Latency",
                columns=["runtime", "one row ms", f"{batch.num_rows:,} rows ms"],
                rows=[[k, v[0] * 1000, v[1] * 1000] for k, v in timings.items()],
            )],
        )  # fmt: skip


def _convert(estimator: Any, batch: pa.RecordBatch) -> Model:
    """The estimator converted by skl2onnx, loaded as an ONNX model reading the same columns."""
    frame = batch.slice(0, 1).to_pandas()
    try:  # a pipeline over a frame: one input per column
        graph = skl2onnx.to_onnx(estimator, frame, options={"zipmap": False})
    except Exception:  # an estimator over a matrix: one input, the numeric columns in order
        if not all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in batch.schema.types):
            raise
        matrix = frame.to_numpy(dtype=np.float64)
        graph = skl2onnx.to_onnx(estimator, matrix, options={"zipmap": False})
    classes = list(getattr(estimator, "classes_", [])) or None
    converted = onnx_model(
        graph.SerializeToString(), source="<converted by skl2onnx>", classes=classes
    )
    return converted.with_features(list(batch.schema.names))
