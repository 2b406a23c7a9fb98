"""Scores and labels with a known calibration, for the calibration and estimation tests."""

from __future__ import annotations

import numpy as np


def distorted(rng: np.random.Generator, n: int, *, flip: bool = False) -> tuple[np.ndarray, ...]:
    """Scores p**3 of true probabilities p; labels from p (or from 1 − p: concept drift)."""
    x = rng.normal(size=n)
    p = 1.0 / (1.0 + np.exp(-(2.0 * x - 0.5)))
    y = (rng.random(n) < (1.0 - p if flip else p)).astype(int)
    return p**3, y
