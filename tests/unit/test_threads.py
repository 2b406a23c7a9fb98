"""The worker pool: created on use, sized by MLAUDIT_THREADS, usable again after fork."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from mlaudit import _threads


def test_sized_by_the_thread_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLAUDIT_THREADS", "3")
    assert _threads.thread_limit() == 3
    assert _threads.worker_pool()._max_workers == 3
    monkeypatch.setenv("MLAUDIT_THREADS", "1")
    assert _threads.worker_pool()._max_workers == 1
    monkeypatch.delenv("MLAUDIT_THREADS")
    assert _threads.thread_limit() == max(2, min(8, os.cpu_count() or 2))


def test_no_thread_at_import_and_a_forked_child_gets_its_own_pool() -> None:
    code = textwrap.dedent(
        """
        import os, threading, time
        import mlaudit
        from mlaudit import _threads
        print(sorted(t.name.split("_")[0] for t in threading.enumerate()))
        list(_threads.worker_pool().map(time.sleep, [0.05] * 8))  # every worker started
        parent = list(_threads.worker_pool().map(abs, [-1, -2, -3]))
        pid = os.fork()
        if pid == 0:  # the parent's pool threads do not exist here
            child = list(_threads.worker_pool().map(abs, [-1, -2, -3]))
            os._exit(0 if child == parent == [1, 2, 3] else 1)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    ).stdout.split("\n")
    assert out[0] == "['MainThread']"
    assert out[1] == "0"
