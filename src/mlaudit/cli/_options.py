"""Check options as people read them, for ``mlaudit checks ID`` and the generated reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo

from mlaudit.checks import Check

__all__ = ["OptionDoc", "option_docs"]


@dataclass(frozen=True)
class OptionDoc:
    """One option of a check, as people read it: ``float``, not ``<class 'float'>``."""

    name: str
    type: str
    default: str
    meaning: str


def option_docs(cls: type[Check]) -> list[OptionDoc]:
    """The options of a check class with readable types and defaults."""
    return [
        OptionDoc(name, _annotation(f.annotation), _default(f), (f.description or "").strip())
        for name, f in cls.model_fields.items()
    ]


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    text = repr(field.get_default(call_default_factory=True))
    return text if len(text) < 60 else f"{text[:57]}..."


def _annotation(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "").replace("mlaudit.data._types.", "")
    return text.replace("<class '", "").replace("'>", "")
