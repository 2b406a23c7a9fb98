"""Gradient-boosted trees in their libraries' own files: XGBoost (JSON/UBJ) and LightGBM (text).

Both files are data, not code.  The task comes from the objective the file records
(``binary:logistic``, ``multi:softprob``, ``reg:squarederror``; ``binary``, ``multiclass``,
``regression``); the classes are the label codes the library was trained on, ``0 .. k-1``, so
the data's target must use the same codes.  Text columns go to the library as pandas categories:
XGBoost re-codes them by the categories its file stores; LightGBM is given the categories it
stored (``pandas_categorical``), in its order, since it reads categories by code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from mlaudit._lazy import lazy_import
from mlaudit.errors import ModelError
from mlaudit.models._base import Model, ModelInfo, Predictions, Task
from mlaudit.models._files import library_versions, sha256_of

if TYPE_CHECKING:
    import lightgbm
    import pandas as pd
    import xgboost
else:  # imported on first use (mlaudit._lazy); the "models" extra
    pd = lazy_import("pandas")
    lightgbm = lazy_import("lightgbm", extra="models")
    xgboost = lazy_import("xgboost", extra="models")

__all__ = ["LightGBMModel", "XGBoostModel", "load_lightgbm", "load_xgboost"]

_XGB_TASKS: dict[str, Task] = {
    "binary:logistic": "binary",
    "multi:softprob": "multiclass",
    "multi:softmax": "multiclass",
}
_LGB_TASKS: dict[str, Task] = {
    "binary": "binary",
    "multiclass": "multiclass",
    "softmax": "multiclass",
}


def _frame(batch: pa.RecordBatch) -> pd.DataFrame:
    """The batch as pandas, text columns as categories (what both libraries read)."""
    frame = batch.to_pandas()
    for name in frame.columns:
        if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name].dtype):
            frame[name] = frame[name].astype("category")
    out: pd.DataFrame = frame
    return out


def _two_columns(values: Any, task: Task) -> np.ndarray:
    """A booster's output as the adapters give it: a binary model's two columns."""
    out = np.asarray(values, dtype=np.float64)
    return np.column_stack([1.0 - out, out]) if task == "binary" else out


class XGBoostModel(Model):
    """An XGBoost booster loaded from its JSON or UBJ file."""

    def __init__(self, booster: Any, info: ModelInfo, objective: str) -> None:
        self.booster = booster
        self.info = info
        self.objective = objective
        self.class_values = np.arange(len(info.classes))

    @property
    def trees(self) -> int | None:
        """Boosting rounds."""
        return int(self.booster.num_boosted_rounds())

    def predict_with_trees(self, batch: pa.RecordBatch, ks: list[int]) -> dict[int, np.ndarray]:
        """Predictions of the first ``k`` rounds (``iteration_range``)."""
        matrix = xgboost.DMatrix(_frame(batch.select(list(self.features))), enable_categorical=True)
        return {k: _two_columns(self.booster.predict(matrix, iteration_range=(0, k)), self.task)
                for k in ks}  # fmt: skip

    def _predict(self, batch: pa.RecordBatch) -> Predictions:
        matrix = xgboost.DMatrix(_frame(batch), enable_categorical=True)
        out = np.asarray(self.booster.predict(matrix), dtype=np.float64)
        task = self.info.task
        if task == "regression":
            return Predictions(label=out)
        if task == "binary":
            proba = np.column_stack([1.0 - out, out])
            return Predictions(label=(out >= 0.5).astype(np.int64), proba=proba)
        if self.objective == "multi:softmax":  # class codes, no probabilities
            return Predictions(label=out.astype(np.int64))
        return Predictions(label=np.argmax(out, axis=1), proba=out)


def load_xgboost(path: Path) -> XGBoostModel:
    """Load an XGBoost model file (JSON or UBJ)."""
    data = path.read_bytes()
    booster = xgboost.Booster()
    try:
        booster.load_model(bytearray(data))
        config = json.loads(booster.save_config())
    except Exception as exc:  # xgboost.core.XGBoostError and friends
        raise ModelError(
            f"the XGBoost file {str(path)!r} could not be loaded: {str(exc).splitlines()[0][:200]}",
            fix="check that the file is complete; save it with booster.save_model('model.json')",
        ) from exc
    learner = config["learner"]
    objective = str(learner["objective"]["name"])
    task = _XGB_TASKS.get(
        objective, "regression" if objective.startswith(("reg:", "count:")) else None
    )
    if task is None:
        raise ModelError(
            f"the XGBoost model's objective {objective!r} is not one mlaudit audits",
            fix="use binary:logistic, multi:softprob/softmax, or a reg:/count: objective",
        )
    k = int(learner["learner_model_param"].get("num_class", "0")) if task == "multiclass" else 2
    info = ModelInfo(
        source=str(path),
        format="xgboost",
        fingerprint=sha256_of(data),
        model_type=f"xgboost.Booster ({objective})",
        task=task,
        classes=tuple(str(c) for c in range(k)) if task != "regression" else (),
        features=tuple(booster.feature_names or ()),
        libraries=library_versions("xgboost"),
    )
    return XGBoostModel(booster, info, objective)


class LightGBMModel(Model):
    """A LightGBM booster loaded from its text file."""

    def __init__(self, booster: Any, info: ModelInfo) -> None:
        self.booster = booster
        self.info = info
        self.class_values = np.arange(len(info.classes))
        self.categories: list[list[Any]] = list(getattr(booster, "pandas_categorical", None) or [])

    @property
    def trees(self) -> int | None:
        """Boosting rounds."""
        return int(self.booster.current_iteration())

    def predict_with_trees(self, batch: pa.RecordBatch, ks: list[int]) -> dict[int, np.ndarray]:
        """Predictions of the first ``k`` rounds (``num_iteration``)."""
        frame = self._categorical(batch.select(list(self.features)))
        return {k: _two_columns(self.booster.predict(frame, num_iteration=k), self.task)
                for k in ks}  # fmt: skip

    def _predict(self, batch: pa.RecordBatch) -> Predictions:
        out = np.asarray(self.booster.predict(self._categorical(batch)), dtype=np.float64)
        if self.info.task == "regression":
            return Predictions(label=out)
        if self.info.task == "binary":
            proba = np.column_stack([1.0 - out, out])
            return Predictions(label=(out >= 0.5).astype(np.int64), proba=proba)
        return Predictions(label=np.argmax(out, axis=1), proba=out)

    def _categorical(self, batch: pa.RecordBatch) -> pd.DataFrame:
        """The batch as pandas with the text columns as the categories LightGBM stored."""
        frame = _frame(batch)
        cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
        if len(cats) != len(self.categories):
            raise ModelError(
                f"the LightGBM model was trained with {len(self.categories)} categorical "
                f"column(s) but the data has {len(cats)} text column(s) among its features "
                f"({', '.join(cats) or 'none'})",
                fix="give the model's categorical features as text columns, the others as numbers",
            )
        for name, levels in zip(cats, self.categories, strict=True):
            frame[name] = pd.Categorical(frame[name].astype(object), categories=levels)
        return frame


def _require_complete(path: Path, data: bytes) -> None:
    """Refuse a LightGBM text that stops before its last section: LightGBM's parser aborts or
    crashes the whole process on truncated files instead of raising (measured: files cut at
    5-95 % of their length)."""
    if b"\nend of trees" in data and b"\nend of parameters" in data:
        return
    raise ModelError(
        f"the LightGBM file {str(path)!r} is incomplete: it lacks the 'end of trees' or "
        "'end of parameters' line (truncated, or not a LightGBM model)",
        fix="copy the file again, or save it with booster.save_model('model.txt')",
    )


def load_lightgbm(path: Path) -> LightGBMModel:
    """Load a LightGBM model text file (``booster.save_model('model.txt')``)."""
    data = path.read_bytes()
    _require_complete(path, data)
    try:
        booster = lightgbm.Booster(model_str=data.decode("utf-8"))
    except Exception as exc:  # lightgbm.basic.LightGBMError, UnicodeDecodeError
        raise ModelError(
            f"the LightGBM file {str(path)!r} could not be loaded: "
            f"{str(exc).splitlines()[0][:200]}",
            fix="check that the file is complete; save it with booster.save_model('model.txt')",
        ) from exc
    objective = str(booster.params.get("objective", "regression")).split()[0]
    task = _LGB_TASKS.get(objective, "regression")
    k = booster.num_model_per_iteration() if task == "multiclass" else 2
    info = ModelInfo(
        source=str(path),
        format="lightgbm",
        fingerprint=sha256_of(data),
        model_type=f"lightgbm.Booster ({objective})",
        task=task,
        classes=tuple(str(c) for c in range(k)) if task != "regression" else (),
        features=tuple(booster.feature_name()),
        libraries=library_versions("lightgbm"),
    )
    return LightGBMModel(booster, info)
