"""Histogram counts of a batch's values against numpy.histogram, on both of their paths."""

from __future__ import annotations

import numpy as np
import pytest

from mlaudit.summary._columns import _COUNTING_EDGES, histogram_counts


def _numpy_counts(x: np.ndarray, edges: np.ndarray) -> tuple[list[int], int, int]:
    inside = x[(x >= edges[0]) & (x <= edges[-1])]
    counts = np.histogram(inside, bins=edges)[0]
    return counts.tolist(), int((x < edges[0]).sum()), int((x > edges[-1]).sum())


@pytest.mark.parametrize("n_edges", [2, 3, 31, _COUNTING_EDGES, _COUNTING_EDGES + 1, 400])
@pytest.mark.parametrize("kind", ["equal", "quantile", "integers"])
def test_counts_equal_numpy_histogram(n_edges: int, kind: str) -> None:
    rng = np.random.default_rng(n_edges)
    if kind == "integers":  # many values exactly on the edges, the last edge included
        x = rng.integers(-3, 60, 150_000).astype(np.float64)
        edges = np.linspace(-2.0, 50.0, n_edges)
        edges = np.unique(np.round(edges))
        if edges.size < 2:
            edges = np.array([-2.0, 50.0])
    elif kind == "quantile":  # unequal widths, edges taken from the values themselves
        x = rng.lognormal(size=150_000)
        edges = np.unique(np.quantile(x[:5_000], np.linspace(0.01, 0.99, n_edges)))
    else:
        x = rng.normal(size=150_000)
        edges = np.linspace(-2.5, 2.5, n_edges)
    got = histogram_counts(x, edges.tolist())
    counts, below, above = _numpy_counts(x, edges)
    assert (got.counts, got.below, got.above) == (counts, below, above)
    assert sum(got.counts) + got.below + got.above == x.size


def test_every_value_on_the_last_edge_falls_in_the_last_bin() -> None:
    x = np.full(1_000, 5.0)
    got = histogram_counts(x, [0.0, 1.0, 5.0])
    assert got.counts == [0, 1_000] and got.below == got.above == 0
