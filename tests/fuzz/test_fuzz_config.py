"""The configuration and contract loaders fuzzed: random YAML and TOML documents, random text,
and random mutations of valid files (a value replaced by one of another type, a key dropped or
added, text inserted or cut).

Invariant: the file loads and the audit is built, or a clear ConfigError (exit 2) or data error
(exit 3), never another exception.  Contracts go through ``mlaudit validate`` (in-process), so
the command's own handling is fuzzed too: exit 0/1 with a whole report set, or exit 2/3 with
one clear message."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlaudit import Audit, MLAuditError, load_config
from mlaudit.cli import app
from tests.fuzz._invariant import clear_or_value
from tests.fuzz.conftest import Counter, examples

pytestmark = pytest.mark.fuzz

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["current.csv", "reference.csv", "quality.completeness", "html", "week", "a"]),
)
keys = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        ["current", "reference", "schema", "checks", "suite", "output", "windows", "columns"]
    ),
    st.sampled_from(
        ["rules", "dataset", "min", "max", "allowed", "type", "version", "path", "target"]
    ),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=20,
)

VALID_CONFIG: dict[str, Any] = {
    "title": "fuzz",
    "current": "current.csv",
    "reference": {"path": "reference.csv", "format": "csv"},
    "schema": {"target": "y", "columns": {"x": {"type": "numeric"}}},
    "suite": "data_quality",
    "checks": {"quality.completeness": {"warn": 0.1}, "quality.outliers": False},
    "exclude": ["quality.padding"],
    "seed": 3,
    "output": {"dir": "out", "formats": ["json", "md"], "fail_on": "warn"},
}
VALID_CONTRACT: dict[str, Any] = {
    "version": 1,
    "dataset": {"min_rows": 1, "max_rows": 1000},
    "columns": {
        "x": {"type": "numeric", "max_missing": 0.1, "min": 0, "max": 100},
        "c": {"type": "categorical", "allowed": ["a", "b"], "missing_markers": ["?"]},
        "y": {"unique": False, "pattern": "^[01]$"},
    },
    "rules": {"positive": "x >= 0"},
}


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {"x": [float(i % 17) for i in range(60)], "c": ["a", "b", "?"] * 20, "y": [0, 1] * 30}
    )


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any]) -> Any:
    """``valid`` with 1-3 random edits at random places (replace, drop, add a key)."""
    doc: Any = yaml.safe_load(yaml.safe_dump(valid))  # a deep copy
    for _ in range(draw(st.integers(1, 3))):
        node, path = doc, []
        while isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node, key=str)))
            path.append((node, key))
            node = node[key]
        if not path:
            doc = draw(documents) if draw(st.integers(0, 9)) == 0 else doc
            continue
        parent, key = path[-1]
        edit = draw(st.sampled_from(["replace", "drop", "add"]))
        if edit == "replace":
            parent[key] = draw(documents)
        elif edit == "drop":
            del parent[key]
        else:
            parent[draw(keys)] = draw(documents)
    return doc


@st.composite
def text_edits(draw: st.DrawFn, text: str) -> str:
    """``text`` with a random slice cut or random text inserted (indentation, quotes...)."""
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:at] + text[at + draw(st.integers(1, 20)) :]
    return (
        text[:at]
        + draw(st.text(st.sampled_from(" \t\n:-[]{}'\"&*!#|>%@`,?"), max_size=6))
        + text[at:]
    )


def _write(folder: Path, name: str, content: Any, *, raw: bool) -> Path:
    path = folder / name
    text = content if raw else yaml.safe_dump(content, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def _load_config(
    folder: Path, content: Any, cases: Counter, *, raw: bool = False, name: str = "audit.yaml"
) -> None:
    _frame().write_csv(folder / "current.csv")
    _frame().write_csv(folder / "reference.csv")
    path = _write(folder, name, content, raw=raw)

    def build() -> Audit:
        return Audit.from_config(load_config(path))

    if isinstance(clear_or_value(build), MLAuditError):
        cases.errors += 1


def _in_tmp(fn: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fn(Path(tmp))


@settings(max_examples=examples(60))
@given(doc=st.one_of(documents, mutated(VALID_CONFIG)))
@example(doc=VALID_CONFIG)
def test_random_and_mutated_configs_load_or_fail_clearly(cases: Counter, doc: Any) -> None:
    cases()
    _in_tmp(lambda d: _load_config(d, doc, cases))


@settings(max_examples=examples(40))
@given(text=st.one_of(st.text(max_size=200), text_edits(yaml.safe_dump(VALID_CONFIG))))
@example(text="a: &x [*x]")
@example(text="current: !!python/object:os.system {}")
@example(text="\ufeffcurrent: current.csv\n")
def test_config_text_loads_or_fails_clearly(cases: Counter, text: str) -> None:
    cases()
    _in_tmp(lambda d: _load_config(d, text, cases, raw=True))


_TOML = """title = "fuzz"
current = "current.csv"
suite = "data_quality"
[reference]
path = "reference.csv"
[checks."quality.completeness"]
warn = 0.1
[output]
formats = ["json"]
"""


@settings(max_examples=examples(30))
@given(text=st.one_of(st.text(max_size=120), text_edits(_TOML)))
@example(text=_TOML)
def test_toml_configs_load_or_fail_clearly(cases: Counter, text: str) -> None:
    cases()
    _in_tmp(lambda d: _load_config(d, text, cases, raw=True, name="audit.toml"))


def _validate(folder: Path, content: Any, cases: Counter, *, raw: bool = False) -> None:
    _frame().write_csv(folder / "data.csv")
    contract = _write(folder, "contract.yaml", content, raw=raw)
    out = folder / "out"
    args = ["-q", "validate", str(folder / "data.csv"), "--contract", str(contract)]
    run = CliRunner().invoke(app, [*args, "--out", str(out), "--format", "json,md"])
    text = run.output
    assert run.exit_code in (0, 1, 2, 3), (run.exit_code, text, run.exception)
    assert "internal error" not in text and "Traceback" not in text, text
    if run.exit_code in (0, 1):
        assert {p.name for p in out.iterdir()} >= {"report.json", "report.md", "report.sha256"}
    else:
        cases.errors += 1
        assert text.strip(), "exit 2/3 without a message"


@settings(max_examples=examples(40))
@given(doc=st.one_of(documents, mutated(VALID_CONTRACT), mutated(VALID_CONTRACT)))
@example(doc=VALID_CONTRACT)
@example(doc={"columns": {"x": {"min": float("nan")}}})
@example(doc={"rules": {"r": "x +"}})
def test_random_and_mutated_contracts_validate_or_fail_clearly(cases: Counter, doc: Any) -> None:
    cases()
    _in_tmp(lambda d: _validate(d, doc, cases))


@settings(max_examples=examples(20))
@given(text=text_edits(yaml.safe_dump(VALID_CONTRACT)))
def test_contract_text_edits_validate_or_fail_clearly(cases: Counter, text: str) -> None:
    cases()
    _in_tmp(lambda d: _validate(d, text, cases, raw=True))


def test_mlaudit_errors_are_what_the_invariant_accepts() -> None:
    # The invariant's own check: a clear error passes it, an internal one does not.
    assert isinstance(clear_or_value(lambda: load_config("/no/such/audit.yaml")), MLAuditError)
    with pytest.raises(ZeroDivisionError):
        clear_or_value(lambda: 1 / 0)
