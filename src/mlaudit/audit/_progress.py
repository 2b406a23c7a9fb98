"""Progress reporting for long audits: rich progress bars on a terminal, silence elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["NullProgress", "ProgressReporter", "RichProgress", "make_progress"]


class ProgressReporter(Protocol):
    """Receives progress events from the runner."""

    def start(self, key: str, description: str, total: int | None) -> None:
        """A step begins; ``total`` units (rows or checks), unknown when None."""

    def advance(self, key: str, amount: int) -> None:
        """``amount`` more units of step ``key`` are done."""

    def finish(self, key: str) -> None:
        """Step ``key`` is done."""


class NullProgress:
    """Reports nothing."""

    def start(self, key: str, description: str, total: int | None) -> None:
        """Ignore."""

    def advance(self, key: str, amount: int) -> None:
        """Ignore."""

    def finish(self, key: str) -> None:
        """Ignore."""


class RichProgress:
    """Progress bars on standard error."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def start(self, key: str, description: str, total: int | None) -> None:
        """Add a bar."""
        self._tasks[key] = self._progress.add_task(description, total=total)

    def advance(self, key: str, amount: int) -> None:
        """Move a bar."""
        self._progress.advance(self._tasks[key], amount)

    def finish(self, key: str) -> None:
        """Complete a bar (its total becomes what was done when it was unknown)."""
        task = self._tasks[key]
        done = next(t.completed for t in self._progress.tasks if t.id == task)
        self._progress.update(task, total=done or 1, completed=done or 1)


@contextmanager
def make_progress(enabled: bool) -> Iterator[ProgressReporter]:
    """Rich bars when ``enabled`` and standard error is a terminal; otherwise nothing."""
    if not enabled or not sys.stderr.isatty():
        yield NullProgress()
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        yield RichProgress(progress)
