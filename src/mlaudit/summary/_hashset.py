"""Sets of 64-bit row (or key) hashes: exact duplicate counts, approximate beyond a cap.

Duplicate rows are counted as ``rows - distinct row hashes``.  While at most ``cap`` hashes are
held the count is exact (up to 64-bit hash collisions: about ``n**2 / 2**65``, 1e-5 for 20M rows);
beyond it the hashes go into a :class:`~mlaudit.summary._hll.HLL` and the count becomes an estimate.
"""

from __future__ import annotations

import numpy as np

from mlaudit.summary._hll import HLL

__all__ = ["EXACT_HASH_CAP", "HashSet", "sorted_unique", "unique_of_sorted"]

EXACT_HASH_CAP = 20_000_000


class HashSet:
    """Distinct 64-bit hashes seen so far, and how many were added in total.

    Parameters
    ----------
    cap
        Most hashes held exactly; above it the set turns into an HLL.
    """

    def __init__(self, cap: int = EXACT_HASH_CAP) -> None:
        self.cap = cap
        self.n = 0
        self.unique: np.ndarray = np.empty(0, dtype=np.uint64)
        self.pending: list[np.ndarray] = []
        self._pending_size = 0
        self.hll: HLL | None = None

    @property
    def exact(self) -> bool:
        """True while the hashes are held exactly."""
        return self.hll is None

    def add(self, hashes: np.ndarray) -> None:
        """Add ``hashes`` (``uint64``)."""
        self.n += int(hashes.size)
        if self.hll is not None:
            self.hll.update_hashes(hashes)
            return
        self.pending.append(hashes.astype(np.uint64, copy=False))
        self._pending_size += int(hashes.size)
        if self._pending_size > max(self.unique.size, 1 << 20):
            self.compact()

    def compact(self) -> None:
        """Fold pending hashes into the sorted unique array; switch to HLL above the cap."""
        if self.hll is not None or not self.pending:
            return
        self.unique = sorted_unique(np.concatenate([self.unique, *self.pending]))
        self.pending, self._pending_size = [], 0
        if self.unique.size > self.cap:
            self.to_hll()

    def to_hll(self) -> None:
        """Give up exactness: keep an HLL of the hashes instead."""
        if self.hll is not None:
            return
        hll = HLL()
        hll.update_hashes(self.unique)
        for p in self.pending:
            hll.update_hashes(p)
        self.hll = hll
        self.unique = np.empty(0, dtype=np.uint64)
        self.pending, self._pending_size = [], 0

    def distinct(self) -> float:
        """Number of distinct hashes (exact or HLL estimate, never above ``n``)."""
        if self.hll is not None:
            return min(float(self.n), self.hll.estimate())
        self.compact()
        return float(self.unique.size) if self.hll is None else self.distinct()

    def duplicates(self) -> float:
        """Hashes equal to an earlier one: ``n - distinct``."""
        return float(self.n) - self.distinct()

    def merge(self, other: HashSet) -> HashSet:
        """A new set holding both (the inputs are not changed)."""
        out = HashSet(min(self.cap, other.cap))
        out.n = self.n + other.n
        if self.hll is None and other.hll is None:
            big, small = (self, other) if self.unique.size >= other.unique.size else (other, self)
            out.unique = big.unique
            out.pending = [*big.pending, small.unique, *small.pending]
            out._pending_size = sum(int(p.size) for p in out.pending)
            if out._pending_size > max(out.unique.size, 1 << 20):
                out.compact()
            return out
        out.hll = _as_hll(self).merge(_as_hll(other))
        return out


def _as_hll(s: HashSet) -> HLL:
    if s.hll is not None:
        return s.hll
    hll = HLL()
    hll.update_hashes(s.unique)
    for p in s.pending:
        hll.update_hashes(p)
    return hll


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of ``a``.

    Sort-based: numpy's hash-based ``unique`` measured several times slower on uint64 hashes.
    """
    if a.size == 0:
        return a
    return unique_of_sorted(np.sort(a))


def unique_of_sorted(s: np.ndarray) -> np.ndarray:
    """The distinct values of sorted ``s`` (a new array)."""
    if s.size == 0:
        return s.copy()
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]
