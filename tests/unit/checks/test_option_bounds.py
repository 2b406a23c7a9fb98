"""Every check option refuses values outside its meaning, with a configuration error (exit 2).

Generated from the checks' option schemas: nothing here lists a check by hand except the
exemptions below, each with its reason.  Two kinds of tests:

- *declarations*: each numeric option (also inside per-column maps and pairs) declares a lower
  bound; options that are shares (``warn``, ``fail``, ``*_share``, per-column limits) lie in
  [0, 1]; ``alpha`` lies in (0, 1); option lists are non-empty when given;
- *behaviour*: a value just beyond each declared bound, NaN, a warn limit above its fail
  limit, a reversed pair and an empty list are each refused by ``build_checks`` (what the
  audit and the command line call) with a :class:`ConfigError` naming the check and option.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from mlaudit.audit._plan import build_checks
from mlaudit.checks import Check, list_checks
from mlaudit.errors import ConfigError

# (check id or "*", option) → why the option may take any real value.
EXEMPT_LOWER = {
    ("*", "threshold"): "a score threshold may be any real number (scores may be logits)",
    ("quality.value_range", "bounds"): "a column's allowed range may be anywhere on the line",
}
SHARE_NAMES = {"warn", "fail", "max_missing", "max_rows_missing", "column_limits"}

Leaf = tuple[tuple[str | int, ...], dict[str, Any]]


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    return schema


def _numeric_leaves(
    schema: dict[str, Any], defs: dict[str, Any], path: tuple[Any, ...]
) -> Iterator[Leaf]:
    schema = _resolve(schema, defs)
    for alt in schema.get("anyOf", []):
        yield from _numeric_leaves(alt, defs, path)
    if schema.get("type") in ("number", "integer"):
        yield path, schema
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _numeric_leaves(schema["additionalProperties"], defs, (*path, "COL"))
    for key, sub in schema.get("properties", {}).items():
        yield from _numeric_leaves(sub, defs, (*path, key))
    for i, sub in enumerate(schema.get("prefixItems", [])):
        yield from _numeric_leaves(sub, defs, (*path, i))


def _leaves() -> list[tuple[type[Check], Leaf]]:
    out = []
    for cls in list_checks():
        schema = cls.model_json_schema()
        defs = schema.get("$defs", {})
        for name, sub in schema["properties"].items():
            out += [(cls, leaf) for leaf in _numeric_leaves(sub, defs, (name,))]
    return out


LEAVES = _leaves()


def _leaf_id(item: tuple[type[Check], Leaf]) -> str:
    cls, (path, _) = item
    return cls.id + ":" + ".".join(map(str, path))


def _exempt(cls: type[Check], name: str) -> bool:
    return ("*", name) in EXEMPT_LOWER or (cls.id, name) in EXEMPT_LOWER


def _is_share(path: tuple[Any, ...]) -> bool:
    names = [p for p in path if isinstance(p, str) and p != "COL"]
    return names[0] in SHARE_NAMES or names[-1].endswith("_share")


def _lower(schema: dict[str, Any]) -> float | None:
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    return None if lo is None else float(lo)


def _upper(schema: dict[str, Any]) -> float | None:
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    return None if hi is None else float(hi)


# -- declarations ---------------------------------------------------------------------------


@pytest.mark.parametrize("item", LEAVES, ids=_leaf_id)
def test_numeric_option_has_a_lower_bound(item: tuple[type[Check], Leaf]) -> None:
    cls, (path, schema) = item
    if _exempt(cls, str(path[0])):
        # the exemption's reason (scores as logits, ranges of signed data) needs negatives
        assert _lower(schema) is None, f"{cls.id} option {path} is exempt but bounded below"
        return
    assert _lower(schema) is not None, f"{cls.id} option {path} accepts any negative number"


@pytest.mark.parametrize("item", [i for i in LEAVES if _is_share(i[1][0])], ids=_leaf_id)
def test_share_option_lies_in_the_unit_interval(item: tuple[type[Check], Leaf]) -> None:
    cls, (path, schema) = item
    lo, hi = _lower(schema), _upper(schema)
    assert lo is not None and lo >= 0, f"{cls.id} {path}: a share below 0 is accepted"
    assert hi is not None and hi <= 1, f"{cls.id} {path}: a share above 1 is accepted"


@pytest.mark.parametrize(
    "item", [i for i in LEAVES if i[1][0][-1] == "alpha" and i[1][0][0] != "page_hinkley"],
    ids=_leaf_id,
)  # fmt: skip
def test_alpha_lies_strictly_between_zero_and_one(item: tuple[type[Check], Leaf]) -> None:
    cls, (path, schema) = item
    assert schema.get("exclusiveMinimum") == 0, f"{cls.id} {path}: alpha 0 is accepted"
    assert schema.get("exclusiveMaximum") == 1, f"{cls.id} {path}: alpha 1 is accepted"


def test_every_check_has_option_leaves() -> None:
    """The walk reaches the options (a schema change must not empty this test silently)."""
    ids = {cls.id for cls, _ in LEAVES}
    assert {"quality.completeness", "quality.outliers", "drift.univariate"} <= ids
    assert len(LEAVES) > 80


# -- behaviour ------------------------------------------------------------------------------


def _nest(path: tuple[Any, ...], value: Any, default: Any) -> dict[str, Any]:
    """The options dict setting ``path`` to ``value`` (other tuple places from the default)."""
    name, rest = path[0], path[1:]
    return {name: _inner(rest, value, default)}


def _inner(rest: tuple[Any, ...], value: Any, default: Any) -> Any:
    if not rest:
        return value
    head, tail = rest[0], rest[1:]
    if head == "COL":
        return {"x": _inner(tail, value, None)}
    if isinstance(head, int):
        items: list[Any] = list(default) if isinstance(default, tuple | list) else [None, None]
        items[head] = _inner(tail, value, None)
        return items
    return {head: _inner(tail, value, None)}


def _bad_values(schema: dict[str, Any]) -> list[float]:
    bad: list[float] = [math.nan] if schema.get("type") == "number" else []
    if "minimum" in schema:
        bad.append(schema["minimum"] - (1 if schema.get("type") == "integer" else 0.5))
    if "exclusiveMinimum" in schema:
        bad.append(schema["exclusiveMinimum"])
    if "maximum" in schema:
        bad.append(schema["maximum"] + (1 if schema.get("type") == "integer" else 0.5))
    if "exclusiveMaximum" in schema:
        bad.append(schema["exclusiveMaximum"])
    return bad


def _refused(cls: type[Check], opts: dict[str, Any], *names: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_checks("none", {cls.id: opts})
    text = str(info.value)
    assert f"checks.{cls.id}" in text, text
    for name in names:
        assert name in text, text


CASES = [(cls, path, bad) for cls, (path, schema) in LEAVES for bad in _bad_values(schema)]


@pytest.mark.parametrize(
    ("cls", "path", "bad"), CASES,
    ids=[f"{c.id}:{'.'.join(map(str, p))}={b}" for c, p, b in CASES],
)  # fmt: skip
def test_value_beyond_a_bound_is_a_config_error(
    cls: type[Check], path: tuple[Any, ...], bad: float
) -> None:
    default = cls.model_fields[str(path[0])].get_default(call_default_factory=True)
    _refused(cls, _nest(path, bad, default), str(path[0]))


def _limit_pairs() -> list[tuple[type[Check], str, str]]:
    out = []
    for cls in list_checks():
        fields = cls.model_fields
        for name in fields:
            if name.startswith("warn") and "fail" + name[4:] in fields:
                out.append((cls, name, "fail" + name[4:]))
    return out


@pytest.mark.parametrize(("cls", "warn", "fail"), _limit_pairs(), ids=lambda x: getattr(x, "id", x))
def test_warn_limit_above_fail_limit_is_a_config_error(
    cls: type[Check], warn: str, fail: str
) -> None:
    schema = cls.model_json_schema()["properties"][warn]
    lo = _lower(schema) or 0.0
    opts: dict[str, Any] = {warn: lo + 0.3, fail: lo + 0.1}
    if cls.limits_apply_with is not None:  # the fail limit is used only with this option
        opts[cls.limits_apply_with] = ENABLING[cls.limits_apply_with]
    _refused(cls, opts, warn, fail)


# A value of each option that makes a check use its fail limit.
ENABLING: dict[str, Any] = {"bounds": {"x": [0, 1]}, "allowed": {"x": ["a"]}}


def test_warn_alone_is_kept_where_the_fail_limit_does_not_apply() -> None:
    """Reference ranges of quality.value_range only warn: its fail limit plays no part."""
    (check,) = build_checks("none", {"quality.value_range": {"warn": 0.05}})
    assert check.model_dump()["warn"] == 0.05


def test_a_default_limit_is_named_as_such() -> None:
    with pytest.raises(ConfigError, match=r"'fail' \(0.2, its default\)"):
        build_checks("none", {"quality.completeness": {"warn": 0.3}})


def _pairs() -> list[tuple[type[Check], str]]:
    out = []
    for cls in list_checks():
        schema = cls.model_json_schema()
        for name, sub in schema["properties"].items():
            inner = _resolve(sub.get("additionalProperties", sub), schema.get("$defs", {}))
            if len(inner.get("prefixItems", [])) == 2:
                out.append((cls, name))
    return out


PAIRS = _pairs()


@pytest.mark.parametrize(("cls", "name"), PAIRS, ids=lambda x: getattr(x, "id", x))
def test_reversed_pair_is_a_config_error(cls: type[Check], name: str) -> None:
    """(warn, fail) limits and [low, high] bounds in the wrong order are refused."""
    pair = [0.3, 0.1]
    nested = "additionalProperties" in cls.model_json_schema()["properties"][name]
    _refused(cls, {name: {"x": pair} if nested else pair}, name)


LISTS = [
    (cls, name)
    for cls in list_checks()
    for name, sub in cls.model_json_schema()["properties"].items()
    if any(
        alt.get("type") == "array" and "prefixItems" not in alt
        for alt in [sub, *sub.get("anyOf", [])]
    )
]


@pytest.mark.parametrize(("cls", "name"), LISTS, ids=lambda x: getattr(x, "id", x))
def test_empty_option_list_is_a_config_error(cls: type[Check], name: str) -> None:
    _refused(cls, {name: []}, name)


def test_the_generated_cases_cover_what_was_accepted_before() -> None:
    """The options that were silently accepted are among the generated cases."""
    covered = {(c.id, p[0]) for c, p, _ in CASES}
    assert ("quality.completeness", "warn") in covered
    assert ("quality.completeness", "max_missing") in covered
    assert ("drift.over_time", "control_k") in covered
    assert ("quality.value_range", "bounds") in {(c.id, n) for c, n in PAIRS}
    assert ("quality.completeness", "warn", "fail") in {(c.id, w, f) for c, w, f in _limit_pairs()}


def test_ddm_warning_level_above_its_drift_level_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="warning_threshold \\(2\\) is above drift_threshold"):
        build_checks("none", {"performance.change_points": {"ddm": {"drift_threshold": 1.5}}})
