"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile

from _pytest.terminal import TerminalReporter

# Rich sizes its consoles when mlaudit.cli is first imported; a wide console keeps table cells
# and messages on one line so tests can search the printed text.
os.environ["COLUMNS"] = "250"

# Masks of personal values are keyed by a secret key (mlaudit._maskkey): tests use a fixed one,
# so reports are reproducible across runs and machines, and never create ~/.mlaudit.
os.environ["MLAUDIT_MASK_KEY"] = "6d6c61756469742d746573742d6d61736b2d6b65792d30303030303030303031"
os.environ.setdefault("MLAUDIT_HOME", os.path.join(tempfile.gettempdir(), "mlaudit-test-home"))


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """How many cases the fuzz tier ran (tests/fuzz), summed over the workers of ``pytest -n``.

    Here rather than in tests/fuzz/conftest.py: under ``pytest -n`` the controller collects
    nothing, so only this conftest's hooks run there.
    """
    runs = [
        value
        for key in ("passed", "failed")
        for report in terminalreporter.stats.get(key, [])
        if getattr(report, "when", "") == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz_cases"
    ]
    if runs:
        total, errors = sum(r[0] for r in runs), sum(r[1] for r in runs)
        profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
        terminalreporter.write_line(
            f"fuzz: {total} cases in {len(runs)} tests (profile {profile}); {errors} ended in "
            "a clear error (exit 2/3), the others in a report or a loaded configuration"
        )
