"""Trees as complete binary trees, and the decision values they give.

A tree of depth ``d`` is stored in heap order (children ``2i+1`` and ``2i+2``): per internal
node (``2**d - 1``) the feature and bin threshold it tests (go right when ``code >
threshold``), and the values of the ``2**d`` bottom-level leaves, learning rate included.  A
leaf above the bottom level is padded by nodes that always go left (threshold 255, no
feature).  Prediction walks one tree at a time for all rows, one level per step, and adds the
trees up in a fixed order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from mlaudit.stats.boosting._binning import CodeArray

__all__ = ["Forest", "Tree", "accumulate", "descend"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Tree(NamedTuple):
    """One tree (see the module docstring).

    Attributes
    ----------
    feature, threshold
        Per internal node: the feature it tests and the highest bin that goes left.
    path_feature
        Per internal node: its feature, or -1 for a padding node (which tests no feature).
    value
        Values of the bottom-level leaves.
    """

    feature: IntArray
    threshold: IntArray
    path_feature: IntArray
    value: FloatArray


class Forest(NamedTuple):
    """Trees of one depth stacked: per-node arrays (trees, nodes), leaf values (trees, leaves).

    Attributes
    ----------
    depth
        Depth of every tree.
    feature, threshold, path_feature, value
        :class:`Tree`'s arrays, one row per tree.
    """

    depth: int
    feature: IntArray
    threshold: IntArray
    path_feature: IntArray
    value: FloatArray

    @classmethod
    def stack(cls, depth: int, trees: Sequence[Tree]) -> Forest:
        """The forest of ``trees`` (at least one), all of depth ``depth``."""
        return cls(
            depth,
            np.stack([t.feature for t in trees]),
            np.stack([t.threshold for t in trees]),
            np.stack([t.path_feature for t in trees]),
            np.stack([t.value for t in trees]),
        )

    def decision_values(self, codes: CodeArray, baseline: float | FloatArray) -> FloatArray:
        """``baseline`` plus every tree's leaf value for the rows ``codes``, tree by tree.

        Parameters
        ----------
        codes
            Feature-major bin codes, shape (features, rows).
        baseline
            The starting log-odds: one number, or one per row.

        Returns
        -------
        numpy.ndarray
            One decision value per row.
        """
        m = codes.shape[1]
        flat = np.ascontiguousarray(codes).ravel()
        raw = np.array(np.broadcast_to(baseline, (m,)), dtype=np.float64)
        for t in range(self.feature.shape[0]):
            raw += self.value[t][descend(flat, m, self.feature[t], self.threshold[t], self.depth)]
        return raw


def descend(
    flat_codes: CodeArray,
    m: int,
    feature: IntArray,
    threshold: IntArray,
    depth: int,
    path: npt.NDArray[np.int32] | None = None,
) -> IntArray:
    """Bottom-level leaf position of each of ``m`` rows in one tree.

    Parameters
    ----------
    flat_codes
        The feature-major codes raveled (feature ``f`` of row ``i`` at ``f*m + i``).
    m
        Number of rows.
    feature, threshold
        The tree's per-node arrays.
    depth
        The tree's depth.
    path
        When given, ``path[d]`` receives the node each row visits at level ``d``.

    Returns
    -------
    numpy.ndarray
        Each row's leaf, 0 to ``2**depth - 1``.
    """
    cols = np.arange(m, dtype=np.int64)
    where = feature * m  # start of each node's feature in the flat codes
    node = np.zeros(m, dtype=np.int64)
    for d in range(depth):
        if path is not None:
            path[d] = node
        node = 2 * node + 1 + (flat_codes[where[node] + cols] > threshold[node])
    leaf: IntArray = node - (2**depth - 1)
    return leaf


def accumulate(baseline: float, leaf_values: FloatArray) -> FloatArray:
    """``baseline`` plus the rows of ``leaf_values`` (trees, rows), tree by tree.

    Parameters
    ----------
    baseline
        The starting log-odds.
    leaf_values
        Each tree's value for each row.

    Returns
    -------
    numpy.ndarray
        The sums in :meth:`Forest.decision_values`' order, so the same numbers.
    """
    raw = np.full(leaf_values.shape[1], baseline)
    for row in leaf_values:
        raw += row
    return raw
