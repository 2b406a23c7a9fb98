"""Growing one tree on gradients and hessians, level by level, from binned histograms.

A node's split is the (feature, bin threshold) of largest gain ``G_L²/(H_L+λ) + G_R²/(H_R+λ) −
G²/(H+λ)`` among those leaving ``min_samples_leaf`` rows and a hessian sum of at least ``1e-3``
on both sides; the node stays a leaf when the best gain is at most ``min_gain``.  The gains come
from per-(node, feature, bin) sums of ``g``, ``h`` and row counts, built for all nodes of a
level at once by ``np.bincount`` over feature-major codes offset by node and feature.  Only the
smaller child of each split is summed over its rows; its sibling's histogram is the parent's
minus it, so a level reads at most half the rows, and nodes that cannot split again get none.
Where rows are many beside the cells (the root, usually the first level), features are taken two
by two: one ``bincount`` over the pair's joint code fills a bins x bins table whose row and
column sums are the two features' histograms, for half the passes over the rows.  A leaf's value
is the Newton step ``-learning_rate · G / (H + λ)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from mlaudit.stats.boosting._binning import CodeArray
from mlaudit.stats.boosting._trees import Tree

__all__ = ["TreeGrower", "TreeParams"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MIN_HESSIAN = 1e-3  # smallest hessian sum a child may have (scikit-learn's default)
_EPS = float(np.finfo(np.float64).eps)


class TreeParams(NamedTuple):
    """How every tree is grown (:class:`~mlaudit.stats.boosting.GradientBoostedTrees`' options).

    Attributes
    ----------
    max_depth
        Depth of the trees.
    learning_rate
        Factor applied to the leaf values.
    l2_regularization
        ``λ`` added to the hessian sums in the gains and leaf values.
    min_samples_leaf
        Fewest training rows a leaf may hold.
    min_gain
        A node splits only when its best gain exceeds this.
    """

    max_depth: int
    learning_rate: float
    l2_regularization: float
    min_samples_leaf: int
    min_gain: float


class _Splits(NamedTuple):
    """Each node's best split: whether it splits, its feature and bin, the children's sums.

    ``child`` has shape (nodes, 2, 3): (left, right) x (g, h, count).
    """

    split: BoolArray
    feature: IntArray
    bin: IntArray
    child: FloatArray

    def subset(self, nodes: IntArray) -> _Splits:
        """The splits of ``nodes`` only."""
        return _Splits(self.split[nodes], self.feature[nodes], self.bin[nodes], self.child[nodes])


class _Open(NamedTuple):
    """The nodes of one level that may still split, and the training rows in them.

    ``hist`` has shape (nodes, 3, features, bins) and ``tot`` (nodes, 3); ``slot`` is the
    position in ``nodes`` of each row's node.
    """

    nodes: IntArray
    hist: FloatArray
    tot: FloatArray
    rows: IntArray
    slot: IntArray


class _Layout:
    """The tree under construction: its splits, its leaves and each training row's leaf."""

    def __init__(self, depth: int, n_rows: int) -> None:
        n_internal = 2**depth - 1
        self.depth = depth
        self.feature = np.zeros(n_internal, dtype=np.int64)
        self.threshold = np.full(n_internal, 255, dtype=np.int64)  # padding nodes: always left
        self.path_feature = np.full(n_internal, -1, dtype=np.int64)
        self.node_of = np.full(n_rows, -1, dtype=np.int64)  # heap index of each row's leaf
        self.leaves: list[tuple[IntArray, FloatArray, int]] = []

    def set_splits(self, nodes: IntArray, splits: _Splits) -> None:
        """Record the splits of ``nodes`` (heap indices)."""
        self.feature[nodes] = splits.feature
        self.threshold[nodes] = splits.bin
        self.path_feature[nodes] = splits.feature

    def finish(self, params: TreeParams) -> tuple[Tree, IntArray]:
        """The tree, with leaf values padded to the bottom level, and each row's leaf.

        A leaf above the bottom level sits at its leftmost bottom descendant (the padding nodes
        below it always go left).
        """
        depth = self.depth
        n_internal = 2**depth - 1
        value = np.zeros(2**depth, dtype=np.float64)
        bottom_of = np.zeros(2 ** (depth + 1) - 1, dtype=np.int64)
        lr, l2 = params.learning_rate, params.l2_regularization
        for heap, sums, level in self.leaves:
            bottom = ((heap + 1) << (depth - level)) - 1  # leftmost: 1-based index times 2**k
            value[bottom - n_internal] = -lr * sums[:, 0] / (sums[:, 1] + l2 + _EPS)
            bottom_of[heap] = bottom
        leaf: IntArray = bottom_of[self.node_of] - n_internal
        return Tree(self.feature, self.threshold, self.path_feature, value), leaf


class TreeGrower:
    """Grows one tree per call on fixed training codes (see the module docstring).

    A level's histograms are one array of shape (nodes, 3, features, bins): sums of the
    gradients, of the hessians and row counts (as floats: exact below 2**53).

    Parameters
    ----------
    codes
        Feature-major bin codes of the training rows, shape (features, rows).
    params
        How the trees are grown.
    """

    def __init__(self, codes: CodeArray, params: TreeParams) -> None:
        self.codes = codes
        self.flat_codes = codes.ravel()  # feature f of row i at f * n + i
        n_features, n = codes.shape
        self.n_features, self.n_rows = n_features, n
        self.bins = bins = max(2, int(codes.max()) + 1)
        self.size = n_features * bins  # histogram cells per node and statistic
        self.offsets = (np.arange(n_features, dtype=np.int64) * bins)[:, None]
        # features two by two (the last with an all-zero partner when their number is odd):
        # one bincount over the joint code of a pair gives both features' histograms after
        # summing rows or columns of the bins x bins table, for half the row passes
        self.n_pairs = (n_features + 1) // 2
        padded = np.zeros((2 * self.n_pairs, n), dtype=np.intp)
        padded[:n_features] = codes
        self.pair_codes = padded[0::2] * bins + padded[1::2]  # joint code, 0..bins**2 - 1
        self.pair_cells = bins * bins
        self.root_counts = self._marginals(
            np.stack([np.bincount(c, minlength=self.pair_cells) for c in self.pair_codes])[
                None, None
            ]
        )[0, 0]
        self.params = params

    def grow(self, g: FloatArray, h: FloatArray) -> tuple[Tree, IntArray]:
        """Grow one tree on gradients ``g`` and hessians ``h``.

        Parameters
        ----------
        g, h
            Per training row.

        Returns
        -------
        tuple
            The tree and the bottom-level leaf position of every training row.
        """
        layout = _Layout(self.params.max_depth, self.n_rows)
        hist = self._root(g, h)
        state: _Open | None = _Open(
            nodes=np.zeros(1, dtype=np.int64),
            hist=hist,
            tot=hist[:, :, 0].sum(axis=2),  # (nodes, 3)
            rows=np.arange(self.n_rows, dtype=np.int64),
            slot=np.zeros(self.n_rows, dtype=np.int64),
        )
        level = 0
        while state is not None and level < layout.depth:
            state = self._split_level(state, layout, level, g, h)
            level += 1
        return layout.finish(self.params)

    def _split_level(
        self, state: _Open, layout: _Layout, level: int, g: FloatArray, h: FloatArray
    ) -> _Open | None:
        """Split the open nodes of ``level``; the open nodes of the next level, if any."""
        splits = self._best_splits(state.hist, state.tot)
        splitting = self._drop_unsplit(state, splits, layout, level)
        if splitting is None:
            return None
        state, splits = splitting
        layout.set_splits(state.nodes, splits)
        child_id = self._route(state, splits)  # 2 * (position of its node) + (0 left, 1 right)
        child_heap = (2 * state.nodes[:, None] + 1 + np.arange(2)).ravel()
        child = splits.child.reshape(-1, 3)
        can = child[:, 2] >= 2 * self.params.min_samples_leaf
        if level + 1 == layout.depth or not can.any():
            layout.node_of[state.rows] = child_heap[child_id]
            layout.leaves.append((child_heap, child, level + 1))
            return None
        if not can.all():
            layout.leaves.append((child_heap[~can], child[~can], level + 1))
        open_ids = np.flatnonzero(can)
        slot_of_child = np.full(child_heap.size, -1, dtype=np.int64)
        slot_of_child[open_ids] = np.arange(open_ids.size)
        hist = self._child_histograms(state, child, child_id, slot_of_child, g, h)
        rows, slot = state.rows, slot_of_child[child_id]
        if not can.all():
            keep = slot >= 0
            layout.node_of[rows[~keep]] = child_heap[child_id[~keep]]
            rows, slot = rows[keep], slot[keep]
        return _Open(child_heap[open_ids], hist, child[open_ids], rows, slot)

    def _drop_unsplit(
        self, state: _Open, splits: _Splits, layout: _Layout, level: int
    ) -> tuple[_Open, _Splits] | None:
        """Make leaves of the nodes that do not split; the others and their splits, if any."""
        if splits.split.all():
            return state, splits
        layout.leaves.append((state.nodes[~splits.split], state.tot[~splits.split], level))
        sp = np.flatnonzero(splits.split)
        index_of = np.full(splits.split.size, -1, dtype=np.int64)
        index_of[sp] = np.arange(sp.size)
        new_slot = index_of[state.slot]
        keep = new_slot >= 0
        layout.node_of[state.rows[~keep]] = state.nodes[state.slot[~keep]]
        if not sp.size:
            return None
        rows, slot = state.rows[keep], new_slot[keep]
        return _Open(state.nodes[sp], state.hist[sp], state.tot[sp], rows, slot), splits.subset(sp)

    def _route(self, state: _Open, splits: _Splits) -> IntArray:
        """Each open row's child: 2 * (position of its node) + (0 left, 1 right)."""
        rows = state.rows
        if state.nodes.size == 1:  # one node (always at the root): no per-row lookups
            column = self.codes[splits.feature[0]]
            go_right = (column if rows.size == self.n_rows else column[rows]) > splits.bin[0]
            root_child: IntArray = go_right.astype(np.int64)
            return root_child
        at = (splits.feature * self.n_rows)[state.slot] + rows
        go_right = self.flat_codes[at] > splits.bin[state.slot]
        child_id: IntArray = 2 * state.slot + go_right
        return child_id

    def _child_histograms(
        self,
        state: _Open,
        child: FloatArray,
        child_id: IntArray,
        slot_of_child: IntArray,
        g: FloatArray,
        h: FloatArray,
    ) -> FloatArray:
        """Histograms of the open children (``slot_of_child`` >= 0), in their slot order.

        The smaller child of each node with an open child is summed over its rows; the other
        child's histogram is the parent's minus it.
        """
        po = np.flatnonzero((slot_of_child >= 0).reshape(-1, 2).any(axis=1))
        small_id = 2 * po + (child[2 * po + 1, 2] < child[2 * po, 2])
        build_of_child = np.full(child.shape[0], -1, dtype=np.int64)
        build_of_child[small_id] = np.arange(po.size)
        build = build_of_child[child_id]
        sel = build >= 0
        small = self._histograms(state.rows[sel], build[sel], po.size, g, h)
        other = state.hist[po] - small
        hist = np.empty((int((slot_of_child >= 0).sum()), *small.shape[1:]))
        for part, ids in ((small, small_id), (other, small_id ^ 1)):
            to = slot_of_child[ids]
            hist[to[to >= 0]] = part[to >= 0]
        return hist

    def _marginals(self, joint: FloatArray | IntArray) -> FloatArray:
        """Per-feature histograms (nodes, stats, features, bins) from pair tables."""
        k, stats = joint.shape[:2]
        b = self.bins
        table = joint.reshape(k, stats, self.n_pairs, b, b)
        out = np.empty((k, stats, self.n_pairs, 2, b))
        out[:, :, :, 0] = table.sum(axis=4)  # first feature of the pair: sum over the second
        out[:, :, :, 1] = table.sum(axis=3)
        return out.reshape(k, stats, 2 * self.n_pairs, b)[:, :, : self.n_features]

    def _root(self, g: FloatArray, h: FloatArray) -> FloatArray:
        """Histograms of all rows (their counts never change, so they are kept)."""
        joint = np.empty((1, 2, self.n_pairs, self.pair_cells))
        for p, column in enumerate(self.pair_codes):
            joint[0, 0, p] = np.bincount(column, g, self.pair_cells)
            joint[0, 1, p] = np.bincount(column, h, self.pair_cells)
        out = np.empty((1, 3, self.n_features, self.bins))
        out[:, :2] = self._marginals(joint)
        out[0, 2] = self.root_counts
        return out

    def _histograms(
        self, rows: IntArray, slot: IntArray, n_slots: int, g: FloatArray, h: FloatArray
    ) -> FloatArray:
        """Histograms over ``rows``, each row counted in node ``slot`` (0..n_slots-1).

        Pairs of features, one at a time, when the rows are many beside the pair tables'
        cells; otherwise every feature in one ``bincount`` (quicker here for few rows).
        """
        if rows.size >= 1.25 * n_slots * self.pair_cells:
            return self._pair_histograms(rows, slot, n_slots, g, h)
        cells = self.size
        offsets = self.offsets if n_slots == 1 else self.offsets + slot * cells
        idx = (self.codes[:, rows] + offsets).ravel()
        total = n_slots * cells
        shape = (self.n_features, rows.size)
        out = np.empty((n_slots, 3, cells))
        out[:, 0] = np.bincount(idx, np.broadcast_to(g[rows], shape).ravel(), total).reshape(
            n_slots, -1
        )
        out[:, 1] = np.bincount(idx, np.broadcast_to(h[rows], shape).ravel(), total).reshape(
            n_slots, -1
        )
        out[:, 2] = np.bincount(idx, minlength=total).reshape(n_slots, -1)
        return out.reshape(n_slots, 3, self.n_features, self.bins)

    def _pair_histograms(
        self, rows: IntArray, slot: IntArray, n_slots: int, g: FloatArray, h: FloatArray
    ) -> FloatArray:
        """:meth:`_histograms` from the pair tables, one ``bincount`` per pair and statistic."""
        cells = self.pair_cells
        total = n_slots * cells
        joint = np.empty((n_slots, 3, self.n_pairs, cells))
        g_rows, h_rows = g[rows], h[rows]
        shift = slot * cells if n_slots > 1 else None
        for p, column in enumerate(self.pair_codes):
            idx = column[rows]
            if shift is not None:
                idx += shift
            joint[:, 0, p] = np.bincount(idx, g_rows, total).reshape(n_slots, cells)
            joint[:, 1, p] = np.bincount(idx, h_rows, total).reshape(n_slots, cells)
            joint[:, 2, p] = np.bincount(idx, None, total).reshape(n_slots, cells)
        return self._marginals(joint)

    def _best_splits(self, hist: FloatArray, tot: FloatArray) -> _Splits:
        """Best split of each node (the first of equal gains: deterministic)."""
        k = tot.shape[0]
        min_leaf, l2 = self.params.min_samples_leaf, self.params.l2_regularization
        left = np.cumsum(hist[..., :-1], axis=3)  # threshold b: bins 0..b go left
        right = tot[:, :, None, None] - left
        low = np.minimum(left[:, 1:], right[:, 1:])  # the smaller child's hessian and count
        ok = (low[:, 1] >= min_leaf) & (low[:, 0] >= _MIN_HESSIAN)
        left_h, right_h, parent_h = left[:, 1], right[:, 1], tot[:, 1]
        if l2:
            left_h, right_h, parent_h = left_h + l2, right_h + l2, parent_h + l2
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = left[:, 0] * left[:, 0] / left_h + right[:, 0] * right[:, 0] / right_h
            parent = tot[:, 0] * tot[:, 0] / parent_h
        gain = np.where(ok, gain, -np.inf).reshape(k, -1)
        best = np.argmax(gain, axis=1)
        split = gain[np.arange(k), best] - parent > self.params.min_gain
        best_f, best_b = np.divmod(best, self.bins - 1)
        chosen = left[np.arange(k), :, best_f, best_b]  # (nodes, 3)
        return _Splits(split, best_f, best_b, np.stack([chosen, tot - chosen], axis=1))
