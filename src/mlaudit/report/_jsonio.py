"""Canonical JSON for audit results: write, read back, write atomically, JSON Schema.

The canonical form is what gets hashed and signed, so it must not depend on dictionary order,
platform or float noise:

* keys sorted, UTF-8, two-space indentation, ``\\n`` line ends, a final newline;
* floats rounded to 12 significant digits, then written in their shortest form
  (``0.1 + 0.2`` is written ``0.3``);
* ``NaN``, ``inf`` and ``-inf`` as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``
  (JSON has no such numbers), turned back into floats by :func:`load_result`;
* enumerations as their values.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from mlaudit._atomic import write_file
from mlaudit.errors import ReportError
from mlaudit.results import SCHEMA_VERSION, AuditResult

__all__ = [
    "SUPPORTED_SCHEMA_VERSIONS",
    "dumps_canonical",
    "load_result",
    "result_json_schema",
    "write_atomic",
]

SUPPORTED_SCHEMA_VERSIONS: tuple[str, ...] = (SCHEMA_VERSION,)

_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _may_hold_float(node: Any, defs: dict[str, Any], seen: frozenset[str]) -> bool:
    """Whether a JSON Schema node can hold a float (so NaN or an infinity) anywhere inside it.

    A node without any type (a free-form ``Any`` field) may hold anything, floats included.
    """
    if not isinstance(node, dict):
        return False
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return name not in seen and _may_hold_float(defs[name], defs, seen | {name})
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if "number" in kinds:
        return True
    parts = [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]
    if not kinds and not parts:
        return True  # Any
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            parts.append(node[key])
        elif kinds == ["object"] and key == "additionalProperties" and node.get(key, True):
            parts.append({})  # a dict of Any
    parts += node.get("prefixItems", [])
    parts += list(node.get("properties", {}).values())
    return any(_may_hold_float(p, defs, seen) for p in parts)


def _text_keys() -> frozenset[str]:
    """Keys of the result model whose values never hold a float, at any depth: a value "NaN"
    under them is text (a column or a file may be called "NaN") and stays a string on load.
    Keys that may hold a float (metrics, table cells, free-form fields) turn the strings
    "NaN", "Infinity" and "-Infinity" back into floats."""
    schema = AuditResult.model_json_schema(by_alias=True, mode="serialization")
    defs = schema.get("$defs", {})
    kinds: dict[str, bool] = {}
    for model in (schema, *defs.values()):
        for name, prop in model.get("properties", {}).items():
            kinds[name] = kinds.get(name, False) or _may_hold_float(prop, defs, frozenset())
    return frozenset(name for name, floats in kinds.items() if not floats)


_TEXT_KEYS = _text_keys()


def _canonical_float(x: float) -> float | str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    rounded = float(f"{x:.12g}")
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def _canonical(value: Any, path: str) -> Any:
    """Turn ``value`` into plain JSON types, canonically; name ``path`` on failure."""
    if value is None or isinstance(value, bool | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return _canonical(value.value, path)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _canonical_float(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v, path) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _canonical(value.item(), path)
    raise ReportError(
        f"cannot write {path} as JSON: value {value!r} of type {type(value).__name__}",
        fix="store plain numbers, strings, lists or dicts in results (convert it first)",
    )


def to_canonical_dict(result: AuditResult) -> dict[str, Any]:
    """The result as plain JSON-ready data (aliases, enum values, canonical floats)."""
    raw = result.model_dump(mode="python", by_alias=True)
    out = _canonical(raw, "result")
    assert isinstance(out, dict)
    return out


def dumps_canonical(result: AuditResult) -> str:
    """Serialise ``result`` to canonical JSON text (see the module docstring).

    Parameters
    ----------
    result
        The audit result.

    Returns
    -------
    str
        JSON text ending in a newline; the same result always gives the same text.
    """
    data = to_canonical_dict(result)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _restore_special(value: Any, key: str | None = None) -> Any:
    """Turn the strings "NaN"/"Infinity"/"-Infinity" back into floats outside text fields."""
    if key in _TEXT_KEYS:
        return value
    if isinstance(value, str):
        return _SPECIAL.get(value, value)
    if isinstance(value, dict):
        return {k: _restore_special(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_special(v, key) for v in value]
    return value


def _read_text(path_or_text: str | os.PathLike[str]) -> str:
    if isinstance(path_or_text, os.PathLike):
        path = Path(path_or_text)
    else:
        stripped = path_or_text.lstrip()
        if stripped.startswith(("{", "[")):
            return path_or_text
        path = Path(path_or_text)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(
            f"report file not found: {str(path)!r}", fix="pass the path of a report.json"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(
            f"cannot read report {str(path)!r}: {exc}", fix="pass a UTF-8 report.json"
        ) from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"field {where}: {err['msg']}{more}"


def load_result(path_or_text: str | os.PathLike[str]) -> AuditResult:
    """Read an audit result back from a ``report.json`` path or its JSON text.

    Parameters
    ----------
    path_or_text
        A path to the file, or the JSON text itself (a string starting with ``{``).

    Returns
    -------
    AuditResult
        The result, equal to the one that was written.

    Raises
    ------
    ReportError
        The file is missing, is not JSON, has an unsupported ``schema_version``, or a field is
        invalid (the message names it).
    """
    text = _read_text(path_or_text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"the report is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            fix="pass a report.json written by mlaudit",
        ) from None
    if not isinstance(data, dict):
        raise ReportError(
            f"the report must be a JSON object, got {type(data).__name__}",
            fix="pass a report.json written by mlaudit",
        )
    version = data.get("schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        raise ReportError(
            f"unsupported report schema_version {version!r}; this mlaudit reads "
            + ", ".join(repr(v) for v in SUPPORTED_SCHEMA_VERSIONS),
            fix="read it with the mlaudit version that wrote it, or re-run the audit",
        )
    try:
        return AuditResult.model_validate(_restore_special(data))
    except ValidationError as exc:
        raise ReportError(
            f"the report is invalid: {_first_error(exc)}",
            fix="pass an unmodified report.json written by mlaudit",
        ) from None


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then rename.

    A crash leaves either the old file or the new one, never a partial file.  Text is
    written as UTF-8.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ReportError
        The file cannot be written (the message names the reason); nothing was written.
    """
    return write_file(path, data, what="the file")


_SPECIAL_STRINGS = {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}


def _allow_special(node: Any) -> Any:
    if isinstance(node, list):
        return [_allow_special(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _allow_special(v) for k, v in node.items()}
    if out.get("type") == "number":
        return {"anyOf": [{"type": "number"}, _SPECIAL_STRINGS]} | {
            k: v for k, v in out.items() if k in ("title", "description", "default")
        }
    return out


def result_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``report.json``: the model's schema, numbers also as NaN/Infinity."""
    schema = _allow_special(AuditResult.model_json_schema(by_alias=True, mode="serialization"))
    assert isinstance(schema, dict)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:mlaudit:report-schema:{SCHEMA_VERSION}"
    return schema


def schema_text() -> str:
    """The JSON Schema as the canonical text shipped in ``mlaudit/results_schema``."""
    return json.dumps(result_json_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
