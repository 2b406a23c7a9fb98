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
* ``roc_auc``: the trapezoid under the ROC curve (``roc_auc_score``);
* multiclass (:func:`multiclass_metrics_on`, class probabilities ``P`` of shape ``(n, k)``):
  ``roc_auc_ovr_macro`` and ``roc_auc_ovr_weighted``, each class's ``roc_auc`` against the
  rest averaged plainly or by the class's (weighted) count of rows (``roc_auc_score(y, P,
  multi_class="ovr")``), over the classes that have rows and non-rows under the weighting
  (scikit-learn gives NaN when a class of ``labels`` has no row); ``log_loss``, the mean of
  ``−log p_y`` with ``p_y``, the label's class probability, clipped to ``[ε, 1 − ε]`` and not
  normalised (``log_loss(y, P, labels=classes)``, which only warns when a row's
  probabilities do not sum to 1);
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

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = [
    "Weighted",
    "binary_metrics_on",
    "binary_rank_metrics",
    "binary_score_metrics",
    "confusion_metrics",
    "multiclass_metrics_on",
    "ranked_counts",
    "regression_metrics",
    "regression_metrics_on",
]

F64 = npt.NDArray[np.float64]
_EPS = float(np.finfo(np.float64).eps)


def _div(a: np.ndarray, b: np.ndarray) -> F64:
    """``a / b`` with NaN where ``b`` is 0."""
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


Weighted = Callable[[np.ndarray], dict[str, F64]]
"""A prepared metric set: its values for each row of a weight matrix ``W`` (r × n)."""


def _as(v: F64, w: np.ndarray) -> np.ndarray:
    """A per-row vector in the weights' precision (single for resamples, double for exact)."""
    return v if w.dtype == v.dtype else v.astype(w.dtype)


def binary_metrics_on(
    y: np.ndarray,
    score: np.ndarray,
    *,
    probability: bool = False,
    auc: bool = True,
    ranks: bool = True,
) -> Weighted:
    """Binary metrics of ``score`` for 0/1 labels ``y``, prepared once for many weightings.

    ``average_precision`` and ``ks_statistic`` (``ranks``), with ``roc_auc`` (``auc``) and, for
    probabilities, ``log_loss`` and ``brier_score``.  The rows are sorted by score once here;
    the weights ``W`` passed to the returned function follow the rows as given.
    """
    order = np.argsort(-score, kind="stable")
    in_order = bool(np.all(order == np.arange(order.size)))
    s, yf = score[order], y[order].astype(np.float64)
    distinct = np.r_[s[1:] != s[:-1], True] if s.size else np.ones(0, dtype=bool)
    ends = None if distinct.all() else np.flatnonzero(distinct)
    q = np.clip(s, _EPS, 1.0 - _EPS)
    loss = -(yf * np.log(q) + (1.0 - yf) * np.log1p(-q)) if probability else yf
    sq = (s - yf) ** 2 if probability else yf

    def run(w: np.ndarray) -> dict[str, F64]:
        if not in_order:
            w = w[:, order]
        wy = w * _as(yf, w)
        tp, total = np.cumsum(wy, axis=1), np.cumsum(w, axis=1)
        if ends is None:
            gain = wy
        else:
            tp, total = tp[:, ends], total[:, ends]
            gain = np.diff(tp, axis=1, prepend=0.0)
        p = tp[:, -1].astype(np.float64)
        n = total[:, -1].astype(np.float64) - p
        out: dict[str, F64] = {}
        if ranks:
            precision = np.divide(tp, total, out=np.zeros_like(tp), where=total > 0)
            out["average_precision"] = _div(np.einsum("ij,ij->i", gain, precision), p)
            # TPR − FPR = tp·(1/P + 1/N) − total/N, in two passes
            inv_p, inv_n = _div(np.ones_like(p), p), _div(np.ones_like(n), n)
            d = tp * (inv_p + inv_n).astype(tp.dtype)[:, None]
            d -= total * inv_n.astype(tp.dtype)[:, None]
            out["ks_statistic"] = np.maximum(d.max(axis=1), -d.min(axis=1)).astype(np.float64)
        if auc:
            fp = total - tp
            fp_step = np.diff(fp, axis=1, prepend=0.0)
            area = np.einsum("ij,ij->i", fp_step, tp - gain / 2.0)
            out["roc_auc"] = _div(area.astype(np.float64), p * n)
        if probability:
            weight = w.sum(axis=1, dtype=np.float64)
            out["log_loss"] = _div((w @ _as(loss, w)).astype(np.float64), weight)
            out["brier_score"] = _div((w @ _as(sq, w)).astype(np.float64), weight)
        undefined = (p == 0) | (n == 0)
        for name in ("average_precision", "ks_statistic", "roc_auc"):
            if name in out:
                out[name][undefined] = np.nan
        return out

    return run


def multiclass_metrics_on(y: np.ndarray, proba: np.ndarray) -> Weighted:
    """``roc_auc_ovr_macro``, ``roc_auc_ovr_weighted`` and ``log_loss`` of class probabilities
    ``proba`` (n × k, finite) for class codes ``y`` (0 … k − 1, column ``j`` the probability of
    class ``j``), prepared once (each class's column sorted) for many weightings.

    Each class's one-vs-rest AUC is the binary ``roc_auc`` of its column for "this class" against
    the rest, so the averages inherit its exact tie handling; a class with no row, or with every
    row, under a weighting is left out of that weighting's averages.
    """
    k = proba.shape[1]
    codes = y.astype(np.int64)
    per_class = [
        binary_metrics_on((codes == j).astype(np.int8), proba[:, j], ranks=False) for j in range(k)
    ]
    onehot = (codes[:, None] == np.arange(k)[None, :]).astype(np.float64)
    label_p = proba[np.arange(codes.size), codes] if codes.size else np.zeros(0)
    loss = -np.log(np.clip(label_p, _EPS, 1.0 - _EPS))

    def run(w: np.ndarray) -> dict[str, F64]:
        auc = np.stack([f(w)["roc_auc"] for f in per_class], axis=1)  # r × k
        support = (w @ _as(onehot, w)).astype(np.float64)
        defined = np.isfinite(auc)
        area = np.where(defined, auc, 0.0)
        counted = np.where(defined, support, 0.0)
        weight = w.sum(axis=1, dtype=np.float64)
        return {
            "roc_auc_ovr_macro": _div(area.sum(axis=1), defined.sum(axis=1).astype(np.float64)),
            "roc_auc_ovr_weighted": _div((area * counted).sum(axis=1), counted.sum(axis=1)),
            "log_loss": _div((w @ _as(loss, w)).astype(np.float64), weight),
        }

    return run


def binary_score_metrics(y: np.ndarray, p: np.ndarray, w: F64) -> dict[str, F64]:
    """``log_loss`` and ``brier_score`` of probabilities ``p`` for 0/1 labels ``y``."""
    out = binary_metrics_on(y, p, probability=True, auc=False)(w)
    return {"log_loss": out["log_loss"], "brier_score": out["brier_score"]}


def binary_rank_metrics(y: np.ndarray, score: np.ndarray, w: F64) -> dict[str, F64]:
    """``average_precision``, ``ks_statistic`` and ``roc_auc`` of ``score`` for 0/1 ``y``."""
    return binary_metrics_on(y, score)(w)


def ranked_counts(y: np.ndarray, score: np.ndarray) -> tuple[F64, F64, F64]:
    """Positives and negatives scored at or above each distinct score, highest first.

    Returns ``(thresholds, tp, fp)``, each of length ``K`` (the distinct scores).
    """
    order = np.argsort(-score, kind="stable")
    s, yf = score[order], y[order].astype(np.float64)
    tp, total = np.cumsum(yf), np.arange(1, s.size + 1, dtype=np.float64)
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    return s[ends], tp[ends], total[ends] - tp[ends]


def regression_metrics_on(y: np.ndarray, pred: np.ndarray) -> Weighted:
    """``mae``, ``rmse``, ``mape`` (rows with ``y ≠ 0``), ``r2`` and ``median_absolute_error``,
    prepared once (the rows sorted by ``|y − pred|`` for the median) for many weightings."""
    e0 = pred.astype(np.float64) - y.astype(np.float64)
    order = np.argsort(np.abs(e0), kind="stable")
    in_order = bool(np.all(order == np.arange(order.size)))
    yf, e = y.astype(np.float64)[order], e0[order]
    ae = np.abs(e)
    nonzero = yf != 0
    ape = np.divide(ae, np.abs(yf), out=np.zeros_like(ae), where=nonzero)
    yc = yf - (yf.mean() if yf.size else 0.0)  # centred: the same SST, fewer rounding errors
    vectors = (ae, e**2, ape, nonzero.astype(np.float64), yc, yc**2)

    def run(w: np.ndarray) -> dict[str, F64]:
        if not in_order:
            w = w[:, order]
        total = w.sum(axis=1, dtype=np.float64)
        s_ae, sse, s_ape, s_nz, s_y, yy = ((w @ _as(v, w)).astype(np.float64) for v in vectors)
        sst = yy - _div(s_y**2, total)
        r2 = 1.0 - _div(sse, np.where(sst > 1e-12 * np.maximum(yy, 1e-300), sst, 0.0))
        return {
            "mae": _div(s_ae, total),
            "rmse": np.sqrt(_div(sse, total)),
            "mape": _div(s_ape, s_nz),
            "r2": r2,
            "median_absolute_error": _weighted_median(ae, w),
        }

    return run


def regression_metrics(y: np.ndarray, pred: np.ndarray, w: F64) -> dict[str, F64]:
    """``mae``, ``rmse``, ``mape`` (rows with ``y ≠ 0``), ``r2`` and ``median_absolute_error``."""
    return regression_metrics_on(y, pred)(w)


def _weighted_median(v: np.ndarray, w: np.ndarray) -> F64:
    """The median of sorted ``v`` repeated by integer weights ``w``, for each row of ``w``."""
    cum = np.cumsum(w, axis=1)  # exact in single precision up to 2²⁴
    total = cum[:, -1].astype(np.float64) if cum.size else np.zeros(w.shape[0])
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
