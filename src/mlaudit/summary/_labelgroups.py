"""The feature groups of the conflicting-labels count, as sorted numpy arrays.

A :class:`Groups` table holds, per distinct feature hash ``f`` (sorted, unique): the smallest
label hash seen with it (``label``), its rows (``rows``) and whether another label was seen
(``other``): 25 bytes a group.  A group conflicts when ``other`` is set.  A batch's rows are
folded into a table by one sort (:func:`from_rows`); the batches' tables are merged by timsort,
which merges sorted runs in linear time (:func:`combine`), and then into the table held by
binary search and insertion (:func:`merge_into`): the table held is copied, never sorted
again, and no hash table is built (a polars ``group_by`` of the rows held about three times
their size at its peak).  The smallest label is kept rather than the first, so a table does not
depend on the order the rows came in: the table of two parts merged equals that of the whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Groups", "combine", "empty", "from_rows", "merge_into"]

U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class Groups:
    """Feature groups sorted by feature hash (see the module notes)."""

    f: U64
    label: U64
    rows: npt.NDArray[np.int64]
    other: npt.NDArray[np.bool_]

    @property
    def size(self) -> int:
        """Number of groups."""
        return int(self.f.size)

    def copy(self) -> Groups:
        """The groups in arrays of their own."""
        return Groups(self.f.copy(), self.label.copy(), self.rows.copy(), self.other.copy())

    def below(self, level: int) -> Groups:
        """The groups kept at sampling ``level``: feature hashes below ``2**(64 - level)``
        (views, no copy)."""
        if not level:
            return self
        stop = int(np.searchsorted(self.f, np.uint64(1 << (64 - level))))
        return Groups(self.f[:stop], self.label[:stop], self.rows[:stop], self.other[:stop])


def empty() -> Groups:
    """A table without groups."""
    z = np.zeros(0, dtype=np.uint64)
    return Groups(z, z, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))


def from_rows(f: U64, label: U64) -> Groups:
    """The groups of rows with feature hashes ``f`` and label hashes ``label``."""
    order = np.argsort(f)
    n = f.size
    return _fold_sorted(f[order], label[order], np.ones(n, np.int64), np.zeros(n, bool))


def combine(tables: list[Groups]) -> Groups:
    """The groups of ``tables`` in one table (sorted runs, merged by timsort)."""
    tables = [t for t in tables if t.size]
    if not tables:
        return empty()
    if len(tables) == 1:
        return tables[0]
    f = np.concatenate([t.f for t in tables])
    order = np.argsort(f, kind="stable")  # timsort: merges the sorted runs in linear time
    f = f[order]
    label = np.concatenate([t.label for t in tables])[order]
    rows = np.concatenate([t.rows for t in tables])[order]
    other = np.concatenate([t.other for t in tables])[order]
    return _fold_sorted(f, label, rows, other)


def merge_into(held: Groups, new: Groups) -> Groups:
    """``held`` with the groups of ``new`` added, in new arrays (``held`` is not changed).

    The feature hashes ``held`` lacks are inserted at their places (a copy, not a sort); the
    groups both have are then updated in the copy.
    """
    pos = np.searchsorted(held.f, new.f)
    known = pos < held.size
    known[known] = held.f[pos[known]] == new.f[known]
    add = ~known
    at = pos[add]
    out = Groups(
        np.insert(held.f, at, new.f[add]),
        np.insert(held.label, at, new.label[add]),
        np.insert(held.rows, at, new.rows[add]),
        np.insert(held.other, at, new.other[add]),
    )
    if known.any():
        i = np.searchsorted(out.f, new.f[known])
        label = new.label[known]
        out.other[i] |= new.other[known] | (out.label[i] != label)
        out.label[i] = np.minimum(out.label[i], label)
        out.rows[i] += new.rows[known]
    return out


def _fold_sorted(
    f: U64, label: U64, rows: npt.NDArray[np.int64], other: npt.NDArray[np.bool_]
) -> Groups:
    """Entries sorted by ``f`` folded into one group per ``f``."""
    if not f.size:
        return empty()
    start = np.empty(f.size, dtype=bool)
    start[0] = True
    np.not_equal(f[1:], f[:-1], out=start[1:])
    idx = np.flatnonzero(start)
    smallest = np.minimum.reduceat(label, idx)
    sizes = np.diff(np.append(idx, f.size))
    differs = other | (label != np.repeat(smallest, sizes))
    return Groups(
        f[idx], smallest, np.add.reduceat(rows, idx), np.logical_or.reduceat(differs, idx)
    )
