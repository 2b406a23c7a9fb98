"""Features to ``uint8`` bin codes, feature-major, with edges learnt from the training rows.

Per feature at most ``max_bins`` bins: with at most ``max_bins`` distinct values the edges lie
halfway between consecutive distinct values (every value its own bin); otherwise halfway between
the order statistics on either side of the ``k/max_bins`` quantiles (ties merge bins).  A value
goes to bin ``b`` when ``edge[b-1] < x <= edge[b]`` (``np.searchsorted``, left side, on the
sorted values); new data is binned with the training edges.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mlaudit.errors import DataError

__all__ = ["CodeArray", "bin_codes", "check_matrix", "fit_bins"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.uint8]


def check_matrix(x: npt.ArrayLike, what: str) -> FloatArray:
    """``x`` as a non-empty, finite float matrix of rows by features.

    Parameters
    ----------
    x
        The matrix.
    what
        Its name, for the error messages.

    Returns
    -------
    numpy.ndarray
        ``x`` as float64, shape (rows, features).

    Raises
    ------
    DataError
        When ``x`` is not 2-D, is empty or holds NaN or infinite values.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise DataError(
            f"{what} must be a 2-D array of rows by features; got {arr.ndim} dimension(s)",
            fix="pass a matrix, e.g. x.reshape(-1, 1) for one feature",
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"{what} is empty (shape {arr.shape})", fix="pass at least one row")
    finite = np.isfinite(arr)
    if not finite.all():
        bad = int((~finite).sum())
        raise DataError(
            f"{what} holds {bad} NaN or infinite value(s)",
            fix="impute or drop non-finite values before fitting or predicting",
        )
    return arr


def fit_bins(x: FloatArray, max_bins: int) -> tuple[list[FloatArray], CodeArray]:
    """Inner bin edges of each column of ``x`` and the codes of its rows.

    Parameters
    ----------
    x
        Training rows by features, finite.
    max_bins
        Largest number of bins per feature, 2 to 256.

    Returns
    -------
    tuple
        The inner edges of each feature, and the codes, shape (features, rows).
    """
    edges: list[FloatArray] = []
    codes = np.empty((x.shape[1], x.shape[0]), dtype=np.uint8)
    for j in range(x.shape[1]):
        column = np.ascontiguousarray(x[:, j])
        order = np.argsort(column)
        edges.append(_bin_edges(column[order], max_bins))
        codes[j] = _codes(edges[-1], column, order)
    return edges, codes


def bin_codes(x: FloatArray, edges: list[FloatArray]) -> CodeArray:
    """Feature-major bin codes of the rows ``x`` with fitted ``edges``.

    Parameters
    ----------
    x
        Rows by features, finite, one feature per entry of ``edges``.
    edges
        Inner bin edges of each feature, from :func:`fit_bins`.

    Returns
    -------
    numpy.ndarray
        ``uint8`` codes, shape (features, rows).
    """
    codes = np.empty((x.shape[1], x.shape[0]), dtype=np.uint8)
    for j, feature_edges in enumerate(edges):
        column = np.ascontiguousarray(x[:, j])
        codes[j] = _codes(feature_edges, column, np.argsort(column))
    return codes


def _bin_edges(s: FloatArray, max_bins: int) -> FloatArray:
    """Inner bin edges of one training column, given sorted (see the module docstring)."""
    distinct = s[np.r_[True, s[1:] != s[:-1]]]
    if distinct.size <= max_bins:
        lo, hi = distinct[:-1], distinct[1:]
    else:
        pos = (np.arange(1, max_bins, dtype=np.int64) * s.size) // max_bins
        lo, hi = s[pos - 1], s[pos]
    edges: FloatArray = np.unique(lo / 2.0 + hi / 2.0)  # halves first: no overflow
    return edges


def _codes(edges: FloatArray, column: FloatArray, order: IntArray) -> CodeArray:
    """Bin codes of ``column`` given its sorting permutation ``order``.

    ``np.searchsorted`` on sorted values is several times quicker than on shuffled ones (its
    branches become predictable); ties in ``order`` get equal codes, so any sort will do.
    """
    codes = np.empty(column.size, dtype=np.uint8)
    codes[order] = np.searchsorted(edges, column[order], side="left")
    return codes
