"""Principal component analysis that keeps a share of the variance, and reconstruction from it.

The rows of ``X`` (n × p) are centred on their mean ``μ``; the thin singular value decomposition
``X − μ = U S Vᵀ`` gives the principal directions (rows of ``Vᵀ``) and the variance along each,
``S² / (n − 1)``.  The fewest leading components whose explained-variance ratios add up to more
than ``variance`` are kept: ``k = (number of cumulative ratios ≤ variance) + 1``, the rule of
scikit-learn's ``PCA(n_components=variance, svd_solver="full")`` (so a ratio sum exactly equal
to ``variance`` takes one more component).  A row ``x`` is projected to ``(x − μ) V_kᵀ`` and
rebuilt as ``(x − μ) V_kᵀ V_k + μ``; what the kept components miss is ``x`` minus that.

Written with numpy alone (``numpy.linalg.svd``, LAPACK's divide-and-conquer ``gesdd``, as
scikit-learn's full solver uses through scipy) because importing scikit-learn costs about a
second, more than the drift suite's whole budget on a million rows; the component counts and
reconstructions equal scikit-learn's (tested to 1e-9).  Each direction's sign is fixed so that
its largest absolute loading is positive (scikit-learn's ``svd_flip`` on ``Vᵀ``), which makes
the components deterministic; reconstructions do not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["PCAFit", "fit_pca"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PCAFit:
    """A fitted PCA: the centre, the kept directions and the variance shares they explain.

    ``components`` is k × p (one direction per row); ``explained_variance_ratio`` holds the
    kept components' shares of the total variance, largest first.
    """

    mean: Floats
    components: Floats
    explained_variance_ratio: Floats

    @property
    def n_components(self) -> int:
        """Number of kept components."""
        return int(self.components.shape[0])

    def transform(self, x: npt.ArrayLike) -> Floats:
        """Coordinates of the rows of ``x`` on the kept components, ``(x − μ) V_kᵀ``."""
        rows = np.asarray(x, dtype=np.float64)
        # Same association as scikit-learn: x·V_kᵀ − μ·V_kᵀ.
        return np.asarray(rows @ self.components.T - self.mean @ self.components.T)

    def inverse_transform(self, scores: npt.ArrayLike) -> Floats:
        """Rows rebuilt from their coordinates, ``scores · V_k + μ``."""
        return np.asarray(np.asarray(scores, dtype=np.float64) @ self.components + self.mean)

    def reconstruct(self, x: npt.ArrayLike) -> Floats:
        """The rows of ``x`` projected on the kept components and mapped back."""
        return self.inverse_transform(self.transform(x))


def fit_pca(x: npt.ArrayLike, *, variance: float) -> PCAFit:
    """Fit a PCA on the rows of ``x`` keeping the fewest components explaining ``variance``.

    Parameters
    ----------
    x
        n × p matrix of finite values, n ≥ 2, not constant.
    variance
        Share of the total variance the kept components must explain, in (0, 1).

    Returns
    -------
    PCAFit
        The mean, the kept components and their explained-variance ratios.
    """
    rows = np.asarray(x, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] < 2 or rows.shape[1] < 1:
        raise ValueError(f"PCA needs a matrix of at least 2 rows and 1 column, got {rows.shape}")
    if not 0.0 < variance < 1.0:
        raise ValueError(f"variance must lie in (0, 1), got {variance}")
    if not np.all(np.isfinite(rows)):
        raise ValueError("PCA needs finite values; impute or drop NaN and infinite values first")
    mean = rows.mean(axis=0)
    _, s, vt = np.linalg.svd(rows - mean, full_matrices=False)
    explained = s**2 / (rows.shape[0] - 1)
    total = float(np.sum(explained))
    if not total > 0.0:
        raise ValueError("PCA needs rows that vary; every row of the matrix is the same")
    ratio = explained / total
    k = int(np.searchsorted(np.cumsum(ratio), variance, side="right")) + 1
    k = min(k, s.size)  # a cumulative sum that rounds below ``variance`` keeps everything
    top = vt[:k]
    biggest = np.argmax(np.abs(top), axis=1)
    signs = np.sign(top[np.arange(k), biggest])
    signs[signs == 0] = 1.0
    return PCAFit(
        mean=mean,
        components=np.ascontiguousarray(top * signs[:, None]),
        explained_variance_ratio=ratio[:k].copy(),
    )
