"""How much a binned feature says about a group: mutual information and out-of-fold AUC.

Both read integer codes (a feature's bins, the groups ``0 .. k-1``), so numeric and categorical
features are judged alike once binned:

* :func:`mutual_information` — the plug-in mutual information of two codings, in **nats**
  (natural logarithm, as ``sklearn.metrics.mutual_info_score``), from their contingency table;
  :func:`entropy` is the plug-in entropy of one coding, so ``MI / H(groups)`` is the share of
  the groups' uncertainty the feature removes (Theil's uncertainty coefficient).  The plug-in
  estimate is biased upwards by about ``(bins - 1)(k - 1) / 2n`` nats (Miller, 1955), a few
  thousandths with tens of bins and thousands of rows.
* :func:`out_of_fold_rates` — each row's group frequencies in its bin, counted on the **other**
  folds and smoothed toward those folds' group shares (``(n_bg + s·p_g) / (n_b + s)``; a bin
  the other folds lack gets their shares).  Scoring a row with counts that include it would
  let a feature of unique values (an identifier) predict every group perfectly; out of fold,
  it scores at chance.
* :func:`ovr_auc` — the ROC AUC of such scores: DeLong's AUC and interval for two groups (of
  group 1, the second in sorted order; the AUC of group 0 is the same); for more groups the
  one-vs-rest **macro** AUC (the mean of each group's AUC against the rest, as
  ``roc_auc_score(multi_class="ovr", average="macro")``) with a **conservative** interval: the
  mean ± z × the mean of the groups' DeLong standard errors.  The standard deviation of a mean
  is at most the mean of the standard deviations whatever the correlations between the groups'
  AUCs (Minkowski's inequality), so the interval is never narrower than the normal interval
  with the true covariances, at no bootstrap's cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlaudit.stats._auc import delong_auc, normal_quantile

__all__ = ["GroupAuc", "entropy", "mutual_information", "out_of_fold_rates", "ovr_auc"]

IntArray = npt.NDArray[np.int64]


def _codes(values: npt.ArrayLike) -> IntArray:
    out = np.asarray(values).ravel().astype(np.int64)
    if out.size and out.min() < 0:
        raise ValueError("codes must be non-negative integers")
    return out


def entropy(codes: npt.ArrayLike) -> float:
    """Plug-in entropy of a coding, in nats (0 for a constant or empty coding)."""
    c = _codes(codes)
    if c.size == 0:
        return 0.0
    p = np.bincount(c) / c.size
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def mutual_information(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Plug-in mutual information of two codings of the same rows, in nats (never below 0)."""
    a, b = _codes(x), _codes(y)
    if a.size != b.size:
        raise ValueError(f"the codings have {a.size} and {b.size} values")
    if a.size == 0:
        return 0.0
    kb = int(b.max()) + 1
    joint = np.bincount(a * kb + b, minlength=(int(a.max()) + 1) * kb).reshape(-1, kb)
    n = float(a.size)
    pa, pb = joint.sum(axis=1) / n, joint.sum(axis=0) / n
    nz = joint > 0
    pab = joint[nz] / n
    outer = np.outer(pa, pb)[nz]
    return max(0.0, float((pab * np.log(pab / outer)).sum()))


def out_of_fold_rates(
    codes: npt.ArrayLike,
    groups: npt.ArrayLike,
    fold: npt.ArrayLike,
    *,
    n_groups: int,
    smoothing: float = 1.0,
) -> npt.NDArray[np.float64]:
    """Each row's group shares in its bin, from the rows of the other folds.

    Parameters
    ----------
    codes
        The feature's bin of each row (non-negative integers).
    groups
        The group of each row, ``0 .. n_groups - 1``.
    fold
        The fold of each row (non-negative integers); a row is scored by the others.
    n_groups
        Number of groups (columns of the result).
    smoothing
        Pseudo-rows ``s`` of the other folds' group shares added to each bin:
        ``(n_bg + s·p_g) / (n_b + s)``.  0 gives the raw shares (a bin the other folds lack
        still gets their shares).

    Returns
    -------
    numpy.ndarray
        ``(rows, n_groups)``; each row sums to 1.
    """
    c, g, f = _codes(codes), _codes(groups), _codes(fold)
    if not c.size == g.size == f.size:
        raise ValueError(f"codes, groups and folds have {c.size}, {g.size} and {f.size} values")
    out = np.empty((c.size, n_groups), dtype=np.float64)
    if c.size == 0:
        return out
    bins = int(c.max()) + 1
    cell = c * n_groups + g
    total = np.bincount(cell, minlength=bins * n_groups).reshape(bins, n_groups)
    for k in np.unique(f):
        test = f == k
        held = np.bincount(cell[test], minlength=bins * n_groups).reshape(bins, n_groups)
        train = (total - held).astype(np.float64)
        n_train = train.sum()
        shares = train.sum(axis=0) / n_train if n_train else np.full(n_groups, 1.0 / n_groups)
        size = train.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = (train + smoothing * shares) / (size + smoothing)
        rates[size[:, 0] == 0] = shares
        out[test] = rates[c[test]]
    return out


@dataclass(frozen=True)
class GroupAuc:
    """How well scores tell the groups apart: the (macro) AUC, its interval, per group."""

    auc: float
    low: float
    high: float
    per_group: list[float]
    """Each group's AUC against the rest (for two groups: the AUC twice)."""


def ovr_auc(groups: npt.ArrayLike, scores: npt.ArrayLike, *, level: float = 0.95) -> GroupAuc:
    """AUC of ``scores`` (one column a group) for the groups ``0 .. k-1``; see the module.

    Every group must be present.  Two groups: DeLong's AUC of column 1 for group 1.  More:
    the one-vs-rest macro AUC with the conservative interval of the module's docstring.
    """
    g = _codes(groups)
    s = np.asarray(scores, dtype=np.float64)
    k = s.shape[1]
    if k == 2:
        a = delong_auc(g == 1, s[:, 1], level=level)
        return GroupAuc(a.auc, a.low, a.high, [a.auc, a.auc])
    each = [delong_auc(g == j, s[:, j], level=level) for j in range(k)]
    auc = float(np.mean([a.auc for a in each]))
    z = normal_quantile(0.5 + level / 2.0)
    half = z * float(np.mean([math.sqrt(a.variance) for a in each]))
    return GroupAuc(auc, max(0.0, auc - half), min(1.0, auc + half), [a.auc for a in each])
