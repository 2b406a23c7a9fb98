"""Model adapters: a fitted model of any supported library behind one interface.

:func:`load_model` reads scikit-learn models saved with skops, ONNX graphs (onnxruntime),
XGBoost and LightGBM native files, and, only on the user's trust, pickle and joblib files; it
also wraps fitted objects.  A :class:`Model` predicts Arrow record batches as the data streams
and describes itself (:class:`ModelInfo`: fingerprint, format, type, task, classes, features,
library versions) for the report.
"""

from mlaudit.models._base import Model, ModelInfo, Predictions, Task
from mlaudit.models._files import FORMATS
from mlaudit.models._load import load_model
from mlaudit.models._onnx import onnx_model

__all__ = ["FORMATS", "Model", "ModelInfo", "Predictions", "Task", "load_model", "onnx_model"]
