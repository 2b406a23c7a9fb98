"""scikit-learn models: skops files, pickle and joblib files on trust, and fitted objects.

skops (``.skops``) stores an estimator as data and rebuilds it from an allow-list of types, so
loading it runs no code from the file; a file holding a type outside skops' defaults is refused
with the types named, unless the user trusts it (``--trust-model``), and then the report says
so.  Pickle and joblib files run code when they are loaded: they are refused unless trusted.

Each batch goes to the estimator as a pandas frame of the feature columns (what pipelines with
column transformers expect): a batch, never the whole table.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from mlaudit._lazy import lazy_import
from mlaudit.errors import ConfigError, ModelError
from mlaudit.models._base import Model, ModelInfo, Predictions, Task
from mlaudit.models._files import library_versions, sha256_of
from mlaudit.models._stages import staged_outputs, tree_count

if TYPE_CHECKING:
    import joblib
    import skops.io as sio
else:  # imported on first use (mlaudit._lazy)
    sio = lazy_import("skops.io")
    joblib = lazy_import("joblib")

__all__ = ["SklearnModel", "load_pickle", "load_skops", "skops_fingerprint"]

HARMLESS_SKOPS_TYPES = frozenset({"numpy.dtype"})
"""Types skops names as untrusted although loading them builds nothing from the file's names.

skops rebuilds a ``numpy.dtype`` as the dtype of an empty array stored in numpy's own format
and read with ``allow_pickle=False`` (the array's node is audited like any other), yet lists
the dtype itself as untrusted.  Every fitted ``SimpleImputer`` holds dtypes, so without this a
plain imputing pipeline, saved safely, would need ``--trust-model`` as a pickle does.
"""

TRUST_FIX = (
    "save the model with skops (skops.io.dump(model, 'model.skops')), or, if you trust the "
    "file's author, pass --trust-model (trust_model=True in Python)"
)


class SklearnModel(Model):
    """A fitted estimator with ``predict`` (and ``predict_proba`` for classifiers)."""

    def __init__(self, estimator: Any, info: ModelInfo) -> None:
        self.estimator = estimator
        self.info = info
        self.class_values = np.asarray(getattr(estimator, "classes_", []))

    @classmethod
    def of(
        cls, estimator: Any, *, source: str, fmt: str, fingerprint: str, **extra: Any
    ) -> SklearnModel:
        """Describe ``estimator`` and wrap it."""
        if not callable(getattr(estimator, "predict", None)):
            raise ModelError(
                f"the model ({_type_name(estimator)}) has no predict method",
                fix="give a fitted scikit-learn estimator or pipeline",
            )
        task = _task(estimator)
        names = getattr(estimator, "feature_names_in_", None)
        info = ModelInfo(
            source=source,
            format=fmt,
            fingerprint=fingerprint,
            model_type=_type_name(estimator),
            task=task,
            classes=tuple(str(c) for c in getattr(estimator, "classes_", [])),
            features=tuple(str(n) for n in names) if names is not None else (),
            libraries=library_versions("sklearn", "skops"),
            **extra,
        )
        return cls(estimator, info)

    @property
    def n_features(self) -> int | None:
        """How many inputs the estimator was fitted on, when it records it."""
        n = getattr(self.estimator, "n_features_in_", None)
        return int(n) if n is not None else None

    @property
    def trees(self) -> int | None:
        """Trees of a forest or gradient-boosting estimator (also at a pipeline's end)."""
        return tree_count(self.estimator)

    def predict_with_trees(self, batch: pa.RecordBatch, ks: list[int]) -> dict[int, np.ndarray]:
        """Predictions of the first ``k`` trees (staged boosting, or a forest's first trees)."""
        return staged_outputs(self.estimator, batch.select(list(self.features)), ks, self.task)

    def _predict(self, batch: pa.RecordBatch) -> Predictions:
        frame = batch.to_pandas()
        if self.info.task == "regression":
            return Predictions(label=np.asarray(self.estimator.predict(frame), dtype=np.float64))
        proba = getattr(self.estimator, "predict_proba", None)
        if proba is None:
            label = np.asarray(self.estimator.predict(frame))
            return Predictions(label=np.searchsorted(self.class_values, label))
        p = np.asarray(proba(frame), dtype=np.float64)
        return Predictions(label=np.argmax(p, axis=1), proba=p)


def _task(estimator: Any) -> Task:
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return "regression"
    if len(classes) < 2:
        raise ModelError(
            f"the classifier ({_type_name(estimator)}) was fitted on one class only",
            fix="refit it on data with at least two classes",
        )
    return "binary" if len(classes) == 2 else "multiclass"


def _type_name(obj: Any) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def load_skops(path: Path, *, trust: bool) -> SklearnModel:
    """Load a skops file, refusing types outside skops' trusted defaults unless ``trust``
    (the harmless types of :data:`HARMLESS_SKOPS_TYPES` apart)."""
    data = path.read_bytes()
    try:
        flagged = list(sio.get_untrusted_types(data=data))
    except Exception as exc:  # a corrupt or truncated file: skops' own error
        raise ModelError(
            f"the model file {str(path)!r} is not a readable skops file: {str(exc)[:200]}",
            fix="check that the file is complete (not truncated) and was written by skops.io.dump",
        ) from exc
    untrusted = [t for t in flagged if t not in HARMLESS_SKOPS_TYPES]
    if untrusted and not trust:
        raise ConfigError(
            f"the skops file {str(path)!r} holds types outside skops' trusted defaults: "
            f"{', '.join(untrusted)}; loading them could run their code",
            fix="check these types are yours, then pass --trust-model (trust_model=True)",
        )
    try:
        estimator = sio.loads(data, trusted=flagged or None)
    except Exception as exc:
        raise ModelError(
            f"the skops file {str(path)!r} could not be loaded: {str(exc)[:200]}",
            fix="save it again with skops.io.dump, with the scikit-learn version installed here",
        ) from exc
    return SklearnModel.of(
        estimator, source=str(path), fmt="skops", fingerprint=sha256_of(data),
        trusted_format=not untrusted, untrusted_types=tuple(untrusted),
    )  # fmt: skip


def load_pickle(path: Path, fmt: str, *, trust: bool) -> SklearnModel:
    """Load a pickle or joblib file, only when the user trusts it (it runs code when loaded)."""
    if not trust:
        raise ConfigError(
            f"the model file {str(path)!r} is a {fmt} file, which runs code when it is loaded; "
            "mlaudit does not load it unless told to",
            fix=TRUST_FIX,
        )
    data = path.read_bytes()
    try:
        # loaded only on the user's explicit trust (--trust-model)
        estimator = joblib.load(io.BytesIO(data)) if fmt == "joblib" else pickle.loads(data)
    except Exception as exc:
        raise ModelError(
            f"the {fmt} file {str(path)!r} could not be loaded: {type(exc).__name__}: "
            f"{str(exc)[:200]}",
            fix="check that the file is complete and that the libraries it needs are installed",
        ) from exc
    return SklearnModel.of(
        estimator, source=str(path), fmt=fmt, fingerprint=sha256_of(data), trusted_format=False
    )


def skops_fingerprint(estimator: Any) -> str:
    """``sha256:`` of an in-memory estimator's skops serialisation (its content, not its id).

    An estimator skops cannot serialise is fingerprinted by its pickle instead.
    """
    try:
        return sha256_of(sio.dumps(estimator))
    except Exception:  # skops cannot serialise every object; fall back to its pickle
        try:
            return sha256_of(pickle.dumps(estimator))
        except Exception:
            return "sha256:unavailable"
