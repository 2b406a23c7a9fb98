"""Model metrics on weighted rows, for many weightings at once (the bootstrap's resamples).

Every function takes the rows' arrays and a weight matrix ``W`` of shape ``(r, n)`` and returns
each metric for each of the ``r`` weightings (rows of ``W``, each contiguous so that cumulative
sums run along memory); ``W = ones((1, n))`` gives the ordinary metric,
integer counts a bootstrap resample, any non-negative weights scikit-learn's ``sample_weight``.
The definitions are scikit-learn's (the tests compare them on the same inputs):

* ``log_loss``: mean of ``−(y·log p + (1 − y)·log(1 − p))`` with ``p`` clipped to
  ``[ε, 1 − ε]``, ``ε`` the float64 machine epsilon (``sklearn.metrics.log_loss``);
* ``brier_score``: mean of ``(p − y)²`` (``brier_score_loss``);
* ``average_precision``: ``Σₖ (Rₖ − Rₖ₋₁)·Pₖ`` over the distinct scores from the highest
  (``average_precision_score``, no interpolation);
* ``ks_statistic``: the largest gap between the two classes' score distribution functions,
  ``maxₖ |TPRₖ − FPRₖ|`` over the distinct scores (``scipy.stats.ks_2samp``'s statistic);
* ``roc_auc``: the trapezoid under the ROC curve (``roc_auc_score``), for one-vs-rest AUC;
* regression: ``mae``, ``rmse``, ``r2`` (``1 − SSE/SST``, NaN when the labels are constant),
  ``median_absolute_error`` (the median of ``|y − ŷ|``, the mean of the two middle values for
  an even count) and ``mape``, zero-safe: the mean of ``|y − ŷ|/|y|`` over the rows with
  ``y ≠ 0`` only (scikit-learn divides by ``max(|y|, ε)`` instead, which turns one zero label
  into a value near 10¹⁵); the rows left out are counted by the caller.

Confusion-matrix metrics (accuracy, precision, recall, F1, balanced accuracy, macro and
weighted averages) take a stack of confusion matrices ``C`` of shape ``(r, k, k)`` (true class
× predicted class): :func:`confusion_metrics`.  A bootstrap resample of rows is a multinomial
resample of the matrix's cells, so their intervals are drawn from the cells directly.
Undefined values (no positive row, a class never predicted) are NaN, except scikit-learn's
``zero_division=0`` for precision, recall and F1 of a class.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "binary_rank_metrics",
    "binary_score_metrics",
    "confusion_metrics",
    "ranked_counts",
    "regression_metrics",
]

F64 = npt.NDArray[np.float64]
_EPS = float(np.finfo(np.float64).eps)


def _div(a: np.ndarray, b: np.ndarray) -> F64:
    """``a / b`` with NaN where ``b`` is 0."""
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def binary_score_metrics(y: np.ndarray, p: np.ndarray, w: F64) -> dict[str, F64]:
    """``log_loss`` and ``brier_score`` of probabilities ``p`` for 0/1 labels ``y``."""
    yf = y.astype(np.float64)
    q = np.clip(p, _EPS, 1.0 - _EPS)
    loss = -(yf * np.log(q) + (1.0 - yf) * np.log1p(-q))
    sq = (p - yf) ** 2
    total = w.sum(axis=1)
    return {
        "log_loss": _div(w @ loss.astype(w.dtype), total),
        "brier_score": _div(w @ sq.astype(w.dtype), total),
    }


def ranked_counts(
    y: np.ndarray, score: np.ndarray, w: F64, *, presorted: bool = False
) -> tuple[F64, F64, F64]:
    """Weighted positives and negatives scored at or above each distinct score, highest first.

    Returns ``(thresholds, tp, fp)``: ``tp[j, k]`` is the weight of positives with a score at or
    above ``thresholds[k]`` in weighting ``j`` (shapes ``(K,)``, ``(r, K)``, ``(r, K)``).
    ``presorted``: the rows are already in decreasing order of score (no sort, no copy of ``w``).
    """
    if not presorted:
        order = np.argsort(-score, kind="stable")
        score, y, w = score[order], y[order], w[:, order]
    tp = np.cumsum(w * y.astype(w.dtype), axis=1)
    total = np.cumsum(w, axis=1)
    distinct = np.r_[score[1:] != score[:-1], True]
    if not distinct.all():
        ends = np.flatnonzero(distinct)
        score, tp, total = score[ends], tp[:, ends], total[:, ends]
    total -= tp
    return score, tp, total


def binary_rank_metrics(
    y: np.ndarray, score: np.ndarray, w: F64, *, presorted: bool = False, auc: bool = True
) -> dict[str, F64]:
    """``average_precision``, ``ks_statistic`` and ``roc_auc`` of ``score`` for 0/1 ``y``.

    ``presorted``: rows in decreasing order of score; ``auc=False`` leaves the AUC out.
    """
    _, tp, fp = ranked_counts(y, score, w, presorted=presorted)
    p, n = tp[:, -1], fp[:, -1]
    undefined = (p == 0) | (n == 0)
    flagged = tp + fp
    precision = np.divide(tp, flagged, out=flagged, where=flagged > 0)  # reuses the buffer
    gain = np.diff(tp, axis=1, prepend=0.0)
    ap = _div(np.einsum("ij,ij->i", gain, precision), p)
    # max |TPR − FPR| = max |tp·N − fp·P| / (P·N)
    gap = np.abs(tp * n[:, None] - fp * p[:, None]).max(axis=1)
    ks = _div(gap, p * n)
    out = {"average_precision": ap, "ks_statistic": ks}
    if auc:
        fp_step = np.diff(fp, axis=1, prepend=0.0)
        tp_mid = tp - gain / 2.0
        out["roc_auc"] = _div(np.einsum("ij,ij->i", fp_step, tp_mid), p * n)
    for a in out.values():
        a[undefined] = np.nan
    return out


def regression_metrics(
    y: np.ndarray, pred: np.ndarray, w: F64, *, presorted: bool = False
) -> dict[str, F64]:
    """``mae``, ``rmse``, ``mape`` (rows with ``y ≠ 0``), ``r2`` and ``median_absolute_error``.

    ``presorted``: rows in increasing order of ``|y − pred|`` (the median needs no sort).
    """
    yf, e = y.astype(np.float64), pred.astype(np.float64) - y.astype(np.float64)
    total = w.sum(axis=1)
    ae = np.abs(e)
    nonzero = yf != 0
    ape = np.divide(ae, np.abs(yf), out=np.zeros_like(ae), where=nonzero)
    yc = yf - (yf.mean() if yf.size else 0.0)  # centred: the same SST, fewer rounding errors
    yy = w @ (yc**2).astype(w.dtype)
    sst = yy - _div((w @ yc.astype(w.dtype)) ** 2, total)
    sse = w @ (e**2).astype(w.dtype)
    r2 = 1.0 - _div(sse, np.where(sst > 1e-12 * np.maximum(yy, 1e-300), sst, 0.0))
    return {
        "mae": _div(w @ ae.astype(w.dtype), total),
        "rmse": np.sqrt(_div(sse, total)),
        "mape": _div(w @ ape.astype(w.dtype), w @ nonzero.astype(w.dtype)),
        "r2": r2,
        "median_absolute_error": _weighted_median(ae, w, presorted=presorted),
    }


def _weighted_median(values: np.ndarray, w: F64, *, presorted: bool = False) -> F64:
    """The median of ``values`` repeated by integer weights ``w``, for each row of ``w``."""
    if not presorted:
        order = np.argsort(values, kind="stable")
        values, w = values[order], w[:, order]
    v, cum = values, np.cumsum(w, axis=1, dtype=np.float64)
    total = cum[:, -1] if cum.size else np.zeros(w.shape[0])
    low_rank = np.floor((total + 1.0) / 2.0)  # ranks 1..T: (T+1)/2 odd; T/2 and T/2+1 even
    high_rank = np.ceil((total + 1.0) / 2.0)
    # Each row's cumulative weights rise: shifted by the totals before it, the rows make one
    # rising sequence, searched once for every row's ranks (no pass over the matrix).
    shift = np.r_[0.0, np.cumsum(total + 1.0)[:-1]]
    flat = (cum + shift[:, None]).ravel()
    first = np.arange(w.shape[0]) * v.size
    lo = v[np.minimum(np.searchsorted(flat, low_rank + shift) - first, v.size - 1)]
    hi = v[np.minimum(np.searchsorted(flat, high_rank + shift) - first, v.size - 1)]
    out: F64 = (lo + hi) / 2.0
    out[total <= 0] = np.nan
    return out


def confusion_metrics(c: F64) -> dict[str, F64]:
    """Metrics of a stack of confusion matrices ``c`` (r × k × k, true × predicted).

    Binary (``k = 2``, class 1 positive): ``accuracy``, ``balanced_accuracy``, ``precision``,
    ``recall``, ``f1``.  Multiclass: ``accuracy``, ``balanced_accuracy`` and the macro and
    weighted ``precision``/``recall``/``f1``.
    """
    n = c.sum(axis=(1, 2))
    diag = np.diagonal(c, axis1=1, axis2=2)
    support, predicted = c.sum(axis=2), c.sum(axis=1)
    prec = np.divide(diag, predicted, out=np.zeros_like(diag), where=predicted > 0)
    rec = np.divide(diag, support, out=np.zeros_like(diag), where=support > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros_like(diag), where=(prec + rec) > 0)
    present = support > 0
    balanced = _div((np.where(present, rec, 0.0)).sum(axis=1), present.sum(axis=1))
    out = {"accuracy": _div(diag.sum(axis=1), n), "balanced_accuracy": balanced}
    if c.shape[1] == 2:
        out |= {
            "precision": _div(diag[:, 1], predicted[:, 1]),
            "recall": _div(diag[:, 1], support[:, 1]),
            "f1": np.where((support[:, 1] + predicted[:, 1]) > 0, f1[:, 1], np.nan),
        }
        return out
    for name, per in (("precision", prec), ("recall", rec), ("f1", f1)):
        out[f"{name}_macro"] = per.mean(axis=1)
        out[f"{name}_weighted"] = _div((per * support).sum(axis=1), support.sum(axis=1))
    return out
