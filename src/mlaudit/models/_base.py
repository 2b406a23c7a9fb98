"""What every model adapter gives the audit: its description and its predictions on a batch.

An adapter wraps a fitted model of one library behind one interface.  The audit hands it Arrow
record batches of the data as they stream (never the whole table) and gets back, per batch, the
predicted class or value and, for classifiers, each class's probability.  The description
(:class:`ModelInfo`) is what the report records: the file's SHA-256, the format, the model's
type and task, the versions of the libraries that loaded it, the features it expects, and
whether a format that can run code when loaded was loaded at the user's request.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pyarrow as pa

from mlaudit.errors import ModelError

__all__ = ["Model", "ModelInfo", "Predictions", "Task"]

Task = Literal["binary", "multiclass", "regression"]


@dataclass(frozen=True)
class ModelInfo:
    """A loaded model as the report records it."""

    source: str
    """The file's path, or ``"<in memory>"`` for an object given in Python."""
    format: str
    """``skops``, ``onnx``, ``xgboost``, ``lightgbm``, ``pickle``, ``joblib`` or ``object``."""
    fingerprint: str
    """``sha256:<hex>`` of the file's bytes (of its skops serialisation for an object)."""
    model_type: str
    """The model's class, with its module (``sklearn.pipeline.Pipeline``)."""
    task: Task
    classes: tuple[str, ...] = ()
    """The classes in the order of the probabilities (classifiers only), as text."""
    features: tuple[str, ...] = ()
    """The input columns the model reads, in its order."""
    libraries: dict[str, str] = field(default_factory=dict)
    """Versions of the libraries that loaded and run the model."""
    trusted_format: bool = True
    """False when a format that can execute code on loading (pickle, joblib, a skops file
    with untrusted types) was loaded because the user asked for it (``--trust-model``)."""
    untrusted_types: tuple[str, ...] = ()
    """The types a skops file held outside skops' trusted defaults, loaded on trust."""


@dataclass(frozen=True)
class Predictions:
    """A batch's predictions: one entry per row, in the batch's order."""

    label: np.ndarray
    """Predicted class (an index into :attr:`ModelInfo.classes` for classifiers) or value."""
    proba: np.ndarray | None = None
    """``(rows, classes)`` probabilities for classifiers that give them, else None."""


class Model(ABC):
    """A fitted model behind the interface the audit uses."""

    info: ModelInfo
    class_values: np.ndarray
    """The classes as the model predicts them (their type kept), in the probabilities' order;
    empty for regressors."""

    @property
    def features(self) -> tuple[str, ...]:
        """The columns the model reads."""
        return self.info.features

    @property
    def task(self) -> Task:
        """``binary``, ``multiclass`` or ``regression``."""
        return self.info.task

    @property
    def n_features(self) -> int | None:
        """How many inputs the model takes, when it says so without naming them."""
        return None

    @property
    def trees(self) -> int | None:
        """Trees (boosting rounds) of a tree ensemble whose first ``k`` can predict alone
        (:meth:`predict_with_trees`); None for other models."""
        return None

    def predict_with_trees(self, batch: pa.RecordBatch, ks: list[int]) -> dict[int, np.ndarray]:
        """For each ``k`` of ``ks``, the class probabilities (classifiers; ``(rows,
        classes)``) or predictions (regressors) of the model cut to its first ``k`` trees."""
        raise NotImplementedError(f"{self.info.model_type} has no trees to cut")

    def with_features(self, features: list[str]) -> Model:
        """The same model reading ``features`` (for a model that does not record their names)."""
        out = copy.copy(self)
        out.info = replace(self.info, features=tuple(features))
        return out

    def predict_batch(self, batch: pa.RecordBatch) -> Predictions:
        """Predict the rows of ``batch`` (it must hold :attr:`features`; other columns are
        ignored).

        Raises
        ------
        ModelError
            The model raised while predicting, or returned something of the wrong shape; the
            message quotes the library's error.
        """
        try:
            out = self._predict(batch.select(list(self.features)))
        except ModelError:
            raise
        except Exception as exc:  # the library's own error, whatever its type
            raise ModelError(
                f"the model ({self.info.model_type}) failed to predict: "
                f"{type(exc).__name__}: {str(exc)[:300]}",
                fix="check that the data has the columns and types the model was trained on",
            ) from exc
        _check_shape(out, batch.num_rows, len(self.info.classes), self.info.task)
        return out

    @abstractmethod
    def _predict(self, batch: pa.RecordBatch) -> Predictions:
        """The library's predictions for ``batch`` (only the feature columns, in order)."""


def _check_shape(out: Predictions, rows: int, k: int, task: Task) -> None:
    if out.label.shape[0] != rows:
        raise ModelError(
            f"the model returned {out.label.shape[0]} predictions for {rows} rows",
            fix="the model must return one prediction per row",
        )
    if task != "regression" and out.proba is not None and out.proba.shape != (rows, k):
        raise ModelError(
            f"the model returned probabilities of shape {out.proba.shape}, expected ({rows}, {k})",
            fix="the model must return one probability per class and row",
        )
