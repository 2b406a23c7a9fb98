"""Check options as people read them, for ``mlaudit checks ID`` and the generated reference."""

from __future__ import annotations

from dataclasses import dataclass
from types import UnionType
from typing import (
    Annotated,
    Any,
    Literal,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from pydantic.fields import FieldInfo
from typing_extensions import is_typeddict

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
        OptionDoc(name, _type_text(f), _default(f), (f.description or "").strip())
        for name, f in cls.model_fields.items()
    ]


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    text = repr(field.get_default(call_default_factory=True))
    return text if len(text) < 60 else f"{text[:57]}..."


def _type_text(field: FieldInfo) -> str:
    """The option's type with its allowed range: ``float in [0, 1]``, ``int >= 1``."""
    bound, annotation = _range(field.metadata), field.annotation
    if (
        bound
        and get_origin(annotation) in (Union, UnionType)
        and type(None) in get_args(annotation)
    ):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        return " | ".join(_annotation(a) for a in kept) + bound + " | None"
    return _annotation(annotation) + bound


def _range(metadata: list[Any]) -> str:
    """``in [0, 1]``, ``in (0, 1)``, ``>= 0``... from pydantic's constraint objects."""
    low = high = None
    for m in metadata:
        for attr, sign in (("ge", "["), ("gt", "(")):
            if getattr(m, attr, None) is not None:
                low = (sign, getattr(m, attr))
        for attr, sign in (("le", "]"), ("lt", ")")):
            if getattr(m, attr, None) is not None:
                high = (sign, getattr(m, attr))
    if low and high:
        return f" in {low[0]}{low[1]:g}, {high[1]:g}{high[0]}"
    if low:
        return f" {'>=' if low[0] == '[' else '>'} {low[1]:g}"
    if high:
        return f" {'<=' if high[0] == ']' else '<'} {high[1]:g}"
    return ""


def _annotation(annotation: Any) -> str:
    """A type as people read it: ``dict[str, float in [0, 1]]``, not pydantic's internals."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _annotation(args[0]) + _range([m for a in args[1:] for m in _constraints(a)])
    if origin in (Union, UnionType):
        return " | ".join(_annotation(a) for a in args)
    if origin is Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is not None:
        return f"{getattr(origin, '__name__', origin)}[{', '.join(_annotation(a) for a in args)}]"
    if annotation is type(None):
        return "None"
    if is_typeddict(annotation):
        hints = get_type_hints(annotation, include_extras=True)
        return "{" + ", ".join(f"{k}: {_annotation(t)}" for k, t in hints.items()) + "}"
    return str(getattr(annotation, "__name__", annotation))


def _constraints(meta: Any) -> list[Any]:
    return list(meta.metadata) if isinstance(meta, FieldInfo) else [meta]
