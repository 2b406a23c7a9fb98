"""Gradient-boosted decision trees for a binary label, on binned features, in numpy alone.

This is the classifier of the domain-classifier drift check (``drift.multivariate``).  It
follows the histogram method of LightGBM (Ke et al., 2017, "LightGBM: a highly efficient
gradient boosting decision tree", *NeurIPS*) and of scikit-learn's
``HistGradientBoostingClassifier``, both after XGBoost's second-order boosting (Chen and
Guestrin, 2016, "XGBoost: a scalable tree boosting system", *KDD*), reduced to what a
two-sample test needs.  We wrote our own because importing scikit-learn's classifier, folds and
metrics costs about 0.9 s of start-up (it pulls in scipy.stats, scipy.sparse, scipy.optimize
and pandas; measured here: 0.86 to 0.97 s after ``import mlaudit``, against 0.01 s for this
module), more than the fits themselves, and ``mlaudit drift`` must start fast.

Method
------
* **Binning** (``_binning``).  Per feature at most ``max_bins`` bins from the training rows'
  quantiles (one per distinct value when they are few); codes are ``uint8``, stored
  feature-major; new data is binned with the training edges.
* **Boosting** (``_model``).  Logistic loss; the first prediction is the training log-odds;
  each iteration fits one tree to the gradients ``g = p - y`` and hessians ``h = p(1 - p)``
  and adds ``learning_rate`` times its leaf values, the Newton steps ``-sum g / (sum h + l2)``.
* **Trees** (``_grow``).  Grown level by level to ``max_depth``; a node's split is the
  (feature, bin threshold) of largest gain ``G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)``, from
  histograms of ``g``, ``h`` and row counts built for all nodes of a level at once; only the
  smaller child of each split is summed over its rows, its sibling's histogram is the parent's
  minus it.
* **Early stopping**, as scikit-learn's default: with more than 10,000 training rows, a seeded
  stratified tenth is held out (the first fold of :func:`stratified_folds` with 10 folds); the
  held-out log-loss is recorded before the first tree and after each one, and fitting stops
  when none of the last ``n_iter_no_change`` (10) values beats the one before them by more than
  ``tol`` (1e-7).  A caller may also pass a ``settled`` rule, asked about the held-out rows'
  labels and log-odds after every fifth tree; fitting stops when it holds (the drift check
  stops once the held-out AUC is surely above its failure limit).
* **Prediction** (``_trees``) walks one tree at a time for all rows, one level per step; trees
  are stored as complete binary trees of depth ``max_depth`` (a leaf above the bottom level is
  padded by nodes that always go left).  :class:`ShuffledDecisions` (``_shuffled``) re-walks
  only what a shuffled column can change, for permutation importance.

Defaults, chosen by measurement on seeded drift tasks (mean, spread, correlation, categorical
frequencies, tails; 1,000 to 20,000 rows per period, 6 to 20 columns) against scikit-learn's
classifier on the same folds: depth 4 and 32 bins were as strong as depth 5 or 6 and 64 or 128
bins (mean out-of-fold AUCs within about 0.01 of each other) and the quickest; depth 3 lost
0.05 of AUC on a flipped correlation.

Determinism: no randomness but the seeded hold-out split; no threads; every floating-point step
is a sum, product or quotient in a fixed order (``np.bincount``, ``np.cumsum``, numpy's
reductions, tree-by-tree accumulation), and the exponential and logarithm are our own
polynomial evaluations (``_elementary``) rather than numpy's, whose vectorised versions
may round differently on different processors.  The same input therefore gives
bit-identical scores on any machine with IEEE-754 doubles and the same numpy.

Limits, by design: binary labels, numeric finite features (the caller encodes categories and
missing values), no sample weights, one thread.

The modules' records are named tuples rather than dataclasses: making eight dataclasses at
import would add about 4 ms to the package's 10 ms import (measured).
"""

from __future__ import annotations

from mlaudit.stats._folds import stratified_folds
from mlaudit.stats.boosting._model import GradientBoostedTrees, Settled
from mlaudit.stats.boosting._shuffled import ShuffledDecisions

__all__ = ["GradientBoostedTrees", "Settled", "ShuffledDecisions", "stratified_folds"]
