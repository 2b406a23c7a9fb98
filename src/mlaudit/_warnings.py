"""Warnings raised while an audit runs: recorded for the report or the debug log, never printed.

numpy, scipy and scikit-learn warn on stderr when a computation overflows, divides by zero,
does not converge or falls back to another method (scipy's exact p-value switching to the
asymptotic one).  An audit's console output and its report must say such things in one place,
so while an audit runs these warnings are taken from the console:

- raised while a check computes: recorded on the check's scope and attached to its results as
  a note naming the library, the warning and how often it was raised (it may bear on the
  figures: an overflow can make a mean or a standard deviation infinite);
- raised elsewhere in the audit (reading, profiling): written to the ``mlaudit`` debug log
  (``--debug``); mlaudit's own warnings (:class:`~mlaudit.errors.MLAuditWarning`, addressed
  to the user) keep going to the console as before.

``warnings.catch_warnings`` swaps process-wide state and is not thread-safe in Python 3.11: an
audit in one thread would hide or restore another thread's handler.  Instead one hook is
installed once, for the whole process, in front of :func:`warnings.showwarning`; it asks a
:class:`contextvars.ContextVar` which scope (if any) the running code belongs to, and passes
warnings outside any scope to the handler that was there before.  Worker threads see the scope
because the pools run their tasks in a copy of the submitting context
(:func:`mlaudit._threads.carry_context`).  Python prints a warning from a given line once; at
the start of each audit the once-registries are invalidated so a second run in the same
process records the same warnings as the first (the same data gives the same report).
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TextIO

from mlaudit.errors import MLAuditWarning

__all__ = ["CaughtWarning", "WarningScope", "capture_warnings"]

log = logging.getLogger("mlaudit")

_LIBRARIES = ("numpy", "scipy", "sklearn", "pandas", "polars", "pyarrow", "statsmodels")


@dataclass(frozen=True)
class CaughtWarning:
    """One kind of warning seen in a scope: who raised it, its class and its text."""

    library: str
    category: str
    message: str


@dataclass
class WarningScope:
    """The warnings seen in one scope, in the order first seen, with how often each came."""

    check: bool
    """A check's scope (warnings recorded for a note) rather than the audit's (debug log)."""
    counts: dict[CaughtWarning, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, caught: CaughtWarning) -> None:
        """Count ``caught`` (worker threads of one scope may add at the same time)."""
        with self._lock:
            self.counts[caught] = self.counts.get(caught, 0) + 1

    def note(self) -> str:
        """A sentence for the report naming each warning, or ``""`` when none was seen."""
        with self._lock:
            items = list(self.counts.items())
        if not items:
            return ""
        parts = [
            f"{w.library} warned {_times(n)}: {w.message} ({w.category})" for w, n in items[:5]
        ]
        if len(items) > 5:
            parts.append(f"and {len(items) - 5} other warning(s)")
        return (
            "While this check computed its figures, "
            + "; ".join(parts)
            + ". A figure computed from such values may be infinite, undefined or rounded;"
            " read the figures above with that in mind."
        )


_scope: ContextVar[WarningScope | None] = ContextVar("mlaudit_warning_scope", default=None)
_install_lock = threading.Lock()
_previous: Any = None


@contextmanager
def capture_warnings(*, check: bool = False) -> Iterator[WarningScope]:
    """Take the warnings raised in this context (and its worker tasks) off the console.

    Parameters
    ----------
    check
        ``True`` for a check's scope: warnings are kept for a note on its results; ``False``
        for an audit's scope: they go to the debug log, and Python's once-per-line memory is
        reset so the same run repeated records the same warnings.
    """
    _install()
    if not check:
        _forget_shown()
    scope = WarningScope(check=check)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def _install() -> None:
    """Put the hook in front of :func:`warnings.showwarning`, once per process."""
    global _previous
    with _install_lock:
        if warnings.showwarning is not _show:
            _previous = warnings.showwarning
            warnings.showwarning = _show


def _forget_shown() -> None:
    # Changing the filters invalidates every module's once-registry; this is how
    # ``warnings.filterwarnings`` itself does it (private in 3.11, present since 3.4).
    mutated = getattr(warnings, "_filters_mutated", None)
    if callable(mutated):
        mutated()


def _show(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    scope = _scope.get()
    ours = issubclass(category, MLAuditWarning)
    if scope is None or (ours and not scope.check):
        _previous(message, category, filename, lineno, file, line)
        return
    library = "mlaudit" if ours else _library(filename)
    caught = CaughtWarning(library, category.__name__, str(message).strip())
    log.debug("%s %s (%s:%s): %s", caught.library, caught.category, filename, lineno, message)
    if scope.check:
        scope.add(caught)


def _library(filename: str) -> str:
    """The library a warning's file belongs to (numpy, scipy, ...).

    numpy's floating-point warnings are raised from C and carry the file of the caller, often
    mlaudit's own statistics: those are named "a numerical routine".
    """
    parts = filename.replace("\\", "/").split("/")
    for name in reversed(parts[:-1]):
        if name in _LIBRARIES:
            return "scikit-learn" if name == "sklearn" else name
    return "a numerical routine"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"
