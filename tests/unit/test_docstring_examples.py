"""The ``>>>`` examples in the package's docstrings run, and print what they say they print.

Every module under ``src/mlaudit`` with an example is found by reading the source, so a new
example is run without being listed anywhere.  Examples run in a scratch directory holding the
bundled sample's ``current.parquet`` and ``reference.parquet`` (the names the examples use), and
no example may be switched off with ``+SKIP`` unless ``SKIPPED_EXAMPLES`` names it and says why.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import mlaudit
from mlaudit.datasets import write_credit_sample

SRC = Path(mlaudit.__file__).parent
_EXAMPLE = re.compile(r"^\s*>>> ", re.MULTILINE)

SKIPPED_EXAMPLES: dict[str, str] = {}
"""Docstring (DocTest name) → why its examples are not run."""

pytestmark = pytest.mark.xdist_group("docstring_examples")  # one sample for every module


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = [
    _module_name(p)
    for p in sorted(SRC.rglob("*.py"))
    if _EXAMPLE.search(p.read_text(encoding="utf-8"))
]


def _doctests(module: str) -> list[doctest.DocTest]:
    tests = doctest.DocTestFinder().find(importlib.import_module(module))
    return [t for t in tests if t.examples]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    write_credit_sample(out, n_reference=1000, n_current=2000)
    return out


def test_examples_are_found() -> None:
    assert {"mlaudit.data._sources", "mlaudit.stats._control", "mlaudit.summary"} <= set(MODULES)
    for module in MODULES:
        assert _doctests(module), f"{module} has '>>>' lines that doctest does not see"


def test_no_example_is_skipped_unless_named() -> None:
    skipped = {
        t.name
        for module in MODULES
        for t in _doctests(module)
        if any(ex.options.get(doctest.SKIP) for ex in t.examples)
    }
    assert skipped == set(SKIPPED_EXAMPLES)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(
    module: str, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_dir)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for test in _doctests(module):
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, "".join(report)
    assert results.attempted > 0
