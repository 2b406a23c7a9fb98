"""Stored profiles of earlier periods, for ``quality.metric_history``.

A history is a list of saved profiles (``mlaudit profile DATA --out p.profile``), given as
files, folders (every ``*.profile`` file in them, by name) or profiles already in memory, in
the order of the periods: a folder's files sorted by name, so names that start with the period
(``2025-01.profile``) sort in time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlaudit.errors import ConfigError
from mlaudit.summary import Baseline, DatasetProfile, load_baseline

__all__ = ["load_history"]


def load_history(items: Sequence[Any]) -> list[tuple[str, DatasetProfile]]:
    """The profiles of ``items`` with a label each (the file's name without its suffix)."""
    out: list[tuple[str, DatasetProfile]] = []
    for k, item in enumerate(items):
        if isinstance(item, DatasetProfile):
            out.append((f"period {k + 1}", item))
        elif isinstance(item, Baseline):
            out.append((Path(item.source).stem or f"period {k + 1}", item.profile))
        elif isinstance(item, str | Path):
            out += [(p.stem, load_baseline(p).profile) for p in _files(Path(item))]
        else:
            raise ConfigError(
                f"a history entry is a {type(item).__name__}, not a saved profile",
                fix="give paths of saved profiles (mlaudit profile DATA --out p.profile) or a "
                "folder of them",
            )
    return out


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".profile" and p.is_file())
        if not files:
            raise ConfigError(
                f"the history folder {str(path)!r} holds no *.profile file",
                fix="save one profile per period: mlaudit profile DATA --out DIR/2025-01.profile",
            )
        return files
    return [path]
