"""The warning hook of an audit (mlaudit._warnings): scoped by context, thread-safe, repeatable,
and transparent outside an audit."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from mlaudit._threads import carry_context, worker_pool
from mlaudit._warnings import capture_warnings
from mlaudit.errors import MLAuditWarning


def _overflow() -> float:
    with np.errstate(over="warn"):
        return float(np.float64(1e308) * 10)


def test_a_check_scope_counts_warnings_from_worker_threads() -> None:
    with capture_warnings(), capture_warnings(check=True) as scope:
        list(worker_pool().map(carry_context(lambda _: _overflow()), range(4)))
    assert sum(scope.counts.values()) >= 1
    (caught,) = scope.counts
    assert caught.category == "RuntimeWarning"
    assert "overflow encountered" in caught.message
    assert "RuntimeWarning" in scope.note() and "overflow" in scope.note()


def test_the_same_warning_is_recorded_again_in_the_next_audit() -> None:
    seen = []
    for _ in range(2):
        with capture_warnings(), capture_warnings(check=True) as scope:
            _overflow()
        seen.append(dict(scope.counts))
    assert seen[0] == seen[1] and seen[0]


def test_concurrent_audits_keep_their_own_warnings() -> None:
    def audit(i: int) -> int:
        with capture_warnings(), capture_warnings(check=True) as scope:
            if i % 2 == 0:
                warnings.warn(f"thread {i}", RuntimeWarning, stacklevel=1)
        return sum(1 for w in scope.counts if w.message == f"thread {i}")

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(audit, range(8)))
    assert counts == [1, 0, 1, 0, 1, 0, 1, 0]


def test_outside_an_audit_warnings_reach_the_usual_handler() -> None:
    with capture_warnings():
        pass  # installs the hook
    with pytest.warns(RuntimeWarning, match="outside"):
        warnings.warn("outside", RuntimeWarning, stacklevel=1)


def test_mlaudit_warnings_outside_a_check_are_still_shown() -> None:
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with capture_warnings():
            warnings.warn("renamed columns", MLAuditWarning, stacklevel=1)
            warnings.warn("overflow elsewhere", RuntimeWarning, stacklevel=1)
    assert [str(w.message) for w in shown] == ["renamed columns"]
