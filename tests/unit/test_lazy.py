"""The lazy-import helper: nothing imported until used; a clear error for a missing extra."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mlaudit
from mlaudit._lazy import lazy_import
from mlaudit.errors import ExtraNotInstalledError


def test_imports_on_first_attribute_read_only() -> None:
    code = textwrap.dedent(
        """
        import sys
        from mlaudit._lazy import lazy_import
        special = lazy_import("scipy.special")
        print("scipy.special" in sys.modules)
        print(special.ndtr(0.0))
        print("scipy.special" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "0.5", "True"]


def test_an_imported_module_is_returned_as_it_is() -> None:
    import json

    assert lazy_import("json") is json


def test_a_missing_module_names_the_extra_to_install() -> None:
    missing = lazy_import("mlaudit_no_such_package.sub", extra="explain")
    with pytest.raises(ExtraNotInstalledError, match=r"mlaudit\[explain\]"):
        missing.anything  # noqa: B018
    plain = lazy_import("mlaudit_no_such_package")
    with pytest.raises(ModuleNotFoundError):
        plain.anything  # noqa: B018


_HEAVY = (
    "sklearn",
    "scipy",
    "pyarrow.compute",
    "sqlalchemy",
    "altair",
    "vl_convert",
    "threadpoolctl",
    "stdnum",
    "shap",
    "pyspark",
    "mlflow",
)


def _function_level_heavy_imports(tree: ast.AST) -> list[str]:
    """Imports of heavy modules inside functions (they belong to the lazy-import helper)."""
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"line {node.lineno}: {n}" for n in names if n.startswith(_HEAVY)]
    return found


def test_heavy_modules_load_through_the_helper_only() -> None:
    src = Path(mlaudit.__file__).parent
    offenders = {
        str(p.relative_to(src)): found
        for p in sorted(src.rglob("*.py"))
        if (found := _function_level_heavy_imports(ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_scan_finds_a_local_import() -> None:
    code = "def f():\n    from scipy import special\n    return special\n"
    assert _function_level_heavy_imports(ast.parse(code)) == ["line 2: scipy"]


def test_a_drift_audit_with_a_json_report_loads_no_heavy_module(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import polars as pl
        from mlaudit import Audit, write_reports
        rng = np.random.default_rng(0)
        def frame(shift):
            n = 5_000
            return pl.DataFrame({{"x": rng.normal(shift, 1, n), "c": rng.choice(["a", "b"], n)}})
        result = Audit(frame(0.5), reference=frame(0.0), suite="drift").run()
        write_reports(result, {str(tmp_path)!r}, formats=["json"])
        assert any(c.status == "fail" for c in result.checks)  # the shift was found
        heavy = ("altair", "vl_convert", "sklearn", "sqlalchemy", "jinja2")  # scipy.stats: exact KS
        print(sorted(m for m in heavy if m in sys.modules))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split("\n")
    assert out[0] == "[]"


def test_a_drift_audit_with_model_columns_loads_no_scikit_learn() -> None:
    # Label-free estimation calibrates with SciPy's pool-adjacent-violators, not scikit-learn's.
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        import polars as pl
        from mlaudit import Audit
        rng = np.random.default_rng(0)
        def frame(shift):
            n = 4_000
            score = rng.uniform(0, 1, n)
            return pl.DataFrame({
                "x": rng.normal(shift, 1, n),
                "score": score,
                "prediction": (score > 0.5).astype(np.int64),
                "target": (rng.uniform(0, 1, n) < score).astype(np.int64),
            })
        roles = {"target": "target", "prediction": "prediction", "score": "score"}
        result = Audit(frame(0.0), reference=frame(0.0), suite="drift", schema=roles).run()
        ran = {c.id: c.status for c in result.checks}
        print(ran["performance.estimated"] not in ("skipped", "error"))
        print("sklearn" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split("\n")
    assert out[:2] == ["True", "False"], out
