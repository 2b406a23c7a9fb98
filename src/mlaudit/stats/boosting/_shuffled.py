"""Decision values with columns shuffled, re-walking only what the shuffle can change.

For permutation importance: a shuffled column changes a tree's output for a row only if the
row's path in that tree passes a node splitting on that column, and the path above the first
such node is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from mlaudit.stats.boosting._binning import CodeArray
from mlaudit.stats.boosting._trees import Forest, accumulate, descend

__all__ = ["ShuffledDecisions"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class _Affected(NamedTuple):
    """What :class:`ShuffledDecisions` re-walks for one group of columns, level by level.

    ``pairs`` (tree * rows + row) ordered by the first level whose node tests the group,
    their ``rows``, the node there (``start``, in the flat tables of all trees' internal
    nodes), and per level how many pairs walk by then.
    """

    pairs: IntArray
    rows: IntArray
    start: IntArray
    ready: list[int]


class _Walk(NamedTuple):
    """Every (tree, row) pair's path: per level, the node visited and the feature it tests.

    Pair ``p = tree * rows + row``; ``tested`` holds the node's feature plus one (0 for
    padding nodes, which test no feature); ``leaf_values`` the tree's value for the row.
    """

    path: npt.NDArray[np.int32]
    tested: npt.NDArray[np.int16] | npt.NDArray[np.int32]
    leaf_values: FloatArray

    @classmethod
    def of(cls, codes: CodeArray, forest: Forest) -> _Walk:
        """Walk every tree of ``forest`` for the rows ``codes``."""
        depth = forest.depth
        n_trees = forest.feature.shape[0]
        m = codes.shape[1]
        flat = np.ascontiguousarray(codes).ravel()
        path = np.empty((depth, n_trees, m), dtype=np.int32)
        small = codes.shape[0] < np.iinfo(np.int16).max
        tested = np.empty((depth, n_trees, m), dtype=np.int16 if small else np.int32)
        leaf_values = np.empty((n_trees, m), dtype=np.float64)
        for t in range(n_trees):
            leaf = descend(flat, m, forest.feature[t], forest.threshold[t], depth, path[:, t])
            tested[:, t] = (forest.path_feature[t] + 1)[path[:, t]]
            leaf_values[t] = forest.value[t][leaf]
        return cls(path.reshape(depth, -1), tested.reshape(depth, -1), leaf_values)


class ShuffledDecisions:
    """Decision values of fixed rows when some columns' values are shuffled across the rows.

    A shuffled column changes a tree's output for a row only if the row's path in that tree
    passes a node splitting on that column; the path above the first such node is unchanged.
    So each call re-walks only those (tree, row) pairs, from that node down, and adds the trees
    up in the same order as :meth:`GradientBoostedTrees.decision_function`: the result equals
    ``decision_function`` of the shuffled rows bit for bit, at a fraction of the cost.

    Parameters
    ----------
    codes
        Feature-major bin codes of the rows.
    forest
        The fitted trees.
    intercept
        The model's starting log-odds.

    Attributes
    ----------
    baseline
        Decision values of the unshuffled rows.
    """

    def __init__(self, codes: CodeArray, forest: Forest, intercept: float) -> None:
        self._codes = codes
        self._forest = forest
        self._intercept = intercept
        walk = _Walk.of(codes, forest)
        self._path, self._tested = walk.path, walk.tested
        self._leaf_values = walk.leaf_values.ravel()
        self.baseline = accumulate(intercept, walk.leaf_values)
        self._cache: dict[tuple[int, ...], _Affected] = {}
        self._where, self._thr, self._left = _node_tables(forest, codes.shape[1])

    def _affected(self, columns: tuple[int, ...]) -> _Affected:
        """The pairs whose path tests one of ``columns``, by the first level that does."""
        if columns not in self._cache:
            depth, n_pairs = self._path.shape
            n_internal = self._forest.feature.shape[1]
            m = self._codes.shape[1]
            wanted = np.asarray(columns, dtype=self._tested.dtype) + 1
            seen = np.zeros(n_pairs, dtype=np.bool_)
            by_level: list[IntArray] = []
            for d in range(depth):
                row = self._tested[d]
                hit = row == wanted[0] if wanted.size == 1 else np.isin(row, wanted)
                by_level.append(np.flatnonzero(hit & ~seen))
                seen |= hit
            pairs = np.concatenate(by_level)
            level = np.repeat(np.arange(depth), [p.size for p in by_level])
            tree = pairs // m
            start = self._path.ravel()[level * n_pairs + pairs]
            self._cache[columns] = _Affected(
                pairs=pairs,
                rows=pairs - tree * m,
                start=tree * n_internal + start,
                ready=np.cumsum([p.size for p in by_level]).tolist(),
            )
        return self._cache[columns]

    def __call__(self, columns: Sequence[int], permutation: npt.ArrayLike) -> FloatArray:
        """Decision values when ``x[:, columns]`` is replaced by ``x[permutation][:, columns]``.

        Parameters
        ----------
        columns
            Column positions shuffled together.
        permutation
            A permutation of the row positions ``0..n-1``.

        Returns
        -------
        numpy.ndarray
            One decision value per row.
        """
        cols = sorted({int(c) for c in columns})
        perm = np.asarray(permutation, dtype=np.int64)
        m = self._codes.shape[1]
        shuffled = self._codes.copy()
        shuffled[cols] = self._codes[cols][:, perm]
        flat_codes = shuffled.ravel()
        hit = self._affected(tuple(cols))
        node = hit.start.copy()
        for k in hit.ready:  # level d: the pairs whose first shuffled test is at level <= d
            at = node[:k]  # every one of them is on level d now
            right = flat_codes[self._where[at] + hit.rows[:k]] > self._thr[at]
            node[:k] = self._left[at] + right
        # swap the re-walked pairs' leaf values in, add the trees up, swap them back
        kept = self._leaf_values[hit.pairs]
        self._leaf_values[hit.pairs] = self._forest.value.ravel()[node]
        raw = accumulate(self._intercept, self._leaf_values.reshape(-1, m))
        self._leaf_values[hit.pairs] = kept
        return raw


def _node_tables(forest: Forest, m: int) -> tuple[IntArray, IntArray, IntArray]:
    """Flat tables over all trees' internal nodes (tree * n_internal + node).

    Where the node's feature starts in the flat codes of ``m`` rows, its threshold, and its
    left child, which on the last level is the left leaf's position in the flat leaf values.
    """
    n_trees, n_internal = forest.feature.shape
    local = np.arange(n_internal, dtype=np.int64)
    tree = np.arange(n_trees, dtype=np.int64)[:, None]
    n_leaves = forest.value.shape[1]
    left = 2 * local + 1
    bottom = left >= n_internal
    where = (forest.feature * m).ravel()
    threshold = forest.threshold.ravel()
    left_child = np.where(bottom, tree * n_leaves + left - n_internal, tree * n_internal + left)
    return where, threshold, left_child.ravel()
