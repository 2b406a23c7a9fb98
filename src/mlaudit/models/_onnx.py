"""ONNX models through onnxruntime (CPU).

An ONNX file is a graph, not code.  Two input layouts are read: one matrix input ``[rows,
features]`` (the features' names from the file's ``feature_names`` metadata, comma-separated,
else the data's feature columns in order, their count checked), or one input per column named
after it (what skl2onnx writes for pipelines over a frame).  A classifier has two outputs, the
label and the probabilities (a tensor, or skl2onnx's list of maps); its classes are the
``classlabels_*`` of the graph's classifier node, in the probabilities' order.  A model with one
output is a regressor.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from mlaudit._lazy import lazy_import
from mlaudit.errors import ModelError
from mlaudit.models._base import Model, ModelInfo, Predictions, Task
from mlaudit.models._files import library_versions, sha256_of

if TYPE_CHECKING:
    import onnx
    import onnxruntime
else:  # imported on first use (mlaudit._lazy); the "models" extra
    onnx = lazy_import("onnx", extra="models")
    onnxruntime = lazy_import("onnxruntime", extra="models")

__all__ = ["OnnxModel", "load_onnx", "onnx_model"]

_NUMPY = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(string)": np.object_,
    "tensor(bool)": np.bool_,
}


class OnnxModel(Model):
    """An ONNX graph run by onnxruntime's CPU provider."""

    def __init__(
        self, session: Any, info: ModelInfo, class_values: list[Any], matrix: bool
    ) -> None:
        self.session = session
        self.info = info
        self.class_values = np.asarray(class_values)
        self._matrix = matrix
        self._inputs = session.get_inputs()

    @property
    def n_features(self) -> int | None:
        """The width of a matrix input, when the file fixes it."""
        width = self._inputs[0].shape[-1] if self._matrix else None
        return width if isinstance(width, int) else None

    def _feeds(self, batch: pa.RecordBatch) -> dict[str, np.ndarray]:
        if self._matrix:
            first = self._inputs[0]
            kind = _NUMPY.get(first.type, np.float32)
            cols = [
                batch.column(i).to_numpy(zero_copy_only=False) for i in range(batch.num_columns)
            ]
            return {first.name: np.column_stack(cols).astype(kind)}
        feeds = {}
        for spec in self._inputs:
            values = batch.column(spec.name).to_numpy(zero_copy_only=False)
            feeds[spec.name] = values.astype(_NUMPY.get(spec.type, np.float32)).reshape(-1, 1)
        return feeds

    def _predict(self, batch: pa.RecordBatch) -> Predictions:
        outputs = self.session.run(None, self._feeds(batch))
        if self.info.task == "regression":
            return Predictions(label=np.asarray(outputs[0], dtype=np.float64).reshape(-1))
        labels = np.asarray(outputs[0]).reshape(-1)
        order = np.argsort(self.class_values)
        at = np.searchsorted(self.class_values[order], labels).clip(0, len(order) - 1)
        index = order[at]
        if len(outputs) < 2:
            return Predictions(label=index)
        return Predictions(label=index, proba=np.asarray(outputs[1], dtype=np.float64))


def load_onnx(path: Path) -> OnnxModel:
    """Load an ONNX file and describe it."""
    return onnx_model(path.read_bytes(), source=str(path))


def onnx_model(data: bytes, *, source: str, classes: list[Any] | None = None) -> OnnxModel:
    """An ONNX graph given as bytes (``source`` names it in messages and the report;
    ``classes``, in the probabilities' order, for a graph that does not record them)."""
    path = source
    try:
        graph = onnx.load_from_string(data)
        session = onnxruntime.InferenceSession(
            _without_zipmap(graph), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnx.DecodeError, onnxruntime's Fail/InvalidGraph
        raise ModelError(
            f"the ONNX file {path!r} could not be loaded: {str(exc).splitlines()[0][:200]}",
            fix="check that the file is complete and was exported for this onnxruntime",
        ) from exc
    inputs, outputs = session.get_inputs(), session.get_outputs()
    matrix = len(inputs) == 1 and (
        inputs[0].shape[-1] not in (1, None) or len(inputs[0].shape) == 2
    )
    meta = session.get_modelmeta().custom_metadata_map
    if matrix:
        named = [f.strip() for f in meta.get("feature_names", "").split(",") if f.strip()]
    else:
        named = [i.name for i in inputs]
    classes = list(classes) if classes is not None else _class_labels(graph)
    task: Task = (
        "regression"
        if len(outputs) < 2 and not classes
        else ("binary" if len(classes) == 2 else "multiclass")
    )
    if task != "regression" and not classes:
        raise ModelError(
            f"the ONNX classifier {path!r} does not record its classes",
            fix="export it with skl2onnx or onnxmltools, which keep the classifier's labels",
        )
    info = ModelInfo(
        source=path,
        format="onnx",
        fingerprint=sha256_of(data),
        model_type=f"onnx ({graph.producer_name or 'unknown producer'})",
        task=task,
        classes=tuple(str(c) for c in classes),
        features=tuple(named),
        libraries=library_versions("onnxruntime", "onnx"),
    )
    return OnnxModel(session, info, classes, matrix)


def _without_zipmap(graph: Any) -> bytes:
    """The graph with each ZipMap's input (a probability tensor) as the output in its place.

    skl2onnx ends classifiers with a ZipMap, which turns the probabilities into one Python
    dict per row; reading the tensor before it keeps predictions vectorised.
    """
    zipmaps = {n.output[0]: n.input[0] for n in graph.graph.node if n.op_type == "ZipMap"}
    if not zipmaps:
        return bytes(graph.SerializeToString())
    copy = onnx.ModelProto()
    copy.CopyFrom(graph)
    del copy.graph.output[:]
    for out in graph.graph.output:
        if out.name in zipmaps:
            copy.graph.output.append(onnx.helper.make_tensor_value_info(
                zipmaps[out.name], onnx.TensorProto.FLOAT, None
            ))  # fmt: skip
        else:
            copy.graph.output.append(out)
    return bytes(copy.SerializeToString())


def _class_labels(graph: Any) -> list[Any]:
    """The labels of the graph's classifier node (``classlabels_ints`` or ``_strings``)."""
    for node in graph.graph.node:
        for attr in node.attribute:
            if attr.name in ("classlabels_ints", "classlabels_int64s") and attr.ints:
                return [int(v) for v in attr.ints]
            if attr.name == "classlabels_strings" and attr.strings:
                return [s.decode("utf-8") for s in attr.strings]
    return []
