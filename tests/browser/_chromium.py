"""What the browser tests share: Debian's Chromium, its flags, and the report fixtures.

A missing Chromium fails the tests (``make browser-deps`` installs it); it never skips them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium() -> str:
    """The Chromium executable's path; fails the test when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed at /usr/bin/chromium: make browser-deps")
    return str(CHROMIUM)


def report_fixtures() -> Any:
    """The module tests/unit/report/conftest.py (its result builders), loaded by path."""
    path = Path(__file__).parents[1] / "unit" / "report" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_report_fixtures", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_report_fixtures", module)
    spec.loader.exec_module(module)
    return module
