"""Shuffled, seeded, stratified k-fold partitions, in numpy alone.

The rows of each class (in sorted label order) are shuffled with one seeded generator and dealt
to the folds in turn, each class starting where the previous one stopped: every fold holds
``floor`` or ``ceil`` of ``n_c / k`` rows of each class ``c``, and the folds' sizes differ by at
most one row.  These are the per-fold class counts of scikit-learn's ``StratifiedKFold`` (which
deals the sorted labels round robin too) whenever the classes first appear in sorted order; the
rows themselves differ, as the shuffles come from different generators.  No scikit-learn import:
it costs about a second of start-up on the drift path.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from mlaudit.errors import DataError

__all__ = ["fold_of", "stratified_folds"]

IntArray = npt.NDArray[np.int64]


def stratified_folds(y: npt.ArrayLike, n_splits: int, seed: int) -> list[tuple[IntArray, IntArray]]:
    """Shuffled, seeded, stratified ``n_splits``-fold partition of the rows of ``y``.

    The rows of each class (in sorted label order) are shuffled with one seeded generator and
    dealt to the folds in turn, each class starting where the previous one stopped, so every
    fold holds ``floor`` or ``ceil`` of ``n_c / n_splits`` rows of each class ``c`` and the folds'
    sizes differ by at most one row.

    Parameters
    ----------
    y
        Class labels, one per row (any sortable values).
    n_splits
        Number of folds, at least 2 and at most the number of rows.
    seed
        Seed of the shuffle.

    Returns
    -------
    list of (train, test)
        Sorted row indices; the test parts partition the rows.

    Raises
    ------
    DataError
        When ``n_splits`` is below 2 or above the number of rows.
    """
    fold = fold_of(y, n_splits, seed)
    out: list[tuple[IntArray, IntArray]] = []
    for k in range(n_splits):
        test = fold == k
        out.append((np.flatnonzero(~test).astype(np.int64), np.flatnonzero(test).astype(np.int64)))
    return out


def fold_of(y: npt.ArrayLike, n_splits: int, seed: int) -> IntArray:
    """The fold of each row, as :func:`stratified_folds` deals them.

    Parameters
    ----------
    y
        Class labels, one per row (any sortable values).
    n_splits
        Number of folds, at least 2 and at most the number of rows.
    seed
        Seed of the shuffle.

    Returns
    -------
    numpy.ndarray
        The fold (0 to ``n_splits - 1``) of each row.

    Raises
    ------
    DataError
        When ``n_splits`` is below 2 or above the number of rows.
    """
    labels = np.asarray(y).ravel()
    n = labels.size
    if not 2 <= n_splits <= n:
        raise DataError(
            f"n_splits={n_splits} folds cannot be made from {n} row(s)",
            fix="use at least 2 folds and at most one per row",
        )
    rng = np.random.default_rng(seed)
    order = np.argsort(labels, kind="stable")  # rows grouped by class, in row order
    ordered = labels[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    fold = np.empty(n, dtype=np.int64)
    start = 0
    for a, b in itertools.pairwise(starts):
        members = rng.permutation(order[a:b])
        fold[members] = (start + np.arange(members.size)) % n_splits
        start = (start + members.size) % n_splits
    return fold
