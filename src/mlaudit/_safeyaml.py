"""Reading YAML and TOML files a user (or an attacker) wrote, with bounded time and memory.

PyYAML's ``safe_load`` runs no code, but it happily builds a document whose aliases expand to
billions of nodes ("billion laughs": 474 bytes became 1.9 GB once the options were copied), and
it recurses once per nesting level. :func:`load_mapping_file` bounds everything:

* the file: at most :data:`MAX_BYTES` bytes, UTF-8 (a clear message otherwise);
* the document: at most :data:`MAX_NODES` nodes once every alias is expanded (counted on the
  composed graph before anything is built, in time linear in the file), no recursive alias,
  and at most :data:`MAX_DEPTH` levels of nesting;
* keys: a key repeated in one mapping is an error (YAML says keys are unique; PyYAML keeps the
  last one silently, so a typo'd second ``checks:`` block would replace the first).

TOML has no aliases; its file size and nesting are bounded the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from mlaudit.errors import ConfigError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "load_mapping_file"]

MAX_BYTES = 16 * 2**20
MAX_NODES = 1_000_000
MAX_DEPTH = 64
_MERGE = "tag:yaml.org,2002:merge"
_SIMPLER = "write each key once, and use fewer aliases and less nesting"


class _LimitError(Exception):
    """A bound was exceeded (turned into a ConfigError naming the file)."""


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the document once aliases are expanded; raises :class:`_LimitError` past a bound."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    open_: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if depth > MAX_DEPTH:
            raise _LimitError(f"it nests deeper than {MAX_DEPTH} levels")
        children = _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_NODES:
                raise _LimitError(f"its aliases expand to more than {MAX_NODES:,} values")
            continue
        if key in size:
            continue
        if key in open_:
            raise _LimitError("an alias refers to the node that contains it (a recursive alias)")
        open_.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in size)
    return size[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects a key repeated within one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                continue  # unhashable: PyYAML reports it itself
            if key in seen:
                raise _LimitError(
                    f"the key {key!r} appears twice in one mapping "
                    f"(line {key_node.start_mark.line + 1})"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_mapping_file(path: Path, what: str, *, fix: str) -> Any:
    """The parsed content of a YAML (or ``.toml``) file, within the bounds above.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages ("configuration file", "contract").
    fix
        What to do about a syntax error.

    Raises
    ------
    ConfigError
        The file cannot be read, is too large, not UTF-8, not valid YAML/TOML, or exceeds a bound.
    """
    toml = path.suffix.lower() == ".toml"
    kind = "TOML" if toml else "YAML"
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"cannot read {what} {str(path)!r}: {exc.strerror}", fix="check the path"
        ) from None
    if len(data) > MAX_BYTES:
        raise ConfigError(
            f"{what} {str(path)!r} is larger than {MAX_BYTES // 2**20} MiB",
            fix=f"pass the {what} itself, not a data file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} {str(path)!r} is not UTF-8 text (byte {exc.start} is not valid UTF-8)",
            fix=f"save it as UTF-8, and check that it is the {what} and not a data file",
        ) from None
    try:
        return tomllib.loads(text) if toml else _yaml(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not valid {kind}: {exc}", fix=fix) from None
    except _LimitError as exc:
        raise ConfigError(f"{path} cannot be read safely: {exc}", fix=_SIMPLER) from None
    except RecursionError:
        raise ConfigError(
            f"{path} cannot be read safely: it nests too deeply", fix=_SIMPLER
        ) from None
