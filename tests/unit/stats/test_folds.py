"""stats._folds: stratified folds by their definition, and their per-fold class counts against
scikit-learn's StratifiedKFold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from mlaudit.errors import DataError
from mlaudit.stats._folds import fold_of, stratified_folds

# --- stratified folds -------------------------------------------------------------------------


@pytest.mark.parametrize(("n0", "n1", "k"), [(50, 50, 2), (103, 17, 5), (7, 30, 3), (1, 9, 10)])
def test_folds_partition_the_rows_and_keep_class_shares(n0: int, n1: int, k: int) -> None:
    y = np.r_[np.zeros(n0, dtype=int), np.ones(n1, dtype=int)]
    y = y[np.random.default_rng(3).permutation(y.size)]
    folds = stratified_folds(y, k, seed=11)
    assert len(folds) == k
    tests = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tests), np.arange(y.size))  # each row tested exactly once
    sizes = [test.size for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, test in folds:
        assert np.array_equal(np.sort(np.r_[train, test]), np.arange(y.size))
        assert np.intersect1d(train, test).size == 0
        for label, n_c in ((0, n0), (1, n1)):
            # within one row of the class's share: floor or ceil of n_c / k
            assert math.floor(n_c / k) <= int((y[test] == label).sum()) <= math.ceil(n_c / k)


def test_folds_are_shuffled_and_seed_deterministic() -> None:
    y = np.tile([0, 1], 200)
    a, b = stratified_folds(y, 4, seed=1), stratified_folds(y, 4, seed=1)
    assert all(np.array_equal(p[1], q[1]) for p, q in zip(a, b, strict=True))
    c = stratified_folds(y, 4, seed=2)
    assert not all(np.array_equal(p[1], q[1]) for p, q in zip(a, c, strict=True))
    # shuffled: not consecutive blocks of rows
    assert not np.array_equal(a[0][1], np.arange(a[0][1].size))
    # any sortable labels
    names = np.array(["ref", "cur"] * 30)
    assert sum(t.size for _, t in stratified_folds(names, 3, seed=0)) == 60


@pytest.mark.parametrize("k", [1, 0, 11])
def test_folds_reject_impossible_counts(k: int) -> None:
    with pytest.raises(DataError, match="n_splits"):
        stratified_folds(np.arange(10) % 2, k, seed=0)


@pytest.mark.parametrize("counts", [(50, 50), (103, 17), (7, 30, 11), (6, 9, 5)])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_per_fold_class_counts_are_scikit_learns(counts: tuple[int, ...], k: int) -> None:
    # StratifiedKFold deals the sorted labels round robin too: with the classes first appearing
    # in sorted order, each fold holds the same number of rows of each class (other rows)
    classes = np.arange(len(counts))
    rest = np.repeat(classes, np.array(counts) - 1)
    y = np.r_[classes, np.random.default_rng(5).permutation(rest)]
    theirs = StratifiedKFold(n_splits=k, shuffle=True, random_state=0).split(np.zeros(y.size), y)
    fold = fold_of(y, k, seed=0)
    for f, (_, test) in enumerate(theirs):
        assert [int(((fold == f) & (y == c)).sum()) for c in classes] == [
            int((y[test] == c).sum()) for c in classes
        ]
