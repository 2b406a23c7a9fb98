"""Packages meet through their public API: no module imports another package's private module.

Private modules (``_name``) belong to their package; the package's ``__init__`` lists what others
may use.  Top-level helpers (``mlaudit._lazy``, ``mlaudit._threads``, ``mlaudit._numbers``) are
shared by every package.  Tests may read private modules; the source may not across packages.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import mlaudit

SRC = Path(mlaudit.__file__).parent
PACKAGES = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split(".")[2:])


def _crossings(path: Path, module: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mlaudit."):
            targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("mlaudit.")]
        out += [
            f"line {node.lineno}: {t}"
            for t in targets
            if _private(t) and _package(t) != _package(module)
        ]
    return out


def test_no_package_imports_another_packages_private_module() -> None:
    offenders = {}
    for path in SRC.rglob("*.py"):
        module = ".".join(("mlaudit", *path.relative_to(SRC).with_suffix("").parts))
        if found := _crossings(path, module.removesuffix(".__init__")):
            offenders[module] = found
    assert offenders == {}


def test_the_rule_sees_a_crossing(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("from mlaudit.summary._merge import merge\nfrom mlaudit.summary import merge\n")
    assert _crossings(f, "mlaudit.checks.x") == [
        "line 1: mlaudit.summary._merge",
        "line 1: mlaudit.summary._merge.merge",
    ]
    assert _crossings(f, "mlaudit.summary._build") == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_of_a_package_resolves(package: str) -> None:
    module = importlib.import_module(f"mlaudit.{package}")
    missing = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
    assert missing == []
