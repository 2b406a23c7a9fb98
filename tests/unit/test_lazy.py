"""The lazy-import helper: nothing imported until used; a clear error for a missing extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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
