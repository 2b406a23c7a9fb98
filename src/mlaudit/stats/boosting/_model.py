"""The classifier: parameters, boosting with early stopping, and prediction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

from mlaudit.errors import ConfigError, DataError
from mlaudit.stats._folds import fold_of
from mlaudit.stats.boosting._binning import CodeArray, bin_codes, check_matrix, fit_bins
from mlaudit.stats.boosting._elementary import log, log_loss, sigmoid
from mlaudit.stats.boosting._grow import TreeGrower, TreeParams
from mlaudit.stats.boosting._shuffled import ShuffledDecisions
from mlaudit.stats.boosting._trees import Forest, Tree

__all__ = ["GradientBoostedTrees"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Settled = Callable[[FloatArray, FloatArray], bool]
"""``settled(labels, log_odds)`` of the held-out rows: True when more trees cannot matter."""

_EARLY_STOPPING_ROWS = 10_000  # early stopping "auto" turns on above this many rows
_VALIDATION_FOLDS = 10  # a tenth held out
_SETTLED_EVERY = 5  # trees between two calls of ``settled``


class GradientBoostedTrees:
    """Binary gradient-boosted trees on binned features (see :mod:`mlaudit.stats.boosting`).

    Parameters
    ----------
    max_iter
        Largest number of trees (boosting iterations).
    learning_rate
        Factor applied to each tree's leaf values.
    max_depth
        Depth of the trees (at most ``2**max_depth`` leaves).
    max_bins
        Largest number of bins per feature, 2 to 256.
    min_samples_leaf
        Fewest training rows a leaf may hold.
    l2_regularization
        ``λ`` added to the hessian sums in the gains and leaf values.
    min_gain
        A node splits only when its best gain exceeds this.
    early_stopping
        ``"auto"`` (on above 10,000 rows), ``True`` or ``False``.
    n_iter_no_change, tol
        Early stopping's patience and smallest improvement of the held-out log-loss.
    seed
        Seed of the held-out split.
    settled
        Optional ``settled(labels, log_odds)`` of the held-out rows, asked after every fifth
        tree when early stopping is on: fitting stops as soon as it returns True (the caller's
        decision cannot change with more trees; see ``drift.multivariate``).

    Attributes
    ----------
    n_iter_
        Number of trees fitted.
    settled_
        Whether fitting stopped because ``settled`` returned True.
    validation_loss_
        Held-out log-loss before the first tree and after each (empty without early stopping).
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        learning_rate: float = 0.1,
        max_depth: int = 4,
        max_bins: int = 32,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        min_gain: float = 1e-7,
        early_stopping: bool | Literal["auto"] = "auto",
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        seed: int = 0,
        settled: Settled | None = None,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.max_bins = max_bins
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.min_gain = min_gain
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.seed = seed
        self.settled = settled
        self._check_parameters()
        self.n_iter_ = 0
        self.settled_ = False
        self.validation_loss_: list[float] = []
        self._edges: list[FloatArray] | None = None
        self._baseline = 0.0
        self._forest: Forest | None = None

    def _check_parameters(self) -> None:
        checks = [
            (self.max_iter >= 1, f"max_iter={self.max_iter} must be at least 1"),
            (self.learning_rate > 0, f"learning_rate={self.learning_rate} must be positive"),
            (1 <= self.max_depth <= 12, f"max_depth={self.max_depth} must be in 1..12"),
            (2 <= self.max_bins <= 256, f"max_bins={self.max_bins} must be in 2..256"),
            (
                self.min_samples_leaf >= 1,
                f"min_samples_leaf={self.min_samples_leaf} must be at least 1",
            ),
            (
                self.l2_regularization >= 0,
                f"l2_regularization={self.l2_regularization} is negative",
            ),
            (self.min_gain >= 0, f"min_gain={self.min_gain} is negative"),
            (
                self.n_iter_no_change >= 1,
                f"n_iter_no_change={self.n_iter_no_change} must be at least 1",
            ),
            (self.tol >= 0, f"tol={self.tol} is negative"),
            (
                self.early_stopping in (True, False, "auto"),
                f"early_stopping={self.early_stopping!r}",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message, fix="see GradientBoostedTrees' parameters")

    # -- fitting -------------------------------------------------------------------------------

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike) -> GradientBoostedTrees:
        """Fit the trees to features ``x`` (rows by columns) and 0/1 labels ``y``.

        Parameters
        ----------
        x
            Finite numbers, shape (rows, features).
        y
            Labels 0 and 1, one per row, both present.

        Returns
        -------
        GradientBoostedTrees
            ``self``, fitted.

        Raises
        ------
        DataError
            When ``x`` is not a non-empty finite matrix, ``y`` is not 0/1 with both classes,
            or their lengths differ.
        """
        xs = check_matrix(x, "x")
        target = _targets(y, xs.shape[0])
        held_out = self._held_out(target)
        if held_out is None:
            x_train, y_train = xs, target
        else:
            train = np.flatnonzero(~held_out)
            x_train, y_train = xs[train], target[train]
        if y_train.min() == y_train.max():
            raise DataError(
                "the training rows hold one class only after the hold-out split",
                fix="pass more rows of the rarer class or set early_stopping=False",
            )
        self._edges, codes = fit_bins(x_train, self.max_bins)
        self._baseline = _prior_log_odds(y_train)
        validation = None
        if held_out is not None:
            val = np.flatnonzero(held_out)
            codes_val = bin_codes(xs[val], self._edges)
            validation = _Validation(codes_val, target[val], self._baseline, self.max_depth)
        trees = self._boost(codes, y_train, validation)
        self._forest = Forest.stack(self.max_depth, trees)
        self.n_iter_ = len(trees)
        self.validation_loss_ = [] if validation is None else validation.losses
        return self

    def _held_out(self, target: FloatArray) -> npt.NDArray[np.bool_] | None:
        """The rows held out for early stopping (the first of 10 stratified folds), if any."""
        n = target.size
        stop_early = (
            n > _EARLY_STOPPING_ROWS if self.early_stopping == "auto" else bool(self.early_stopping)
        )
        if not stop_early:
            return None
        held: npt.NDArray[np.bool_] = fold_of(target, _VALIDATION_FOLDS, self.seed) == 0
        return held

    def _boost(self, codes: CodeArray, y: FloatArray, validation: _Validation | None) -> list[Tree]:
        """Trees fitted one by one to the logistic loss's gradients, until done or stopped."""
        grower = TreeGrower(
            codes,
            TreeParams(
                max_depth=self.max_depth,
                learning_rate=self.learning_rate,
                l2_regularization=self.l2_regularization,
                min_samples_leaf=self.min_samples_leaf,
                min_gain=self.min_gain,
            ),
        )
        raw = np.full(y.size, self._baseline)
        trees: list[Tree] = []
        self.settled_ = False
        for _ in range(self.max_iter):
            p = sigmoid(raw)
            tree, leaf_of_row = grower.grow(p - y, p * (1.0 - p))
            trees.append(tree)
            raw += tree.value[leaf_of_row]
            if validation is not None:
                validation.add(tree)
                if validation.stalled(self.n_iter_no_change, self.tol):
                    break
                if self._is_settled(validation, len(trees)):
                    self.settled_ = True
                    break
        return trees

    def _is_settled(self, validation: _Validation, n_trees: int) -> bool:
        """Whether ``settled`` is given, due after this tree, and true of the held-out rows."""
        if self.settled is None or n_trees % _SETTLED_EVERY:
            return False
        return self.settled(validation.y, validation.raw)

    # -- prediction ----------------------------------------------------------------------------

    def _fitted(self, x: npt.ArrayLike) -> tuple[CodeArray, Forest]:
        if self._forest is None or self._edges is None:
            raise DataError("the model is not fitted", fix="call fit(x, y) first")
        xs = check_matrix(x, "x")
        if xs.shape[1] != len(self._edges):
            raise DataError(
                f"x has {xs.shape[1]} feature(s) but the model was fitted on {len(self._edges)}",
                fix="pass the same columns, in the same order, as for fit",
            )
        return bin_codes(xs, self._edges), self._forest

    def decision_function(self, x: npt.ArrayLike) -> FloatArray:
        """Log-odds of class 1 for each row of ``x``.

        Parameters
        ----------
        x
            Finite numbers with the fitted number of columns.

        Returns
        -------
        numpy.ndarray
            One float per row.

        Raises
        ------
        DataError
            When the model is not fitted or ``x`` is not a finite matrix of the fitted width.
        """
        codes, forest = self._fitted(x)
        return forest.decision_values(codes, self._baseline)

    def predict_proba(self, x: npt.ArrayLike) -> FloatArray:
        """Probabilities of class 0 and class 1, shape (rows, 2), as in scikit-learn.

        Parameters
        ----------
        x
            Finite numbers with the fitted number of columns.

        Returns
        -------
        numpy.ndarray
            Column 1 is P(y = 1), column 0 its complement.
        """
        p1 = sigmoid(self.decision_function(x))
        return np.column_stack([1.0 - p1, p1])

    def shuffled_decisions(self, x: npt.ArrayLike) -> ShuffledDecisions:
        """Decision values of ``x`` with groups of its columns shuffled, computed incrementally.

        For permutation importance: see :class:`ShuffledDecisions`.

        Parameters
        ----------
        x
            Finite numbers with the fitted number of columns.

        Returns
        -------
        ShuffledDecisions
            Holds the unshuffled decision values and gives the shuffled ones on call.
        """
        codes, forest = self._fitted(x)
        return ShuffledDecisions(codes, forest, self._baseline)


class _Validation:
    """The held-out rows' log-odds, updated tree by tree, and their log-loss after each.

    The early-stopping rule, as scikit-learn's: stop when none of the last ``n_iter_no_change``
    losses beats the one before them by more than ``tol``.
    """

    def __init__(self, codes: CodeArray, y: FloatArray, baseline: float, depth: int) -> None:
        self.codes, self.y, self.depth = codes, y, depth
        self.raw = np.full(y.size, baseline)
        self.losses = [log_loss(y, self.raw)]

    def add(self, tree: Tree) -> None:
        """Add ``tree``'s values to the held-out log-odds and record the new loss."""
        self.raw = Forest.stack(self.depth, [tree]).decision_values(self.codes, self.raw)
        self.losses.append(log_loss(self.y, self.raw))

    def stalled(self, n_iter_no_change: int, tol: float) -> bool:
        """No improvement above ``tol`` in the last ``n_iter_no_change`` held-out losses."""
        losses = self.losses
        if len(losses) <= n_iter_no_change:
            return False
        reference = losses[-n_iter_no_change - 1] - tol
        return not any(loss < reference for loss in losses[-n_iter_no_change:])


def _targets(y: npt.ArrayLike, n_rows: int) -> FloatArray:
    """0/1 labels as floats, checked: one per row, both classes present."""
    labels = np.asarray(y).ravel()
    if labels.size != n_rows:
        raise DataError(
            f"x has {n_rows} rows but y has {labels.size} labels",
            fix="pass one label per row",
        )
    found = set(np.unique(labels).tolist())
    if found != {0, 1}:
        raise DataError(
            f"y must hold both labels 0 and 1; found {sorted(map(str, found))[:5]}",
            fix="encode the classes as 0 and 1, with rows of each",
        )
    target: FloatArray = (labels == 1).astype(np.float64)
    return target


def _prior_log_odds(y: FloatArray) -> float:
    """The training log-odds ``log(positives) - log(negatives)``, with our own ``log``."""
    positives = float(y.sum())
    logs = log(np.array([positives, y.size - positives]))
    return float(logs[0] - logs[1])
