"""The table of check modules agrees with the checks the modules register."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import mlaudit.checks
from mlaudit.checks._base import _REGISTRY, check_class, list_checks
from mlaudit.checks._index import CHECK_MODULES


def test_every_check_module_is_in_the_table() -> None:
    for info in pkgutil.walk_packages(mlaudit.checks.__path__, "mlaudit.checks."):
        importlib.import_module(info.name)
    assert set(_REGISTRY) == set(CHECK_MODULES)
    for check_id, cls in _REGISTRY.items():
        assert cls.__module__ == CHECK_MODULES[check_id], check_id
    assert [c.id for c in list_checks()] == sorted(CHECK_MODULES)


def test_a_check_imports_only_its_own_module() -> None:
    code = (
        "import sys\n"
        "from mlaudit.checks._base import check_class\n"
        "check_class('drift.univariate')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('mlaudit.checks.'))\n"
        "print(' '.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "mlaudit.checks.drift.univariate" in out
    assert not [m for m in out if m.startswith("mlaudit.checks.quality.")]
    assert "mlaudit.checks.drift.multivariate" not in out
    assert check_class("quality.rules").id == "quality.rules"


def test_the_drift_suite_asks_for_no_distinct_counts_nor_row_hashes() -> None:
    from mlaudit.audit._plan import build_checks

    drift = build_checks("drift", {})
    assert drift and all(not c.reads for c in drift)  # the scan skips both for `mlaudit drift`
    quality = {c.id: c.reads for c in build_checks("data_quality", {})}
    assert "duplicates" in quality["quality.duplicate_rows"]
    assert "distinct" in quality["quality.cardinality"]
