"""One entry point for every model: a path (format told by name and content) or an object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlaudit.errors import ConfigError
from mlaudit.models._base import Model
from mlaudit.models._files import detect_format
from mlaudit.models._native import load_lightgbm, load_xgboost
from mlaudit.models._onnx import load_onnx
from mlaudit.models._sklearn import SklearnModel, load_pickle, load_skops, skops_fingerprint

__all__ = ["load_model"]


def load_model(source: Any, *, trust: bool = False, format: str | None = None) -> Model:
    """Load the model at ``source`` (a path) or wrap a fitted model object.

    Parameters
    ----------
    source
        A model file: scikit-learn saved with skops (``.skops``), ONNX (``.onnx``), XGBoost
        (``.json``/``.ubj``), LightGBM (``.txt``); pickle and joblib files only with ``trust``.
        Or a fitted object with ``predict`` (scikit-learn estimators and pipelines, and the
        scikit-learn interfaces of XGBoost and LightGBM), or an already loaded :class:`Model`.
    trust
        Load formats that can run code when loaded (pickle, joblib, skops files holding types
        outside skops' defaults); the model's description records that it was.
    format
        The file's format when its name and content do not tell it.

    Raises
    ------
    ConfigError
        The file is missing, its format unknown, or it needs ``trust`` (exit code 2).
    ModelError
        The file is corrupt or truncated, or the model is not usable (exit code 3).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = load_model(LogisticRegression().fit([[0.0], [1.0]], [0, 1]))
    >>> model.task, model.info.format
    ('binary', 'object')
    """
    if isinstance(source, Model):
        return source
    if isinstance(source, str | Path):
        return _load_file(Path(source), trust=trust, declared=format)
    if callable(getattr(source, "predict", None)):
        return SklearnModel.of(
            source, source="<in memory>", fmt="object", fingerprint=skops_fingerprint(source)
        )
    raise ConfigError(
        f"a model is a path or a fitted model object, not a {type(source).__name__}",
        fix="give the path of a saved model (.skops, .onnx, .json, .ubj, .txt) or a fitted "
        "estimator",
    )


def _load_file(path: Path, *, trust: bool, declared: str | None) -> Model:
    fmt = detect_format(path, declared)
    if fmt == "skops":
        return load_skops(path, trust=trust)
    if fmt == "onnx":
        return load_onnx(path)
    if fmt == "xgboost":
        return load_xgboost(path)
    if fmt == "lightgbm":
        return load_lightgbm(path)
    return load_pickle(path, fmt, trust=trust)
