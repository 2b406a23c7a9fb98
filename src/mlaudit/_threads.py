"""The process's worker threads: one limit, one pool created on first use, safe after ``fork``.

The scan summarises a batch's columns on this pool (their heavy parts, numpy sorts and polars
queries, release the GIL).  The pool is sized by :func:`thread_limit` (``MLAUDIT_THREADS``,
default the CPU count between 2 and 8) and created only when first needed, so importing
mlaudit starts no thread.  A forked child (Spark executors, the service's workers) inherits the
parent's pool object but none of its threads, so the child drops it and makes its own.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import ParamSpec, TypeVar

from mlaudit.config import Settings

__all__ = ["carry_context", "thread_limit", "worker_pool"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def thread_limit() -> int:
    """Worker threads to use: ``MLAUDIT_THREADS`` if set, else the CPU count within [2, 8]."""
    return _limit(os.environ.get("MLAUDIT_THREADS"))


@lru_cache(maxsize=4)
def _limit(raw: str | None) -> int:
    # Keyed by the variable's text: validated (with the settings' message) once per value.
    configured = Settings().threads if raw is not None else None
    if configured is not None:
        return configured
    return max(2, min(8, os.cpu_count() or 2))


def worker_pool() -> ThreadPoolExecutor:
    """The shared pool, created on first use (and again when the thread limit changed)."""
    global _pool, _pool_size
    size = thread_limit()
    with _lock:
        if _pool is None or _pool_size != size:
            old, _pool, _pool_size = _pool, ThreadPoolExecutor(size, "mlaudit-worker"), size
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def carry_context(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``fn`` run in a copy of the caller's context, whichever thread runs it.

    A pool's threads do not inherit the submitting thread's context variables; wrapping a task
    with this keeps them (the audit's warning scope, :mod:`mlaudit._warnings`).  Each call runs
    in its own copy, so one wrapped function may run on several threads at once.
    """
    context = contextvars.copy_context()

    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return context.copy().run(fn, *args, **kwargs)

    return run


def _after_fork_in_child() -> None:
    # The parent's pool threads do not exist in the child: work queued on that pool would wait
    # forever.  The lock may have been held by another thread at the fork: make a new one.
    global _lock, _pool, _pool_size
    _lock, _pool, _pool_size = threading.Lock(), None, 0


os.register_at_fork(after_in_child=_after_fork_in_child)
