"""A model file's format (from its name, confirmed by its first bytes), fingerprint and the
versions of the libraries that read it."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from mlaudit.errors import ConfigError, ModelError

__all__ = ["FORMATS", "detect_format", "library_versions", "sha256_of"]

FORMATS = ("skops", "onnx", "xgboost", "lightgbm", "pickle", "joblib")
"""The model file formats mlaudit reads."""

_BY_SUFFIX = {
    ".skops": "skops",
    ".onnx": "onnx",
    ".ubj": "xgboost",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".joblib": "joblib",
}
_DISTRIBUTIONS = {"sklearn": "scikit-learn", "xgboost": "xgboost-cpu"}


def sha256_of(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def detect_format(path: Path, declared: str | None = None) -> str:
    """The format of the model file at ``path``: ``declared``, else from its suffix and its
    first bytes (a ``.json`` or ``.txt`` file is told apart by its content).

    Raises
    ------
    ConfigError
        The file does not exist, is empty, or its format cannot be told.
    """
    if not path.is_file():
        raise ConfigError(
            f"the model file {str(path)!r} does not exist",
            fix="give the path of a saved model (.skops, .onnx, XGBoost .json/.ubj, LightGBM .txt)",
        )
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise ModelError(f"the model file {str(path)!r} is empty", fix="save the model again")
    if declared is not None:
        if declared not in FORMATS:
            raise ConfigError(
                f"unknown model format {declared!r}", fix=f"use one of: {', '.join(FORMATS)}"
            )
        return declared
    found = _BY_SUFFIX.get(path.suffix.lower()) or _by_content(head)
    if found is None:
        raise ConfigError(
            f"cannot tell the format of the model file {str(path)!r}",
            fix=f"name it by its format (.skops, .onnx, .json, .ubj, .txt) or declare "
            f"model_format: one of {', '.join(FORMATS)}",
        )
    return found


def _by_content(head: bytes) -> str | None:
    text = head.lstrip()
    if text.startswith(b"tree\n") or text.startswith(b"tree\r\n"):
        return "lightgbm"
    if text.startswith(b"{") and b'"learner"' in head:
        return "xgboost"
    if head.startswith(b"PK\x03\x04"):
        return "skops"
    if head[:1] == b"\x80":
        return "pickle"
    return None


def library_versions(*modules: str) -> dict[str, str]:
    """Installed versions of ``modules`` (import names), for the report."""
    out: dict[str, str] = {}
    for name in modules:
        try:
            out[name] = metadata.version(_DISTRIBUTIONS.get(name, name))
        except metadata.PackageNotFoundError:
            try:
                out[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
    return out
