"""``fit_pca`` against scikit-learn's ``PCA(n_components=variance, svd_solver="full")``."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from mlaudit.stats._pca import fit_pca


def _data(n: int, p: int, factors: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference and current rows driven by a few latent factors plus noise."""
    rng = np.random.default_rng(seed)
    load = rng.normal(size=(factors, p))
    scale = rng.uniform(0.5, 20.0, p)
    ref = (rng.normal(size=(n, factors)) @ load + 0.3 * rng.normal(size=(n, p))) * scale
    cur = (rng.normal(size=(n // 2, factors)) @ load + 0.5 * rng.normal(size=(n // 2, p))) * scale
    return ref + 5.0, cur + 4.0


@pytest.mark.parametrize(
    ("n", "p", "factors", "seed"),
    [(50, 3, 1, 0), (1_000, 20, 4, 1), (400, 6, 2, 2), (30, 40, 3, 3), (5_000, 12, 12, 4)],
)
@pytest.mark.parametrize("variance", [0.5, 0.8, 0.9, 0.99])
def test_equals_scikit_learn(n: int, p: int, factors: int, seed: int, variance: float) -> None:
    ref, cur = _data(n, p, factors, seed)
    fit = fit_pca(ref, variance=variance)
    sk = PCA(n_components=variance, svd_solver="full").fit(ref)
    assert fit.n_components == sk.n_components_
    np.testing.assert_allclose(fit.mean, sk.mean_, rtol=1e-12)
    np.testing.assert_allclose(
        fit.explained_variance_ratio, sk.explained_variance_ratio_, rtol=1e-9, atol=1e-15
    )
    np.testing.assert_allclose(fit.components, sk.components_, rtol=1e-9, atol=1e-9)
    for x in (ref, cur):
        np.testing.assert_allclose(fit.transform(x), sk.transform(x), rtol=1e-9, atol=1e-9)
        back = sk.inverse_transform(sk.transform(x))
        np.testing.assert_allclose(fit.reconstruct(x), back, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(
            ((x - fit.reconstruct(x)) ** 2).mean(axis=1),
            ((x - back) ** 2).mean(axis=1),
            rtol=1e-9,
            atol=1e-9,
        )


def test_collinear_and_duplicated_columns() -> None:
    rng = np.random.default_rng(8)
    a = rng.normal(size=(300, 2))
    x = np.column_stack([a[:, 0], a[:, 0], 2 * a[:, 0] - a[:, 1], a[:, 1], np.zeros(300) + 1])
    for variance in (0.6, 0.95, 0.999999):
        fit = fit_pca(x, variance=variance)
        sk = PCA(n_components=variance, svd_solver="full").fit(x)
        assert fit.n_components == sk.n_components_ <= 2
        np.testing.assert_allclose(
            fit.reconstruct(x), sk.inverse_transform(sk.transform(x)), rtol=1e-9, atol=1e-9
        )
    # Two independent directions carry all the variance: rebuilt exactly from them.
    np.testing.assert_allclose(fit_pca(x, variance=0.999999).reconstruct(x), x, atol=1e-9)


def test_component_rule_by_hand() -> None:
    # Orthogonal centred columns with variances 9, 4, 1 (ratios 9/14, 4/14, 1/14): 0.6 needs
    # one component (9/14 = 0.643), 0.7 two (13/14 = 0.929), 0.95 all three.
    base = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    x = base * np.array([3.0, 2.0, 1.0]) * np.sqrt(3 / 4)
    for variance, k in ((0.6, 1), (0.7, 2), (0.95, 3)):
        fit = fit_pca(x, variance=variance)
        assert fit.n_components == k
        np.testing.assert_allclose(
            fit.explained_variance_ratio, np.array([9, 4, 1])[:k] / 14, rtol=1e-12
        )
    # Signs: the largest loading of each direction is positive.
    comps = fit_pca(x, variance=0.95).components
    assert np.all(comps[np.arange(3), np.argmax(np.abs(comps), axis=1)] > 0)


def test_invalid_inputs() -> None:
    x = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="at least 2 rows"):
        fit_pca(x[:1], variance=0.9)
    with pytest.raises(ValueError, match="variance must lie"):
        fit_pca(x, variance=1.0)
    with pytest.raises(ValueError, match="finite"):
        fit_pca(np.where(x > 1, np.nan, x), variance=0.9)
    with pytest.raises(ValueError, match="vary"):
        fit_pca(np.ones((5, 2)), variance=0.9)
