"""The fuzz tier: property-based tests (Hypothesis) over readers, loaders and renderers.

Profiles (choose with ``HYPOTHESIS_PROFILE``):

- ``ci`` (default): derandomized (the same cases on every run and machine, so a failure in CI
  reproduces locally), few enough cases for the whole tier to stay within two minutes on two
  cores in ``make test``;
- ``long``: random, ten times the cases, for a deeper local run before a release:
  ``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest -m fuzz tests/fuzz``.

Each test records how many cases it ran (``user_properties``, which ``pytest -n`` carries to
the controller); ``tests/conftest.py`` prints the total at the end of the session
("fuzz: N cases in M tests").
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("long", max_examples=1000, **_COMMON)  # type: ignore[arg-type]
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
SCALE = 10 if PROFILE == "long" else 1
"""Each test's ``max_examples`` is multiplied by this (the ``long`` profile runs ten times more)."""


def examples(n: int) -> int:
    """``n`` cases under the ``ci`` profile, ``10 n`` under ``long``."""
    return n * SCALE


class Counter:
    """How many cases a test ran, and how many ended in a clear error instead of a report."""

    def __init__(self) -> None:
        self.n = 0
        self.errors = 0

    def __call__(self) -> None:
        self.n += 1


@pytest.fixture
def cases() -> Counter:
    return Counter()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    counter = getattr(item, "funcargs", {}).get("cases")
    if call.when == "call" and isinstance(counter, Counter):
        report = outcome.get_result()
        report.user_properties.append(("fuzz_cases", (counter.n, counter.errors)))
